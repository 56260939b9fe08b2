// What both tiers offer: call an exported operator function against a virtual chip. A system reset
// during a call aborts it; the CPU1 side is thrown away and restarts from scratch on the next call.
//
// A device fault during a call (DeviceFault on tier 2; HalMisaligned, LinearMemoryViolation,
// BusFault or a WebAssembly.RuntimeError trap on tier 1; or any other error thrown from inside the
// call) aborts it the same way on both tiers: CPU1 is discarded where it stopped, and the next call
// starts a fresh CPU1 (the wasm instance, or the emulated core from the reset vector). Only CPU1
// restarts, as after a debugger reset of the core: the chip (peripherals, SRAM, flash, CPU2) keeps
// its state and no system reset is applied.
import type { Stm32wb } from "../chip/stm32wb.js";

export type TierName = "wasm" | "arm";

/**
 * Calls into the operator wherever it runs: a tier of the simulator, or the probe firmware on a
 * real part behind a debug probe (cli/targets/gdb-board.ts).
 */
export interface OperatorCalls {
  readonly name: TierName | "gdb";
  /**
   * Calls the module export `name`; throws SystemResetOccurred when the part resets meanwhile, and
   * rethrows a device fault after discarding CPU1 (see above).
   */
  call(name: string, ...args: number[]): number;
  readLinear(pointer: number, length: number): Uint8Array;
  writeLinear(pointer: number, data: Uint8Array): void;
  /** Number of CPU1 starts (power-on and every system reset). */
  readonly cpu1Starts: number;
}

export interface OperatorTier extends OperatorCalls {
  readonly name: TierName;
  readonly chip: Stm32wb;
}

/** What a session needs to know of the part: how many system resets it went through. */
export interface ResetCounting {
  readonly systemResetCount: number;
}

/** The part went through a system reset while CPU1 was in the middle of a call. */
export class SystemResetOccurred extends Error {
  readonly code = "SYSTEM_RESET";
  constructor(readonly reason: string) {
    super(`system reset: ${reason}`);
  }
}

/** The device runtime refused or trapped (allowlist, wasm trap); the firmware stopped in its fault handler. */
export class DeviceFault extends Error {
  constructor(readonly code: string, readonly address: number, message: string) {
    super(message);
  }
}
