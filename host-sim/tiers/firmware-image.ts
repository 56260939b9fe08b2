// Firmware files as a programmer writes them into CPU1's flash: ELF (its loadable segments at their
// physical addresses), raw binary (at an address given), Intel HEX (records 00, 01, 02, 04, 05).
// Everything must land in CPU1's flash below the secure boundary, as a programmer would refuse
// otherwise (FIRMWARE_OUTSIDE_FLASH).
import type { Board } from "../board.js";
import { cpu1VisibleFlashBytes } from "../chip/flash.js";
import { parseElf, type ElfImage } from "./elf.js";

/** Unicorn maps memory in 4 KB granules: the firmware's code pages are rounded up to one. */
const MAPPING_GRANULE = 0x1000;

export class FirmwareFileError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface FirmwareChunk {
  address: number;
  data: Uint8Array;
}

/**
 * Writes the chunks into the board's flash; returns the bytes from the flash base to the end of the
 * last one, rounded up to 4 KB. `area` "cpu1" refuses anything at or above the secure boundary, as
 * a programmer connected to CPU1 would; "array" only keeps inside the flash array (the probe
 * fixture, which tests also place on parts whose flash is all secure).
 */
export function programChunks(board: Board, chunks: FirmwareChunk[], area: "cpu1" | "array" = "cpu1"): number {
  const base = board.variant.flashBase;
  const visible = area === "cpu1" ? cpu1VisibleFlashBytes(board) : board.flash.length;
  let end = 0;
  for (const { address, data } of chunks) {
    const offset = address - base;
    if (offset < 0 || offset + data.length > visible) {
      throw new FirmwareFileError("FIRMWARE_OUTSIDE_FLASH",
        `${data.length} bytes at 0x${(address >>> 0).toString(16)} are outside CPU1's flash (0x${base.toString(16)}–0x${(base + visible).toString(16)}, below the secure area)`);
    }
    board.flash.set(data, offset);
    end = Math.max(end, offset + data.length);
  }
  if (end === 0) throw new FirmwareFileError("FIRMWARE_EMPTY", "the firmware has nothing to program into flash");
  return Math.ceil(end / MAPPING_GRANULE) * MAPPING_GRANULE;
}

/** The ELF's segments that live in flash (RAM-only segments are the startup code's business). */
export function programElf(board: Board, elf: ElfImage, area: "cpu1" | "array" = "cpu1"): number {
  const base = board.variant.flashBase;
  const chunks = elf.segments
    .filter((s) => s.physicalAddress >= base && s.physicalAddress < base + board.flash.length)
    .map((s) => ({ address: s.physicalAddress, data: s.data }));
  return programChunks(board, chunks, area);
}

export function parseIntelHex(text: string): FirmwareChunk[] {
  const chunks: FirmwareChunk[] = [];
  let upper = 0;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === "") continue;
    if (!/^:([0-9a-fA-F]{2})+$/.test(line)) throw new FirmwareFileError("FIRMWARE_INVALID", `HEX line ${n + 1} is not a record`);
    const bytes = Buffer.from(line.slice(1), "hex");
    const count = bytes[0];
    if (bytes.length !== count + 5) throw new FirmwareFileError("FIRMWARE_INVALID", `HEX line ${n + 1}: length does not match its count`);
    if (bytes.reduce((sum, b) => (sum + b) & 0xff, 0) !== 0) throw new FirmwareFileError("FIRMWARE_INVALID", `HEX line ${n + 1}: bad checksum`);
    const offset = (bytes[1] << 8) | bytes[2];
    const type = bytes[3];
    const data = new Uint8Array(bytes.subarray(4, 4 + count));
    if (type === 0x00) chunks.push({ address: (upper + offset) >>> 0, data });
    else if (type === 0x01) break;
    else if (type === 0x02) upper = ((data[0] << 8) | data[1]) * 16;
    else if (type === 0x04) upper = (((data[0] << 8) | data[1]) << 16) >>> 0;
    else if (type !== 0x03 && type !== 0x05) throw new FirmwareFileError("FIRMWARE_INVALID", `HEX line ${n + 1}: unknown record type ${type}`);
  }
  return chunks;
}

/** A firmware file by its contents: ELF by magic, HEX by its leading ':', else raw binary at `at`. */
export function firmwareChunks(file: Uint8Array, name: string, at?: number): FirmwareChunk[] {
  if (file.length >= 4 && file[0] === 0x7f && file[1] === 0x45 && file[2] === 0x4c && file[3] === 0x46) {
    return parseElf(file).segments.map((s) => ({ address: s.physicalAddress, data: s.data }));
  }
  if (/\.hex$/i.test(name) || file[0] === 0x3a) return parseIntelHex(Buffer.from(file).toString("latin1"));
  if (at === undefined) throw new FirmwareFileError("USAGE", `${name} is a raw binary: give its flash address with --at ADDR`);
  return [{ address: at, data: file }];
}
