// A session with one part: CPU1 runs the operator (on either tier) and lives through the system
// resets that FUS and the stack cause. After every reset CPU1 starts from scratch, boots CPU2
// again and reads what survived (READY, GET_STATE, the device information) to see where a long
// operation stands, exactly as firmware on the part would after its own reset.
import type { Stm32wb } from "./chip/stm32wb.js";
import { Cpu2Mode, OperatorStatus, PendingOperation } from "../assembly/shared/codes.js";
import { Operator, OperatorError, type FusStateReading } from "./operator.js";
import { SystemResetOccurred, type OperatorCalls, type ResetCounting } from "./tiers/tier.js";

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

export class Session<Part extends ResetCounting = Stm32wb> {
  readonly operator: Operator;
  /** The chip's reset count when this CPU1 run booted CPU2; null when it has not. */
  private bootedInRun: number | null = null;
  resets = 0;

  constructor(readonly chip: Part, readonly tier: OperatorCalls, private readonly onEvent: (event: SessionEvent) => void = () => {}) {
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
    // Without a reset, startFus returned normally only if CPU2 answered like FUS after all.
    if (!reset && this.operator.mode === Cpu2Mode.Fus) return;
    if (this.boot() !== Cpu2Mode.Fus) throw new OperatorError(OperatorStatus.FusNotRunning, "FUS_NOT_RUNNING", "after the reset CPU2 still does not run FUS");
  }

  /**
   * Sends a FUS command that ends in system resets (FW_UPGRADE, FW_DELETE, FW_PURGE, START_WS) and
   * follows it to its end (fus-behaviour §1.7, §1.8). The deciding is the operator's (fusResume,
   * which reads READY, GET_STATE and its own journal in SRAM2a after every CPU1 start); this loop
   * only restarts CPU1's work the way firmware's main() would after each reset.
   */
  runLongOperation(send: (operator: Operator) => void): LongOperationResult {
    const startResets = this.resets;
    this.ensureFus();
    this.operator.lastSent = null;
    this.survive(() => send(this.operator));
    // What was sent, kept on the host as firmware keeps it in its own storage (Operator.lastSent).
    const sent = this.operator.lastSent;
    for (let round = 0; round <= MAX_RESETS; round++) {
      const wasBooted = this.bootedInRun === this.chip.systemResetCount;
      let resumed: { value?: { done: boolean; reading: FusStateReading }; reset: boolean };
      try {
        resumed = this.survive(() => {
          // After power loss the operator's record in SRAM2a is gone: give it back, so that resume
          // verifies the outcome against the device information instead of finding nothing to
          // check. On tier 2 these calls run CPU1 code, which another power loss can cut short.
          if (sent && !wasBooted && this.tier.call("pendingOperation") === PendingOperation.None) this.operator.restoreOperation(sent);
          return this.operator.resume();
        });
      } finally {
        // resume boots CPU2 in a new CPU1 run, also when it then reports a failure.
        if (!wasBooted && this.bootedInRun !== this.chip.systemResetCount && this.operator.mode !== Cpu2Mode.Unknown) {
          this.bootedInRun = this.chip.systemResetCount;
          this.onEvent({ kind: "boot", mode: this.operator.mode });
        }
      }
      if (resumed.reset) continue;
      const mode = this.operator.mode;
      const { done, reading } = resumed.value!;
      if (done) {
        const finalState = mode === Cpu2Mode.Fus ? reading : null;
        if (finalState) this.onEvent({ kind: "state", reading: finalState });
        return { mode, resets: this.resets - startResets, finalState };
      }
      this.onEvent({ kind: "state", reading });
      // A reset ends this wait (CPU1 restarts); FUS finishing without one ends it too.
      this.survive(() => this.operator.waitWhileBusy(BUSY_TIMEOUT_MS));
    }
    throw new OperatorError(OperatorStatus.ResetDidNotHappen, "RESET_LOOP", `CPU2 reset the part more than ${MAX_RESETS} times without finishing`);
  }
}
