// The loader's console: line editing (backspace, CR, LF or CRLF), command dispatch, and the one
// final line every command ends with (`OK` or `ERROR <CODE> <message>`, output.ts). While a YMODEM
// transfer runs the line belongs to the protocol: the console prints nothing until it ends.
import * as operator from "../index";
import { read32, write32 } from "../hal";
import { OPERATION_JOURNAL } from "../mailbox/layout";
import { isBooted } from "../mailbox/boot";
import { deviceId, isWb1x } from "../chip/variants";
import { OperatorStatus, Cpu2Mode, PendingOperation } from "../shared/codes";
import { LoaderError } from "./codes";
import * as out from "./output";
import * as transfer from "./transfer";
import * as journal from "./journal";
import { Record } from "./journal";
import { HELP_TEXT, HELP_TEXT_LENGTH, KEY_DEVICE_ID, KEY_REVISION_ID, KEY_UID64, KEY_STACK_TYPE } from "./code-names";
import * as placement from "./placement";
import { APPLICATION_START } from "./transfer";
import { keepJsonMode } from "./request";
import * as service from "./service";

/** What the loader's caller (the C main loop, or tier 1) must do after a step. */
export enum LoaderAction {
  None = 0,
  /** `reset`: a system reset (SCB AIRCR.SYSRESETREQ on the device). */
  Reset = 1,
  /** `boot`: hand the part to the application at APPLICATION_START. */
  BootApplication = 2,
}

export const LOADER_VERSION = "0.1.0";

const LINE_CAPACITY: u32 = 64;
export const line: usize = memory.data(<i32>LINE_CAPACITY);
let lineLength: u32 = 0;
let lineOverflow: bool = false;
let lastWasCr: bool = false;

enum TransferKind {
  None = 0,
  Application = 1,
  Image = 2,
  Stage = 3,
}
let transferKind: TransferKind = TransferKind.None;

const BACKSPACE: u32 = 0x08;
const DELETE: u32 = 0x7f;
const CR: u32 = 0x0d;
const LF: u32 = 0x0a;

export function transferActive(): bool {
  return transfer.active();
}

/** One byte typed on the console. Echoes it in text mode (terminals do not echo locally). */
export function typed(byte: u32, nowUs: u32): LoaderAction {
  if (byte == LF && lastWasCr) {
    lastWasCr = false;
    return LoaderAction.None; // the LF of a CRLF
  }
  lastWasCr = byte == CR;
  if (byte == CR || byte == LF) {
    if (!out.jsonMode()) out.newline();
    const length = lineLength;
    const overflow = lineOverflow;
    lineLength = 0;
    lineOverflow = false;
    if (overflow) {
      out.error(LoaderError.LineTooLong, "", "line longer than 64 characters; nothing was run");
      return LoaderAction.None;
    }
    return length == 0 ? LoaderAction.None : run(length, nowUs);
  }
  if (byte == BACKSPACE || byte == DELETE) {
    if (lineLength > 0) {
      lineLength--;
      if (!out.jsonMode()) {
        out.text("\b \b");
        out.flush();
      }
    }
    return LoaderAction.None;
  }
  if (byte < 0x20 || byte > 0x7e) return LoaderAction.None;
  if (lineLength == LINE_CAPACITY) {
    lineOverflow = true;
  } else {
    store<u8>(line + lineLength, <u8>byte);
    lineLength++;
  }
  if (!out.jsonMode()) {
    out.byte(byte);
    out.flush();
  }
  return LoaderAction.None;
}

// ---- the line: words separated by spaces ----

export let wordStart: u32 = 0;
export let wordEnd: u32 = 0;

/** Selects the word after the current one; false when there is none. */
export function nextWord(length: u32): bool {
  let position = wordEnd;
  while (position < length && load<u8>(line + position) == 0x20) position++;
  wordStart = position;
  while (position < length && load<u8>(line + position) != 0x20) position++;
  wordEnd = position;
  return wordEnd > wordStart;
}

function wordIs(text: string): bool {
  if (<i32>(wordEnd - wordStart) != text.length) return false;
  for (let i = 0; i < text.length; i++) {
    if (<i32>load<u8>(line + wordStart + i) != text.charCodeAt(i)) return false;
  }
  return true;
}

