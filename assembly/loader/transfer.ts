// A YMODEM transfer into a flash region: the header's size is checked against the region and the
// pages it needs are erased before the first block is acknowledged; a transfer that fails leaves
// the region erased (no half image stays behind: not a bootable half application, not a leftover
// FUS could take). Each block is programmed and read back double word by double word, either before
// it is acknowledged (sequential) or, where the line allows it, after: "program ahead" below.
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
let application: bool = false;
let crc32: u32 = 0; // CRC-32 of the file bytes programmed so far
let outcome: u32 = 0;

// ---- program ahead ----
// RM0434 (embedded flash, program and erase operations): a read or fetch from the flash while it
// programs stalls until the operation ends (host-sim/chip/flash.ts models the stall), and the loader
// runs from that flash, so no byte is taken from the line while a double word programs (at most
// DOUBLE_WORD_PROGRAM_MAX_US). The USART's 8-byte
// receive FIFO (usart.c, FIFOEN) holds what arrives meanwhile; the ninth byte would overrun. Where 8
// frames outlast one double word's programming and the loader's work around it, a data block is
// acknowledged once its CRC and number check out (its flash was erased with the header), and its
// double words are programmed and read back from the block buffer while the next block arrives,
// one whenever no byte waits (programAhead()), and before a byte of the next block is stored over
// one (makeRoom()). The sender's end of file is acknowledged only when every double word is written
// and read back (and an application's whole-image CRC-32 read back from flash matches). Elsewhere
// (921600 bit/s: 8 frames are 86.8 µs) each block is programmed before it is acknowledged.

/** t_prog of one 64-bit double word at its maximum (DS11929 "Flash memory characteristics": 90.76 µs), rounded up. */
const DOUBLE_WORD_PROGRAM_MAX_US: u32 = 91;
/**
 * The loader's own work around one double word with the line unread, at 64 MHz: the flash driver's
 * unlock, semaphores and status polls, the copy, the read-back and the CRC-32 of 8 bytes. Measured
 * on tier 2 ~40 µs (at 460800 bit/s the receive FIFO holds at most 6 bytes: 130 µs of frames),
 * with room to spare.
 */
const PROGRAM_MARGIN_US: u32 = 60;
/** Receive FIFO depth in bytes (RM0434 USART "FIFO mode") and the bits of one 8N1 frame. */
const RX_FIFO_BYTES: u32 = 8;
const FRAME_BITS: u32 = 10;

let programAheadOn: bool = true; // the default console line, 115200 bit/s, allows it
/**
 * File offsets of the last accepted block's first byte and of its next double word to program; it
 * ends at ymodem.bytesReceived() (accepted bytes). A failure stops it (ymodem.failure() is set).
 */
let pendingStart: u32 = 0;
let pendingNext: u32 = 0;

/**
 * Whether blocks are programmed while the next one arrives on a console line at `baud` bit/s: 8
 * frames must outlast a double word's programming plus the margin (the build's FUSOP_CONSOLE_BAUD,
 * told once at start by the C main, runtime-c/loader_main.c).
 */
export function programAheadAllowed(baud: u32): bool {
  return baud > 0 && (RX_FIFO_BYTES * FRAME_BITS * 1_000_000) / baud > DOUBLE_WORD_PROGRAM_MAX_US + PROGRAM_MARGIN_US;
}

export function setConsoleBaud(baud: u32): void {
  programAheadOn = programAheadAllowed(baud);
}

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
  outcome = 0;
  pendingStart = 0;
  pendingNext = 0;
  ymodem.begin(nowUs);
}

export function active(): bool {
  return ymodem.active();
}
/** How the last transfer ended: 0 (Ok) or an OperatorStatus / LoaderError. */
export function result(): u32 {
  return outcome;
}
export function receivedStart(): u32 {
  return regionStart;
}
export function receivedBytes(): u32 {
  return ymodem.bytesReceived();
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
  makeRoom();
  return handle(ymodem.feed(byte, nowUs), nowUs);
}

/** Before the next byte is stored in the block buffer: the double words it lands on are programmed first. */
function makeRoom(): void {
  const at = ymodem.storePointer();
  if (at == 0) return;
  while (programming() && at >= ymodem.dataPointer() + (pendingNext - pendingStart)) programNext(1);
}

/** Double words of the last accepted block are still to be programmed (and nothing failed). */
function programming(): bool {
  return pendingNext < ymodem.bytesReceived() && ymodem.failure() == 0;
}

