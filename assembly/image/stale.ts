// Looks for image-footer magics left in free flash. FUS finds images by scanning user flash itself,
// so a stale copy (or a rejected image, which FUS does not erase) can be picked up instead of the
// staged one (fus-behaviour §1.4, seed FAQ). The host, or the loader reading flash, feeds the range
// chunk by chunk through the tail buffer; chunks start on word boundaries, and so do all footer
// words (images start on sectors and are whole words long), so no magic straddles two chunks.
import { ImageStatus } from "../shared/image-codes";
import {
  MAGIC_FUS,
  MAGIC_OTHER,
  MAGIC_SAFEBOOT_V2,
  MAGIC_SIGNATURE_CUSTOMER,
  MAGIC_SIGNATURE_ST,
  MAGIC_STACK_LEGACY,
  MAGIC_STACK_NEW,
  TAIL_CAPACITY,
  tailBuffer,
} from "./footer";

let ignoreStart: u32 = 0;
let ignoreEnd: u32 = 0;
let hits: u32 = 0;
let firstAddress: u32 = 0;
let firstMagic: u32 = 0;

export function isFooterMagic(word: u32): bool {
  return (
    word == MAGIC_FUS ||
    word == MAGIC_STACK_LEGACY ||
    word == MAGIC_STACK_NEW ||
    word == MAGIC_SAFEBOOT_V2 ||
    word == MAGIC_OTHER ||
    word == MAGIC_SIGNATURE_ST ||
    word == MAGIC_SIGNATURE_CUSTOMER
  );
}

/** Starts a scan; words in [skipStart, skipEnd) (an image staged on purpose) are not reported. */
export function begin(skipStart: u32, skipEnd: u32): void {
  ignoreStart = skipStart;
  ignoreEnd = skipEnd;
  hits = 0;
  firstAddress = 0;
  firstMagic = 0;
}

/** Scans `length` bytes of the tail buffer holding flash from `address` on. */
export function chunk(length: u32, address: u32): ImageStatus {
  if (length > TAIL_CAPACITY || (length & 3) != 0 || (address & 3) != 0 || <u64>address + length > 0x1_0000_0000) {
    return ImageStatus.TailLengthInvalid; // the addresses it reports would wrap
  }
  for (let offset: u32 = 0; offset < length; offset += 4) {
    const word = load<u32>(tailBuffer + offset);
    if (!isFooterMagic(word)) continue;
    const where = address + offset;
    if (where >= ignoreStart && where < ignoreEnd) continue;
    if (hits == 0) {
      firstAddress = where;
      firstMagic = word;
    }
    hits++;
  }
  return hits == 0 ? ImageStatus.Ok : ImageStatus.StaleImageInStaging;
}

export function scanHits(): u32 {
  return hits;
}
export function scanFirstAddress(): u32 {
  return firstAddress;
}
export function scanFirstMagic(): u32 {
  return firstMagic;
}
