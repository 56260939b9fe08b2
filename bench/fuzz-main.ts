// `make fuzz`: every fuzz target of bench/fuzz-targets.ts over a million seeded inputs (tier 1,
// one worker thread at a time, a watchdog naming any input that hangs), tier 1 against tier 2 on a
// sample, and the counts in the "fuzz" section of bench/results.md with the command that made them.
//   node dist/bench/fuzz-main.js [--inputs N] [--seed S] [--sample-every K] [--targets footer,planner,board,console,ymodem] [--no-write]
// --inputs also takes per-target counts, e.g. `--inputs 1000000,board=200000` (the table names them).
// The field loader's targets (console, ymodem: bench/fuzz-loader.ts) run a fresh virtual board per
// input, about 3 ms and 7 ms each on one core: a million of them takes ~50 min and ~2 h, so a
// shorter run gives them fewer, e.g. `--inputs 1000000,console=100000,ymodem=50000`.
import { Worker } from "node:worker_threads";
import { parseArgs } from "node:util";
import { addCounts, compareTiers, emptyCounts, runTarget, violationTotal, TARGETS, type FuzzCounts, type TargetName } from "./fuzz-targets.js";
import { writeResultsSection } from "./campaign-results.js";

/** Inputs per target in a full run (issue: at least a million). */
const FULL_INPUTS = 1_000_000;

const { values } = parseArgs({
  options: {
    inputs: { type: "string", default: String(FULL_INPUTS) },
    seed: { type: "string", default: "1" },
    "sample-every": { type: "string", default: "1000" },
    targets: { type: "string", default: TARGETS.join(",") },
    "hang-ms": { type: "string", default: "10000" },
    "no-write": { type: "boolean", default: false },
  },
});

function positive(name: string, text: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < 1) throw new Error(`--${name} must be a positive decimal integer, not '${text}'`);
  return Number(text);
}

/** Inputs per target: `N` for every target, then `target=N` entries that override it. */
function inputCounts(text: string): Record<TargetName, number> {
  const counts = {} as Record<TargetName, number>;
  for (const entry of text.split(",")) {
    const [name, count] = entry.includes("=") ? entry.split("=", 2) : [null, entry];
    if (name !== null && !TARGETS.includes(name as TargetName)) throw new Error(`--inputs: unknown target '${name}' (${TARGETS.join(", ")})`);
    for (const target of name === null ? TARGETS : [name as TargetName]) counts[target] = positive("inputs", count);
  }
  for (const target of TARGETS) if (counts[target] === undefined) throw new Error(`--inputs gives no count for ${target}`);
  return counts;
}

const inputCount = inputCounts(values.inputs!);
const seed = positive("seed", values.seed!);
const sampleEvery = positive("sample-every", values["sample-every"]!);
const hangMs = positive("hang-ms", values["hang-ms"]!);
const targets = values.targets!.split(",") as TargetName[];
for (const target of targets) if (!TARGETS.includes(target)) throw new Error(`unknown target '${target}' (${TARGETS.join(", ")})`);
const CHUNK = 5000;

/** Runs [from, to) in a worker; resolves with where it stopped and whether the last input hung. */
function runWorker(target: TargetName, from: number, to: number, counts: FuzzCounts): Promise<{ stoppedAt: number; hung: boolean }> {
  const current = new SharedArrayBuffer(4);
  const index = new Int32Array(current);
  Atomics.store(index, 0, from);
  const worker = new Worker(new URL("./fuzz-worker.js", import.meta.url), { workerData: { target, seed, from, to, current, chunk: CHUNK } });
  let reached = from;
  return new Promise((resolve, reject) => {
    let last = -1;
    let since = Date.now();
    const watchdog = setInterval(() => {
      const now = Atomics.load(index, 0);
      if (now !== last) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since > hangMs) {
        clearInterval(watchdog);
        void worker.terminate();
        // The chunk in flight is run again from its start, without the input that hung.
        resolve({ stoppedAt: now, hung: true });
      }
    }, 250);
    worker.on("message", (message: { end: number; counts: FuzzCounts }) => {
      addCounts(counts, message.counts);
      reached = message.end;
    });
    worker.on("error", (error) => {
      clearInterval(watchdog);
      reject(error);
    });
    worker.on("exit", () => {
      clearInterval(watchdog);
      resolve({ stoppedAt: reached, hung: false });
    });
  });
}

interface TargetReport {
  target: TargetName;
  counts: FuzzCounts;
  seconds: number;
  compared: number | null;
  disagreements: string[];
}

