// What CPU2 sees of the chip around it: the narrow interface the CPU2 firmware models are written
// against, so that they do not depend on the chip model (host-sim/chip/) and the chip can change
// without them. The chip (chip/stm32wb.ts) provides it.
import type { Board } from "../board.js";

/** The shared memories CPU2 reaches for the mailbox (cpu2-interface §1.1, §3). */
export const SRAM1_BASE = 0x2000_0000;
export const SRAM2A_BASE = 0x2003_0000;
export const SRAM2B_BASE = 0x2003_8000;

export interface Cpu2Host {
  /** Flash, option bytes and CPU2's own non-volatile state: CPU2 reads and writes all of them. */
  readonly board: Board;
  /** The virtual clock CPU2's work is scheduled on. */
  readonly clock: { readonly nowUs: number; schedule(delayUs: number, work: () => void): void };
  /** CPU2's side of IPCC (cpu2-interface §1.2: C2SCR sets C2TOC1SR / clears C1TOC2SR). */
  readonly ipcc: { cpu2Post(channel: number): void; cpu2Clear(channel: number): void };
  /** Mailbox memory: SRAM1, SRAM2a, SRAM2b as CPU2 sees them (no secure split applies to CPU2). */
  readonly sram1: Uint8Array;
  readonly sram2a: Uint8Array;
  readonly sram2b: Uint8Array;
  /** HSEM as CPU2 uses it (cpu2-interface §1.8): one-step lock and release, owner words. */
  readonly hsem: { cpu2Lock(index: number): boolean; cpu2Release(index: number): void; owner(index: number): number };
  /** A system reset of the whole part, at CPU1's next step (fus-behaviour §1.7). */
  requestSystemReset(reason: string): void;
}
