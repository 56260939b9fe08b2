// How the simulated FUS finds and authenticates the staged image (fus-behaviour §1.4, §1.5, §4).
// Where the sources are silent the choices are (README "Image scan"):
// - FUS walks the user flash below the secure boundary byte by byte for a signature footer (its
//   last word is the ST or customer signature magic, preceded by the constant words 0x12341234,
//   0xABCDABCD and the 0x40 length byte) and takes the HIGHEST one: an older, higher image (also a
//   rejected one) wins over a newly staged lower one — the FAQ's leftover-image case.
// - A footer whose image magic this FUS does not know (new-format stack, Safeboot V2.0.1 before
//   FUSv2) is not an image to it: the walk goes on below (GH-115: the stack stays 0.0.0).
// - The start of the image comes from the image footer's sector count (imageStart below); from
//   there a genuine ST image is recognised by its sha256 (known-images.ts), a simulator image by
//   its ST signature (sim key). Anything else cannot be authenticated.
import { createHash } from "node:crypto";
import type { Board, StackFormat } from "../board.js";
import { userFlashBytes } from "../chip/variants.js";
import { FUS_ERROR, type FusErrorCode } from "./fus-codes.js";
import {
  IMAGE_FOOTER_BYTES, SIGNATURE_BLOCK_BYTES, DECRYPTED_HEADER_BYTES, DECRYPTED_HEADER_MAGIC, SIM_KIND_CODE, SIM_FUS_VARIANT_CODE,
  MAGIC_FUS, MAGIC_STACK_LEGACY, MAGIC_STACK_NEW, MAGIC_SAFEBOOT_V2, MAGIC_SIGNATURE_ST, MAGIC_SIGNATURE_CUSTOMER,
  SIGNATURE_RESERVED0, FOOTER_FILLER, INFO1_SAFEBOOT_LEGACY,
} from "../images/builder.js";
import { KNOWN_IMAGES, type FusVariant, type ImageKindName } from "../images/known-images.js";
import { publicKeyFromRaw, simStPublicKey, verifyImage, SIGNATURE_BYTES } from "../images/signing.js";
import { parseVersion } from "../versions.js";

export interface FoundImage {
  /** First address of the image. */
  start: number;
  /** Bytes from start to the end of the last signature block. */
  size: number;
  kind: ImageKindName;
  /** The version FUS acts on (real version for V1.2.0 files whose footer says 0xFFFFFFFF). */
  version: number;
  format: StackFormat | null;
  stackType: number;
  fusVariant: FusVariant | null;
  genuine: boolean;
  data: Uint8Array;
}

export type ScanResult = { ok: true; image: FoundImage } | { ok: false; error: FusErrorCode };

const FUS_V2 = parseVersion("2.0.0");

function word(view: DataView, offset: number): number {
  return view.getUint32(offset, true);
}

/** Image magics a FUS of this version knows (fus-behaviour §2 "telling formats apart"; §4.4). */
function magicKnown(magic: number, fusVersion: number): boolean {
  if (magic === MAGIC_FUS || magic === MAGIC_STACK_LEGACY) return true;
  if (magic === MAGIC_STACK_NEW || magic === MAGIC_SAFEBOOT_V2) return fusVersion >= FUS_V2;
  return false;
}

function isSignatureFooterEnd(view: DataView, end: number): boolean {
  if (end < 20) return false;
  const magic = word(view, end - 4);
  if (magic !== MAGIC_SIGNATURE_ST && magic !== MAGIC_SIGNATURE_CUSTOMER) return false;
  return word(view, end - 20) === SIGNATURE_RESERVED0 && word(view, end - 16) === FOOTER_FILLER &&
    view.getUint8(end - 12) === SIGNATURE_BYTES;
}

/**
 * The image footer of a file that ends at `end`: walk back over its signature blocks (each footer
 * names its signature length, fus-behaviour §4.1); null when no signature block ends there.
 */
