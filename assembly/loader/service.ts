// The loader's service commands (README "Service commands"): diagnose, stage and upgrade, erase,
// anti-rollback and the FUS key commands, each through the operator as the probe runs it (policy,
// preflight, journal), each ending in one final line. Inputs are checked before CPU2 is touched.
// The command words are the words of the help text (code-names.ts): one ASCII copy serves both
// `help` and this dispatch, where UTF-16 literals would cost the loader's linear memory thrice.
import * as operator from "../index";
import { read32 } from "../hal";
import { OperatorStatus, Diagnosis, Cpu2Mode } from "../shared/codes";
import { isFooterMagic } from "../image/stale";
import { planStepEraseEnd } from "../image/plan";
import { keyBuffer, ivBuffer } from "../fus/commands";
import { LoaderError } from "./codes";
import * as out from "./output";
import * as journal from "./journal";
import { Record } from "./journal";
import * as transfer from "./transfer";
import { APPLICATION_START } from "./transfer";
import * as placement from "./placement";
import { line, nextWord, withCpu2, FUS_RESET_TIMEOUT_MS } from "./console";
import * as console from "./console";
import { HELP_TEXT, HELP_TEXT_LENGTH, KEY_DIAGNOSIS, KEY_IMAGE_FOOTER, KEY_MAGIC, KEY_ERASE_END, KEY_KEY_INDEX, KEY_IMAGE_STATUS } from "./code-names";

/** run(): the line is no service command. */
export const NOT_SERVICE: u32 = 0xffff_ffff;
/** run(): `stage` was accepted; the console receives the file (TransferKind.Stage), then calls placeStaged(). */
export const RECEIVE_STAGE: u32 = 0xffff_fffe;

// Indices of the words in HELP_TEXT (scripts/gen-loader-names.mjs; words split at ' ' and '|').
const W_DIAGNOSE: u32 = 2;
const W_STAGE: u32 = 4;
const W_UPGRADE: u32 = 5;
const W_ERASE: u32 = 7;
const W_ANTIROLLBACK: u32 = 10;
const W_KEY: u32 = 11;
const W_AUTH_KEY: u32 = 12;
const W_UPDATE: u32 = 13;
const W_LOCK: u32 = 14;
const W_USER_KEY: u32 = 15;
const W_STORE: u32 = 16;
const W_LOAD: u32 = 17;
const W_UNLOAD: u32 = 19;
/** `antirollback on`: the confirmation word is json's "on" (the help text's words are the loader's RAM). */
const W_ON: u32 = 25;

/** Image footers diagnose reports at most (as the CLI's findImageFooters). */
const MAX_FOOTERS: u32 = 16;
/** Key bytes `key` collects: an authentication key (64), or a user key (16 or 32) and its 12-byte IV. */
const KEY_CAPACITY: u32 = 64 + 12;
const IV_BYTES: u32 = 12;
const KEY_TYPE_ENCRYPTED: u32 = 3;

/** nextNumber(): no number (no word, or not a number). */
const NO_NUMBER: u64 = 0x1_0000_0000;

// State kept between lines lives past the IV in the parameter area's upper half (fus/commands.ts),
// which no command the loader sends reaches: the loader's RAM is spent to the word (WB15CC's 12 KiB
// hold the linear memory, the module's globals and a 4 KiB stack), so no global is added for it.
/** How many key bytes `key` has collected. */
const KEY_LENGTH: usize = ivBuffer + 12;
/** The address `stage AT` confirms (0: none), kept while the file is received. */
const STAGE_AT: usize = ivBuffer + 16;

/** The current word is word `index` of the help text. */
function isWord(index: u32): bool {
  let position: u32 = 0;
  for (let n: u32 = 0; n < index && position < HELP_TEXT_LENGTH; position++) {
    const c = load<u8>(HELP_TEXT + position);
    if (c == 0x20 || c == 0x7c) n++;
  }
  const length = console.wordEnd - console.wordStart;
  for (let i: u32 = 0; i < length; i++) {
    if (load<u8>(line + console.wordStart + i) != load<u8>(HELP_TEXT + position + i)) return false;
  }
  const after = load<u8>(HELP_TEXT + position + length); // NUL after the last word
  return after == 0x20 || after == 0x7c || after == 0;
}

