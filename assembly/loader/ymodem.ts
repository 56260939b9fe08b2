// YMODEM batch receive (Forsberg's XMODEM/YMODEM reference, 1988), CRC variant, as a pure machine:
// no hal, no allocation. The caller feeds received bytes and the time, drains the reply bytes to
// the line, and handles events; a data block is acknowledged only when the caller accepts it (its
// flash target is erased and its bytes checked; the caller may program it while the next block
// arrives, see transfer.ts) and the file's end only when the caller accepts that (everything
// written and read back), so a failed write cancels the transfer instead of losing a block.
import { LoaderError } from "./codes";

const SOH: u32 = 0x01; // 128-byte block
const STX: u32 = 0x02; // 1024-byte block
const EOT: u32 = 0x04;
const ACK: u32 = 0x06;
const NAK: u32 = 0x15;
const CAN: u32 = 0x18;
/** Asked instead of NAK to get CRC-16 blocks (and, in YMODEM, to start each file). */
const CRC_REQUEST: u32 = 0x43; // 'C'

/** Within a block, a gap longer than this is a lost block: NAK it. */
export const CHAR_TIMEOUT_US: u32 = 1_000_000;
/** Between blocks, silence this long repeats the last request (C or NAK). */
export const RETRY_INTERVAL_US: u32 = 3_000_000;
/** Requests for the batch header: 20 × 3 s gives the operator a minute to start the sender. */
export const HEADER_RETRIES: u32 = 20;
/** Consecutive timeouts or damaged blocks tolerated once a file is under way. */
export const BLOCK_RETRIES: u32 = 10;
/** Cancel sequence sent to the sender; two CANs are the minimum senders act on. */
const CANCEL_BYTES: u32 = 5;
/**
 * lrzsz's cancel sequence (its canit(): ten CANs, then ten backspaces to erase them on a terminal),
 * sent by `sb` when it is stopped, may land inside a block: a damaged block whose last bytes are at
 * least two CANs, backspaces after them ignored, is the sender's cancel, not line noise.
 */
const BACKSPACE: u32 = 0x08;

export const SIZE_UNKNOWN: u32 = 0xffff_ffff;

export enum YmodemEvent {
  None = 0,
  /** Block 0 with a file name: fileSize()/fileNameLength() are valid; accept() or cancel(). */
  FileHeader = 1,
  /** File data at dataPointer()/dataLength() (padding beyond the announced size removed); accept() or cancel(). */
  Data = 2,
  /** The file ended (its EOT, repeated as the spec asks) with all announced bytes; accept() acknowledges it, or cancel(). */
  FileDone = 3,
  /** Empty block 0: the sender has no more files. The transfer is over. */
  BatchDone = 4,
  /** The transfer ended in failure; failure() names why (a LoaderError). */
  Failed = 5,
}

enum Phase {
  Idle = 0,
  /** Waiting for block 0 (a file header or the end of the batch). */
  Header = 1,
  /** A file is open: waiting for its next data block or EOT. */
  Data = 2,
  /** An event waits for accept() or cancel(). */
  AwaitingCaller = 3,
}

/** Block as received: number, complement, up to 1024 data bytes, CRC high, CRC low. */
const BLOCK_BUFFER_BYTES: i32 = 1024 + 4;
const block: usize = memory.data(BLOCK_BUFFER_BYTES);
const REPLY_CAPACITY: u32 = 8;
const replies: usize = memory.data(<i32>REPLY_CAPACITY);
/** The file name as the header gave it, cut to this many bytes. */
export const NAME_CAPACITY: u32 = 32;
const name: usize = memory.data(<i32>NAME_CAPACITY);

