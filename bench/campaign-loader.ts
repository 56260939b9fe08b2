// Fault campaign rows for the field loader (assembly/loader/): a coprocessor image received by
// YMODEM, placed (moved up under the journal) and installed with FW_UPGRADE (`install`), and an
// application update (`app`), on tier 1 and tier 2 (bench/campaign-loader-part.ts), with a power
// loss or a reset struck at one point: after a YMODEM block was acknowledged (a block boundary),
// or at a step of host-sim/faults.ts (a CPU1 flash operation — the journal records, the receive's
// erases and programs, each erase and program of the move —, a FUS phase, a CPU2 flash operation,
// a system command). Judged by ground truth: the board right after the flow and a fresh power-on
// at which the loader must answer `info` and the staging space must be clean (README "Power-loss
// safety"; issue item 5: a FUS and, if one was installed, a stack, old or new, and the loader).
import { Board, type BoardConfig } from "../host-sim/board.js";
import { FaultInjector, powerLoss, SeededRandom, type FaultAction, type StepKind, type StepRecord } from "../host-sim/faults.js";
import { buildImage } from "../host-sim/images/builder.js";
import type { TierName } from "../host-sim/tiers/tier.js";
import { parseVersion } from "../host-sim/versions.js";
import { FUS_STEP_KINDS, VERDICT_FLAGS, countRow, powerOnHealthy, verdictColumns, type Verdict, type VerdictRow } from "./campaign-flows.js";
import { FINAL_LINE, discardPart, loaderPart, sendFile, type LoaderPart } from "./campaign-loader-part.js";

export type LoaderFlowName = "loader-install" | "loader-app";
export const LOADER_FLOWS: LoaderFlowName[] = ["loader-install", "loader-app"];

/** The application slot (assembly/loader/README.md "Flash layout"). */
export const APPLICATION_START = 0x0800_c000;
/** The loader's code and its journal page, below the slot: nothing may change them. */
const LOADER_BYTES = APPLICATION_START - 0x0800_0000;

const v = parseVersion;

/**
 * An application the loader accepts (README "Boot decision": initial SP in SRAM1, reset vector odd
 * and inside the slot) whose code is `movs r0, #code; bkpt #0`: on tier 2 it ends the firmware
 * with that exit code. `fill` seeds the rest.
 */
export function applicationImage(bytes: number, code: number, fill: number): Uint8Array {
  const image = new Uint8Array(bytes);
  new SeededRandom(fill).fill(image);
  const view = new DataView(image.buffer);
  view.setUint32(0, 0x2003_0000, true);
  view.setUint32(4, APPLICATION_START + 0x101, true);
  view.setUint16(0x100, 0x2000 | code, true);
  view.setUint16(0x102, 0xbe00, true);
  return image;
}

/** The stack update the install flow sends: 8 KiB, so that it is placed by a move (README step 3). */
export const installImage = buildImage({ kind: "stack", version: v("1.24.0"), size: 0x2000, family: "wb5x", format: "legacy", stackType: 1 });
const oldApplication = applicationImage(0x600, 42, 0xa1);
const newApplication = applicationImage(0x1300, 43, 0xa2);

interface LoaderFlowSpec {
  board: BoardConfig;
  /** The command and the file it receives. */
  command: "install" | "app";
  file: Uint8Array;
  /** Steps the flow's faults are struck at (host-sim/faults.ts kinds). */
  kinds: StepKind[];
  achieved(board: Board, bootable: Uint8Array | null): boolean;
}