function run(length: u32, nowUs: u32): LoaderAction {
  wordEnd = 0;
  if (!nextWord(length)) return LoaderAction.None;
  if (wordIs("help")) return finished(help());
  if (wordIs("info")) return finished(info());
  if (wordIs("state")) return finished(fusState());
  if (wordIs("json")) return finished(jsonCommand(length));
  if (wordIs("start-fus")) return finished(fusCommand(FusCommand.StartFus), "start-fus");
  if (wordIs("start-ws")) return finished(fusCommand(FusCommand.StartWs), "start-ws");
  if (wordIs("delete")) return finished(fusCommand(FusCommand.Delete), "delete");
  if (wordIs("purge")) return finished(fusCommand(FusCommand.Purge), "purge");
  if (wordIs("app")) return receive(TransferKind.Application, nowUs);
  if (wordIs("install")) return receive(TransferKind.Image, nowUs);
  if (wordIs("reset")) {
    out.ok();
    return LoaderAction.Reset;
  }
  if (wordIs("boot")) return boot();
  const served = service.run(length);
  if (served == service.RECEIVE_STAGE) return receive(TransferKind.Stage, nowUs);
  if (served != service.NOT_SERVICE) return finished(served);
  out.error(LoaderError.UnknownCommand, "", "unknown command; type help");
  return LoaderAction.None;
}

/** Prints the final line for `status` (0: OK). */
function finished(status: u32, command: string = ""): LoaderAction {
  if (status == 0) out.ok();
  else out.error(status, command, "failed");
  return LoaderAction.None;
}

/** Boots CPU2 if this start has not; `then` is returned when it is up. */
export function withCpu2(then: u32): u32 {
  if (isBooted()) return then;
  const booted = operator.bootCpu2(0);
  return booted != OperatorStatus.Ok ? booted : then;
}

/** FUS resets the part soon after accepting FW_UPGRADE, FW_DELETE, FW_PURGE or START_WS; this long without one is a failure. */
export const FUS_RESET_TIMEOUT_MS: u32 = 10_000;

enum FusCommand {
  StartFus = 0,
  StartWs = 1,
  Delete = 2,
  Purge = 3,
}

/** The operator's commands as they are (index.ts: policy checks, journal); most end in resets. */
function fusCommand(which: FusCommand): u32 {
  const booted = withCpu2(0);
  if (booted != 0) return booted;
  if (which == FusCommand.StartFus) {
    // From a running stack this ends in a reset (cpu2-interface §4.4): the next start answers it.
    markStartFus(true);
    const status = operator.startFus();
    markStartFus(false);
    return status;
  }
  const sent = which == FusCommand.StartWs ? operator.fusStartWs() : which == FusCommand.Delete ? operator.fusFwDelete() : operator.fusFwPurge();
  // Each ends in FUS's resets (fus-behaviour §1.10, §1.11): the outcome is the next start's to print.
  return sent != OperatorStatus.Ok ? sent : operator.fusAwaitReset(FUS_RESET_TIMEOUT_MS, 0);
}

function help(): u32 {
  out.fieldBytes("help", HELP_TEXT, HELP_TEXT_LENGTH);
  return 0;
}

function info(): u32 {
  out.fieldText("loader", LOADER_VERSION);
  operator.identify();
  out.fieldDecimal("flash-kb", operator.idFlashKb());
  out.fieldHexAt(KEY_DEVICE_ID, operator.idDeviceId());
  out.fieldHexAt(KEY_REVISION_ID, operator.idRevisionId());
  out.fieldHex64At(KEY_UID64, operator.idUid64High(), operator.idUid64Low());
  out.fieldHex("sfsa", operator.idSfsa());
  out.fieldHex("sbrv", operator.idSbrv());
  out.fieldHex("application", APPLICATION_START);
  if (journal.applicationValid()) out.fieldDecimal("application-bytes", journal.applicationSize());
  else out.fieldText("application-bytes", "none");
  const booted = withCpu2(0);
  if (booted != 0) return booted;
  const read = operator.readDeviceInfo();
  if (read != OperatorStatus.Ok) return read;
  const mode = operator.cpu2Mode();
  out.fieldText("cpu2", mode == Cpu2Mode.Fus ? "fus" : mode == Cpu2Mode.WirelessStack ? "stack" : "other");
  out.fieldVersion("fus", operator.infoFusVersion());
  out.fieldVersion("safeboot", operator.infoSafebootVersion());
  const stack = operator.infoStackVersion();
  if (stack == 0) out.fieldText("stack", "none");
  else {
    out.fieldVersion("stack", stack);
    out.fieldHexAt(KEY_STACK_TYPE, operator.infoStackType());
  }
  return 0;
}

function fusState(): u32 {
  const booted = withCpu2(0);
  if (booted != 0) return booted;
  const status = operator.fusGetState();
  if (status != OperatorStatus.Ok && status != OperatorStatus.FusReportedError) return status;
  out.fieldHex("fus-state", operator.fusLastState());
  out.fieldHex("fus-error", operator.fusLastError());
  return status;
}

function jsonCommand(length: u32): u32 {
  if (!nextWord(length)) return LoaderError.UsageError;
  const on = wordIs("on");
  if (!on && !wordIs("off")) return LoaderError.UsageError;
  if (nextWord(length)) return LoaderError.UsageError;
  out.setJson(on);
  keepJsonMode(on); // through the resets a command ends in (request.ts)
  return 0;
}