let phase: Phase = Phase.Idle;
let inBlock: bool = false;
let blockBytes: u32 = 0; // data bytes of the block being received (128 or 1024)
let filled: u32 = 0; // bytes of `block` received so far
let crc: u32 = 0; // running CRC of the data bytes received so far
let lastWasCan: bool = false;
let eotCount: u32 = 0;
let expected: u32 = 0; // next data block number (mod 256)
let firstBlockSeen: bool = false; // a data block of the current file arrived (C becomes NAK)
let errors: u32 = 0;
let lastActivityUs: u32 = 0;
let replyHead: u32 = 0;
let replyCount: u32 = 0;
let size: u32 = SIZE_UNKNOWN;
let received: u32 = 0;
let nameLength: u32 = 0;
/** Data bytes start after the block number and its complement. */
const DATA_OFFSET: u32 = 2;
let dataBytes: u32 = 0;
let pendingEvent: YmodemEvent = YmodemEvent.None;
/**
 * Why the transfer failed; while it runs, what the caller met after accepting a block (refuseNext):
 * the next block or EOT is cancelled with it.
 */
let failureCode: u32 = 0;
let files: u32 = 0;

/** CRC-16/XMODEM (poly 0x1021, init 0, no reflection), one byte at a time. */
export function crc16Update(crcValue: u32, byte: u32): u32 {
  let value = crcValue ^ (byte << 8);
  for (let bit = 0; bit < 8; bit++) {
    value = (value & 0x8000) != 0 ? (value << 1) ^ 0x1021 : value << 1;
  }
  return value & 0xffff;
}

function reply(byte: u32): void {
  if (replyCount == REPLY_CAPACITY) return; // the oldest requests still go out; a duplicate request adds nothing
  store<u8>(replies + ((replyHead + replyCount) % REPLY_CAPACITY), <u8>byte);
  replyCount++;
}

/** The next byte to send to the sender, or -1 when there is none. */
export function takeReply(): i32 {
  if (replyCount == 0) return -1;
  const byte = <i32>load<u8>(replies + replyHead);
  replyHead = (replyHead + 1) % REPLY_CAPACITY;
  replyCount--;
  return byte;
}

/** Starts a batch receive: asks the sender for the header with 'C'. */
export function begin(nowUs: u32): void {
  phase = Phase.Header;
  inBlock = false;
  lastWasCan = false;
  eotCount = 0;
  errors = 0;
  files = 0;
  replyHead = 0;
  replyCount = 0;
  failureCode = 0;
  pendingEvent = YmodemEvent.None;
  size = SIZE_UNKNOWN;
  received = 0;
  nameLength = 0;
  lastActivityUs = nowUs;
  reply(CRC_REQUEST);
}

export function active(): bool {
  return phase != Phase.Idle;
}

function fail(code: LoaderError): YmodemEvent {
  failureCode = code;
  phase = Phase.Idle;
  inBlock = false;
  return YmodemEvent.Failed;
}

/** Ends the transfer from our side: CAN CAN (and more) to the sender. */
function cancelWith(code: LoaderError): YmodemEvent {
  replyCount = 0;
  for (let i: u32 = 0; i < CANCEL_BYTES; i++) reply(CAN);
  return fail(code);
}

/** The caller refuses the pending header or data block (bad image, flash failure): the sender is cancelled. */
export function cancel(code: u32): void {
  cancelWith(<LoaderError>code);
}

/**
 * The caller failed on a block it had accepted (programmed after its ACK): the sender is answered
 * with the cancel sequence at its next block or EOT, and the transfer fails with `code`.
 */
export function refuseNext(code: u32): void {
  if (failureCode == 0) failureCode = code;
}

/** The caller took the pending header, data block or end of file: acknowledge it and go on. */
export function accept(nowUs: u32): void {
  if (phase != Phase.AwaitingCaller) return;
  reply(ACK);
  lastActivityUs = nowUs;
  eotCount = 0;
  if (pendingEvent == YmodemEvent.FileDone) {
    reply(CRC_REQUEST); // ask for the next header (or the end of the batch)
    pendingEvent = YmodemEvent.None;
    phase = Phase.Header;
    errors = 0;
    return;
  }
  if (pendingEvent == YmodemEvent.FileHeader) {
    reply(CRC_REQUEST); // YMODEM: the receiver asks for the file's first block with C
    expected = 1;
    firstBlockSeen = false;
    received = 0;
  } else {
    received += dataBytes;
    expected = (expected + 1) & 0xff;
    firstBlockSeen = true;
  }
  pendingEvent = YmodemEvent.None;
  phase = Phase.Data;
}

