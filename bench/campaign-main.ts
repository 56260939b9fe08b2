// `make campaign`: power loss and reset at every step of every flow (bench/campaign-flows.ts) on
// tier 1 and tier 2, staging cut at seeded random points, and the table in the "campaign" section
// of bench/results.md with the command that produced it. Exit 1 when any count but runs is non-zero.
// The field loader's flows (bench/campaign-loader.ts) have their own table, in the "campaign-loader"
// section; each section is written only when the run included flows of its kind.
//   node dist/bench/campaign-main.js [--tiers wasm,arm] [--arm-stride K] [--staging-runs N] [--seed S] [--flows a,b]
//                                    [--program-stride P] [--no-write]
import { parseArgs } from "node:util";
import { FLOWS, countSteps, runFlow, runStaging, tally, type CampaignRow, type FlowName, type RunOutcome } from "./campaign-flows.js";
import { writeResultsSection } from "./campaign-results.js";
import { LOADER_FLOWS, runLoaderFlow, sweepSteps, tallyLoader, type LoaderCampaignRow, type LoaderFault, type LoaderFlowName, type LoaderRunOutcome, stageOf, type StepStage } from "./campaign-loader.js";
import { SeededRandom, type FaultAction } from "../host-sim/faults.js";
import type { TierName } from "../host-sim/tiers/tier.js";

/** Power losses per tier at random points of staging in a full run. */
const DEFAULT_STAGING_RUNS = 40;
/** Loader flows: every CPU1 double-word program of image data is struck on tier 1, every 16th on tier 2 (see sweepSteps). */
const DEFAULT_PROGRAM_STRIDE = 1;
const ARM_PROGRAM_FACTOR = 16;

