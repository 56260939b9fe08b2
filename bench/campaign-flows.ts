// Fault campaigns as code: every flow of the operator (FUS self-upgrade, stack install, stack
// update over a stack with an NVM section, FW_DELETE, FW_PURGE, Safeboot update, staging) run
// through the user's entry points (Session, the on-device planner, Operator.stage), with a power
// loss or a reset struck at one step (host-sim/faults.ts). Each run is judged by ground truth, not
// by the operator's word: the board's CPU2 state and flash contents right after the flow, and a
// fresh power-on that must boot CPU2 and diagnose healthy. `make campaign` (bench/campaign-main.ts)
// runs every step; test/campaigns runs a seeded subset.
import { Board, type BoardConfig } from "../host-sim/board.js";
import { Stm32wb } from "../host-sim/chip/stm32wb.js";
import { FaultInjector, powerLoss, SeededRandom, type FaultAction, type StepKind } from "../host-sim/faults.js";
import { buildImage } from "../host-sim/images/builder.js";
import { ImageCodec } from "../host-sim/images/footer.js";
import { UpgradePlanner } from "../host-sim/images/planner.js";
import { Operator } from "../host-sim/operator.js";
import { Session } from "../host-sim/session.js";
import { WasmTier } from "../host-sim/tiers/tier1.js";
import { ArmTier } from "../host-sim/tiers/tier2.js";
import { SystemResetOccurred, type OperatorTier, type TierName } from "../host-sim/tiers/tier.js";
import { parseVersion } from "../host-sim/versions.js";
import { Diagnosis } from "../assembly/shared/codes.js";

export type FlowName = "fus-upgrade" | "stack-install" | "stack-update-nvm" | "fw-delete" | "fw-purge" | "safeboot-update" | "staging";
export const FLOWS: FlowName[] = ["fus-upgrade", "stack-install", "stack-update-nvm", "fw-delete", "fw-purge", "safeboot-update", "staging"];

/** CPU1's application: the first 32 KB (on tier 2 the probe firmware sits in it); plans stay above. */
const APP_END = 0x0800_8000;
const APP_BYTES = APP_END - 0x0800_0000;
/** Steps of the FUS side of a flow: what FUS and the operator's commands do (staging has its own). */
export const FUS_STEP_KINDS: StepKind[] = ["phase", "cpu2-flash", "command"];

interface FlowSpec {
  board: BoardConfig;
  /** The image the flow stages and installs, if any. */
  image: Uint8Array | null;
  /** What the flow is to achieve, read from the board (ground truth). */
  achieved(board: Board): boolean;
  /** Whether the flow is meant to remove the stack / the NVM section (then their absence is no loss). */
  removesStack: boolean;
  removesNvm: boolean;
  /** The long FUS operation, after staging. */
  send(operator: Operator): void;
}

const v = parseVersion;
const fusImage = buildImage({ kind: "fus", version: v("2.2.0"), size: 24_464, family: "wb5x" });
const stackImage = buildImage({ kind: "stack", version: v("1.24.0"), size: 0x6000, family: "wb5x", format: "legacy", stackType: 1 });
const newStackImage = buildImage({ kind: "stack", version: v("1.24.0"), size: 0x6000, family: "wb5x", format: "new", stackType: 1 });
const safebootImage = buildImage({ kind: "safeboot", version: v("2.0.1"), size: 0x2000, family: "wb5x" });

function installedIs(board: Board, image: Uint8Array, version: number): boolean {
  const stack = board.cpu2.stack;
  // The build nibbles of the version word may differ between the file and the device information.
  if (!stack || (stack.version & 0xffff_ff00) !== (version & 0xffff_ff00)) return false;
  const offset = board.offsetOf(stack.start);
  return Buffer.from(board.flash.subarray(offset, offset + image.length)).equals(Buffer.from(image));
}