/** The next word exists and is `index`. */
function nextIs(length: u32, index: u32): bool {
  return nextWord(length) && isWord(index);
}

/** A hex digit's value, 16 when `c` is none. */
function nibble(c: u32): u32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  return c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : 16;
}

/** The next word as a number (decimal, or hex after 0x, as the CLI takes them); NO_NUMBER if none. */
function nextNumber(length: u32): u64 {
  if (!nextWord(length)) return NO_NUMBER;
  let at = console.wordStart;
  const end = console.wordEnd;
  const hex = end - at > 2 && load<u8>(line + at) == 0x30 && (load<u8>(line + at + 1) | 0x20) == 0x78;
  if (hex) at += 2;
  let value: u64 = 0;
  for (; at < end; at++) {
    const digit = hex ? nibble(load<u8>(line + at)) : <u32>load<u8>(line + at) - 0x30;
    if (digit >= (hex ? 16 : 10)) return NO_NUMBER;
    value = value * (hex ? 16 : 10) + digit;
    if (value > 0xffff_ffff) return NO_NUMBER;
  }
  return value;
}

/** The line has no word left (a command's arguments end there). */
function ended(length: u32): bool {
  return !nextWord(length);
}

/** An optional last argument: its number, 0 when the line ends, NO_NUMBER for anything else. */
function optionalNumber(length: u32): u64 {
  const value = nextNumber(length);
  if (value == NO_NUMBER) return console.wordEnd > console.wordStart ? NO_NUMBER : 0;
  return ended(length) ? value : NO_NUMBER;
}

/**
 * Runs the service command the line's first word names: its status (0: OK; the console prints the
 * final line), RECEIVE_STAGE, or NOT_SERVICE when the word is none of them. A command FUS refused
 * is followed by the error FUS named (GET_STATE right after the refusal), as the CLI reports it.
 */
export function run(length: u32): u32 {
  const status = dispatch(length);
  if (status == OperatorStatus.CommandRejected && operator.cpu2Mode() == Cpu2Mode.Fus) out.fieldHex("fus-error", operator.fusLastError());
  return status;
}

function dispatch(length: u32): u32 {
  if (isWord(W_DIAGNOSE)) return diagnose(optionalNumber(length));
  if (isWord(W_STAGE)) return stage(optionalNumber(length));
  if (isWord(W_UPGRADE)) return ended(length) ? upgrade() : LoaderError.UsageError;
  if (isWord(W_ERASE)) {
    const start = nextNumber(length);
    const end = nextNumber(length);
    return start == NO_NUMBER || end == NO_NUMBER || !ended(length) ? LoaderError.UsageError : erase(<u32>start, <u32>end);
  }
  if (isWord(W_ANTIROLLBACK)) {
    // The confirmation word: anti-rollback cannot be undone (fus-behaviour §1.12).
    if (!nextIs(length, W_ON) || !ended(length)) return LoaderError.UsageError;
    const cpu2 = withCpu2(0);
    return cpu2 != 0 ? cpu2 : operator.fusActivateAntirollback();
  }
  if (isWord(W_KEY)) return key(length);
  if (isWord(W_AUTH_KEY)) {
    if (nextIs(length, W_UPDATE) && ended(length)) return keyCommand(true, 0);
    if (!isWord(W_LOCK) || !ended(length)) return LoaderError.UsageError;
    const cpu2 = withCpu2(0);
    return cpu2 != 0 ? cpu2 : operator.fusLockAuthKey();
  }
  if (isWord(W_USER_KEY)) return userKey(length);
  return NOT_SERVICE;
}

// ---- diagnose [FROM] ----

/**
 * The operator's diagnosis (CPU2 booted only when it was never started, as the CLI does), then
 * every image footer FUS could find in CPU1's flash from FROM (default: the application's end) up
 * to SFSA — staged images and leftovers (fus-behaviour §1.4).
 */