function boot(): LoaderAction {
  const refusal = applicationRefusal();
  if (refusal == OperatorStatus.Cpu2AlreadyBooted) {
    out.error(refusal, "boot", "CPU2 was started since the last reset; reset, then boot");
  } else if (refusal != 0) {
    out.error(refusal, "boot", "no valid application in the slot; send one with app");
  } else {
    out.ok();
    keepJsonMode(false); // the application gets the backup register as before `json on`
    return LoaderAction.BootApplication;
  }
  return LoaderAction.None;
}

/**
 * Why the application may not be started now (0: it may; README "Boot decision"): the journal
 * must say it was verified whole, its vector table must be sane, and CPU2 — which runs until the
 * next reset once started — must be untouched, so that the application gets the part as after reset.
 */
export function applicationRefusal(): u32 {
  if (isBooted()) return OperatorStatus.Cpu2AlreadyBooted;
  // The application's vector table: initial SP, then the reset handler (Thumb: odd address).
  const stackPointer = read32(APPLICATION_START);
  const reset = read32(APPLICATION_START + 4);
  if (!journal.applicationValid() || !vectorTableSane(stackPointer, reset, APPLICATION_START, transfer.secureStart(), sram1End())) {
    return LoaderError.NoApplication;
  }
  return 0;
}

const SRAM1_START: u32 = 0x2000_0000;

/**
 * SRAM1's end: 12 KiB on WB1x, 192 KiB on the WB55xG. WB3x parts (32 KiB) share WB5x's device id,
 * so they are given the WB55xG's bound; a stack set beyond their SRAM1 faults at the first push.
 */
function sram1End(): u32 {
  return SRAM1_START + (isWb1x(deviceId()) ? 12 * 1024 : 192 * 1024);
}

/** README "Boot decision": initial SP inside SRAM1 (its end included) and 8-aligned, reset handler Thumb and inside the slot. */
export function vectorTableSane(stackPointer: u32, reset: u32, slotStart: u32, slotEnd: u32, ramEnd: u32): bool {
  if (stackPointer <= SRAM1_START || stackPointer > ramEnd || (stackPointer & 7) != 0) return false;
  return (reset & 1) == 1 && reset > slotStart && reset < slotEnd;
}

// ---- transfers ----

function receive(kind: TransferKind, nowUs: u32): LoaderAction {
  // CPU1 writes flash only while CPU2 is held or runs FUS (flash/driver.ts, cpu2-interface §4.5),
  // and an image is checked against what FUS reports: say so before the file is sent, not after.
  const cpu2 = kind != TransferKind.Application ? withCpu2(0) : 0;
  if (cpu2 != 0) return finished(cpu2, "install");
  if (isBooted() && operator.cpu2Mode() == Cpu2Mode.WirelessStack) {
    out.error(OperatorStatus.StackRunning, kind == TransferKind.Image ? "install" : "app", "the wireless stack runs; start-fus first");
    return LoaderAction.None;
  }
  const end = transfer.secureStart();
  // An application replaces the whole previous one; an image goes to the free flash after it.
  const applicationEnd = transfer.firstErasedSector(APPLICATION_START, end);
  const start = kind == TransferKind.Application ? APPLICATION_START : applicationEnd;
  if (start >= end) {
    out.error(LoaderError.ImageTooLarge, "", "no free flash below the secure area");
    return LoaderAction.None;
  }
  transferKind = kind;
  // The last text line before the protocol takes the line: where the file goes.
  out.fieldHex("receive-at", start);
  const isApplication = kind == TransferKind.Application;
  transfer.begin(isApplication, start, end, isApplication ? applicationEnd : start, nowUs);
  return LoaderAction.None;
}

/** Called when a transfer has ended: the command's remaining work and its final line. */
export function transferEnded(): LoaderAction {
  const kind = transferKind;
  transferKind = TransferKind.None;
  const status = transfer.result();
  if (status != 0) {
    out.error(status, kind == TransferKind.Application ? "app" : "install", "transfer failed; what arrived was erased");
    return LoaderAction.None;
  }
  out.fieldHex("received-at", transfer.receivedStart());
  out.fieldDecimal("received-bytes", transfer.receivedBytes());
  if (kind == TransferKind.Application) {
    out.ok();
    return LoaderAction.None;
  }
  return finished(kind == TransferKind.Stage ? service.placeStaged() : installReceived(), "install");
}


/**
 * The received image is placed (placement.ts: checked by the operator's preflight where it lies,
 * moved up to its planned address), then FW_UPGRADE. The part resets under the loader: the
 * command's outcome is for the next start to report (README "State machine"). A refused image is
 * erased, both copies if it had been moved.
 */