/**
 * The line has no byte waiting: one double word of the accepted block is programmed and read back.
 * Returns true when it did (the caller looks at the line again), false when nothing is left.
 */
export function programAhead(): bool {
  if (!ymodem.active() || !programming()) return false;
  programNext(1);
  return true;
}

/**
 * Programs and reads back up to `doubleWords` of the pending block from the block buffer (the last
 * one padded with 0xFF), adding their file bytes to the CRC-32. A failure ends the pending block and
 * is the answer to the sender's next block or EOT (ymodem.refuseNext); returns it.
 */
function programNext(doubleWords: u32): OperatorStatus {
  const left = ymodem.bytesReceived() - pendingNext;
  const bytes = left < doubleWords * 8 ? left : doubleWords * 8;
  const padded = (bytes + 7) & ~7;
  const from = ymodem.dataPointer() + (pendingNext - pendingStart);
  const address = regionStart + pendingNext;
  for (let i: u32 = 0; i < padded; i++) store<u8>(flash.flashBuffer + i, i < bytes ? load<u8>(from + i) : 0xff);
  let status = flash.writeFromBuffer(address, padded);
  for (let i: u32 = 0; i < padded && status == OperatorStatus.Ok; i += 4) {
    if (read32(address + i) != load<u32>(flash.flashBuffer + i)) status = OperatorStatus.FlashOperationFailed;
  }
  if (status != OperatorStatus.Ok) {
    ymodem.refuseNext(status); // nothing more of the block is written
    return status;
  }
  crc32 = crc32Update(crc32, flash.flashBuffer, bytes);
  pendingNext += bytes; // a padded double word is the file's last
  return OperatorStatus.Ok;
}

/** Programs what is left of the last accepted block, in chunks of the flash driver's buffer; a failure before it included. */
function programRest(): u32 {
  while (programming()) programNext(flash.FLASH_BUFFER_BYTES / 8);
  return ymodem.failure();
}

/** The time; returns true when the transfer has ended. */
export function poll(nowUs: u32): bool {
  return handle(ymodem.poll(nowUs), nowUs);
}

function handle(event: YmodemEvent, nowUs: u32): bool {
  if (event == YmodemEvent.FileHeader) {
    const status = prepare(ymodem.fileSize());
    if (status != 0) ymodem.cancel(status);
    else ymodem.accept(nowUs);
    return status == 0 ? false : finish(status);
  }
  if (event == YmodemEvent.Data) {
    // The block before it is finished first: a 128-byte block does not overwrite all of a 1024-byte one.
    let status = programRest();
    pendingStart = pendingNext = ymodem.dataFileOffset();
    // The ACK is only queued: sequentially, a failure below takes it back (cancel() clears the
    // replies) and the sender gets the cancel sequence instead.
    if (status == 0) ymodem.accept(nowUs);
    if (status == 0 && !programAheadOn) status = programRest();
    if (status != 0) {
      ymodem.cancel(status);
      return finish(status);
    }
    return false;
  }
  if (event == YmodemEvent.FileDone) {
    // The EOT is acknowledged only once the file is in flash, read back (sb's exit status says so).
    let status: u32 = programRest();
    if (status == OperatorStatus.Ok) status = verified();
    if (status != OperatorStatus.Ok) {
      ymodem.cancel(status);
      return finish(status);
    }
    ymodem.accept(nowUs);
    return false;
  }
  if (event == YmodemEvent.BatchDone) {
    const bytes = ymodem.bytesReceived();
    if (bytes == 0) return finish(LoaderError.TransferIncomplete);
    return finish(application ? journal.append(Record.AppValid, bytes) : OperatorStatus.Ok);
  }
  if (event == YmodemEvent.Failed) return finish(ymodem.failure());
  return false;
}

function finish(status: u32): bool {
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
 * After the last block: an application is read back whole from flash and its CRC-32 compared with
 * the one computed from the bytes programmed; it is journalled valid at the end of the batch.
 */
function verified(): u32 {
  if (!application) return 0;
  let crc: u32 = 0xffff_ffff;
  const fileBytes = ymodem.bytesReceived();
  const chunk = flash.FLASH_BUFFER_BYTES;
  for (let offset: u32 = 0; offset < fileBytes; offset += chunk) {
    const length = fileBytes - offset < chunk ? fileBytes - offset : chunk;
    readIntoBuffer(regionStart + offset, length);
    crc = crc32Update(crc, flash.flashBuffer, length);
  }
  return crc == crc32 ? OperatorStatus.Ok : OperatorStatus.FlashOperationFailed;
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