export function footerBefore(view: DataView, end: number): number | null {
  let blockEnd = end;
  while (isSignatureFooterEnd(view, blockEnd)) blockEnd -= SIGNATURE_BLOCK_BYTES;
  const footer = blockEnd - IMAGE_FOOTER_BYTES;
  return blockEnd === end || footer < 0 ? null : footer;
}

function kindOf(magic: number, info1: number): ImageKindName {
  if (magic === MAGIC_FUS) return "fus";
  if (magic === MAGIC_SAFEBOOT_V2 || (magic === MAGIC_STACK_LEGACY && info1 === INFO1_SAFEBOOT_LEGACY)) return "safeboot";
  return "stack";
}

/**
 * Walks the user flash as FUS `fusVersion` does and authenticates what it finds. `authKey` is the
 * installed customer authentication key (raw X‖Y hex) or null.
 */
export function scanForImage(board: Board, fusVersion: number, authKey: string | null): ScanResult {
  const visible = userFlashBytes(board.variant, board.optionBytes.sfsa);
  const flash = board.flash.subarray(0, visible);
  const view = new DataView(flash.buffer, flash.byteOffset, flash.byteLength);
  for (let end = visible; end >= SIGNATURE_BLOCK_BYTES + IMAGE_FOOTER_BYTES; end--) {
    if (!isSignatureFooterEnd(view, end)) continue;
    const customerSigned = word(view, end - 4) === MAGIC_SIGNATURE_CUSTOMER;
    const stEnd = customerSigned ? end - SIGNATURE_BLOCK_BYTES : end;
    if (customerSigned && !isSignatureFooterEnd(view, stEnd)) return { ok: false, error: FUS_ERROR.AUTH_TAG_ST_NOTFOUND };
    if (word(view, stEnd - 4) !== MAGIC_SIGNATURE_ST) return { ok: false, error: FUS_ERROR.AUTH_TAG_ST_NOTFOUND };
    const footerEnd = stEnd - SIGNATURE_BLOCK_BYTES;
    const footer = footerEnd - IMAGE_FOOTER_BYTES;
    if (footer < 0) continue;
    const magic = word(view, footer + 16);
    if (!magicKnown(magic, fusVersion)) continue; // not an image to this FUS: keep walking down
    return authenticate(board, flash, view, { end, stEnd, footer, magic, customerSigned }, authKey);
  }
  return { ok: false, error: FUS_ERROR.IMG_NOT_FOUND };
}

interface Candidate {
  end: number;
  stEnd: number;
  footer: number;
  magic: number;
  customerSigned: boolean;
}

/**
 * Where the image starts: the footer's sector count back from the end of the sector where the file
 * ends (fus-behaviour §1.4, §4.3 byte −96 = ceil(file size / sector), §6.2). The sector is this
 * part's. [choice] The end is the file's end, the last signature footer the walk found: FUS has no
 * other length than the count, so a count one sector short (a customer block that pushed the file
 * into one more sector than ST counted) puts the start one sector too high and nothing verifies.
 */
function imageStart(view: DataView, c: Candidate, sector: number): number | null {
  const sectors = view.getUint8(c.footer + 8);
  const start = Math.ceil(c.end / sector) * sector - sectors * sector;
  return sectors === 0 || start < 0 || start > c.footer ? null : start;
}

