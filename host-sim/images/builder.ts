// Builds test coprocessor images in the real footer layout (fus-behaviour §4): payload, 20-byte
// image footer, 64-byte ST signature + 20-byte signature footer, and optionally a customer
// signature block. The payload stands in for ST's encrypted code. Its first 16 bytes are the
// "decrypted header": what FUS learns only by decrypting an image it has already located (kind,
// version of the code, stack type, which FUS V1.2.0 binary, sector class), because a simulator
// cannot decrypt anything. It says nothing about where the image starts or how long it is: FUS
// finds the start from the footer's sector count, as on silicon (fus-behaviour §1.4, §4.3).
import type { KeyObject } from "node:crypto";
import type { Family } from "../chip/variants.js";
import type { StackFormat } from "../board.js";
import type { FusVariant, ImageKindName } from "./known-images.js";
import { SIGNATURE_BYTES, signImage, simStPrivateKey } from "./signing.js";
import { SeededRandom } from "../faults.js";

export const IMAGE_FOOTER_BYTES = 20;
export const SIGNATURE_FOOTER_BYTES = 20;
export const SIGNATURE_BLOCK_BYTES = SIGNATURE_BYTES + SIGNATURE_FOOTER_BYTES;
export const DECRYPTED_HEADER_BYTES = 16;

// Image-footer magics (fus-behaviour §4.4).
export const MAGIC_FUS = 0x3227_9221;
export const MAGIC_STACK_LEGACY = 0x2337_2991;
export const MAGIC_STACK_NEW = 0xb10c_8b99;
export const MAGIC_SAFEBOOT_V2 = 0x927a_6741;
// Signature-footer magics and the constant words around them (fus-behaviour §4.2).
export const MAGIC_SIGNATURE_ST = 0xd3a1_2c5e;
export const MAGIC_SIGNATURE_CUSTOMER = 0xe2b5_1d4a;
export const SIGNATURE_RESERVED0 = 0x1234_1234;
export const FOOTER_FILLER = 0xabcd_abcd;
const SIGNATURE_SOURCE_BYTE = 0x57;
const SIGNATURE_WORD_FUS = 0x2000_00ff;
const SIGNATURE_WORD_STACK = 0x2211_0045;
// Image-footer info word 1 (fus-behaviour §4.3, §4.4).
export const INFO1_SAFEBOOT_LEGACY = 0x5afe_b007;
const INFO1_NEW_FORMAT_4K = 0x0401_04cd;
const INFO1_NEW_FORMAT_2K = 0x0802_08cd;
/** Byte −95: 0x02 in every new-format stack, 0xFF elsewhere (fus-behaviour §4.3). */
const FORMAT_BYTE_NEW = 0x02;

/** "FSIM": marks the decrypted header at the start of a built image's payload. */
export const DECRYPTED_HEADER_MAGIC = 0x4d49_5346;
export const SIM_KIND_CODE: Record<ImageKindName, number> = { fus: 1, stack: 2, safeboot: 3 };
export const SIM_FUS_VARIANT_CODE: Record<FusVariant, number> = { "for-0.5.3": 1, "for-1.x": 2 };

const VERSION_1_2_0 = 0x0102_0000;
const SAFEBOOT_V2_0_0 = 0x0200_0000;

export interface ImageSpec {
  kind: ImageKindName;
  /** Version word (versions.ts parseVersion; build nibble optional). */
  version: number;
  /** Whole file size in bytes, customer block included. */
  size: number;
  family: Family;
  /** Stacks: legacy (magic 0x23372991) or new format (0xB10C8B99, "FUS_v2 only"). */
  format?: StackFormat;
  /** Stacks: the stack type byte the device-information table will show (cpu2-interface §3.4). */
  stackType?: number;
  /** FUS V1.2.0: which of the two published binaries (default for-1.x). */
  fusVariant?: FusVariant;
  /** Adds a customer signature block signed with this key (the double signature, fus-behaviour §1.5). */
  customerKey?: KeyObject;
  /** Signs with this key instead of the sim ST key (to build images FUS must refuse). */
  stKey?: KeyObject;
  /** Seed of the payload bytes; by default derived from the spec so equal specs give equal payloads. */
  seed?: number;
  /**
   * The image footer's sector count (fus-behaviour §4.3 byte −96). By default what ST writes:
   * ceil(size of the ST-signed file / sector), before any customer block is appended.
   */
  footerSectors?: number;
  /**
   * The image footer's SRAM2a / SRAM2b bytes: KB of each left to CPU1 while this firmware runs
   * (fus-behaviour §4.3 bytes −94, −93). By default what the real files of the kind carry.
   */
  cpu1SramKb?: [number, number];
}

export function sectorBytesOf(family: Family): number {
  return family === "wb1x" ? 2048 : 4096;
}

/** The smallest file the layout allows for a spec. */
export function minimumImageSize(spec: Pick<ImageSpec, "customerKey">): number {
  return DECRYPTED_HEADER_BYTES + IMAGE_FOOTER_BYTES + SIGNATURE_BLOCK_BYTES + (spec.customerKey ? SIGNATURE_BLOCK_BYTES : 0);
}

function imageMagic(spec: ImageSpec): number {
  if (spec.kind === "fus") return MAGIC_FUS;
  if (spec.kind === "safeboot") return spec.version >= SAFEBOOT_V2_0_0 + 0x100 ? MAGIC_SAFEBOOT_V2 : MAGIC_STACK_LEGACY;
  return spec.format === "new" ? MAGIC_STACK_NEW : MAGIC_STACK_LEGACY;
}