function installReceived(): u32 {
  let status = withCpu2(OperatorStatus.Ok);
  if (status == OperatorStatus.Ok) status = placement.placeReceived();
  if (status == OperatorStatus.Ok) out.fieldHex("placed-at", operator.stagedImageStart());
  service.explainRefusal(status);
  if (status == OperatorStatus.Ok) status = transfer.release();
  if (status == OperatorStatus.Ok) {
    out.fieldText("progress", "fw-upgrade");
    status = operator.fusFwUpgrade();
  }
  if (status != OperatorStatus.Ok) {
    transfer.clean();
    return status;
  }
  return operator.fusAwaitReset(FUS_RESET_TIMEOUT_MS, 0);
}

// ---- after a reset: the outcome of the command that caused it ----

/** How long FUS may stay busy in one CPU1 run before the loader gives up waiting (an install's phases reset the part sooner). */
const BUSY_WAIT_MS: u32 = 120_000;

function operationName(operation: u32): string {
  if (operation == PendingOperation.FwUpgrade) return "install";
  if (operation == PendingOperation.FwDelete) return "delete";
  if (operation == PendingOperation.FwPurge) return "purge";
  return "start-ws";
}

/**
 * `start-fus` has no record of the operator's (it is no FUS operation), so the loader keeps its own
 * mark for it in SRAM2a, right after the operator's record: SRAM2 survives the reset start-fus
 * ends in; a check word rejects what power-on left there.
 */
const START_FUS_MARK: u32 = OPERATION_JOURNAL + 16;
const MARK_MAGIC: u32 = 0x4653_544d;

function markStartFus(on: bool): void {
  write32(START_FUS_MARK, on ? MARK_MAGIC : 0);
  write32(START_FUS_MARK + 4, on ? ~MARK_MAGIC : 0);
}

function takeStartFusMark(): bool {
  const marked = read32(START_FUS_MARK) == MARK_MAGIC && read32(START_FUS_MARK + 4) == ~MARK_MAGIC;
  if (marked) markStartFus(false);
  return marked;
}

/**
 * On every start: a FUS operation the operator recorded before its resets (SRAM2a, fus/journal.ts)
 * is followed to its end, and its command's final line printed without being asked. FUS busy:
 * progress lines while it works; a reset in between restarts the loader, which comes back here.
 * After a failed install the staging space is erased (no leftover image for a later FW_UPGRADE).
 */
export function resumeOperation(): bool {
  if (takeStartFusMark()) {
    out.fieldText("resume", "start-fus");
    const booted = withCpu2(0);
    finished(booted != 0 ? booted : operator.cpu2Mode() == Cpu2Mode.Fus ? 0 : OperatorStatus.FusNotRunning, "start-fus");
    return true;
  }
  let operation = operator.pendingOperation();
  const handed = journal.handedToFus();
  if (operation == PendingOperation.None && handed != 0) {
    // The image was handed to FUS, and power loss took the operator's record with SRAM2a (README
    // "Power-loss safety"): given back from the journal, the upgrade is followed as after a reset —
    // FUS busy carries on with an install it had committed to (fus-behaviour §1.15) and needs the
    // image; idle without the new version, it never took it, and the staging space is erased.
    operator.fusRestoreOperation(PendingOperation.FwUpgrade, handed & 0xff, handed & 0xffff_ff00);
    operation = PendingOperation.FwUpgrade;
  }
  if (operation == PendingOperation.None) return false;
  const name = operationName(operation);
  out.fieldText("resume", name);
  let status = operator.fusResume(0);
  while (status == OperatorStatus.OperationInProgress) {
    out.fieldHex("fus-state", operator.fusLastState());
    status = operator.fusWaitWhileBusy(BUSY_WAIT_MS, 0);
    if (status == OperatorStatus.Ok) status = operator.fusResume(0);
  }
  // The upgrade has been followed to its end: its image is no longer FUS's to take.
  if (handed != 0) journal.append(Record.ImageIdle, 0);
  if (status != OperatorStatus.Ok) {
    if (status == OperatorStatus.FusReportedError) out.fieldHex("fus-error", operator.fusLastError());
    if (operation == PendingOperation.FwUpgrade && operator.cpu2Mode() == Cpu2Mode.Fus) {
      const end = transfer.secureStart();
      transfer.eraseDirtySectors(transfer.firstErasedSector(APPLICATION_START, end), end);
    }
    out.error(status, name, "failed");
    return true;
  }
  if (operator.readDeviceInfo() == OperatorStatus.Ok) {
    out.fieldVersion("fus", operator.infoFusVersion());
    const stack = operator.infoStackVersion();
    if (stack == 0) out.fieldText("stack", "none");
    else out.fieldVersion("stack", stack);
  }
  out.ok();
  return true;
}