function diagnose(fromArgument: u64): u32 {
  const secure = transfer.secureStart();
  if (fromArgument == NO_NUMBER || (fromArgument & 3) != 0) return LoaderError.UsageError;
  const from = fromArgument != 0 ? <u32>fromArgument : transfer.firstErasedSector(APPLICATION_START, secure);
  let diagnosis = operator.diagnose();
  if (diagnosis == Diagnosis.Cpu2NotEnabled) {
    const booted = withCpu2(0);
    if (booted != 0) return booted;
    diagnosis = operator.diagnose();
  }
  out.fieldAt(KEY_DIAGNOSIS);
  out.decimal(diagnosis);
  out.endField();
  // Word by word, as FUS scans (footer words are word aligned: image/stale.ts).
  let found: u32 = 0;
  for (let at = from; at < secure && found < MAX_FOOTERS; at += 4) {
    const word = read32(at);
    if (!isFooterMagic(word)) continue;
    out.fieldHexAt(KEY_IMAGE_FOOTER, at);
    out.fieldHexAt(KEY_MAGIC, word);
    found++;
  }
  return 0;
}

// ---- stage [AT], upgrade ----

/**
 * `stage [AT]`: what was staged before is erased (a new stage replaces it, as the CLI's stage
 * overwrites), then the console receives the file as for `install`.
 */
function stage(at: u64): u32 {
  if (at == NO_NUMBER) return LoaderError.UsageError;
  store<u32>(STAGE_AT, <u32>at);
  const staged = journal.stagedImage();
  if (staged != 0) {
    const status = transfer.eraseDirtySectors(staged, transfer.secureStart());
    if (status != OperatorStatus.Ok) return status;
    journal.append(Record.ImageIdle, 0);
  }
  return RECEIVE_STAGE;
}

/**
 * After `stage`'s transfer: the image is placed as `install` places it (placement.ts: preflight,
 * plan, moved up to its planned address), checked against AT, and journalled as staged, where it
 * stays through resets until `upgrade`, `erase` or another transfer. A refusal erases it.
 */
export function placeStaged(): u32 {
  let status = withCpu2(0);
  if (status == 0) status = placement.placeReceived();
  const placed = operator.stagedImageStart();
  const at = load<u32>(STAGE_AT);
  if (status == 0 && at != 0 && at != placed) status = OperatorStatus.StagedImageMisplaced;
  explainRefusal(status);
  if (status == 0) {
    out.fieldHex("placed-at", placed);
    out.fieldHexAt(KEY_ERASE_END, planStepEraseEnd(0));
    status = journal.append(Record.ImageStaged, placed);
  }
  if (status != 0) transfer.clean();
  return status;
}

/**
 * What the CLI needs to name a placement's refusal as its other targets do: where the image belongs
 * (misplaced), or the preflight's ImageStatus (refused: FUS_DOWNGRADE, ...).
 */
export function explainRefusal(status: u32): void {
  if (status == OperatorStatus.StagedImageMisplaced) out.fieldHex("planned-at", operator.stagedImagePlannedAddress());
  if (status != OperatorStatus.StagedImageRefused) return;
  out.fieldAt(KEY_IMAGE_STATUS);
  out.decimal(operator.lastImageStatus());
  out.endField();
}

/**
 * FW_UPGRADE of the staged image, as `install` sends it (the operator's preflight first; a refused
 * image stays staged, as on the CLI). The outcome is printed after FUS's resets (resumeOperation).
 */
function upgrade(): u32 {
  const staged = journal.stagedImage();
  if (staged == 0) return OperatorStatus.NoImageStaged;
  let status = withCpu2(0);
  if (status != 0) return status;
  // The preflight FW_UPGRADE runs, first: what it decodes is journalled with the hand-over.
  status = operator.fusCheckStagedImage();
  if (status == 0) status = transfer.release();
  if (status == 0) {
    out.fieldText("progress", "fw-upgrade");
    status = operator.fusFwUpgrade();
  }
  if (status != 0) {
    journal.append(Record.ImageStaged, staged);
    return status;
  }
  return operator.fusAwaitReset(FUS_RESET_TIMEOUT_MS, 0);
}

// ---- erase START END ----