/**
 * A request after a timeout or a damaged block: NAK, except C while nothing of the file has come
 * (the header's C may have been lost; a damaged block shows the sender has started).
 */
function retry(nowUs: u32, damaged: bool): YmodemEvent {
  if (damaged && endsInCancel()) return fail(LoaderError.TransferCancelled);
  errors++;
  inBlock = false;
  lastActivityUs = nowUs;
  const limit = phase == Phase.Header ? HEADER_RETRIES : BLOCK_RETRIES;
  if (errors > limit) return cancelWith(phase == Phase.Header || !firstBlockSeen ? LoaderError.TransferTimeout : LoaderError.TransferTooManyErrors);
  reply(!damaged && (phase == Phase.Header || !firstBlockSeen) ? CRC_REQUEST : NAK);
  return YmodemEvent.None;
}

/** Call regularly with the time: turns silence into requests, and too much of it into failure. */
export function poll(nowUs: u32): YmodemEvent {
  if (phase != Phase.Header && phase != Phase.Data) return YmodemEvent.None;
  const quiet = nowUs - lastActivityUs;
  if (inBlock ? quiet >= CHAR_TIMEOUT_US : quiet >= RETRY_INTERVAL_US) return retry(nowUs, inBlock);
  return YmodemEvent.None;
}

/** One received byte. */
export function feed(byte: u32, nowUs: u32): YmodemEvent {
  if (phase != Phase.Header && phase != Phase.Data) return YmodemEvent.None;
  lastActivityUs = nowUs;
  if (inBlock) {
    store<u8>(block + filled, <u8>byte);
    filled++;
    if (filled > 2 && filled <= 2 + blockBytes) crc = crc16Update(crc, byte);
    return filled == blockBytes + 4 ? blockComplete(nowUs) : YmodemEvent.None;
  }
  const wasCan = lastWasCan;
  lastWasCan = byte == CAN;
  if (byte == SOH || byte == STX) {
    inBlock = true;
    blockBytes = byte == SOH ? 128 : 1024;
    filled = 0;
    crc = 0;
    return YmodemEvent.None;
  }
  if (byte == CAN) return wasCan ? fail(LoaderError.TransferCancelled) : YmodemEvent.None;
  if (byte == EOT && phase == Phase.Data) return endOfFile();
  if (byte == EOT && files > 0) {
    // The sender missed the ACK of its last EOT and repeats it: acknowledge again.
    reply(ACK);
    reply(CRC_REQUEST);
  }
  return YmodemEvent.None; // line noise between blocks: the timeout asks again
}

/**
 * The received bytes of a damaged block end in the sender's cancel: two CANs or more, then only
 * backspaces (lrzsz's canit(), BACKSPACE above).
 */
function endsInCancel(): bool {
  let at = filled;
  while (at > 0 && <u32>load<u8>(block + at - 1) == BACKSPACE) at--;
  let cans: u32 = 0;
  while (at > 0 && <u32>load<u8>(block + at - 1) == CAN) {
    at--;
    cans++;
  }
  return cans >= 2;
}

/**
 * The spec's handshake: the first EOT is answered NAK, the repeated one is the caller's to
 * acknowledge (FileDone: once the whole file is written and read back).
 */
function endOfFile(): YmodemEvent {
  if (failureCode != 0) return cancelWith(<LoaderError>failureCode);
  eotCount++;
  if (eotCount == 1) {
    reply(NAK);
    return YmodemEvent.None;
  }
  if (size != SIZE_UNKNOWN && received < size) return cancelWith(LoaderError.TransferIncomplete);
  pendingEvent = YmodemEvent.FileDone;
  phase = Phase.AwaitingCaller;
  return YmodemEvent.FileDone;
}

