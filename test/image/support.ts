// Real-data fixtures for the image tests: the 56 footer tails of test/fixtures/copro-footers,
// the release-notes address table (test/fixtures/release-notes), and builders for footers no real file has (hazard cases).
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../host-sim/paths.js";
import type { FamilyName } from "../../host-sim/images/footer.js";
import type { ImageFile } from "../../host-sim/images/planner.js";

export const fixturesDirectory = join(projectRoot, "test", "fixtures");
export const footersDirectory = join(fixturesDirectory, "copro-footers");

export interface IndexEntry {
  file: string;
  original_name: string;
  family: "STM32WB5x" | "STM32WB3x" | "STM32WB1x";
  size: number;
  ceil_size_over_sector: number;
  signature_footers_from_end: { magic: string; signature_size: number }[];
  image_footer: {
    info1_word: string;
    magic: string;
    version_word: string;
    flash_sectors_byte0: number;
    flash_sector_size: number;
    version: { major: number; minor: number; sub: number; branch: number; build_or_type: number };
  };
}

export const footerIndex: IndexEntry[] = JSON.parse(readFileSync(join(footersDirectory, "index.json"), "utf8")).entries;

export function realTail(entry: IndexEntry): Uint8Array {
  return new Uint8Array(readFileSync(join(footersDirectory, entry.file)));
}

/** A sparse file of an ST binary's real size ending in its real tail (the rest is never read). */
export function materialiseImage(directory: string, originalName: string, family = "STM32WB5x"): string {
  const entry = footerIndex.find((candidate) => candidate.original_name === originalName && candidate.family === family)!;
  const path = join(directory, originalName);
  const descriptor = openSync(path, "w");
  ftruncateSync(descriptor, entry.size);
  writeSync(descriptor, realTail(entry), 0, 256, entry.size - 256);
  closeSync(descriptor);
  return path;
}

export function familyName(family: IndexEntry["family"] | string): FamilyName {
  return family.slice("STM32".length).toLowerCase() as FamilyName;
}

/** The real file (as a tail plus its true size) of a CubeWB v1.24.0 binary. */
export function realImage(family: FamilyName, name: string): ImageFile {
  const entry = footerIndex.find((candidate) => familyName(candidate.family) === family && candidate.original_name === name);
  if (!entry) throw new Error(`no tail for ${family} ${name} in ${footersDirectory}`);
  return { file: name, tail: realTail(entry), size: entry.size };
}

export interface AddressRow {
  family: string;
  rn_release: string;
  binary: string;
  device_flash: string;
  rn_install_address: string;
  rn_fus_compatibility: string;
  rn_version_column: string;
  cube_tag_checked: string;
  binary_size: number;
  footer_magic: string;
  image_format: string;
  sector_size: number;
  size_in_sectors: number;
}

export function addressRows(): AddressRow[] {
  const text = readFileSync(join(fixturesDirectory, "release-notes", "fus-install-addresses.csv"), "utf8");
  const [header, ...lines] = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  const names = header.split(",");
  return lines.map((line) => {
    const cells = line.split(",");
    const row: Record<string, string | number> = {};
    names.forEach((name, index) => (row[name] = cells[index]));
    for (const numeric of ["binary_size", "sector_size", "size_in_sectors"]) row[numeric] = Number(row[numeric]);
    return row as unknown as AddressRow;
  });
}

export function flashKb(deviceFlash: string): number {
  return deviceFlash === "1M" ? 1024 : Number(deviceFlash.replace("K", ""));
}

/** Fields of an image footer (fus-behaviour §4.3) for building a file no real one matches. */
export interface FooterFields {
  info1: number;
  sectors: number;
  /** Byte −95: 0xFF, or 0x02 in new-format stacks. */
  formatByte: number;
  sram2a?: number;
  sram2b?: number;
  version: number;
  magic: number;
}

export const MAGIC = {
  fus: 0x32279221,
  stackLegacy: 0x23372991,
  stackNew: 0xb10c8b99,
  safebootV2: 0x927a6741,
  other: 0x42769811,
  signatureSt: 0xd3a12c5e,
  signatureCustomer: 0xe2b51d4a,
} as const;

/** A signature block as in ST's files (§4.2): 64 signature bytes, then the 20-byte footer. */
export function signatureBlock(magic: number, signatureLength = 64): Uint8Array {
  const block = new Uint8Array(84);
  const view = new DataView(block.buffer);
  for (let index = 0; index < 64; index++) block[index] = (index * 37 + 11) & 0xff;
  view.setUint32(64, 0x12341234, true);
  view.setUint32(68, 0xabcdabcd, true);
  block[72] = signatureLength;
  block[73] = 0x57;
  view.setUint16(74, 0xffff, true);
  view.setUint32(76, 0x22110045, true);
  view.setUint32(80, magic, true);
  return block;
}

export function imageFooter(fields: FooterFields): Uint8Array {
  const footer = new Uint8Array(20);
  const view = new DataView(footer.buffer);
  view.setUint32(0, fields.info1 >>> 0, true);
  view.setUint32(4, 0xabcdabcd, true);
  footer[8] = fields.sectors;
  footer[9] = fields.formatByte;
  footer[10] = fields.sram2a ?? 0x0a;
  footer[11] = fields.sram2b ?? 0x0f;
  view.setUint32(12, fields.version >>> 0, true);
  view.setUint32(16, fields.magic >>> 0, true);
  return footer;
}

/** The end (at least 256 bytes) of a file made of filler, an image footer and signature blocks. */
export function buildTail(footer: Uint8Array, blocks: Uint8Array[] = [signatureBlock(MAGIC.signatureSt)]): Uint8Array {
  const end = [footer, ...blocks];
  const endLength = end.reduce((sum, part) => sum + part.length, 0);
  const tail = new Uint8Array(Math.max(256, endLength));
  for (let index = 0; index < tail.length - endLength; index++) tail[index] = (index * 13 + 5) & 0xff;
  let offset = tail.length - endLength;
  for (const part of end) {
    tail.set(part, offset);
    offset += part.length;
  }
  return tail;
}

export function version(major: number, minor: number, sub: number, low = 0): number {
  return ((major << 24) | (minor << 16) | (sub << 8) | low) >>> 0;
}

/** A synthetic image file: `sectors` of `sectorBytes` derived from `size`, footer per `fields`. */
export function syntheticImage(file: string, size: number, fields: FooterFields): ImageFile {
  return { file, size, tail: buildTail(imageFooter(fields)) };
}

export function wordHex(value: number): string {
  return `0x${(value >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
}