function info1(spec: ImageSpec): number {
  if (spec.kind === "safeboot" && imageMagic(spec) === MAGIC_STACK_LEGACY) return INFO1_SAFEBOOT_LEGACY;
  if (spec.kind === "stack" && spec.format === "new") return spec.family === "wb1x" ? INFO1_NEW_FORMAT_2K : INFO1_NEW_FORMAT_4K;
  return FOOTER_FILLER;
}

/** SRAM2a/SRAM2b non-secure KB bytes, as the real files of each kind carry them (fus-behaviour §4.5). */
function sramBytes(spec: ImageSpec): [number, number] {
  if (spec.kind === "fus") return spec.family === "wb1x" ? [26, 0] : [32, 16];
  if (spec.kind === "safeboot") return imageMagic(spec) === MAGIC_SAFEBOOT_V2 ? [32, 16] : [12, 11];
  return spec.family === "wb1x" ? [10, 0] : [10, 15];
}

function writeSignatureBlock(view: DataView, at: number, signature: Uint8Array, magic: number, word8: number): void {
  new Uint8Array(view.buffer, view.byteOffset + at, SIGNATURE_BYTES).set(signature);
  const footer = at + SIGNATURE_BYTES;
  view.setUint32(footer + 0, SIGNATURE_RESERVED0, true);
  view.setUint32(footer + 4, FOOTER_FILLER, true);
  view.setUint8(footer + 8, SIGNATURE_BYTES);
  view.setUint8(footer + 9, SIGNATURE_SOURCE_BYTE);
  view.setUint16(footer + 10, 0xffff, true);
  view.setUint32(footer + 12, word8, true);
  view.setUint32(footer + 16, magic, true);
}

export function buildImage(spec: ImageSpec): Uint8Array {
  const minimum = minimumImageSize(spec);
  if (!Number.isInteger(spec.size) || spec.size < minimum) throw new Error(`an image needs at least ${minimum} bytes, not ${spec.size}`);
  const image = new Uint8Array(spec.size);
  const view = new DataView(image.buffer);
  const customerBytes = spec.customerKey ? SIGNATURE_BLOCK_BYTES : 0;
  const stEnd = spec.size - customerBytes;
  const footerEnd = stEnd - SIGNATURE_BLOCK_BYTES;
  const footer = footerEnd - IMAGE_FOOTER_BYTES;

  // Payload: deterministic noise, like encrypted code (it never contains a signature-footer magic
  // by construction check below).
  const seed = spec.seed ?? ((spec.version ^ (spec.size * 2654435761) ^ SIM_KIND_CODE[spec.kind]) >>> 0);
  new SeededRandom(seed).fill(image.subarray(0, footer));
  scrubMagics(image.subarray(0, footer));

  const fusVariant = spec.kind === "fus" && spec.version === VERSION_1_2_0 ? spec.fusVariant ?? "for-1.x" : null;
  view.setUint32(0, DECRYPTED_HEADER_MAGIC, true);
  view.setUint32(4, spec.version, true);
  view.setUint8(8, SIM_KIND_CODE[spec.kind]);
  view.setUint8(9, spec.kind === "stack" ? spec.stackType ?? 0x01 : 0);
  view.setUint8(10, fusVariant ? SIM_FUS_VARIANT_CODE[fusVariant] : 0);
  view.setUint8(11, spec.family === "wb1x" ? 2 : 1);

  const [sram2a, sram2b] = spec.cpu1SramKb ?? sramBytes(spec);
  view.setUint32(footer + 0, info1(spec), true);
  view.setUint32(footer + 4, FOOTER_FILLER, true);
  view.setUint8(footer + 8, spec.footerSectors ?? Math.min(0xff, Math.ceil(stEnd / sectorBytesOf(spec.family))));
  view.setUint8(footer + 9, spec.kind === "stack" && spec.format === "new" ? FORMAT_BYTE_NEW : 0xff);
  view.setUint8(footer + 10, sram2a);
  view.setUint8(footer + 11, sram2b);
  // FUS V1.2.0 files carry 0xFFFFFFFF on purpose (fus-behaviour §3.1).
  view.setUint32(footer + 12, spec.kind === "fus" && spec.version === VERSION_1_2_0 ? 0xffff_ffff : spec.version, true);
  view.setUint32(footer + 16, imageMagic(spec), true);

  const word8 = spec.kind === "fus" || imageMagic(spec) === MAGIC_SAFEBOOT_V2 ? SIGNATURE_WORD_FUS : SIGNATURE_WORD_STACK;
  const stSignature = signImage(image.subarray(0, footerEnd), spec.stKey ?? simStPrivateKey());
  writeSignatureBlock(view, footerEnd, stSignature, MAGIC_SIGNATURE_ST, word8);
  if (spec.customerKey) {
    const customerSignature = signImage(image.subarray(0, stEnd), spec.customerKey);
    writeSignatureBlock(view, stEnd, customerSignature, MAGIC_SIGNATURE_CUSTOMER, word8);
  }
  return image;
}

/** Keeps footer magics out of the payload, so FUS's scan never finds a false image inside it. */
function scrubMagics(payload: Uint8Array): void {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const magics = [MAGIC_SIGNATURE_ST, MAGIC_SIGNATURE_CUSTOMER, DECRYPTED_HEADER_MAGIC];
  for (let i = 0; i + 4 <= payload.length; i++) {
    if (magics.includes(view.getUint32(i, true))) payload[i] ^= 0x01;
  }
}
