// Power loss at the block boundaries of a YMODEM transfer, at the steps of placement and at the FUS
// phases of an install, on tier 2: the loader's ARM firmware from its reset vector on the firmware
// runner with the chip model — what `fusop sim serve --pty` runs — driven in-process on virtual
// time by a scripted YMODEM sender (bench/campaign-loader-part.ts), so that a point costs seconds,
// not a transfer at line speed through a pty (test/serve/power-loss.test.ts does that with sb for
// three points). Each run ends as issue item 5 / assembly/loader/README.md "Power-loss safety" say,
// judged from the board and a fresh power-on (bench/campaign-loader.ts): FUS as before, the old
// stack or the new one, the application kept, the loader answering `info`, the staging space clean.
//
// What runs where: `make test` strikes a sample (named below) on tier 2 and the same sample on
// tier 1; `make test-slow` (FUSOP_SLOW_TESTS=1) every block boundary and every step but the long
// runs of image-data programs (every 64th of those) on tier 2; `make campaign` every step on tier 1
// and the table in bench/results.md. Facts: FUS's install resets and its resume after power loss
// (fus-behaviour §1.7, §1.15), flash writes only while CPU2 runs FUS (cpu2-interface §4.5).
import { describe, expect, test } from "vitest";
import { Worker } from "node:worker_threads";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { stageOf, sweepSteps, type LoaderFault, type LoaderFlowName, type LoaderRunOutcome } from "../../bench/campaign-loader.js";
import { projectRoot } from "../../host-sim/paths.js";
import type { TierName } from "../../host-sim/tiers/tier.js";
import { slowTests } from "./support.js";

/**
 * One run on a worker thread (the built bench/campaign-loader.js, like the CLI these suites run
 * from dist/): a tier-2 run is seconds of synchronous emulation, which would keep the test
 * runner's worker from answering its runner meanwhile.
 */
