// The SRAM2a / SRAM2b split between CPU1 and CPU2's secure part, which FUS programs into the
// option bytes (SRRVR SBRSA/BRSD, SNBRSA/NBRSD; cpu2-interface §1.7) for the firmware CPU2 boots:
// - while FUS runs, FUS's own split (fus-behaviour §1.1 "FUS-mode SRAM2 secure split"; the FUS
//   files' footers say the same, §4.5);
// - while the stack runs, the split its image footer states: byte −94 = SRAM2a KB left to CPU1,
//   byte −93 = SRAM2b KB (fus-behaviour §4.3; cpu2-interface §3.4 shci.h byte order). E.g.
//   BLE_Stack_full leaves 10 KB of SRAM2a, BLE_Stack_full_extended 2 KB (RN: "RAM_A shared
//   0x20030000–0x200307FF").
// Like SFSA/SBRV, the split takes effect with the system reset that follows (seed §2.2).
import type { Board } from "../board.js";
import { footerBefore } from "./image-scan.js";

/** A whole SRAM left to CPU1: the footer byte says all of it (then the secure mode is disabled). */
function split(cpu1Kb: number, sramKb: number): { start: number; disabled: boolean } {
  return cpu1Kb >= sramKb ? { start: 0, disabled: true } : { start: cpu1Kb, disabled: false };
}

/** KB of SRAM2a and SRAM2b the installed stack leaves to CPU1, from its footer in flash; null if unreadable. */
export function stackCpu1SramKb(board: Board): [number, number] | null {
  const stack = board.cpu2.stack;
  if (!stack) return null;
  const flash = board.flash;
  const view = new DataView(flash.buffer, flash.byteOffset, flash.byteLength);
  const footer = footerBefore(view, board.offsetOf(stack.start) + stack.size);
  return footer === null ? null : [view.getUint8(footer + 10), view.getUint8(footer + 11)];
}

/**
 * Programs the secure SRAM2 split for the firmware CPU2 boots next: the stack's (`runStack`) or
 * FUS's. [choice] A stack whose footer cannot be read (a board made without its image) gets FUS's split.
 */
export function applySecureSram(board: Board, runStack: boolean): void {
  const variant = board.variant;
  const ob = board.optionBytes;
  const shares = runStack ? stackCpu1SramKb(board) : null;
  if (!shares) {
    Object.assign(ob, variant.secureSram);
    return;
  }
  const a = split(shares[0], variant.sram2aBytes / 1024);
  const b = split(shares[1], variant.sram2bBytes / 1024);
  ob.sbrsa = a.start;
  ob.brsd = a.disabled;
  ob.snbrsa = b.start;
  ob.nbrsd = b.disabled;
}

/** Sets the boot (SFSA/SBRV, fus-behaviour §1.6) and the SRAM2 split for the stack or for FUS. */
export function bootNextOn(board: Board, runStack: boolean): void {
  board.applyDefaultOptionBytes(runStack);
  applySecureSram(board, runStack);
}
