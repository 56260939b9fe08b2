// The device-information table CPU2 writes into CPU1's buffer, in both layouts (cpu2-interface
// §3.2, §3.3; fus-behaviour §1.14).
import type { Cpu2Mailbox } from "./mailbox.js";
import type { Board } from "../board.js";
import { FUS_BYTES, sectorsFor } from "../chip/variants.js";

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

/** `fusVersion`: the FUS that runs (during a self-upgrade, the new one on its temporary copy). */
export function writeFusLayout(mailbox: Cpu2Mailbox, board: Board, fusVersion: number): void {
  const table = new DataView(new ArrayBuffer(0x38));
  const stack = board.cpu2.stack;
  table.setUint32(0x00, FUS_INFO_KEYWORD, true);
  // +0x05/+0x06 (last FUS / stack state) have no documented meanings (§9): left 0.
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