const { values } = parseArgs({
  options: {
    tiers: { type: "string", default: "wasm,arm" },
    flows: { type: "string", default: [...FLOWS, ...LOADER_FLOWS].join(",") },
    "program-stride": { type: "string", default: String(DEFAULT_PROGRAM_STRIDE) },
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
const allFlows = values.flows!.split(",");
for (const tier of tiers) if (tier !== "wasm" && tier !== "arm") throw new Error(`unknown tier '${tier}'`);
for (const flow of allFlows) {
  if (!FLOWS.includes(flow as FlowName) && !LOADER_FLOWS.includes(flow as LoaderFlowName)) throw new Error(`unknown flow '${flow}' (${[...FLOWS, ...LOADER_FLOWS].join(", ")})`);
}
const flows = allFlows.filter((flow): flow is FlowName => FLOWS.includes(flow as FlowName));
const loaderFlows = allFlows.filter((flow): flow is LoaderFlowName => LOADER_FLOWS.includes(flow as LoaderFlowName));
const programStride = positive("program-stride", values["program-stride"]!);
const armStride = positive("arm-stride", values["arm-stride"]!);
const stagingRuns = positive("staging-runs", values["staging-runs"]!);
const seed = positive("seed", values.seed!);
const actions: FaultAction[] = ["power-loss", "reset"];

const everyNth = (n: number): string => (n === 1 ? "every one" : `every ${n}th`);

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
const loaderReduced = armStride > 1 || programStride > DEFAULT_PROGRAM_STRIDE || tiers.length < 2 || loaderFlows.length < LOADER_FLOWS.length;
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
if (flows.length > 0) {
  if (!values["no-write"]) writeResultsSection("campaign", body);
  console.log(body);
}
const bad = sum((r) => r.bricks + r.lostStacks + r.lostFus + r.lostApplications + r.lostNvm + r.falseDone + r.falseFailures);

// The field loader's flows: a fault after each acknowledged YMODEM block, and at the steps
// sweepSteps keeps of a clean run (every step but the long runs of image-data programs, of which
// every P-th), each a power loss and a reset.
const loaderRows: LoaderCampaignRow[] = [];
const loaderWhat: string[] = [];
const loaderStarted = process.hrtime.bigint();
for (const flow of loaderFlows) {
  for (const tier of tiers) {
    const clean = runLoaderFlow(flow, tier, null);
    if (clean.report !== "done" || !clean.achieved) throw new Error(`${flow} on ${tier} fails without a fault: ${clean.detail}`);
    const stride = tier === "arm" ? programStride * ARM_PROGRAM_FACTOR : programStride;
    const steps = sweepSteps(clean.log, stride).filter((_, index) => tier !== "arm" || index % armStride === 0);
    const faults: LoaderFault[] = [];
    for (let block = 0; block < clean.blocks; block++) for (const action of actions) faults.push({ at: "block", block, action });
    for (const step of steps) for (const action of actions) faults.push({ at: "step", step, action });
    const outcomes: LoaderRunOutcome[] = faults.map((fault) => runLoaderFlow(flow, tier, fault));
    const byStage = (stage: StepStage) => `${steps.filter((step) => stageOf(clean, step) === stage).length} of ${clean.log.filter((record) => stageOf(clean, record.step) === stage).length}`;
    const stages = (["receive", "placement", "verify", "fus"] as const).filter((stage) => clean.log.some((record) => stageOf(clean, record.step) === stage));
    const what = `${clean.blocks} block boundaries; steps: ${stages.map((stage) => `${stage} ${byStage(stage)}`).join(", ")}`;
    loaderWhat.push(`- ${flow} / ${tier}: ${what}`);
    const row = tallyLoader(flow, tier, outcomes);
    loaderRows.push(row);
    console.error(`${flow} on ${tier}: ${what}: ${JSON.stringify(row)}`);
  }
}
const loaderMinutes = Number(process.hrtime.bigint() - loaderStarted) / 60e9;
const loaderSum = (pick: (row: LoaderCampaignRow) => number) => loaderRows.reduce((total, row) => total + pick(row), 0);
const loaderBody = `## Fault campaign: the field loader

Produced by \`make campaign\` (\`${command}\`; ${loaderMinutes.toFixed(1)} min). The loader (tier 1: its wasm
module; tier 2: its ARM firmware from the reset vector, as \`fusop sim serve\` runs it) on a part with
FUS 2.2.0, a stack 1.23.0 and an application written with \`app\`; a YMODEM sender scripted on the
virtual clock (bench/campaign-loader-part.ts). **loader-install**: \`start-fus\`, \`install\` of an 8 KiB
stack 1.24.0 (received after the application, moved up to its planned address, FW_UPGRADE through
FUS's resets). **loader-app**: \`app\` of a 4.75 KiB application over the old one. A power loss and
a reset strike after each acknowledged block (header, data, EOT), and at the steps kept of a clean
run (host-sim/faults.ts: CPU1 flash operations — journal records, erases, programs of the receive
and of the move —, FUS phases, CPU2 flash operations, system commands; of the long runs of
double-word programs ${everyNth(programStride)} on tier 1 and ${everyNth(programStride * ARM_PROGRAM_FACTOR)} on tier 2${armStride > 1 ? `, and of the steps kept ${everyNth(armStride)} on tier 2` : ""}):
${loaderWhat.join("\n")}
${loaderReduced ? `\n**A reduced run** (see its command): \`make campaign\` without options strikes every program on tier 1 and every ${ARM_PROGRAM_FACTOR}th on tier 2, both flows, both tiers.\n` : ""}
Ground truth after the flow and a fresh power-on (a key in the boot window, \`info\`, FUS left to
finish what it resumes): "lost stack": neither the old stack intact nor the new one installed;
"lost application": install — the application changed or is no longer valid; app — something
other than the old or the new application would boot; "loader unreachable": \`info\` unanswered;
"leftover": anything between the application and the secure area. "False done"/"false failure":
the loader's last final line (OK / ERROR) against the goal; no final line (power lost) is neither.

| flow | tier | runs | goal reached | bricks | lost stacks | lost FUS | lost applications | false done | false failures | loader unreachable | leftover in staging |
|---|---|---|---|---|---|---|---|---|---|---|---|
${loaderRows.map((r) => `| ${r.flow} | ${r.tier} | ${r.runs} | ${r.achieved} | ${r.bricks} | ${r.lostStacks} | ${r.lostFus} | ${r.lostApplications} | ${r.falseDone} | ${r.falseFailures} | ${r.unreachable} | ${r.leftovers} |`).join("\n")}

${loaderRows.some((r) => r.examples.length) ? `Examples:\n${loaderRows.flatMap((r) => r.examples.map((e) => `- ${r.flow} / ${r.tier}: ${e}`)).join("\n")}` : "No run went wrong."}
`;
if (loaderFlows.length > 0) {
  if (!values["no-write"]) writeResultsSection("campaign-loader", loaderBody);
  console.log(loaderBody);
}
const loaderBad = loaderSum((r) => r.bricks + r.lostStacks + r.lostFus + r.lostApplications + r.falseDone + r.falseFailures + r.unreachable + r.leftovers);
process.exitCode = bad + loaderBad > 0 ? 1 : 0;
