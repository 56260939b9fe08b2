// Decodes the footers at the end of an ST coprocessor image from the file's last bytes
// (fus-behaviour §4). The host (or the loader, from flash) copies up to TAIL_CAPACITY bytes of the
// file's end into tailBuffer; all offsets below count back from the file's last byte.
import { ImageKind, ImageStatus, SectorClass, SignatureKind, StackFormat } from "../shared/image-codes";
import { SECTOR_4K, SECTOR_2K, NVM_SECTION_BYTES } from "./geometry";
import { FUS_V120 } from "./version";

export const TAIL_CAPACITY: u32 = 256;
/** The file's last bytes, last byte at tailBuffer + tailLength - 1. Also the stale-scan window. */
export const tailBuffer: usize = memory.data(<i32>TAIL_CAPACITY);

// Image-footer magics (§4.4).
export const MAGIC_FUS: u32 = 0x32279221;
export const MAGIC_STACK_LEGACY: u32 = 0x23372991;
export const MAGIC_STACK_NEW: u32 = 0xb10c8b99;
export const MAGIC_SAFEBOOT_V2: u32 = 0x927a6741;
/** Named "other" by Flipper's parser; no CubeWB file carries it. */
export const MAGIC_OTHER: u32 = 0x42769811;
// Signature-footer magics (§4.2).
export const MAGIC_SIGNATURE_ST: u32 = 0xd3a12c5e;
export const MAGIC_SIGNATURE_CUSTOMER: u32 = 0xe2b51d4a;

const FOOTER_BYTES: u32 = 20;
/** Every signature footer of every real file says 64; the block is the signature plus its footer. */
const SIGNATURE_BYTES: u32 = 64;
const SIGNATURE_BLOCK_BYTES: u32 = SIGNATURE_BYTES + FOOTER_BYTES;
/** A file holds ST's block and at most one customer block after it (§4.1). */
const MAX_SIGNATURE_BLOCKS: u32 = 2;
/** Smallest file that can be an image: image footer plus one signature block. */
const MIN_FILE_BYTES: u32 = FOOTER_BYTES + SIGNATURE_BLOCK_BYTES;

export const SIGNATURE_RESERVED_A: u32 = 0x12341234;
export const SIGNATURE_RESERVED_B: u32 = 0xabcdabcd;
/** Info words that carry nothing are filled with this (info word 2 always, info word 1 mostly). */
const INFO_FILLER: u32 = 0xabcdabcd;
/** Info word 1 of Safeboot V2.0.0, which ships in the legacy stack container. */
const INFO_SAFEBOOT_V200: u32 = 0x5afeb007;
/** Byte 1 of the memory-size word: 0xFF everywhere except new-format stacks, which carry 0x02. */
const MEMORY_BYTE1_LEGACY: u32 = 0xff;
const MEMORY_BYTE1_NEW_FORMAT: u32 = 0x02;
const NEW_FORMAT_INFO_TAG: u32 = 0xcd;
/** FUS V1.2.0 files carry this version word on purpose; the installed FUS reports V1.2.0 (§3.1). */
const FUS_V120_FILE_VERSION: u32 = 0xffffffff;

let decodedStatus: ImageStatus = ImageStatus.TailLengthInvalid;
let kind: ImageKind = ImageKind.None;
let format: StackFormat = StackFormat.None;
let sectorClass: SectorClass = SectorClass.Unknown;
let footerSectors: u32 = 0;
let stagingSectors: u32 = 0;
let versionWord: u32 = 0;
let version: u32 = 0;
let memorySizeWord: u32 = 0;
let info1Word: u32 = 0;
let magicWord: u32 = 0;
let nvmSectors: u32 = 0;
let fileSize: u32 = 0;
let safebootV2: bool = false;
let signatureCount: u32 = 0;
/** Signature kinds in file order, 2 bits each (first block in bits 1:0). */
let signatureKinds: u32 = 0;

let tailEnd: u32 = 0;

/** Little-endian word `back` bytes before the file's end (`back` counts the word itself). */
function wordBack(back: u32): u32 {
  return load<u32>(tailBuffer + tailEnd - back);
}

