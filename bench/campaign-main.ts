// `make campaign`: power loss and reset at every step of every flow (bench/campaign-flows.ts) on
// tier 1 and tier 2, staging cut at seeded random points, and the table in the "campaign" section
// of bench/results.md with the command that produced it. Exit 1 when any count but runs is non-zero.
//   node dist/bench/campaign-main.js [--tiers wasm,arm] [--arm-stride K] [--staging-runs N] [--seed S] [--flows a,b] [--no-write]
import { parseArgs } from "node:util";
import { FLOWS, countSteps, runFlow, runStaging, tally, type CampaignRow, type FlowName, type RunOutcome } from "./campaign-flows.js";
import { writeResultsSection } from "./campaign-results.js";
import { SeededRandom, type FaultAction } from "../host-sim/faults.js";
import type { TierName } from "../host-sim/tiers/tier.js";

/** Power losses per tier at random points of staging in a full run. */
const DEFAULT_STAGING_RUNS = 40;

const { values } = parseArgs({
  options: {
    tiers: { type: "string", default: "wasm,arm" },
    flows: { type: "string", default: FLOWS.join(",") },
    "arm-stride": { type: "string", default: "1" },
    "staging-runs": { type: "string", default: String(DEFAULT_STAGING_RUNS) },
    seed: { type: "string", default: "1" },
    "no-write": { type: "boolean", default: false },
  },
});

function positive(name: string, text: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < 1) throw new Error(`--${name} must be a positive decimal integer, not '${text}'`);
  return Number(text);
}

const tiers = values.tiers!.split(",") as TierName[];
const flows = values.flows!.split(",") as FlowName[];
for (const tier of tiers) if (tier !== "wasm" && tier !== "arm") throw new Error(`unknown tier '${tier}'`);
for (const flow of flows) if (!FLOWS.includes(flow)) throw new Error(`unknown flow '${flow}' (${FLOWS.join(", ")})`);
const armStride = positive("arm-stride", values["arm-stride"]!);
const stagingRuns = positive("staging-runs", values["staging-runs"]!);
const seed = positive("seed", values.seed!);
const actions: FaultAction[] = ["power-loss", "reset"];

/** The steps a stride visits, as the text says them. */
const strided = (stride: number): string => `1, ${1 + stride}, ${1 + 2 * stride}, …`;

const rows: CampaignRow[] = [];
const started = process.hrtime.bigint();
for (const flow of flows) {
  for (const tier of tiers) {
    const outcomes: RunOutcome[] = [];
    let what: string;
    if (flow === "staging") {
      // The cut points: CPU1 flash operations (tier 1) or CPU1 instructions (tier 2) of a clean staging.
      const total = runStaging(tier, Number.MAX_SAFE_INTEGER).steps;
      const random = new SeededRandom(seed);
      for (let run = 0; run < stagingRuns; run++) outcomes.push(runStaging(tier, 1 + Math.floor(random.next() * total)));
      what = `${stagingRuns} power losses at random ${tier === "arm" ? "CPU1 instruction counts" : "CPU1 flash operations"} of the ${total} of staging + install`;
    } else {
      const total = countSteps(flow, tier);
      const stride = tier === "arm" ? armStride : 1;
      for (let step = 1; step <= total; step += stride) {
        for (const action of actions) outcomes.push(runFlow(flow, tier, { step, action }));
      }
      what = `power loss and reset at ${stride === 1 ? "every step" : `steps ${strided(stride)}`} of ${total}`;
    }
    const row = tally(flow, tier, outcomes);
    rows.push(row);
    console.error(`${flow} on ${tier}: ${what}: ${JSON.stringify(row)}`);
  }
}
const minutes = Number(process.hrtime.bigint() - started) / 60e9;

const command = `node dist/bench/campaign-main.js ${process.argv.slice(2).join(" ")}`.trim();
const sum = (pick: (row: CampaignRow) => number) => rows.reduce((total, row) => total + pick(row), 0);
const table = rows.map((row) => `| ${row.flow} | ${row.tier} | ${row.runs} | ${row.achieved} | ${row.bricks} | ${row.lostStacks} | ${row.lostFus} | ${row.lostApplications} | ${row.lostNvm} | ${row.falseDone} | ${row.falseFailures} |`);
const examples = rows.flatMap((row) => row.examples.map((example) => `- ${row.flow} / ${row.tier}: ${example}`));
const reduced = armStride > 1 || stagingRuns < DEFAULT_STAGING_RUNS || tiers.length < 2 || flows.length < FLOWS.length;
const reducedNote = reduced
  ? `\n**A reduced run** (see its command): \`make campaign\` without options strikes every step of every flow on both tiers
and cuts staging ${DEFAULT_STAGING_RUNS} times per tier.\n`
  : "";
const body = `## Fault campaign

Produced by \`make campaign\` (\`${command}\`; ${minutes.toFixed(1)} min). Each FUS-side flow is staged
without faults, then a power loss or a reset strikes at step n of its FUS_STEP_KINDS steps
(FUS phases, CPU2 flash operations, system commands: host-sim/faults.ts) for every n (tier 2:
${armStride === 1 ? "every n" : `n = ${strided(armStride)}`}), and the session follows it to the end. Staging is cut by a power loss at a
seeded random CPU1 flash operation (tier 1) or CPU1 instruction count (tier 2), then staged again
and installed. Ground truth is the board right after the flow (CPU2's state, the stack's and the
NVM section's bytes, the first 32 KB of CPU1 flash) and a fresh power-on that must boot CPU2 and
diagnose healthy — not the operator's word. "False done": the operator reported success and the
part did not do it; "false failure": it reported a failure and the part did it.
${reducedNote}
| flow | tier | runs | goal reached | bricks | lost stacks | lost FUS | lost applications | lost NVM sections | false done | false failures |
|---|---|---|---|---|---|---|---|---|---|---|
${table.join("\n")}
| **total** | | ${sum((r) => r.runs)} | ${sum((r) => r.achieved)} | ${sum((r) => r.bricks)} | ${sum((r) => r.lostStacks)} | ${sum((r) => r.lostFus)} | ${sum((r) => r.lostApplications)} | ${sum((r) => r.lostNvm)} | ${sum((r) => r.falseDone)} | ${sum((r) => r.falseFailures)} |

${examples.length ? `Examples:\n${examples.join("\n")}` : "No run went wrong."}
`;
if (!values["no-write"]) writeResultsSection("campaign", body);
console.log(body);
const bad = sum((r) => r.bricks + r.lostStacks + r.lostFus + r.lostApplications + r.lostNvm + r.falseDone + r.falseFailures);
process.exitCode = bad > 0 ? 1 : 0;
