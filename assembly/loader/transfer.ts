// A YMODEM transfer into a flash region: the header's size is checked against the region and the
// pages it needs are erased before the first block is acknowledged; each block is programmed and
// read back before it is acknowledged; a transfer that fails leaves the region erased (no half
// image stays behind: not a bootable half application, not a leftover FUS could take).
import { read32 } from "../hal";
import { sectorBytesOfPart, cpu1FlashEnd } from "../chip/variants";
import * as flash from "../flash/driver";
import { OperatorStatus } from "../shared/codes";
import { LoaderError } from "./codes";
import * as ymodem from "./ymodem";
import * as journal from "./journal";
import { Record } from "./journal";
import { YmodemEvent, SIZE_UNKNOWN } from "./ymodem";
import { decodedKind, decodedVersion } from "../image/footer";

/** Start of the application slot, fixed at build time (README: 48 KiB below it are the loader's). */
export const APPLICATION_START: u32 = 0x0800_c000;

let regionStart: u32 = 0;
let regionEnd: u32 = 0;
let erasedEnd: u32 = 0;
let previousEnd: u32 = 0; // what the region held before: erased with it
let fileBytes: u32 = 0;
let running: bool = false;
let application: bool = false;
let crc32: u32 = 0; // CRC-32 of the file bytes accepted so far
let outcome: u32 = 0;

/** First byte of CPU2's secure area (SFSA sectors from the start of flash), at most the flash's end. */
export function secureStart(): u32 {
  return cpu1FlashEnd();
}

export { sectorBytesOfPart };

/** Copies `length` bytes of flash (a multiple of 4) into the flash driver's buffer; true when all were erased. */
export function readIntoBuffer(from: u32, length: u32): bool {
  let erased = true;
  for (let i: u32 = 0; i < length; i += 4) {
    const word = read32(from + i);
    store<u32>(flash.flashBuffer + i, word);
    erased = erased && word == 0xffff_ffff;
  }
  return erased;
}

function sectorErased(start: u32, sector: u32): bool {
  for (let offset: u32 = 0; offset < sector; offset += 4) {
    if (read32(start + offset) != 0xffff_ffff) return false;
  }
  return true;
}

/**
 * The first sector at or after `from` that is entirely erased: where the application ends
 * (an application image has no whole erased sector inside it), hence where free flash begins.
 * Returns `limit` when there is none.
 */
export function firstErasedSector(from: u32, limit: u32): u32 {
  const sector = sectorBytesOfPart();
  for (let start = from; start < limit; start += sector) {
    if (sectorErased(start, sector)) return start;
  }
  return limit;
}

/**
 * Erases every sector of [from, to) that is not erased: the staging space between the application
 * and the secure area, left clean after a failed install (no leftover for a later FW_UPGRADE).
 */
export function eraseDirtySectors(from: u32, to: u32): OperatorStatus {
  const sector = sectorBytesOfPart();
  for (let start = from; start < to; start += sector) {
    if (sectorErased(start, sector)) continue;
    const status = flash.erase(start, sector);
    if (status != OperatorStatus.Ok) return status;
  }
  return OperatorStatus.Ok;
}

/**
 * Starts receiving a file into [start, end); [start, previous) is erased too, whatever the file's
 * size. An application is journalled as such: invalid from its first erase until verified whole.
 */
export function begin(isApplication: bool, start: u32, end: u32, previous: u32, nowUs: u32): void {
  application = isApplication;
  crc32 = 0xffff_ffff;
  regionStart = start;
  regionEnd = end;
  previousEnd = previous;
  erasedEnd = start;
  fileBytes = 0;
  outcome = 0;
  running = true;
  ymodem.begin(nowUs);
}

export function active(): bool {
  return running;
}
/** How the last transfer ended: 0 (Ok) or an OperatorStatus / LoaderError. */
export function result(): u32 {
  return outcome;
}
export function receivedStart(): u32 {
  return regionStart;
}
export function receivedBytes(): u32 {
  return fileBytes;
}
/** End of the flash the transfer erased (sector aligned): what clean() erases from receivedStart(). */
export function receivedExtentEnd(): u32 {
  return erasedEnd;
}
/** Placement moved the image within [receivedStart(), end): clean() erases all of it. */
export function widen(end: u32): void {
  if (end > erasedEnd) erasedEnd = end;
}

/** One byte from the line; returns true when the transfer has ended (see result()). */
export function feed(byte: u32, nowUs: u32): bool {
  return handle(ymodem.feed(byte, nowUs), nowUs);
}

/** The time; returns true when the transfer has ended. */
export function poll(nowUs: u32): bool {
  return handle(ymodem.poll(nowUs), nowUs);
}

function handle(event: YmodemEvent, nowUs: u32): bool {
  if (!running) return false;
  if (event == YmodemEvent.FileHeader) {
    const status = prepare(ymodem.fileSize());
    if (status != 0) ymodem.cancel(status);
    else ymodem.accept(nowUs);
    return status == 0 ? false : finish(status);
  }
  if (event == YmodemEvent.Data) {
    const status = program(regionStart + ymodem.dataFileOffset(), ymodem.dataPointer(), ymodem.dataLength());
    if (status != OperatorStatus.Ok) {
      ymodem.cancel(status);
      return finish(status);
    }
    crc32 = crc32Update(crc32, ymodem.dataPointer(), ymodem.dataLength());
    ymodem.accept(nowUs);
    fileBytes = ymodem.bytesReceived();
    return false;
  }
  if (event == YmodemEvent.BatchDone) return finish(fileBytes > 0 ? verified() : LoaderError.TransferIncomplete);
  if (event == YmodemEvent.Failed) return finish(ymodem.failure());
  return false;
}