function authenticate(board: Board, flash: Uint8Array, view: DataView, c: Candidate, authKey: string | null): ScanResult {
  const variant = board.variant;
  const start = imageStart(view, c, variant.sectorBytes);
  if (start === null) return { ok: false, error: FUS_ERROR.IMG_CORRUPT };
  // Image rule of seed §4.3: the size a multiple of 4 bytes (the start is a sector start by construction).
  if ((c.end - start) % 4 !== 0) return { ok: false, error: FUS_ERROR.IMG_CORRUPT };
  const versionWord = word(view, c.footer + 12);
  const kind = kindOf(c.magic, word(view, c.footer));
  const data = flash.slice(start, c.end);
  let found: FoundImage;

  const hash = createHash("sha256").update(flash.subarray(start, c.stEnd)).digest("hex");
  const known = KNOWN_IMAGES.find((image) => image.sha256 === hash && image.footerVersionWord === versionWord);
  if (known) {
    // A genuine ST image, accepted by identity (known-images.ts).
    if ((known.family === "wb1x") !== (variant.family === "wb1x")) return { ok: false, error: FUS_ERROR.IMG_NOT_AUTHENTIC };
    found = {
      start: variant.flashBase + start, size: c.end - start, kind: known.kind, version: known.version, format: known.format,
      stackType: known.stackType, fusVariant: known.fusVariant, genuine: true, data,
    };
  } else {
    // A simulator image: the ST signature must verify over the file from the start FUS computed.
    const signature = flash.subarray(c.footer + IMAGE_FOOTER_BYTES, c.footer + IMAGE_FOOTER_BYTES + SIGNATURE_BYTES);
    if (!verifyImage(flash.subarray(start, c.footer + IMAGE_FOOTER_BYTES), signature, simStPublicKey())) {
      return { ok: false, error: FUS_ERROR.IMG_NOT_AUTHENTIC };
    }
    // Decrypted, the image tells what it is (builder.ts "decrypted header").
    if (c.footer - start < DECRYPTED_HEADER_BYTES || word(view, start) !== DECRYPTED_HEADER_MAGIC) {
      return { ok: false, error: FUS_ERROR.IMG_NOT_AUTHENTIC };
    }
    if (view.getUint8(start + 8) !== SIM_KIND_CODE[kind]) return { ok: false, error: FUS_ERROR.IMG_CORRUPT };
    // Images are encrypted per sector class: one cut for WB1x does not decrypt on WB5x/WB3x and back.
    if ((view.getUint8(start + 11) === 2) !== (variant.family === "wb1x")) return { ok: false, error: FUS_ERROR.IMG_NOT_AUTHENTIC };
    const variantCode = view.getUint8(start + 10);
    found = {
      start: variant.flashBase + start, size: c.end - start, kind, version: word(view, start + 4),
      format: kind === "stack" ? (c.magic === MAGIC_STACK_NEW ? "new" : "legacy") : null,
      stackType: view.getUint8(start + 9),
      fusVariant: variantCode === SIM_FUS_VARIANT_CODE["for-0.5.3"] ? "for-0.5.3" : variantCode === SIM_FUS_VARIANT_CODE["for-1.x"] ? "for-1.x" : null,
      genuine: false, data,
    };
  }

  // The customer's double signature, once an authentication key is installed (fus-behaviour §1.5).
  if (authKey) {
    if (!c.customerSigned) return { ok: false, error: FUS_ERROR.AUTH_TAG_CUST_NOTFOUND };
    const key = publicKeyFromRaw(new Uint8Array(Buffer.from(authKey, "hex")));
    const signature = flash.subarray(c.stEnd, c.stEnd + SIGNATURE_BYTES);
    if (!key || !verifyImage(flash.subarray(start, c.stEnd), signature, key)) return { ok: false, error: FUS_ERROR.IMG_NOT_AUTHENTIC };
  }
  return { ok: true, image: found };
}

/**
 * Identifies an image file as the simulated FUS would once staged (used to put a stack on a new
 * board file). Null when FUS would not accept it on this board.
 */
export function identifyImageFile(board: Board, data: Uint8Array, fusVersion: number): FoundImage | null {
  const sector = board.variant.sectorBytes;
  const probe = board.variant.flashBase + sector; // any sector-aligned place below the boundary
  const saved = board.flash.slice();
  const savedSfsa = board.optionBytes.sfsa;
  try {
    board.flash.fill(0xff);
    const room = Math.ceil(data.length / sector) * sector;
    if (probe - board.variant.flashBase + room > board.flash.length) return null;
    board.flash.set(data, probe - board.variant.flashBase);
    board.optionBytes.sfsa = Math.ceil((probe - board.variant.flashBase + room) / sector);
    const result = scanForImage(board, fusVersion, null);
    return result.ok ? result.image : null;
  } finally {
    board.flash.set(saved);
    board.optionBytes.sfsa = savedSfsa;
  }
}