async function fuzzTarget(target: TargetName): Promise<TargetReport> {
  const inputs = inputCount[target];
  const counts = emptyCounts();
  const started = process.hrtime.bigint();
  let from = 0;
  while (from < inputs) {
    const { stoppedAt, hung } = await runWorker(target, from, inputs, counts);
    if (!hung) break;
    // The chunk in flight never posted its counts: its inputs before the one that hung run again
    // here (inputs are deterministic), the hang is counted, and the worker restarts after it.
    const chunkStart = from + Math.floor((stoppedAt - from) / CHUNK) * CHUNK;
    addCounts(counts, runTarget(target, seed, chunkStart, stoppedAt));
    const hang = emptyCounts();
    hang.inputs = 1;
    hang.hangs = 1;
    hang.findings.push(`#${stoppedAt} hang: no answer within ${hangMs} ms`);
    addCounts(counts, hang);
    from = stoppedAt + 1;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  let compared: number | null = null;
  let disagreements: string[] = [];
  if (target === "footer" || target === "planner") {
    ({ compared, disagreements } = compareTiers(target, seed, inputs, sampleEvery));
  }
  const report = { target, counts, seconds, compared, disagreements };
  console.log(JSON.stringify({ ...report, counts: { ...counts, findings: counts.findings.slice(0, 5) }, disagreements: disagreements.slice(0, 5) }));
  return report;
}

const reports: TargetReport[] = [];
for (const target of targets) reports.push(await fuzzTarget(target));

const described: Record<TargetName, string> = {
  footer: "footer decoder (wasm, tier 1): real tails mutated + footers from random fields, hostile file sizes",
  planner: "planner (wasm, tier 1): random parts, real images, hostile --app-end/--sfsa",
  board: "board-file loader: field and byte mutations of a saved board with an install in flight",
  console: "field loader console (loader wasm, tier 1): mutated command lines, control bytes, overlong lines, CR/LF mixes, json on/off",
  ymodem: "field loader `app` YMODEM receive (loader wasm, tier 1): a reacting sender that damages blocks, CAN/EOT, silence, oversize headers",
};
const command = `node dist/bench/fuzz-main.js ${process.argv.slice(2).join(" ")}`.trim();
const rows = reports.map((report) => {
  const { counts } = report;
  const tiers = report.compared === null ? (report.target === "board" ? "n/a (host code)" : "n/a (tier 1 only)") : `${report.disagreements.length} of ${report.compared}`;
  const perMillion = (report.seconds / counts.inputs) * 1e6;
  return `| ${described[report.target]} | ${counts.inputs} | ${counts.accepted} | ${counts.traps} | ${counts.hangs} | ${violationTotal(counts)} | ${tiers} | ${perMillion.toFixed(0)} |`;
});
const details = reports.flatMap((report) => {
  const lines: string[] = [];
  for (const [name, count] of Object.entries(report.counts.violations)) lines.push(`- ${report.target}: ${count} × ${name}`);
  for (const finding of report.counts.findings.slice(0, 4)) lines.push(`  - ${report.target} ${finding.replace(/\|/g, "\\|")}`);
  for (const disagreement of report.disagreements.slice(0, 3)) lines.push(`  - ${report.target} tier disagreement ${disagreement.replace(/\|/g, "\\|")}`);
  return lines;
});
const reducedNote = reports.some((report) => inputCount[report.target] < FULL_INPUTS)
  ? `\n**A reduced run** (see its command): \`make fuzz\` without options runs ${FULL_INPUTS} inputs per target.\n`
  : "";
const body = `## Fuzzing

Produced by \`make fuzz\` (\`${command}\`; seed ${seed}, tier-2 sample every ${sampleEvery}th input).
Inputs are a pure function of (seed, index): \`runTarget(target, seed, i, i + 1)\` in
bench/fuzz-targets.ts replays finding #i. Traps are exceptions that are not the code's own answer
(wasm traps, device faults, TypeErrors); violations are broken invariants (a plan below --app-end,
on the first sector, beyond flash end or at/above SFSA; an accepted image larger than its sectors;
a board that does not round-trip; a loader command line without exactly one final line, or a line
that is no command changing the part; a YMODEM transfer answered OK without the exact file in the
application slot, or refused leaving an application marked valid or bytes in the slot). Hangs are
also inputs past the loader's step or reset bound. Seconds per million inputs is wall time on the
machine that ran it.
${reducedNote}
| target | inputs | accepted | traps | hangs | invariant violations | tier-1/tier-2 disagreements | s per 10^6 inputs |
|---|---|---|---|---|---|---|---|
${rows.join("\n")}

${details.length ? details.join("\n") : "No violations, traps, hangs or disagreements."}
`;
if (!values["no-write"]) writeResultsSection("fuzz", body);
console.log(body);
const bad = reports.some((report) => report.counts.traps + report.counts.hangs + violationTotal(report.counts) + report.disagreements.length > 0);
process.exitCode = bad ? 1 : 0;
