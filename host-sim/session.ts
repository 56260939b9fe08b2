// A session with one part: CPU1 runs the operator (on either tier) and lives through the system
// resets that FUS and the stack cause. After every reset CPU1 starts from scratch, boots CPU2
// again and reads what survived (READY, GET_STATE, the device information) to see where a long
// operation stands, exactly as firmware on the part would after its own reset.
import type { Stm32wb } from "./chip/stm32wb.js";
import { Cpu2Mode } from "../assembly/shared/codes.js";
import { Operator, OperatorError, type FusStateReading } from "./operator.js";
import { SystemResetOccurred, type OperatorTier } from "./tiers/tier.js";

export type SessionEvent =
  | { kind: "boot"; mode: Cpu2Mode }
  | { kind: "reset"; reason: string; count: number }
  | { kind: "state"; reading: FusStateReading };

export interface LongOperationResult {
  /** What CPU2 runs at the end. */
  mode: Cpu2Mode;
  resets: number;
  /** The last FUS state read (idle, or the error FUS reported); null when the stack took over. */
  finalState: FusStateReading | null;
}

/** How long one wait for FUS may take between two resets, in virtual ms. [choice] */
const BUSY_TIMEOUT_MS = 60_000;
/** Resets after which a long operation is considered stuck in a loop. [choice] */
const MAX_RESETS = 12;
/** How long FUS may read idle after accepting a command before its reset comes (Flipper: 10 s). [choice] */
const RESET_WAIT_MS = 2_000;

export class Session {
  readonly operator: Operator;
  /** The chip's reset count when this CPU1 run booted CPU2; null when it has not. */
  private bootedInRun: number | null = null;
  resets = 0;

  constructor(readonly chip: Stm32wb, readonly tier: OperatorTier, private readonly onEvent: (event: SessionEvent) => void = () => {}) {
    this.operator = new Operator(tier);
  }

  /** Runs `step`; a system reset in the middle is recorded and CPU2 is booted again. */
  private survive<T>(step: () => T): { value?: T; reset: boolean } {
    try {
      return { value: step(), reset: false };
    } catch (error) {
      if (!(error instanceof SystemResetOccurred)) throw error;
      this.resets++;
      this.onEvent({ kind: "reset", reason: error.reason, count: this.resets });
      return { reset: true };
    }
  }

  /**
   * Boots CPU2 unless this CPU1 run already did; returns what runs. Any system reset, also one that
   * struck outside the session (power loss during staging), starts a new CPU1 run.
   */
  boot(): Cpu2Mode {
    if (this.bootedInRun === this.chip.systemResetCount) return this.operator.mode;
    const mode = this.operator.bootCpu2();
    this.bootedInRun = this.chip.systemResetCount;
    this.onEvent({ kind: "boot", mode });
    return mode;
  }

  /** Gets FUS running: from a stack this takes the two GET_STATE and the reset (§4.4). */
  ensureFus(): void {
    if (this.boot() === Cpu2Mode.Fus) return;
    const { reset } = this.survive(() => this.operator.startFus());
    if (!reset) throw new OperatorError(0, "RESET_DID_NOT_HAPPEN", "the stack did not reset into FUS after two FUS_GET_STATE");
    if (this.boot() !== Cpu2Mode.Fus) throw new OperatorError(0, "FUS_NOT_RUNNING", "after the reset CPU2 still does not run FUS");
  }

  /**
   * Sends a FUS command that ends in system resets (FW_UPGRADE, FW_DELETE, FW_PURGE, START_WS) and
   * follows it to its end (fus-behaviour §1.7, §1.8): after each reset, boot CPU2; if the stack
   * announces itself the operation is over; if FUS does, poll GET_STATE while it is busy.
   */
  runLongOperation(send: (operator: Operator) => void): LongOperationResult {
    const startResets = this.resets;
    this.ensureFus();
    this.survive(() => send(this.operator));
    const sentAt = this.resets;
    let finalState: FusStateReading | null = null;
    for (let round = 0; round <= MAX_RESETS; round++) {
      // FUS may resume its work (and reset again) while CPU1 is still waiting for READY.
      const booted = this.survive(() => this.boot());
      if (booted.reset) continue;
      const mode = booted.value!;
      if (mode !== Cpu2Mode.Fus) return { mode, resets: this.resets - startResets, finalState: null };
      // One look first, to report the phase FUS is in (an error would be reported only once).
      const phase = this.survive(() => this.operator.fusGetState());
      if (phase.reset) continue;
      const reading = phase.value!;
      if (reading.state === 0xff || reading.error !== 0) {
        throw new OperatorError(0, reading.errorName, `FUS reported ${reading.stateName} / ${reading.errorName}`);
      }
      if (reading.state !== 0) this.onEvent({ kind: "state", reading });
      const waited = this.survive(() => this.operator.waitWhileBusy(BUSY_TIMEOUT_MS));
      if (waited.reset) continue;
      // Every one of these commands ends in a system reset (fus-behaviour §1.7): FUS reading idle
      // before any reset came means the reset is still ahead, unless it never comes.
      if (this.resets === sentAt && this.survive(() => this.operator.awaitReset(RESET_WAIT_MS)).reset) continue;
      finalState = waited.value!;
      this.onEvent({ kind: "state", reading: finalState });
      return { mode, resets: this.resets - startResets, finalState };
    }
    throw new OperatorError(0, "RESET_LOOP", `CPU2 reset the part more than ${MAX_RESETS} times without finishing`);
  }
}