/**
 * The CLI's erase policy (cli/board-command.ts erasePolicy) on the loader's own layout: staging
 * flash only, from the application's end (never the loader, its journal or the application) to
 * SFSA, whole sectors. The CLI names each refusal before it sends the line; the loader keeps the
 * rule for anyone at a terminal.
 */
function erase(start: u32, end: u32): u32 {
  if (end <= start) return LoaderError.UsageError;
  const secure = transfer.secureStart();
  if (start < transfer.firstErasedSector(APPLICATION_START, secure) || end > secure) return OperatorStatus.FlashRangeProtected;
  if (((start | end) & (transfer.sectorBytesOfPart() - 1)) != 0) return OperatorStatus.FlashRangeInvalid;
  const staged = journal.stagedImage();
  if (staged >= start && staged < end) journal.append(Record.ImageIdle, 0);
  // Flash is CPU1's only while CPU2 is held or runs FUS: the driver refuses under a running stack.
  return operator.flashErase(start, end - start);
}

// ---- keys: key HEX, auth-key update|lock, user-key store TYPE|load|lock|unload INDEX ----

/**
 * `key HEX`: key bytes for the next auth-key update or user-key store, up to 24 a line (lines hold
 * 64 characters), appended; `key` alone forgets them. An IV follows the key bytes.
 */
function key(lineLength: u32): u32 {
  if (!nextWord(lineLength)) {
    forgetKey();
    return 0;
  }
  const start = console.wordStart;
  const length = console.wordEnd - start;
  const have = load<u32>(KEY_LENGTH);
  if ((length & 1) != 0 || have + length / 2 > KEY_CAPACITY || !ended(lineLength)) return LoaderError.UsageError;
  for (let i: u32 = 0; i < length; i += 2) {
    const high = nibble(load<u8>(line + start + i));
    const low = nibble(load<u8>(line + start + i + 1));
    if ((high | low) > 15) return LoaderError.UsageError;
    store<u8>(keyBuffer + have + i / 2, <u8>((high << 4) | low));
  }
  store<u32>(KEY_LENGTH, have + length / 2);
  return 0;
}

/** Key material does not stay in RAM after the command that used it, whatever its outcome. */
function forgetKey(): void {
  memory.fill(keyBuffer, 0, KEY_CAPACITY + 4); // the key, its IV and KEY_LENGTH
}

/** FUS_UPDATE_AUTH_KEY, or FUS_STORE_USR_KEY of `type`, with the collected bytes. */
function keyCommand(authentication: bool, type: u32): u32 {
  const keyLength = load<u32>(KEY_LENGTH);
  let status = withCpu2(0);
  if (status != 0) {
    // CPU2 did not come up: nothing was sent.
  } else if (authentication) {
    status = operator.fusUpdateAuthKey(keyLength);
  } else {
    let size = keyLength;
    if (type == KEY_TYPE_ENCRYPTED) {
      size = keyLength > IV_BYTES ? keyLength - IV_BYTES : 0;
      memory.copy(ivBuffer, keyBuffer + size, IV_BYTES);
    }
    status = operator.fusStoreUserKey(type, size);
    if (status == 0) {
      out.fieldAt(KEY_KEY_INDEX);
      out.decimal(operator.lastStoredKeyIndex());
      out.endField();
    }
  }
  forgetKey();
  return status;
}

function userKey(length: u32): u32 {
  if (!nextWord(length)) return LoaderError.UsageError;
  const store = isWord(W_STORE);
  const which = isWord(W_LOAD) ? 1 : isWord(W_LOCK) ? 2 : isWord(W_UNLOAD) ? 3 : store ? 0 : 4;
  const number = nextNumber(length);
  if (which == 4 || number > 0xff || !ended(length)) return LoaderError.UsageError;
  const value = <u32>number;
  // FUS's key types: 1 simple, 2 master, 3 encrypted (the operator refuses others).
  if (store) return keyCommand(false, value);
  const booted = withCpu2(0);
  if (booted != 0) return booted;
  if (which == 1) return operator.fusLoadUserKey(value);
  return which == 2 ? operator.fusLockUserKey(value) : operator.fusUnloadUserKey(value);
}
