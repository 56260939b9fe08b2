// Tier 1's copy of the device sandbox, from the same table the device hal is generated from
// (runtime-c/allowlist.json): an address the device would refuse faults here with the same name.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../paths.js";
import type { Stm32wb } from "../chip/stm32wb.js";

interface AllowedRange {
  what: string;
  start: string;
  end: string;
  access: ("read" | "write" | "write-below-secure" | "flash-control")[];
}

/** The rule every 32-bit store to FLASH_CR is decoded by (allowlist.json flashControl). */
interface FlashControlRule {
  register: string;
  refusedBits: string;
  pageEraseBits: string;
  pnbShift: number;
  pnbMask: string;
}

const SRAM2A_BASE = 0x2003_0000;
const SRAM2B_BASE = 0x2003_8000;
const FLASH_BASE = 0x0800_0000;

/** The device runtime's fault for an address outside the allowlist (runtime-c/fusop_fault.h). */
export class HalDenied extends Error {
  constructor(readonly code: "HAL_READ_DENIED" | "HAL_WRITE_DENIED", readonly address: number) {
    super(`device fault ${code} at 0x${address.toString(16).padStart(8, "0")}`);
  }
}

let table: { ranges: AllowedRange[]; flashControl: FlashControlRule } | undefined;

function definition(): { ranges: AllowedRange[]; flashControl: FlashControlRule } {
  table ??= JSON.parse(readFileSync(join(projectRoot, "runtime-c", "allowlist.json"), "utf8")) as { ranges: AllowedRange[]; flashControl: FlashControlRule };
  return table;
}

/**
 * The bounds as the device build for this board's family has them (Makefile VARIANT_PROBE and
 * runtime-c/device_config.h). No firmware sits in flash on tier 1, but on every part the first
 * sector holds CPU1's vector table: FIRMWARE_END is the end of that sector.
 */
function symbols(chip: Stm32wb): Record<string, number> {
  const variant = chip.board.variant;
  const secure = variant.secureSram;
  const flashBytes = variant.family === "wb1x" ? 320 * 1024 : variant.family === "wb3x" ? 512 * 1024 : 1024 * 1024;
  return {
    FLASH_BASE,
    FIRMWARE_END: FLASH_BASE + variant.sectorBytes,
    FLASH_END: FLASH_BASE + flashBytes,
    SRAM2A_OPEN_END: secure.brsd ? SRAM2A_BASE + variant.sram2aBytes : SRAM2A_BASE + secure.sbrsa * 1024,
    SRAM2B_OPEN_END: secure.nbrsd ? SRAM2B_BASE + variant.sram2bBytes : SRAM2B_BASE + secure.snbrsa * 1024,
  };
}

export class Allowlist {
  private readonly resolved: { start: number; end: number; read: boolean; write: boolean; belowSecure: boolean }[];
  private readonly control: { register: number; refused: number; pageErase: number; pnbShift: number; pnbMask: number };

  constructor(private readonly chip: Stm32wb) {
    const names = symbols(chip);
    const value = (bound: string) => names[bound] ?? Number.parseInt(bound, 16);
    const { ranges, flashControl } = definition();
    this.control = {
      register: value(flashControl.register),
      refused: value(flashControl.refusedBits),
      pageErase: value(flashControl.pageEraseBits),
      pnbShift: flashControl.pnbShift,
      pnbMask: value(flashControl.pnbMask),
    };
    this.resolved = ranges.map((range) => ({
      start: value(range.start),
      end: value(range.end),
      read: range.access.includes("read"),
      write: range.access.includes("write"),
      belowSecure: range.access.includes("write-below-secure"),
    }));
  }

  /**
   * A 32-bit store, as runtime-c/hal.c fusop_hal_write32 checks it: to FLASH_CR decoded by the
   * flashControl rule (no mass erase or option-byte work; a page erase only of a writable page),
   * anywhere else an ordinary write.
   */
  requireStore32(address: number, value: number): void {
    if (address >>> 0 !== this.control.register) {
      this.require(address, 4, true);
      return;
    }
    if ((value & this.control.refused) !== 0) throw new HalDenied("HAL_WRITE_DENIED", this.control.register);
    if (((value & this.control.pageErase) >>> 0) === this.control.pageErase) {
      const sector = this.chip.board.variant.sectorBytes;
      const page = (value >>> this.control.pnbShift) & this.control.pnbMask;
      this.require(FLASH_BASE + page * sector, sector, true);
    }
  }

  /** Every byte of [address, address + length) must be allowed, as runtime-c/hal.c require() checks. */
  require(address: number, length: number, write: boolean): void {
    let at = address >>> 0;
    let left = length >>> 0;
    while (left > 0) {
      const range = this.resolved.find((candidate) => at >= candidate.start && at < candidate.end);
      let end = range ? range.end : 0;
      if (range && write && range.belowSecure) {
        const board = this.chip.board;
        end = Math.min(end, FLASH_BASE + board.optionBytes.sfsa * board.variant.sectorBytes);
      }
      if (!range || !(write ? range.write : range.read) || at >= end) {
        throw new HalDenied(write ? "HAL_WRITE_DENIED" : "HAL_READ_DENIED", at);
      }
      const chunk = Math.min(left, end - at);
      at += chunk;
      left -= chunk;
    }
  }
}