const withNewStack: BoardConfig = { family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.23.0", type: 1, size: 0x6000, format: "new" } };

export const FLOW_SPECS: Record<FlowName, FlowSpec> = {
  "fus-upgrade": {
    board: { family: "wb5x", flashKb: 1024, fus: "1.2.0" },
    image: fusImage,
    achieved: (board) => board.cpu2.fusVersion === v("2.2.0"),
    removesStack: false, removesNvm: false,
    send: (operator) => operator.fwUpgrade(),
  },
  "stack-install": {
    board: { family: "wb5x", flashKb: 1024, fus: "2.2.0" },
    image: stackImage,
    achieved: (board) => installedIs(board, stackImage, v("1.24.0")),
    removesStack: false, removesNvm: false,
    send: (operator) => operator.fwUpgrade(),
  },
  "stack-update-nvm": {
    board: withNewStack,
    image: newStackImage,
    achieved: (board) => installedIs(board, newStackImage, v("1.24.0")) && board.cpu2.nvmSection !== null,
    removesStack: false, removesNvm: false,
    send: (operator) => operator.fwUpgrade(),
  },
  "fw-delete": {
    board: withNewStack,
    image: null,
    // FUSv2 keeps the NVM section through a delete (fus-behaviour §1.10).
    achieved: (board) => board.cpu2.stack === null && board.cpu2.nvmSection !== null,
    removesStack: true, removesNvm: false,
    send: (operator) => operator.fwDelete(),
  },
  "fw-purge": {
    board: withNewStack,
    image: null,
    achieved: (board) => board.cpu2.stack === null && board.cpu2.nvmSection === null,
    removesStack: true, removesNvm: true,
    send: (operator) => operator.fwPurge(),
  },
  "safeboot-update": {
    // The planner installs Safeboot only with no stack on the part (SAFEBOOT_NEEDS_NO_STACK).
    board: { family: "wb5x", flashKb: 1024, fus: "2.2.0", safeboot: "2.0.0" },
    image: safebootImage,
    achieved: (board) => board.cpu2.safebootVersion === v("2.0.1"),
    removesStack: false, removesNvm: false,
    send: (operator) => operator.fwUpgrade(),
  },
  // Staging a stack update, then installing it; faults strike CPU1's staging (see runStaging).
  staging: {
    board: { family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.23.0", type: 1, size: 0x6000 } },
    image: stackImage,
    achieved: (board) => installedIs(board, stackImage, v("1.24.0")),
    removesStack: false, removesNvm: false,
    send: (operator) => operator.fwUpgrade(),
  },
};

export type Report = "done" | `failed ${string}`;

/** What every campaign run is judged on: ground truth, and what the operator (or the loader) said. */
export interface Verdict {
  fault: string;
  /** What the operator said. */
  report: string;
  /** Ground truth: the flow's goal is reached on the part. */
  achieved: boolean;
  brick: boolean;
  lostStack: boolean;
  lostFus: boolean;
  lostApplication: boolean;
  /** The operator said done while the part says otherwise. */
  falseDone: boolean;
  /** The operator said failed while the part did what was asked. */
  falseFailure: boolean;
  detail: string;
}

/** One run's verdict. */
export interface RunOutcome extends Verdict {
  flow: FlowName;
  tier: TierName;
  report: Report;
  lostNvm: boolean;
  /** Fault steps the run went through (for sizing the sweep). */
  steps: number;
}

function createTier(name: TierName, chip: Stm32wb): OperatorTier {
  return name === "wasm" ? new WasmTier(chip) : new ArmTier(chip);
}

interface Before {
  app: Buffer;
  fusVersion: number;
  stack: { version: number; start: number; bytes: Buffer } | null;
  nvm: { start: number; bytes: Buffer } | null;
}

function snapshot(board: Board): Before {
  const stack = board.cpu2.stack;
  const nvm = board.cpu2.nvmSection;
  const bytes = (start: number, length: number) => Buffer.from(board.flash.subarray(board.offsetOf(start), board.offsetOf(start) + length));
  return {
    app: Buffer.from(board.flash.subarray(0, APP_BYTES)),
    fusVersion: board.cpu2.fusVersion,
    stack: stack && { version: stack.version, start: stack.start, bytes: bytes(stack.start, stack.size) },
    nvm: nvm && { start: nvm.start, bytes: bytes(nvm.start, nvm.bytes) },
  };
}

/** A part ready for a flow: application and NVM data in flash, CPU1 on `tierName`. */
function setUp(flow: FlowName, tierName: TierName): { chip: Stm32wb; tier: OperatorTier; session: Session; before: () => Before } {
  const board = new Board(FLOW_SPECS[flow].board);
  const chip = new Stm32wb(board);
  const tier = createTier(tierName, chip);
  // The application: on tier 2 the probe firmware is programmed at the flash base; the rest of the
  // first 32 KB (all of it on tier 1) holds a pattern no flow may touch.
  const pattern = new Uint8Array(APP_BYTES);
  new SeededRandom(0xa99).fill(pattern);
  let firmwareEnd = APP_BYTES;
  while (firmwareEnd > 0 && board.flash[firmwareEnd - 1] === 0xff) firmwareEnd--;
  firmwareEnd = Math.ceil(firmwareEnd / 0x1000) * 0x1000;
  if (firmwareEnd >= APP_BYTES) throw new Error("campaign set-up: the probe firmware fills the application area");
  board.flash.set(pattern.subarray(firmwareEnd), firmwareEnd);
  // BLE data in the NVM section, which a stack update and a delete must keep (fus-behaviour §1.10, §2).
  const nvm = board.cpu2.nvmSection;
  if (nvm) new SeededRandom(0x4e4d).fill(board.flash.subarray(board.offsetOf(nvm.start), board.offsetOf(nvm.start) + nvm.bytes));
  const session = new Session(chip, tier);
  return { chip, tier, session, before: () => snapshot(board) };
}

/** Stages the flow's image where the operator's on-device planner says, as `fusop --board B stage` does. */
function stage(session: Session, image: Uint8Array): void {
  session.ensureFus();
  const plan = new UpgradePlanner(new ImageCodec(session.tier)).plan({ onDevice: true, appEnd: APP_END }, [{ file: "image.bin", tail: image.slice(-256), size: image.length }]);
  if (!plan.ok) throw new Error(`campaign set-up: the planner refused the image (${plan.status})`);
  const step = plan.steps.find((candidate) => candidate.address !== null)!;
  session.ensureFus();
  session.operator.stage(image, step.address!, undefined, step.eraseEnd ?? undefined);
}

function reportOf(error: unknown): Report {
  const code = (error as { code?: unknown }).code;
  return `failed ${typeof code === "string" ? code : (error as Error).constructor.name}`;
}

/**
 * A fresh power-on of `board` with the operator on `tierName`: CPU2 must announce itself and the
 * part must diagnose healthy. Null when it does, else what went wrong (a brick).
 */
export function powerOnHealthy(board: Board, tierName: TierName): string | null {
  if (board.cpu2.locked !== null) return board.cpu2.locked;
  const operator = new Operator(createTier(tierName, new Stm32wb(board)));
  try {
    const diagnosis = operator.diagnose();
    if (diagnosis.diagnosis !== Diagnosis.Healthy && diagnosis.diagnosis !== Diagnosis.Cpu2NotEnabled) return diagnosis.code;
    operator.bootCpu2();
  } catch (error) {
    if (!(error instanceof SystemResetOccurred)) return `power-on: ${(error as Error).message}`;
  }
  return null;
}

/** Judges a run from the board (ground truth) and a fresh power-on of the part. */
function judge(flow: FlowName, tierName: TierName, fault: string, report: Report, board: Board, before: Before, steps: number): RunOutcome {
  const spec = FLOW_SPECS[flow];
  const after = snapshot(board);
  const achieved = spec.achieved(board);
  const state = board.cpu2;
  // A stack is lost when the part had one, the flow is not meant to remove it, and what is in
  // flash now is neither the old stack intact nor the new one installed.
  const stackIntact = after.stack !== null && before.stack !== null && after.stack.version === before.stack.version &&
    after.stack.start === before.stack.start && after.stack.bytes.equals(before.stack.bytes);
  const lostStack = before.stack !== null && !spec.removesStack && !stackIntact && !(spec.image && achieved && flow !== "safeboot-update");
  const lostFus = state.fusVersion === 0 || (after.fusVersion !== before.fusVersion && !(flow === "fus-upgrade" && achieved));
  const lostApplication = !after.app.equals(before.app);
  const nvmKept = after.nvm !== null && before.nvm !== null && after.nvm.start === before.nvm.start && after.nvm.bytes.equals(before.nvm.bytes);
  const lostNvm = before.nvm !== null && !spec.removesNvm && !nvmKept;

  const unhealthy = powerOnHealthy(board, tierName);
  const brick = unhealthy !== null;
  const detail = unhealthy ?? "";
  const done = report === "done";
  return {
    flow, tier: tierName, fault, report, achieved, brick, lostStack, lostFus, lostApplication, lostNvm,
    falseDone: done && !achieved, falseFailure: !done && achieved, steps, detail,
  };
}

/**
 * One run of a FUS-side flow: staging without faults, then the long operation with `fault` at the
 * given step (counted over FUS_STEP_KINDS), followed to its end through the session.
 */
export function runFlow(flow: FlowName, tierName: TierName, fault: { step: number; action: FaultAction } | null): RunOutcome {
  const spec = FLOW_SPECS[flow];
  const { chip, session, before } = setUp(flow, tierName);
  session.ensureFus();
  if (spec.image) stage(session, spec.image);
  const initial = before();
  const injector = new FaultInjector({ at: fault ? [fault] : [], kinds: FUS_STEP_KINDS, sramSeed: fault?.step ?? 1 }).attach(chip);
  let report: Report = "done";
  try {
    session.runLongOperation((operator) => spec.send(operator));
  } catch (error) {
    report = reportOf(error);
  }
  const label = fault ? `${fault.action} at step ${fault.step}` : "none";
  return judge(flow, tierName, label, report, chip.board, initial, injector.steps);
}

/** Steps a flow goes through without a fault (the sweep's length). */
export function countSteps(flow: FlowName, tierName: TierName): number {
  return runFlow(flow, tierName, null).steps;
}

/**
 * Staging cut short: power lost at the first bus access after CPU1 instruction `instructions`
 * (tier 2; between two bus accesses a power loss changes nothing more) or at CPU1 flash operation
 * `instructions` (tier 1, which counts no instructions). CPU1 restarts, stages again from scratch
 * and installs, as a user re-running the command would. Reports are the operator's last word.
 */
export function runStaging(tierName: TierName, cut: number): RunOutcome {
  const spec = FLOW_SPECS.staging;
  const { chip, tier, session, before } = setUp("staging", tierName);
  session.ensureFus();
  const initial = before();
  let struck = false;
  let injector: FaultInjector | null = null;
  if (tier instanceof ArmTier) {
    const sram = new SeededRandom(cut);
    const bus = chip.bus;
    const strikeAfter = (): void => {
      if (!struck && tier.instructions >= cut) {
        struck = true;
        powerLoss(chip, sram);
      }
    };
    const read = bus.read.bind(bus);
    const write = bus.write.bind(bus);
    bus.read = (address, width) => {
      strikeAfter();
      return read(address, width);
    };
    bus.write = (address, width, value) => {
      strikeAfter();
      write(address, width, value);
    };
  } else {
    injector = new FaultInjector({ at: [{ step: cut, action: "power-loss" }], kinds: ["cpu1-flash"], sramSeed: cut }).attach(chip);
  }
  let report: Report = "done";
  try {
    try {
      stage(session, spec.image!);
    } catch (error) {
      if (!(error instanceof SystemResetOccurred)) throw error;
      // CPU1 restarted: the user runs the stage command again.
      stage(session, spec.image!);
    }
    session.runLongOperation((operator) => spec.send(operator));
  } catch (error) {
    report = reportOf(error);
  }
  const fault = tierName === "arm" ? `power loss after ${cut} instructions${struck ? "" : " (not reached)"}` : `power loss at CPU1 flash operation ${cut}${injector?.faults.length ? "" : " (not reached)"}`;
  return judge("staging", tierName, fault, report, chip.board, initial, tier instanceof ArmTier ? tier.instructions : injector!.steps);
}

/** The counts every campaign table has, for one flow on one tier. */
export interface VerdictRow {
  tier: TierName;
  runs: number;
  achieved: number;
  bricks: number;
  lostStacks: number;
  lostFus: number;
  lostApplications: number;
  falseDone: number;
  falseFailures: number;
  /** A few runs that went wrong, for the report. */
  examples: string[];
}

/** The counts of one flow on one tier. */
export interface CampaignRow extends VerdictRow {
  flow: FlowName;
  lostNvm: number;
}

/**
 * Counts of `outcomes` for each flag of `flags` ([field, what an example says]), and up to three
 * examples of runs with any flag set: one table row of the campaign's.
 */
export function countRow<T extends Verdict, K extends keyof T>(outcomes: T[], flags: [K, string][]): { counts: Record<K, number>; examples: string[] } {
  const counts = Object.fromEntries(flags.map(([key]) => [key, outcomes.filter((o) => o[key] === true).length])) as Record<K, number>;
  const examples = outcomes.filter((o) => flags.some(([key]) => o[key] === true)).slice(0, 3).map((o) =>
    `${o.fault}: reported ${o.report}, goal ${o.achieved ? "reached" : "not reached"}` +
    flags.filter(([key]) => o[key] === true).map(([, label]) => `, ${label}`).join("") + (o.detail ? ` (${o.detail})` : ""));
  return { counts, examples };
}

/** The flags every campaign table counts, with what an example says of them. */
export const VERDICT_FLAGS: [keyof Verdict, string][] = [["brick", "BRICK"], ["lostStack", "stack lost"], ["lostFus", "FUS lost"],
  ["lostApplication", "application lost"], ["falseDone", "false done"], ["falseFailure", "false failure"]];

/** A row's counts of the flags every table has, by its column names. */
export function verdictColumns(counts: Record<keyof Verdict, number>) {
  return {
    bricks: counts.brick, lostStacks: counts.lostStack, lostFus: counts.lostFus, lostApplications: counts.lostApplication,
    falseDone: counts.falseDone, falseFailures: counts.falseFailure,
  };
}

export function tally(flow: FlowName, tier: TierName, outcomes: RunOutcome[]): CampaignRow {
  const { counts, examples } = countRow(outcomes, [...VERDICT_FLAGS, ["lostNvm", "NVM lost"]]);
  return {
    flow, tier, runs: outcomes.length, achieved: outcomes.filter((o) => o.achieved).length,
    ...verdictColumns(counts), lostNvm: counts.lostNvm, examples,
  };
}