function finish(status: u32): bool {
  running = false;
  outcome = status;
  if (status != 0) clean();
  return true;
}

/**
 * Erases what the transfer erased or wrote, so nothing of a failed file stays in flash; an image's
 * journal entry ends with it (an application's stays "erasing": nothing is valid).
 */
export function clean(): OperatorStatus {
  if (erasedEnd > regionStart) {
    const status = flash.erase(regionStart, erasedEnd - regionStart);
    if (status != OperatorStatus.Ok) return status;
    erasedEnd = regionStart;
  }
  return application ? OperatorStatus.Ok : journal.append(Record.ImageIdle, 0);
}

/**
 * The placed image is FUS's from now on (FW_UPGRADE follows; the operator's preflight has just
 * decoded its footer): journalled with its kind and version, so that a start that finds no
 * operator record — power lost before FUS committed to the install — can give the record back and
 * ask FUS (console.ts resumeOperation). major.minor.sub decide the outcome (fus/resume.ts verify),
 * so the version's low byte carries the kind.
 */
export function release(): OperatorStatus {
  return journal.append(Record.HandedToFus, (decodedVersion() & 0xffff_ff00) | (<u32>decodedKind() & 0xff));
}

/**
 * On every start: an image transfer that power loss or a reset interrupted is erased, whatever
 * arrived of it. Returns its start address, or 0 when there was none.
 */
export function eraseInterrupted(): u32 {
  if (!journal.interruptedReceive()) return 0;
  const start = journal.interruptedStart();
  const end = journal.interruptedEnd();
  if (end > start && flash.erase(start, end - start) != OperatorStatus.Ok) return start;
  journal.append(Record.ImageIdle, 0);
  return start;
}

/** CRC-32 (IEEE, reflected, as zip and Ethernet), bit by bit: no table in linear memory. */
function crc32Update(value: u32, data: usize, length: u32): u32 {
  let crc = value;
  for (let i: u32 = 0; i < length; i++) {
    crc ^= <u32>load<u8>(data + i);
    for (let bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xedb8_8320 : crc >>> 1;
  }
  return crc;
}

/**
 * After the last block: an application is read back whole from flash, its CRC-32 compared with
 * the one computed as it arrived, and only then journalled valid.
 */
function verified(): u32 {
  if (!application) return 0;
  let crc: u32 = 0xffff_ffff;
  const chunk = flash.FLASH_BUFFER_BYTES;
  for (let offset: u32 = 0; offset < fileBytes; offset += chunk) {
    const length = fileBytes - offset < chunk ? fileBytes - offset : chunk;
    readIntoBuffer(regionStart + offset, length);
    crc = crc32Update(crc, flash.flashBuffer, length);
  }
  if (crc != crc32) return OperatorStatus.FlashOperationFailed;
  return journal.append(Record.AppValid, fileBytes);
}

function prepare(size: u32): u32 {
  if (size == SIZE_UNKNOWN) return LoaderError.ImageSizeUnknown;
  if (size == 0) return LoaderError.TransferIncomplete;
  if (size > regionEnd - regionStart) return LoaderError.ImageTooLarge;
  const sector = sectorBytesOfPart();
  const fileEnd = regionStart + ((size + sector - 1) / sector) * sector;
  const end = fileEnd > previousEnd ? fileEnd : previousEnd;
  // Journalled before the first erase: from here a power loss must not leave anything bootable
  // (an application) or findable by FUS (an image).
  let recorded = application ? journal.append(Record.AppErasing, 0) : journal.append(Record.Receiving, regionStart);
  if (recorded == OperatorStatus.Ok && !application) recorded = journal.append(Record.ReceiveEnd, end);
  if (recorded != OperatorStatus.Ok) return recorded;
  const status = flash.erase(regionStart, end - regionStart);
  erasedEnd = end; // also after a failure: the pages it reached are what clean() must erase
  return status;
}

/** Programs `length` bytes through the flash driver's buffer (the last double word padded with 0xFF), then reads them back. */
function program(address: u32, data: usize, length: u32): OperatorStatus {
  let done: u32 = 0;
  while (done < length) {
    const chunk = length - done < flash.FLASH_BUFFER_BYTES ? length - done : flash.FLASH_BUFFER_BYTES;
    const padded = (chunk + 7) & ~7;
    for (let i: u32 = 0; i < padded; i++) store<u8>(flash.flashBuffer + i, i < chunk ? load<u8>(data + done + i) : 0xff);
    const status = flash.writeFromBuffer(address + done, padded);
    if (status != OperatorStatus.Ok) return status;
    for (let i: u32 = 0; i < padded; i += 4) {
      if (read32(address + done + i) != load<u32>(flash.flashBuffer + i)) return OperatorStatus.FlashOperationFailed;
    }
    done += chunk;
  }
  return OperatorStatus.Ok;
}
