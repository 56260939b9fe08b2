// The loader's journal (README "Power-loss safety"): one flash page of append-only records that
// survives power loss, unlike backup registers and SRAM2a. A record is one double word, the flash's
// programming unit: a payload word, then a word of tag and check, so an erased or torn double word
// never reads as a record. The state is the last complete record of each kind of work.
import { read32 } from "../hal";
import { OperatorStatus } from "../shared/codes";
import * as flash from "../flash/driver";
import { sectorBytesOfPart } from "./transfer";

/** The page below the application slot (README "Flash layout"); one sector of the part. */
export const JOURNAL_PAGE: u32 = 0x0800_b000;
const RECORD_BYTES: u32 = 8;

export enum Record {
  /** The application slot is being replaced: no application is valid until APP_VALID. */
  AppErasing = 1,
  /** The application (payload: its size) was written, read back and its CRC-32 matched. */
  AppValid = 2,
  /** An image is being received at the payload address... */
  Receiving = 3,
  /** ...and [that address, payload) may hold parts of it: erase it if the transfer did not end. */
  ReceiveEnd = 4,
  /** The loader holds no image in flash (cleaned, or handed to FUS). */
  ImageIdle = 5,
  /** `stage` placed an image at the payload address for a later `upgrade` (kept on every start). */
  ImageStaged = 6,
  /**
   * The placed image was handed to FUS (written before FW_UPGRADE; payload: the image's version,
   * major.minor.sub, with its ImageKind in the low byte): a start that finds it with no operator
   * record (power lost before FUS committed to the install) follows the upgrade from it.
   */
  HandedToFus = 7,
}

let scanned: bool = false;
let next: u32 = 0; // offset of the first free record
let appValid: bool = false;
let appSize: u32 = 0;
let receiving: bool = false;
let receiveStart: u32 = 0;
let receiveEnd: u32 = 0;

function checkOf(tag: u32, payload: u32): u32 {
  return (tag << 24) | ((~payload ^ (payload >>> 8) ^ (tag * 0x010101)) & 0xff_ffff);
}

function pageBytes(): u32 {
  return sectorBytesOfPart() < 4096 ? sectorBytesOfPart() : 4096;
}

function apply(tag: u32, payload: u32): void {
  if (tag == Record.AppErasing) appValid = false;
  if (tag == Record.AppValid) {
    appValid = true;
    appSize = payload;
  }
  if (tag == Record.Receiving) {
    receiving = true;
    receiveStart = payload;
    receiveEnd = payload;
  }
  if (tag == Record.ReceiveEnd) receiveEnd = payload;
  // Not receiving, receiveStart is where `stage` placed an image (0: none) and receiveEnd what was
  // handed to FUS (0: nothing): a new transfer or the hand-over to FUS ends what was staged. Two
  // globals less: WB15CC's RAM has no word to spare.
  if (tag == Record.ImageIdle || tag == Record.ImageStaged || tag == Record.HandedToFus) {
    receiving = false;
    receiveStart = tag == Record.ImageStaged ? payload : 0;
    receiveEnd = tag == Record.HandedToFus ? payload : 0;
  }
}

/** Reads the page: the state is what its complete records say, in order. */
export function scan(): void {
  appValid = false;
  appSize = 0;
  receiving = false;
  receiveStart = 0;
  receiveEnd = 0;
  next = 0;
  const bytes = pageBytes();
  for (let offset: u32 = 0; offset < bytes; offset += RECORD_BYTES) {
    const payload = read32(JOURNAL_PAGE + offset);
    const word = read32(JOURNAL_PAGE + offset + 4);
    if (payload == 0xffff_ffff && word == 0xffff_ffff) break; // the first erased record ends the log
    next = offset + RECORD_BYTES;
    const tag = word >>> 24;
    if (word == checkOf(tag, payload)) apply(tag, payload); // a torn record is skipped
  }
  scanned = true;
}

function program(offset: u32, tag: u32, payload: u32): OperatorStatus {
  store<u32>(flash.flashBuffer, payload);
  store<u32>(flash.flashBuffer + 4, checkOf(tag, payload));
  return flash.writeFromBuffer(JOURNAL_PAGE + offset, RECORD_BYTES);
}

/**
 * Appends a record. A full page is erased and the facts that must outlive it (a valid
 * application, a staged image, an image handed to FUS) written first; power lost in between leaves no application valid —
 * the loader stays, which is the safe side — and the staged image unknown (`upgrade` refuses;
 * `stage` it again).
 */
export function append(tag: Record, payload: u32): OperatorStatus {
  if (!scanned) scan();
  if (next + RECORD_BYTES > pageBytes()) {
    const wasValid = appValid;
    const size = appSize;
    const stagedAt = stagedImage();
    const handed = handedToFus();
    const erased = flash.erase(JOURNAL_PAGE, pageBytes());
    if (erased != OperatorStatus.Ok) return erased;
    next = 0;
    if (wasValid) {
      const kept = program(next, Record.AppValid, size);
      if (kept != OperatorStatus.Ok) return kept;
      next += RECORD_BYTES;
    }
    if (stagedAt != 0 || handed != 0) {
      const kept = stagedAt != 0 ? program(next, Record.ImageStaged, stagedAt) : program(next, Record.HandedToFus, handed);
      if (kept != OperatorStatus.Ok) return kept;
      next += RECORD_BYTES;
    }
  }
  const status = program(next, tag, payload);
  // A failed program may have left a partly written double word: it is skipped as torn.
  next += RECORD_BYTES;
  if (status == OperatorStatus.Ok) apply(tag, payload);
  return status;
}

export function applicationValid(): bool {
  if (!scanned) scan();
  return appValid;
}
export function applicationSize(): u32 {
  return appValid ? appSize : 0;
}
/** An image transfer was under way when the loader last stopped. */
export function interruptedReceive(): bool {
  if (!scanned) scan();
  return receiving;
}
export function interruptedStart(): u32 {
  return receiveStart;
}
export function interruptedEnd(): u32 {
  return receiveEnd;
}
/** Where `stage` placed the image `upgrade` will hand to FUS; 0 when none is staged. */
export function stagedImage(): u32 {
  if (!scanned) scan();
  return receiving ? 0 : receiveStart;
}
/** What the last HandedToFus record says was handed to FUS (version | kind); 0 once that upgrade was followed to its end. */
export function handedToFus(): u32 {
  if (!scanned) scan();
  return receiving ? 0 : receiveEnd;
}
