// Fault injection: power loss and system reset at any flash operation, system command or FUS phase,
// chosen by step number or by a seeded random draw, with a log that replays the same run exactly.
//
// A "step" is one of: a flash operation CPU1 starts (program, page/mass erase, option programming),
// a flash operation CPU2 firmware starts (FUS install phases), a system command CPU2 receives, or a
// FUS phase beginning. Steps are numbered from 1 in the order they happen; the simulator is
// deterministic (virtual clock, no wall time), so the same operator calls produce the same steps.

/** What a fault strikes: the parts of the chip that count steps and lose state (chip/stm32wb.ts). */
export interface FaultTarget {
  readonly clock: { readonly nowUs: number; cancelAll(): void };
  readonly flashRegisters: { faults: StepObserver | null; interruptOperation(): void };
  readonly cpu2: { faults: StepObserver | null; halt(): void };
  readonly sram1: Uint8Array;
  readonly sram2a: Uint8Array;
  readonly sram2b: Uint8Array;
  requestSystemReset(reason: string): void;
  /** Power-on of the backup domain: the RTC backup registers are lost unless VBAT keeps them. */
  powerCycleBackupDomain(): void;
}

export type StepKind = "cpu1-flash" | "cpu2-flash" | "command" | "phase";
export type FaultAction = "power-loss" | "reset";

/** What the chip's parts call at each step; the returned fault (if any) strikes during that step. */
export interface StepObserver {
  step(kind: StepKind, label: string): FaultAction | null;
  strike(action: FaultAction, reason: string): void;
}

export interface FaultPlan {
  /** Faults at given step numbers (1-based, counted over the kinds below). */
  at?: { step: number; action: FaultAction }[];
  /** Seeded random faults: every counted step is hit with `probability`, at most `maxFaults` times. */
  random?: { seed: number; probability: number; action?: FaultAction | "either"; maxFaults?: number };
  /** Which kinds count as steps; all when absent. */
  kinds?: StepKind[];
  /** Seed for what power loss leaves in SRAM (power-on content is undefined on silicon). */
  sramSeed?: number;
}

export interface StepRecord {
  step: number;
  kind: StepKind;
  label: string;
  atUs: number;
  fault: FaultAction | null;
}

/** Small seeded generator (mulberry32): same seed, same sequence, on every platform. */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  fill(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i += 4) {
      const word = Math.floor(this.next() * 4294967296);
      for (let j = 0; j < 4 && i + j < bytes.length; j++) bytes[i + j] = (word >>> (8 * j)) & 0xff;
    }
  }
}

/**
 * Power loss: every volatile thing is gone at once. SRAM1/SRAM2 take undefined power-on content
 * (seeded, so runs replay), scheduled work is dropped, a flash operation under way is cut short in
 * its documented partial state (chip/flash.ts, cpu2/phase-runner.ts), CPU2 loses its volatile state
 * (AES1 key, key locks), and the part restarts from reset. Flash, option bytes and CPU2's NVM (the
 * board) survive; the RTC backup registers only when the board keeps VBAT.
 */
export function powerLoss(chip: FaultTarget, sram: SeededRandom): void {
  chip.flashRegisters.interruptOperation();
  chip.cpu2.halt();
  chip.clock.cancelAll();
  chip.powerCycleBackupDomain();
  sram.fill(chip.sram1);
  sram.fill(chip.sram2a);
  sram.fill(chip.sram2b);
  chip.requestSystemReset("power loss");
}

export class FaultInjector implements StepObserver {
  private count = 0;
  private faultsDone = 0;
  private readonly random: SeededRandom | null;
  private readonly sram: SeededRandom;
  private chip: FaultTarget | null = null;
  readonly log: StepRecord[] = [];

  constructor(readonly plan: FaultPlan = {}) {
    this.random = plan.random ? new SeededRandom(plan.random.seed) : null;
    this.sram = new SeededRandom(plan.sramSeed ?? 0x5eed);
  }

  /** Hooks every step source of a chip (its FLASH block and CPU2). */
  attach(chip: FaultTarget): this {
    this.chip = chip;
    chip.flashRegisters.faults = this;
    chip.cpu2.faults = this;
    return this;
  }

  get steps(): number {
    return this.count;
  }

  get faults(): StepRecord[] {
    return this.log.filter((record) => record.fault !== null);
  }

  step(kind: StepKind, label: string): FaultAction | null {
    if (this.plan.kinds && !this.plan.kinds.includes(kind)) return null;
    const step = ++this.count;
    let fault: FaultAction | null = this.plan.at?.find((entry) => entry.step === step)?.action ?? null;
    const random = this.plan.random;
    if (!fault && random && this.random && this.faultsDone < (random.maxFaults ?? 1)) {
      // Both draws happen on every step, so the sequence does not depend on earlier outcomes.
      const hit = this.random.next() < random.probability;
      const coin = this.random.next();
      if (hit) fault = random.action === "either" ? (coin < 0.5 ? "power-loss" : "reset") : random.action ?? "power-loss";
    }
    if (fault) this.faultsDone++;
    this.log.push({ step, kind, label, atUs: this.chip?.clock.nowUs ?? 0, fault });
    return fault;
  }

  strike(action: FaultAction, reason: string): void {
    const chip = this.chip;
    if (!chip) throw new Error("fault injector is not attached to a chip");
    if (action === "power-loss") powerLoss(chip, this.sram);
    else chip.requestSystemReset(`injected reset: ${reason}`);
  }

  /** A plan that strikes the same faults at the same steps: replays a random run deterministically. */
  replayPlan(): FaultPlan {
    return {
      at: this.faults.map((record) => ({ step: record.step, action: record.fault! })),
      kinds: this.plan.kinds,
      sramSeed: this.plan.sramSeed,
    };
  }
}