function runLoaderFlow(flow: LoaderFlowName, tier: TierName, fault: LoaderFault | null): Promise<LoaderRunOutcome> {
  const module = pathToFileURL(join(projectRoot, "dist", "bench", "campaign-loader.js")).href;
  const code = `const { parentPort, workerData } = require("node:worker_threads");
    import(workerData.module).then((m) => parentPort.postMessage(m.runLoaderFlow(workerData.flow, workerData.tier, workerData.fault)));`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { module, flow, tier, fault } });
    worker.once("message", (outcome: LoaderRunOutcome) => {
      resolve(outcome);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}

/** What a run must not do, whatever the point it was struck at. */
function wrongs(outcome: LoaderRunOutcome): string[] {
  const flags = ["brick", "lostStack", "lostFus", "lostApplication", "falseDone", "falseFailure", "unreachable", "leftover"] as const;
  return flags.filter((flag) => outcome[flag]).map((flag) => `${outcome.fault}: ${flag}${outcome.detail ? ` (${outcome.detail})` : ""}`);
}

/**
 * The window between FW_UPGRADE and FUS's install phase (the command, FUS's verify phase, the state
 * polls before its install phase): power lost there takes the operator's SRAM2a record while FUS,
 * idle after power-on, never takes the image. The loader's journal says it was handed to FUS
 * (assembly/loader/README.md "Power-loss safety"), so the next start asks FUS and, FUS idle without
 * the new version, erases the staging space: the window must end clean like every other point.
 */
function upgradeWindow(run: LoaderRunOutcome): LoaderRunOutcome["log"] {
  const upgrade = run.log.findIndex((record) => /command 0xfc54 to fus/.test(record.label));
  const install = run.log.findIndex((record) => record.kind === "phase" && /install/.test(record.label));
  return run.log.slice(upgrade, install);
}

const cleanRuns = new Map<string, Promise<LoaderRunOutcome>>();
function clean(flow: LoaderFlowName, tier: TierName): Promise<LoaderRunOutcome> {
  const key = `${flow}/${tier}`;
  if (!cleanRuns.has(key)) cleanRuns.set(key, runLoaderFlow(flow, tier, null));
  return cleanRuns.get(key)!;
}

/** Placement's CPU1 flash operations of a clean install, and its erases and programs. */
function placement(run: LoaderRunOutcome) {
  const steps = run.log.filter((record) => stageOf(run, record.step) === "placement");
  return { steps, erases: steps.filter((record) => /erase/.test(record.label)), programs: steps.filter((record) => /program/.test(record.label)) };
}
const labelled = (pattern: RegExp) => (run: LoaderRunOutcome): number => run.log.find((record) => pattern.test(record.label))!.step;

/** The loader's journal page (assembly/loader/README.md "Flash layout"). */
const JOURNAL_PAGE = 0x0800_b000;

/**
 * Program ahead (assembly/loader/transfer.ts): the receive's program of a double word in the middle
 * of data block `block`, which comes after that block's ACK. Power lost there: the block is
 * acknowledged, not yet written. On tier 2 its step is past the one counted when the sender saw the
 * ACK (checked); tier 1's line has no frame timing, so the step that writes the ACK also programs
 * the block in the gap after it, before the sender looks: there the step is only past block N-1's.
 */
function programAfterAck(run: LoaderRunOutcome, block: number): number {
  // The receive's first program outside the loader's journal page is the file's first double word.
  const addresses = run.log.map((record) => /^CPU1 program 0x([0-9a-f]+)$/.exec(record.label)).filter((m) => m !== null).map((m) => parseInt(m[1], 16));
  const receiveAt = addresses.find((address) => address < JOURNAL_PAGE || address >= JOURNAL_PAGE + 0x1000)!;
  const middle = receiveAt + (block - 1) * 1024 + 512;
  const step = run.log.find((record) => record.label === `CPU1 program 0x${middle.toString(16)}`)!.step;
  expect(step).toBeGreaterThan(run.stepsAtBlock[run.tier === "arm" ? block : block - 1]);
  return step;
}

/** The sampled steps of an install, found by what they are in the clean run's log; `arm`: also on tier 2 in `make test`. */
const SAMPLE: { name: string; arm: boolean; step(run: LoaderRunOutcome): number }[] = [
  { name: "receive: block 4 being programmed after its ACK (program ahead)", arm: true, step: (run) => programAfterAck(run, 4) },
  { name: "placement: RECEIVE_END widened (its first step)", arm: false, step: (run) => placement(run).steps[0].step },
  { name: "placement: the move's first sector erase", arm: true, step: (run) => placement(run).erases[0].step },
  { name: "placement: a program in the middle of the move", arm: false, step: (run) => placement(run).programs[Math.floor(placement(run).programs.length / 2)].step },
  { name: "placement: erasing the low copy's last sector", arm: false, step: (run) => placement(run).erases.at(-1)!.step },
  { name: "placement: IMAGE_IDLE (its last step)", arm: true, step: (run) => placement(run).steps.at(-1)!.step },
  { name: "FUS: FW_UPGRADE sent", arm: true, step: labelled(/command 0xfc54 to fus/) },
  { name: "FUS: its verify phase (before it committed)", arm: true, step: (run) => upgradeWindow(run).find((record) => record.kind === "phase")!.step },
  { name: "FUS: the last state poll before its install phase", arm: true, step: (run) => upgradeWindow(run).at(-1)!.step },
  { name: "FUS: its install phase begins", arm: true, step: labelled(/^stack install/) },
  { name: "FUS: its first sector erase", arm: false, step: labelled(/^CPU2 erase/) },
  { name: "FUS: programming the stack", arm: false, step: labelled(/^CPU2 program/) },
  { name: "FUS: its last step (erasing the image it took)", arm: false, step: (run) => run.log.at(-1)!.step },
];
/** Block boundaries of the install's 10 (header 0, data 1-8, EOT 9). */
const BLOCKS: { name: string; arm: boolean; block: number }[] = [
  { name: "after the header", arm: true, block: 0 },
  { name: "after the 4th data block", arm: false, block: 4 },
  { name: "after the last data block", arm: false, block: 8 },
  { name: "after the file's EOT (the loader places the image)", arm: true, block: 9 },
];

function judged(outcome: LoaderRunOutcome): void {
  expect(wrongs(outcome), outcome.detail).toEqual([]);
}

describe.each(["arm", "wasm"] as const)("tier %s: power loss during a loader install (8 KiB stack update) and an application update", (tier) => {
  const sampled = <T extends { arm: boolean }>(points: T[]): T[] => points.filter((point) => tier === "wasm" || point.arm);

  test("without a fault the install ends OK with the new stack, the staging space clean", async () => {
    const run = await clean("loader-install", tier);
    expect([run.report, run.achieved, run.leftover, run.unreachable]).toEqual(["done", true, false, false]);
    // Header, 8 data blocks, the file's EOT; receive, then placement's steps, then FUS's.
    expect(run.blocks).toBe(10);
    expect(new Set(run.log.map((record) => stageOf(run, record.step)))).toEqual(new Set(["receive", "placement", "fus"]));
  });

  test.each(sampled(BLOCKS))("install: power lost $name: nothing installed lost, staging clean, the loader answers", async ({ block }) => {
    judged(await runLoaderFlow("loader-install", tier, { at: "block", block, action: "power-loss" }));
  });

  test.each(sampled(SAMPLE))("install: power lost at $name", async ({ step: find }) => {
    const run = await clean("loader-install", tier);
    const step = find(run);
    const outcome = await runLoaderFlow("loader-install", tier, { at: "step", step, action: "power-loss" });
    expect(outcome.fault).toBe(`power-loss at step ${step}`);
    judged(outcome);
  });

  test("app: without a fault the new application is written, verified and valid", async () => {
    const run = await clean("loader-app", tier);
    expect([run.report, run.achieved, run.lostApplication]).toEqual(["done", true, false]);
  });

  test("app: power lost mid-transfer: no half-written application boots; the loader answers", async () => {
    judged(await runLoaderFlow("loader-app", tier, { at: "block", block: 3, action: "power-loss" }));
  });
});

describe.runIf(slowTests)("tier 2, every point (make test-slow)", () => {
  test.each(["loader-install", "loader-app"] as const)("%s: power loss after every block and at every step but the long runs of programs (every 64th)", async (flow) => {
    const run = await clean(flow, "arm");
    const faults: LoaderFault[] = [
      ...Array.from({ length: run.blocks }, (_, block) => ({ at: "block" as const, block, action: "power-loss" as const })),
      ...sweepSteps(run.log, 64).map((step) => ({ at: "step" as const, step, action: "power-loss" as const })),
    ];
    for (const fault of faults) judged(await runLoaderFlow(flow, "arm", fault));
  }, 7_200_000);
});