export const LOADER_FLOW_SPECS: Record<LoaderFlowName, LoaderFlowSpec> = {
  // A stack update from the loader's console: start-fus (the stack makes way, cpu2-interface §4.5),
  // install: receive, place, FW_UPGRADE through FUS's resets (fus-behaviour §1.7).
  "loader-install": {
    board: { family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.23.0", type: 1, size: 0x6000 } },
    command: "install",
    file: installImage,
    kinds: ["cpu1-flash", ...FUS_STEP_KINDS],
    achieved: (board) => installedStackIs(board, installImage, v("1.24.0")),
  },
  // An application replaced over the console (README "Application update").
  "loader-app": {
    board: { family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.23.0", type: 1, size: 0x6000 } },
    command: "app",
    file: newApplication,
    kinds: ["cpu1-flash"],
    achieved: (_board, bootable) => bootable !== null && same(bootable, newApplication),
  },
};

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

function installedStackIs(board: Board, image: Uint8Array, version: number): boolean {
  const stack = board.cpu2.stack;
  if (!stack || (stack.version & 0xffff_ff00) !== (version & 0xffff_ff00)) return false;
  const offset = board.offsetOf(stack.start);
  return same(board.flash.subarray(offset, offset + image.length), image);
}

/** Where a fault strikes: after an acknowledged block, or at a counted step. */
export type LoaderFault =
  | { at: "block"; block: number; action: FaultAction }
  | { at: "step"; step: number; action: FaultAction };

export type Report = "done" | `failed ${string}` | "no answer";

export interface LoaderRunOutcome extends Verdict {
  flow: LoaderFlowName;
  tier: TierName;
  /** The loader's last final line on the line (OK, ERROR CODE), or none. */
  report: Report;
  /** install: the application changed or is no longer bootable; app: something other than the old or the new application is bootable. */
  lostApplication: boolean;
  /** After power-on the loader did not answer `info` with a final line. */
  unreachable: boolean;
  /** After power-on something is left between the application and the secure area. */
  leftover: boolean;
  /** The flow's steps of its kinds, and its acknowledged blocks (sizing the sweep). */
  steps: number;
  blocks: number;
  /** Steps counted when each block was acknowledged (the last: the end of the receive). */
  stepsAtBlock: number[];
  /** The step log of the run (labels), for choosing where to strike. */
  log: StepRecord[];
  /** What the loader wrote during the flow. */
  said: string;
}

/** Virtual time a flow may take from its command to its final line, FUS's resets included. */
const FLOW_LIMIT_US = 120e6;
/**
 * How long the line stays quiet before the flow is taken as ended: after a final line (FUS may
 * still reset the part; the loader prints progress lines while it waits for FUS) or without one
 * (the loader idle after a power loss).
 */
const QUIET_US = 2.5e6;
/** ... while the loader, after `resume`, waits for FUS without a word (its own timeouts run seconds). */
const RESUME_QUIET_US = 30e6;
/** How long the part must run without a reset after the judge's `info` to count as settled. */
const SETTLE_US = 4e6;

/** Stays in the loader at power-on (a key within the boot window) and waits for its start to end. */
function keepInLoader(part: LoaderPart): void {
  part.send("\r");
  part.runUntil((text) => FINAL_LINE.test(text) || /stay loader\r\n/.test(text), 30e6);
  part.runUntil(() => false, 200_000); // the rest of the empty line's answer
}

/** A board with the old application written and journalled valid through `app` (no faults). */
function prepare(flow: LoaderFlowName, tier: TierName): LoaderPart {
  const part = loaderPart(tier, LOADER_FLOW_SPECS[flow].board);
  part.powerOn();
  part.runUntil(() => false, 50_000);
  part.take();
  part.send("app\r");
  if (!part.runUntil((text) => text.endsWith("C"), 10e6)) throw new Error(`set-up: no YMODEM request for app: ${part.take()}`);
  const sent = sendFile(part, "old.bin", oldApplication);
  if (sent.kind !== "sent" || !part.runUntil((text) => FINAL_LINE.test(text), 10e6) || !/\nOK\r\n$/.test(part.peek())) {
    throw new Error(`set-up: the application was not written (${sent.kind}): ${part.take()}`);
  }
  part.take();
  return part;
}

/** Whether the loader's last start resumed an operation whose final line has not come yet. */
function resuming(text: string): boolean {
  const start = text.lastIndexOf("\nloader ");
  const since = start >= 0 ? text.slice(start) : text;
  return /\nresume [a-z-]+\r\n/.test(since) && !FINAL_LINE.test(since);
}

/** The final line of everything written, as a report. */
function reportOf(text: string): Report {
  const finals = [...text.matchAll(/(?:^|\n)(OK|ERROR ([A-Z_0-9]+))[^\r\n]*\r\n/g)];
  const last = finals.at(-1);
  if (!last) return "no answer";
  return last[1] === "OK" ? "done" : `failed ${last[2]}`;
}

/**
 * One run: the flow on a prepared part with `fault`, then a fresh power-on (a new chip on the
 * same board: SRAM, backup registers and CPU1 gone) that judges it.
 */
export function runLoaderFlow(flow: LoaderFlowName, tier: TierName, fault: LoaderFault | null): LoaderRunOutcome {
  const spec = LOADER_FLOW_SPECS[flow];
  const part = prepare(flow, tier);
  const board = part.board;
  const before = {
    fusVersion: board.cpu2.fusVersion,
    stack: board.cpu2.stack && { ...board.cpu2.stack, bytes: Buffer.from(board.flash.subarray(board.offsetOf(board.cpu2.stack.start), board.offsetOf(board.cpu2.stack.start) + board.cpu2.stack.size)) },
    loader: Buffer.from(board.flash.subarray(0, LOADER_BYTES)),
  };
  const sram = new SeededRandom(0x10ad + (fault ? (fault.at === "block" ? fault.block : fault.step) : 0));
  const stepFault = fault?.at === "step" ? fault : null;
  const injector = new FaultInjector({ at: stepFault ? [{ step: stepFault.step, action: stepFault.action }] : [], kinds: spec.kinds, sramSeed: stepFault?.step ?? 1 }).attach(part.chip);
  let text = "";
  let blocks = 0;
  const stepsAtBlock: number[] = [];
  let struck = false;
  const strike = (action: FaultAction): void => {
    struck = true;
    if (action === "power-loss") powerLoss(part.chip, sram);
    else part.chip.requestSystemReset("injected reset at a block boundary");
  };
  try {
    // install: the stack makes way for FUS first (start-fus, its own reset); a fault that ends
    // it leaves the install unsent, and start-fus's last word is the flow's.
    const started = spec.command === "install" ? part.command("start-fus", 30) : "OK\r\n";
    if (started === null || !/(^|\n)OK\r\n$/.test(started)) {
      text = started ?? part.take();
    } else {
      part.send(`${spec.command}\r`);
      const starts = part.starts;
      if (part.runUntil((written) => written.endsWith("C") || FINAL_LINE.test(written), 10e6) && part.peek().endsWith("C")) {
        sendFile(part, "image.bin", spec.file, {
          acknowledged: (block) => {
            blocks = block + 1;
            stepsAtBlock.push(injector.steps);
            if (fault?.at === "block" && fault.block === block) strike(fault.action);
            // CPU1 restarted (a fault): the line went dead under the sender, which gives up.
            return struck || part.starts !== starts || injector.faults.length > 0;
          },
          stop: () => part.starts !== starts || injector.faults.length > 0,
        });
      }
    }
    text += part.take();
    // To the final line, through FUS's resets: the flow has ended when the line has been quiet a while.
    const limit = part.nowUs + FLOW_LIMIT_US;
    let length = -1;
    let quietSince = part.nowUs;
    while (part.nowUs < limit) {
      part.runUntil(() => false, 500_000);
      if (part.peek().length !== length) {
        length = part.peek().length;
        quietSince = part.nowUs;
      } else if (part.nowUs - quietSince >= (resuming(text + part.peek()) ? RESUME_QUIET_US : QUIET_US)) {
        break;
      }
    }
    text += part.take();
  } finally {
    discardPart(part);
  }
  const report = reportOf(text);
  const label = fault === null ? "none" : fault.at === "block" ? `${fault.action} after block ${fault.block}` : `${fault.action} at step ${fault.step}`;
  const outcome = judge(flow, tier, label, report, board, before, text);
  return { ...outcome, steps: injector.steps, blocks, stepsAtBlock, log: injector.log, said: text };
}

type Judged = Omit<LoaderRunOutcome, "steps" | "blocks" | "stepsAtBlock" | "log" | "said">;

function judge(flow: LoaderFlowName, tier: TierName, fault: string, report: Report, board: Board,
  before: { fusVersion: number; stack: { version: number; start: number; bytes: Buffer } | null; loader: Buffer }, flowText: string): Judged {
  const spec = LOADER_FLOW_SPECS[flow];
  const details: string[] = [];
  // A fresh power-on: the loader must answer `info` (after finishing whatever its journal or the
  // operator's record says was under way), and the staging space must then be clean.
  const part = loaderPart(tier, board, false);
  let unreachable = false;
  let info = "";
  let bootable: Uint8Array | null = null;
  try {
    part.powerOn();
    keepInLoader(part);
    // info starts CPU2: FUS finishes an install a power loss interrupted (its resets restart the
    // loader, kept from booting the application each time), then info is asked again.
    for (let round = 0; round < 10; round++) {
      info = part.command("info", 60) ?? "";
      if (spec.command === "app") break; // CPU2 had nothing to do in this flow
      const starts = part.starts;
      part.runUntil(() => part.starts !== starts, SETTLE_US);
      if (part.starts === starts) break;
      keepInLoader(part);
    }
    unreachable = !/\nOK\r\n$/.test(info);
    if (unreachable) details.push(`power-on: info unanswered: ${JSON.stringify(part.take().slice(-200))}`);
    // What the boot decision would start: the slot's first `application-bytes` bytes, valid in the
    // journal (`boot` itself is refused once info has started CPU2; README "Boot decision").
    const applicationBytes = /\napplication-bytes (\d+)\r\n/.exec(info)?.[1];
    if (applicationBytes !== undefined) {
      const offset = APPLICATION_START - 0x0800_0000;
      bootable = board.flash.slice(offset, offset + Number(applicationBytes));
    }
  } catch (error) {
    unreachable = true;
    details.push(`power-on: ${(error as Error).message}`);
  } finally {
    discardPart(part);
  }
  const achieved = spec.achieved(board, bootable);
  const state = board.cpu2;
  const stackIntact = state.stack !== null && before.stack !== null && state.stack.version === before.stack.version && state.stack.start === before.stack.start &&
    Buffer.from(board.flash.subarray(board.offsetOf(state.stack.start), board.offsetOf(state.stack.start) + before.stack.bytes.length)).equals(before.stack.bytes);
  const lostStack = before.stack !== null && !stackIntact && !(spec.command === "install" && achieved);
  const lostFus = state.fusVersion === 0 || state.fusVersion !== before.fusVersion;
  const loaderChanged = !Buffer.from(board.flash.subarray(0, LOADER_BYTES - 0x1000)).equals(before.loader.subarray(0, LOADER_BYTES - 0x1000));
  const lostApplication = loaderChanged || (spec.command === "install"
    ? bootable === null || !same(bootable, oldApplication)
    : bootable !== null && !same(bootable, oldApplication) && !same(bootable, newApplication));
  if (loaderChanged) details.push("the loader's code changed");
  // Staging space: from the end of the application (the first erased sector after the slot) to the secure area.
  const sector = board.variant.sectorBytes;
  let free = APPLICATION_START - 0x0800_0000;
  while (free < board.flash.length && !board.flash.subarray(free, free + sector).every((byte) => byte === 0xff)) free += sector;
  const secure = board.optionBytes.sfsa * sector;
  const leftover = !board.flash.subarray(free, secure).every((byte) => byte === 0xff);
  if (leftover) details.push(`staging space not clean in [0x${(0x0800_0000 + free).toString(16)}, 0x${(0x0800_0000 + secure).toString(16)})`);
  // The operator's diagnosis on tier 1 (tier 2's operator would program its probe over the loader).
  const health = powerOnHealthy(board, "wasm");
  if (health) details.push(health);
  const done = report === "done";
  const failed = report.startsWith("failed");
  if ((done && !achieved) || (failed && achieved)) details.push(`the loader said: ${JSON.stringify(flowText.slice(-160))}`);
  return {
    flow, tier, fault, report, achieved, brick: health !== null, lostStack, lostFus, lostApplication,
    falseDone: done && !achieved, falseFailure: failed && achieved, unreachable, leftover, detail: details.join("; "),
  };
}

/** The counts of one loader flow on one tier. */
export interface LoaderCampaignRow extends VerdictRow {
  flow: LoaderFlowName;
  unreachable: number;
  leftovers: number;
}

export function tallyLoader(flow: LoaderFlowName, tier: TierName, outcomes: LoaderRunOutcome[]): LoaderCampaignRow {
  const { counts, examples } = countRow(outcomes, [...VERDICT_FLAGS, ["unreachable", "loader unreachable"], ["leftover", "leftover in staging"]]);
  return {
    flow, tier, runs: outcomes.length, achieved: outcomes.filter((o) => o.achieved).length,
    ...verdictColumns(counts), unreachable: counts.unreachable, leftovers: counts.leftover, examples,
  };
}

/** Which part of the flow a step belongs to. */
export type StepStage = "receive" | "placement" | "verify" | "fus";

/**
 * A step of a clean run by stage: CPU1 flash operations up to the acknowledgement of the file's
 * EOT are the receive's (its journal record, erases, programs); later ones placement's for an
 * install (the journal's RECEIVE_END and IMAGE_IDLE, the move's erases and programs) and the
 * verification's for an application (its APP_VALID record); the rest (FUS phases, CPU2 flash
 * operations, system commands — start-fus's too) FUS's.
 */
export function stageOf(clean: LoaderRunOutcome, step: number): StepStage {
  const record = clean.log[step - 1];
  if (record.kind !== "cpu1-flash") return "fus";
  if (step <= (clean.stepsAtBlock.at(-1) ?? 0)) return "receive";
  return LOADER_FLOW_SPECS[clean.flow].command === "install" ? "placement" : "verify";
}

/**
 * The steps a sweep visits: every step that is not a double-word program, and every `stride`-th
 * program (a program of image data differs from the next only in the address; the journal's own
 * records are programs too and are all kept: they are the first and last ones of a stage).
 */
export function sweepSteps(log: StepRecord[], stride: number): number[] {
  const steps: number[] = [];
  let programs = 0;
  for (let i = 0; i < log.length; i++) {
    const record = log[i];
    const program = record.kind === "cpu1-flash" && /program/i.test(record.label);
    const edge = i === 0 || i === log.length - 1 || !/program/i.test(log[i - 1].label) || !/program/i.test(log[i + 1].label);
    if (!program || edge || programs++ % stride === 0) steps.push(record.step);
  }
  return steps;
}