/** Without the `value + divisor - 1` that wraps for sizes from 0xFFFFF001 on. */
function ceilDiv(value: u32, divisor: u32): u32 {
  return value / divisor + (value % divisor != 0 ? 1 : 0);
}

function clear(): void {
  kind = ImageKind.None;
  format = StackFormat.None;
  sectorClass = SectorClass.Unknown;
  footerSectors = 0;
  stagingSectors = 0;
  versionWord = 0;
  version = 0;
  memorySizeWord = 0;
  info1Word = 0;
  magicWord = 0;
  nvmSectors = 0;
  fileSize = 0;
  safebootV2 = false;
  signatureCount = 0;
  signatureKinds = 0;
}

function fail(status: ImageStatus): ImageStatus {
  clear();
  decodedStatus = status;
  return status;
}

/** Bytes counted from the end that must be present: short of the file, or only of the tail. */
function shortOf(needed: u32): ImageStatus {
  return needed > fileSize ? ImageStatus.FileTooShort : ImageStatus.TailTooShort;
}

/**
 * The sector count an image's footer states, read from a tail that ends with the image's last byte
 * (0 when the tail holds no signature block followed by an image footer). A loader that finds an
 * image in flash knows where it ends but not where it starts: this count tells it (§1.4).
 */
export function statedSectors(tailLength: u32): u32 {
  tailEnd = tailLength;
  let consumed: u32 = 0;
  while (consumed + FOOTER_BYTES <= tailLength) {
    const magic = wordBack(consumed + 4);
    if (magic != MAGIC_SIGNATURE_ST && magic != MAGIC_SIGNATURE_CUSTOMER) break;
    consumed += SIGNATURE_BLOCK_BYTES;
  }
  const footerEnd = consumed + FOOTER_BYTES;
  if (consumed == 0 || footerEnd > tailLength) return 0;
  return wordBack(footerEnd - 8) & 0xff;
}

/**
 * Decodes the tail the host put in tailBuffer. `tailLength` is how many of the file's last bytes
 * are there, `size` the whole file's size. On success the getters below describe the image.
 */
export function decode(tailLength: u32, size: u32): ImageStatus {
  clear();
  if (tailLength == 0 || tailLength > TAIL_CAPACITY || tailLength > size) return fail(ImageStatus.TailLengthInvalid);
  if (size < MIN_FILE_BYTES) return fail(ImageStatus.FileTooShort);
  if ((size & 3) != 0) return fail(ImageStatus.SizeNotWordMultiple);
  fileSize = size;
  tailEnd = tailLength;

  // Walk the signature blocks from the end: each footer names its signature length.
  let consumed: u32 = 0;
  let kindsFromEnd: u32 = 0;
  let blocks: u32 = 0;
  while (true) {
    if (consumed + FOOTER_BYTES > tailLength) return fail(shortOf(consumed + FOOTER_BYTES));
    // The 20-byte footer of this block, read at constant offsets from its start (one address, then
    // loads with immediate offsets: plain loads in the generated C, each still bounds-checked).
    const block = tailBuffer + tailEnd - consumed - FOOTER_BYTES;
    const magic = load<u32>(block, 16);
    let signature = SignatureKind.None;
    if (magic == MAGIC_SIGNATURE_ST) signature = SignatureKind.St;
    else if (magic == MAGIC_SIGNATURE_CUSTOMER) signature = SignatureKind.Customer;
    if (signature == SignatureKind.None) break;
    if (blocks == MAX_SIGNATURE_BLOCKS) return fail(ImageStatus.SignatureOrderInvalid);
    if (load<u32>(block, 0) != SIGNATURE_RESERVED_A || load<u32>(block, 4) != SIGNATURE_RESERVED_B) {
      return fail(ImageStatus.SignatureFooterInvalid);
    }
    if (load<u8>(block, 8) != SIGNATURE_BYTES) {
      return fail(ImageStatus.SignatureFooterInvalid);
    }
    kindsFromEnd |= (<u32>signature) << (blocks * 2);
    blocks++;
    consumed += SIGNATURE_BLOCK_BYTES;
  }
  if (blocks == 0) return fail(ImageStatus.NoSignatureFooter);
  // File order is the reverse of the walk: ST's block first, then an optional customer block.
  for (let index: u32 = 0; index < blocks; index++) {
    const fileOrderKind = (kindsFromEnd >> ((blocks - 1 - index) * 2)) & 3;
    const expected = index == 0 ? SignatureKind.St : SignatureKind.Customer;
    if (fileOrderKind != <u32>expected) return fail(ImageStatus.SignatureOrderInvalid);
    signatureKinds |= fileOrderKind << (index * 2);
  }
  signatureCount = blocks;

  const footerEnd = consumed + FOOTER_BYTES;
  if (footerEnd > tailLength) return fail(shortOf(footerEnd));
  const footer = tailBuffer + tailEnd - footerEnd;
  const info1 = load<u32>(footer, 0);
  const info2 = load<u32>(footer, 4);
  const memory = load<u32>(footer, 8);
  const versionInFile = load<u32>(footer, 12);
  const magic = load<u32>(footer, 16);

  const status = classify(magic, info1, info2, memory);
  if (status != ImageStatus.Ok) return fail(status);
  const sizing = classifySectors(memory & 0xff);
  if (sizing != ImageStatus.Ok) return fail(sizing);
  const versioning = decodeVersion(versionInFile);
  if (versioning != ImageStatus.Ok) return fail(versioning);

  memorySizeWord = memory;
  info1Word = info1;
  magicWord = magic;
  decodedStatus = ImageStatus.Ok;
  return ImageStatus.Ok;
}