function blockComplete(nowUs: u32): YmodemEvent {
  inBlock = false;
  if (failureCode != 0) return cancelWith(<LoaderError>failureCode);
  const number = <u32>load<u8>(block);
  const complement = <u32>load<u8>(block + 1);
  const sent = (<u32>load<u8>(block + 2 + blockBytes) << 8) | <u32>load<u8>(block + 3 + blockBytes);
  if (((number ^ complement) & 0xff) != 0xff || sent != crc) return retry(nowUs, true);
  errors = 0;
  if (phase == Phase.Header) {
    if (number != 0) return cancelWith(LoaderError.TransferOutOfSequence);
    return header();
  }
  if (number == ((expected - 1) & 0xff)) {
    // A repeat: the sender missed our ACK. Acknowledge again without delivering it twice; a
    // repeated header (block 0 before the first data block) also gets its C again.
    reply(ACK);
    if (number == 0 && !firstBlockSeen) reply(CRC_REQUEST);
    return YmodemEvent.None;
  }
  if (number != expected) return cancelWith(LoaderError.TransferOutOfSequence);
  eotCount = 0;
  dataBytes = blockBytes;
  if (size != SIZE_UNKNOWN) {
    const left = size > received ? size - received : 0;
    if (left < dataBytes) dataBytes = left;
    if (dataBytes == 0) {
      // Blocks beyond the announced size carry only padding: acknowledge, deliver nothing.
      expected = (expected + 1) & 0xff;
      reply(ACK);
      return YmodemEvent.None;
    }
  }
  pendingEvent = YmodemEvent.Data;
  phase = Phase.AwaitingCaller;
  return YmodemEvent.Data;
}

/** Block 0: "name\0size[ mtime mode serial ...]\0" (the size in decimal; the rest is ignored). */
function header(): YmodemEvent {
  const data = block + 2;
  let length: u32 = 0;
  while (length < blockBytes && load<u8>(data + length) != 0) length++;
  if (length == 0) {
    reply(ACK);
    phase = Phase.Idle;
    return YmodemEvent.BatchDone;
  }
  if (length == blockBytes) return cancelWith(LoaderError.TransferHeaderInvalid);
  if (files > 0) return cancelWith(LoaderError.TransferTooManyFiles);
  nameLength = length < NAME_CAPACITY ? length : NAME_CAPACITY;
  for (let i: u32 = 0; i < nameLength; i++) store<u8>(name + i, load<u8>(data + i));
  let position = length + 1;
  let value: u64 = 0;
  let digits: u32 = 0;
  while (position < blockBytes) {
    const c = <u32>load<u8>(data + position);
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + <u64>(c - 0x30);
    if (value >= <u64>SIZE_UNKNOWN) return cancelWith(LoaderError.TransferHeaderInvalid);
    digits++;
    position++;
  }
  const terminator = position < blockBytes ? <u32>load<u8>(data + position) : 0;
  if (terminator != 0 && terminator != 0x20) return cancelWith(LoaderError.TransferHeaderInvalid);
  size = digits > 0 ? <u32>value : SIZE_UNKNOWN;
  files++;
  pendingEvent = YmodemEvent.FileHeader;
  phase = Phase.AwaitingCaller;
  return YmodemEvent.FileHeader;
}

/** The size the header announced, or SIZE_UNKNOWN. */
export function fileSize(): u32 {
  return size;
}
/** File bytes delivered (and accepted) so far. */
export function bytesReceived(): u32 {
  return received;
}
export function fileNamePointer(): usize {
  return name;
}
export function fileNameLength(): u32 {
  return nameLength;
}
/**
 * Where the next byte fed will be stored in the block buffer, or 0 when it will not be stored
 * (between blocks): a caller still programming the last block's bytes from the buffer (transfer.ts)
 * programs those here first.
 */
export function storePointer(): usize {
  return inBlock ? block + filled : 0;
}
/** The pending Data event's bytes: valid until the next byte is stored (storePointer()). */
export function dataPointer(): usize {
  return block + DATA_OFFSET;
}
export function dataLength(): u32 {
  return dataBytes;
}
/** Offset in the file of the pending Data event's first byte. */
export function dataFileOffset(): u32 {
  return received;
}
/** Why the last transfer failed (a LoaderError), 0 when it did not. */
export function failure(): u32 {
  return failureCode;
}
