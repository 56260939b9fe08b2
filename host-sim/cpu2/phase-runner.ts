// CPU2 firmware flash work, one operation after another on the virtual clock. CPU2 reads and writes
// all of the flash (seed §2.2); each operation is a fault-injection step and, cut short by power
// loss or reset, leaves a documented partial state (README "partial flash states").
import type { Cpu2 } from "./cpu2.js";
import type { Board } from "../board.js";
import { FLASH_TIMING_US } from "../chip/flash-timing.js";

export interface Cpu2FlashOperation {
  label: string;
  durationUs: number;
  apply(): void;
  /** What is left when the operation is cut short. */
  interrupt(): void;
}

/** Erases one sector (partial: its first half erased). */
export function eraseSector(board: Board, address: number): Cpu2FlashOperation {
  const sector = board.variant.sectorBytes;
  const offset = board.offsetOf(address);
  return {
    label: `CPU2 erase sector 0x${address.toString(16)}`,
    durationUs: FLASH_TIMING_US.pageErase,
    apply: () => board.flash.fill(0xff, offset, offset + sector),
    interrupt: () => board.flash.fill(0xff, offset, offset + sector / 2),
  };
}

export function eraseRange(board: Board, start: number, bytes: number): Cpu2FlashOperation[] {
  const sector = board.variant.sectorBytes;
  const operations: Cpu2FlashOperation[] = [];
  for (let address = start; address < start + bytes; address += sector) operations.push(eraseSector(board, address));
  return operations;
}

/**
 * Programs `data` at `address`, one sector's worth per operation (partial: the first half of that
 * sector's data written). Programming needs erased flash, as for CPU1; FUS erases first.
 */
export function programRange(board: Board, address: number, data: Uint8Array): Cpu2FlashOperation[] {
  const sector = board.variant.sectorBytes;
  const operations: Cpu2FlashOperation[] = [];
  for (let done = 0; done < data.length; done += sector) {
    const chunk = data.subarray(done, Math.min(done + sector, data.length));
    const offset = board.offsetOf(address + done);
    operations.push({
      label: `CPU2 program 0x${(address + done).toString(16)} (+${chunk.length})`,
      durationUs: Math.ceil(chunk.length / 8) * FLASH_TIMING_US.programDoubleWord,
      apply: () => board.flash.set(chunk, offset),
      interrupt: () => board.flash.set(chunk.subarray(0, Math.floor(chunk.length / 16) * 8), offset),
    });
  }
  return operations;
}

/** A step of firmware work that touches no flash (decrypting, checking), for the timeline only. */
export function work(label: string, durationUs: number, apply: () => void = () => {}): Cpu2FlashOperation {
  return { label, durationUs, apply, interrupt: () => {} };
}

/**
 * Runs operations in order; `done` runs after the last. A fault at an operation's step cuts it
 * short and strikes; a reset or halt of CPU2 meanwhile stops the sequence (Cpu2.after generations).
 */
export function runOperations(cpu2: Cpu2, operations: Cpu2FlashOperation[], done: () => void): void {
  const next = (index: number): void => {
    if (index >= operations.length) {
      done();
      return;
    }
    const operation = operations[index];
    cpu2.inFlight = operation;
    const fault = operation.label.startsWith("CPU2 ") ? cpu2.faults?.step("cpu2-flash", operation.label) ?? null : null;
    if (fault) {
      // Left in flight: the reset or power loss that strikes cuts it short (Cpu2.halt).
      cpu2.faults!.strike(fault, `${fault} during ${operation.label}`);
      return;
    }
    cpu2.after(operation.durationUs, () => {
      cpu2.inFlight = null;
      operation.apply();
      next(index + 1);
    });
  };
  next(0);
}