/** Kind and format from the magic, cross-checked against the info words (§4.3, §4.4). */
function classify(magic: u32, info1: u32, info2: u32, memory: u32): ImageStatus {
  const byte1 = (memory >> 8) & 0xff;
  if (magic == MAGIC_OTHER) return ImageStatus.ImageKindNotInstallable;
  if (magic == MAGIC_FUS) {
    kind = ImageKind.Fus;
    if (info1 != INFO_FILLER || byte1 != MEMORY_BYTE1_LEGACY) return ImageStatus.ImageFooterInconsistent;
  } else if (magic == MAGIC_STACK_LEGACY) {
    if (info1 == INFO_FILLER) {
      kind = ImageKind.Stack;
      format = StackFormat.Legacy;
    } else if (info1 == INFO_SAFEBOOT_V200) {
      kind = ImageKind.Safeboot;
    } else {
      return ImageStatus.ImageFooterInconsistent;
    }
    if (byte1 != MEMORY_BYTE1_LEGACY) return ImageStatus.ImageFooterInconsistent;
  } else if (magic == MAGIC_STACK_NEW) {
    kind = ImageKind.Stack;
    format = StackFormat.New;
    // [hypothesis, §4.4] info word 1 = tag 0xCD, NVM sectors, legacy-NVM offset, NVM sectors again.
    const sectors = (info1 >> 8) & 0xff;
    if ((info1 & 0xff) != NEW_FORMAT_INFO_TAG || sectors == 0 || sectors != info1 >> 24) {
      return ImageStatus.ImageFooterInconsistent;
    }
    if (byte1 != MEMORY_BYTE1_NEW_FORMAT) return ImageStatus.ImageFooterInconsistent;
    nvmSectors = sectors;
  } else if (magic == MAGIC_SAFEBOOT_V2) {
    kind = ImageKind.Safeboot;
    safebootV2 = true;
    if (info1 != INFO_FILLER || byte1 != MEMORY_BYTE1_LEGACY) return ImageStatus.ImageFooterInconsistent;
  } else {
    return ImageStatus.ImageMagicUnknown;
  }
  if (info2 != INFO_FILLER) return ImageStatus.ImageFooterInconsistent;
  return ImageStatus.Ok;
}

/**
 * How far the footer's sector count may sit from ceil(size / sector): 3 of 656 ST files differ, and
 * a customer signature appends 84 bytes to a file whose footer ST wrote before.
 */
const SECTOR_COUNT_SLACK: u32 = 1;

