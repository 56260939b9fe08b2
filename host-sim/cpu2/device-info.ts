// The device-information table CPU2 writes into CPU1's buffer, in both layouts (cpu2-interface
// §3.2, §3.3; fus-behaviour §1.14).
import type { Cpu2Mailbox } from "./mailbox.js";
import type { Board } from "../board.js";
import { FUS_BYTES, sectorsFor } from "../chip/variants.js";
import { FUS_STATE } from "./fus-codes.js";

export const FUS_INFO_KEYWORD = 0xa94656b9;

/**
 * Memory-size word per shci.h masks (§3.4): flash sectors in 7:0; the SRAM fields are left 0 (what
 * the running firmware reserves is not modelled).
 */
function memorySizeWord(sectors: number): number {
  return sectors & 0xff;
}

function stackSectors(board: Board): number {
  const stack = board.cpu2.stack;
  return stack ? sectorsFor(board.variant, stack.size) : 0;
}

/**
 * +0x05 "last FUS active state" (cpu2-interface §3.3; seed §4.1): the seed's only value is 0x04,
 * "the stack is running", and "other values mean that FUS is running". [choice] FUS writes the state
 * it is active in as it boots, in FUS_GET_STATE's coding (fus-behaviour §1.3): 0x10 resuming a
 * stack or Safeboot install, 0x20 resuming its own upgrade, 0x00 otherwise — never 0x04.
 */
export function lastFusActiveState(board: Board): number {
  const journal = board.cpu2.journal;
  if (!journal) return FUS_STATE.IDLE;
  return journal.operation === "fus" ? FUS_STATE.FUS_UPGRADE_ONGOING : FUS_STATE.FW_UPGRADE_ONGOING;
}

/** `fusVersion`: the FUS that runs (during a self-upgrade, the new one on its temporary copy). */
export function writeFusLayout(mailbox: Cpu2Mailbox, board: Board, fusVersion: number): void {
  const table = new DataView(new ArrayBuffer(0x38));
  const stack = board.cpu2.stack;
  table.setUint32(0x00, FUS_INFO_KEYWORD, true);
  table.setUint8(0x05, lastFusActiveState(board));
  // +0x06 (last wireless stack state) has no documented meaning (§9): left 0.
  // +0x07 "current wireless stack type": value meanings not found (§3.3); the model writes the
  // §3.4 stack-type code there [hypothesis].
  table.setUint8(0x07, stack ? stack.type : 0);
  table.setUint32(0x08, board.cpu2.safebootVersion, true);
  table.setUint32(0x0c, fusVersion, true);
  table.setUint32(0x10, memorySizeWord(sectorsFor(board.variant, FUS_BYTES)), true);
  table.setUint32(0x14, stack ? stack.version : 0, true);
  table.setUint32(0x18, memorySizeWord(stackSectors(board)), true);
  table.setBigUint64(0x28, board.uid64, true);
  table.setUint16(0x30, board.variant.deviceId, true);
  mailbox.writeBytes(mailbox.deviceInfoTable(), new Uint8Array(table.buffer));
}

export function writeStackLayout(mailbox: Cpu2Mailbox, board: Board): void {
  const table = new DataView(new ArrayBuffer(0x20));
  const stack = board.cpu2.stack;
  table.setUint32(0x00, board.cpu2.safebootVersion, true);
  table.setUint32(0x04, board.cpu2.fusVersion, true);
  table.setUint32(0x08, memorySizeWord(sectorsFor(board.variant, FUS_BYTES)), true);
  table.setUint32(0x10, stack ? stack.version : 0, true);
  table.setUint32(0x14, memorySizeWord(stackSectors(board)), true);
  table.setUint32(0x18, stack ? stack.type : 0, true);
  mailbox.writeBytes(mailbox.deviceInfoTable(), new Uint8Array(table.buffer));
}