function sectorCountFits(sectors: u32, sectorBytes: u32, exact: bool): bool {
  const needed = ceilDiv(fileSize, sectorBytes);
  if (exact) return sectors == needed;
  return sectors + SECTOR_COUNT_SLACK >= needed && sectors <= needed + SECTOR_COUNT_SLACK;
}

/**
 * The footer counts sectors of the family the image was cut for; the file size tells which sector
 * size that was (ceil(size/4 KB) and ceil(size/2 KB) differ for every file above 2 KB). An exact
 * match wins over a near one, so a 3-sector 4 244-byte Safeboot is a 2 KB (WB1x) image.
 */
function classifySectors(sectors: u32): ImageStatus {
  if (sectors == 0) return ImageStatus.SectorCountMismatch;
  let sectorBytes: u32 = 0;
  if (nvmSectors != 0) {
    // A new-format stack also states its 16 KB NVM section in sectors.
    if (nvmSectors * SECTOR_4K == NVM_SECTION_BYTES) sectorBytes = SECTOR_4K;
    else if (nvmSectors * SECTOR_2K == NVM_SECTION_BYTES) sectorBytes = SECTOR_2K;
    else return ImageStatus.ImageFooterInconsistent;
    if (!sectorCountFits(sectors, sectorBytes, false)) return ImageStatus.SectorCountMismatch;
  } else if (sectorCountFits(sectors, SECTOR_4K, true)) {
    sectorBytes = SECTOR_4K;
  } else if (sectorCountFits(sectors, SECTOR_2K, true)) {
    sectorBytes = SECTOR_2K;
  } else if (sectorCountFits(sectors, SECTOR_4K, false)) {
    sectorBytes = SECTOR_4K;
  } else if (sectorCountFits(sectors, SECTOR_2K, false)) {
    sectorBytes = SECTOR_2K;
  } else {
    return ImageStatus.SectorCountMismatch;
  }
  sectorClass = sectorBytes == SECTOR_4K ? SectorClass.Sector4K : SectorClass.Sector2K;
  footerSectors = sectors;
  // Staging must hold the whole file even where the footer counts one sector less.
  const needed = ceilDiv(fileSize, sectorBytes);
  stagingSectors = sectors > needed ? sectors : needed;
  return ImageStatus.Ok;
}

function decodeVersion(word: u32): ImageStatus {
  if (word == 0) return ImageStatus.VersionInvalid;
  if (word == FUS_V120_FILE_VERSION) {
    if (kind != ImageKind.Fus) return ImageStatus.VersionInvalid;
    versionWord = word;
    version = FUS_V120;
    return ImageStatus.Ok;
  }
  versionWord = word;
  version = word;
  return ImageStatus.Ok;
}

export function lastStatus(): ImageStatus {
  return decodedStatus;
}
export function decodedKind(): ImageKind {
  return kind;
}
export function decodedFormat(): StackFormat {
  return format;
}
export function decodedSectorClass(): SectorClass {
  return sectorClass;
}
export function decodedFooterSectors(): u32 {
  return footerSectors;
}
export function decodedStagingSectors(): u32 {
  return stagingSectors;
}
/** The version word as written in the file. */
export function decodedVersionWord(): u32 {
  return versionWord;
}
/** The version the image installs (FUS V1.2.0's 0xFFFFFFFF read as 1.2.0). */
export function decodedVersion(): u32 {
  return version;
}
export function decodedMemorySizeWord(): u32 {
  return memorySizeWord;
}
export function decodedInfo1(): u32 {
  return info1Word;
}
export function decodedMagic(): u32 {
  return magicWord;
}
export function decodedNvmSectors(): u32 {
  return nvmSectors;
}
export function decodedIsSafebootV2(): bool {
  return safebootV2;
}
export function decodedSignatureCount(): u32 {
  return signatureCount;
}
/** Signature kind of block `index` in file order (0 = first after the image footer). */
export function decodedSignatureKind(index: u32): SignatureKind {
  if (index >= signatureCount) return SignatureKind.None;
  return <SignatureKind>((signatureKinds >> (index * 2)) & 3);
}
