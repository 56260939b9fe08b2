// The operator's one API: every export is callable from C (wasm2c, runtime-c/include/fusop.h) and
// from JavaScript (host-sim tiers). Exports take and return 32-bit integers only, so that both
// calling conventions stay trivial; results beyond a status are read through getters.
import { OperatorStatus } from "./shared/codes";
import * as boot from "./mailbox/boot";
import * as attach from "./mailbox/attach";
import * as system from "./mailbox/system";
import * as state from "./fus/state";
import * as info from "./fus/info";
import * as commands from "./fus/commands";
import * as identity from "./fus/identify";
import * as diagnosis from "./fus/diagnosis";
import * as flash from "./flash/driver";
import * as stage from "./flash/stage";
import * as preflight from "./fus/preflight";
import * as journal from "./fus/journal";
import * as imageFooter from "./image/footer";
import * as resumption from "./fus/resume";
import { PendingOperation } from "./shared/codes";
import { DeviceInfoLayout, Cpu2Mode, WaitLimitMs } from "./shared/codes";
import { FUS_GET_STATE } from "./fus/opcodes";

const DEFAULT_READY_TIMEOUT_MS: u32 = 1000;

/** `ms` clamped to `limit` (codes.ts WaitLimitMs), in microseconds; 0 gives `fallbackMs`. */
function boundedUs(ms: u32, limit: WaitLimitMs, fallbackMs: u32 = 0): u32 {
  const chosen = ms == 0 ? fallbackMs : ms;
  return (chosen < <u32>limit ? chosen : <u32>limit) * 1000;
}

/** Boots CPU2 and waits for READY; `readyTimeoutMs` 0 means 1 s, at most WaitLimitMs.Ready (10 s). */
export function bootCpu2(readyTimeoutMs: u32): OperatorStatus {
  return boot.bootCpu2(boundedUs(readyTimeoutMs, WaitLimitMs.Ready, DEFAULT_READY_TIMEOUT_MS));
}

/**
 * Uses the tables and system channel of a CPU2 the application booted with ST's middleware
 * (mailbox/attach.ts): no new tables, no second C2BOOT, channel 2 masked for ST's IPCC handler.
 */
export function attachCpu2(): OperatorStatus {
  return attach.attach();
}
/** Gives channel 2 back to the application's middleware. */
export function detachCpu2(): void {
  attach.detach();
}

/** Which firmware CPU2 said it runs (Cpu2Mode). */
export function cpu2Mode(): u32 {
  return system.mode();
}

/** How long a system command may take to be answered; at most WaitLimitMs.Command (10 s). */
export function setCommandTimeoutMs(ms: u32): void {
  system.setCommandTimeoutUs(boundedUs(ms, WaitLimitMs.Command));
}

export function pollEvents(): OperatorStatus {
  return system.drainEvents();
}
export function eventCount(): u32 {
  return system.eventCount();
}
export function lastEventSubcode(): u32 {
  return system.lastEventSubcode();
}

export function fusGetState(): OperatorStatus {
  return state.getState();
}
export function fusLastState(): u32 {
  return state.lastState();
}
export function fusLastError(): u32 {
  return state.lastError();
}
export function startFus(): OperatorStatus {
  return state.startFus();
}
export function getStatesSentToStack(): u32 {
  return state.getStatesSentToStack();
}

export function readDeviceInfo(): OperatorStatus {
  return info.readDeviceInfo();
}
export function infoLayout(): u32 {
  return info.infoLayout();
}
export function infoSafebootVersion(): u32 {
  return info.infoSafebootVersion();
}
export function infoFusVersion(): u32 {
  return info.infoFusVersion();
}
export function infoStackVersion(): u32 {
  return info.infoStackVersion();
}
export function infoStackMemorySize(): u32 {
  return info.infoStackMemorySize();
}
export function infoStackType(): u32 {
  return info.infoStackType();
}
export function infoUid64Low(): u32 {
  return info.infoUid64Low();
}
export function infoUid64High(): u32 {
  return info.infoUid64High();
}
export function infoDeviceId(): u32 {
  return info.infoDeviceId();
}

/** Bytes of linear memory the module's static data occupies (the build checks it fits the device). */
export function linearMemoryUsed(): u32 {
  return <u32>__heap_base;
}

// ---- The system channel, raw: any system command with up to 255 parameter bytes (§4.2) ----

/** Linear-memory address of the parameter buffer `systemCommand` sends from. */
export function commandParametersPointer(): u32 {
  return <u32>system.commandParameters;
}
/** Linear-memory address of the last response (type, code, plen, numcmd, opcode, status, data). */
export function responsePointer(): u32 {
  return <u32>system.responseBuffer;
}
export function responseLength(): u32 {
  return system.lastResponseLength();
}
/** Linear-memory address of the last system event (type, code, plen, payload). */
export function eventPointer(): u32 {
  return <u32>system.eventBuffer;
}
export function eventLength(): u32 {
  return system.lastEventLength();
}
/** Sends `opcode` with `length` parameter bytes; the status byte is lastCommandStatus(). */
export function systemCommand(opcode: u32, length: u32): OperatorStatus {
  // Only startFus may send GET_STATE to a running stack: a second one resets the part (§5.5).
  if (opcode == FUS_GET_STATE && system.mode() == Cpu2Mode.WirelessStack) return OperatorStatus.StackRunning;
  return system.sendCommand(opcode & 0xffff, length);
}

// ---- FUS commands (cpu2-interface §5.2) ----

let safetyPolicy: bool = true;

/**
 * The operator refuses dangerous requests (anti-rollback without a stack, START_WS without one).
 * Only a simulator board may turn this off (`--force`) to watch FUS's own reaction.
 */
export function setSafetyPolicy(enabled: u32): void {
  safetyPolicy = enabled != 0;
}

/** The stack version the FUS-layout device information reports, or 0 when there is none. */
function installedStackVersion(): u32 {
  if (info.readDeviceInfo() != OperatorStatus.Ok || info.infoLayout() != DeviceInfoLayout.Fus) return 0;
  return info.infoStackVersion();
}

/**
 * FW_UPGRADE, after checking the image FUS would take (preflight.ts): a hazardous image, or none,
 * is refused here and FUS never hears of it. The safety policy off (simulator `--force`) skips it.
 */
export function fusFwUpgrade(): OperatorStatus {
  const ready = commands.requireFus();
  if (ready != OperatorStatus.Ok) return ready;
  if (safetyPolicy) {
    const checked = preflight.checkStagedImage();
    if (checked != OperatorStatus.Ok) return checked;
    journal.record(PendingOperation.FwUpgrade, imageFooter.decodedKind(), imageFooter.decodedVersion());
  } else {
    journal.record(PendingOperation.FwUpgrade);
  }
  return settled(commands.fwUpgrade());
}

/** The journal keeps an operation only when its command went out: a refusal clears it again. */
function settled(status: OperatorStatus): OperatorStatus {
  if (status != OperatorStatus.Ok) journal.clear();
  return status;
}

/**
 * After every CPU1 start while a long operation (FW_UPGRADE, FW_DELETE, FW_PURGE, START_WS) runs:
 * boots CPU2 if needed and says where the operation stands. Ok: finished, verified against the
 * device information (or none recorded); OperationNotApplied: the resets are over but the part
 * does not show what the operation was to achieve (fusResumeFinding says what);
 * OperationInProgress: FUS is busy (fusLastState tells the phase) — wait while it is busy, then call
 * again; FusReportedError: FUS named a failure (fusLastError). `readyTimeoutMs` 0 means 1 s, at
 * most WaitLimitMs.Ready (10 s).
 */
export function fusResume(readyTimeoutMs: u32): OperatorStatus {
  return resumption.resume(boundedUs(readyTimeoutMs, WaitLimitMs.Ready, DEFAULT_READY_TIMEOUT_MS));
}
/** Moves the operation record to 16 application-reserved bytes of SRAM2a (16-aligned); 1 when taken. */
export function setJournalAddress(address: u32): u32 {
  return journal.setJournalAddress(address) ? 1 : 0;
}
/** The operation recorded before the last resets (PendingOperation), 0 when none. */
export function pendingOperation(): u32 {
  return journal.pending();
}
/**
 * Gives back the record power loss took from SRAM2a (the check word rejects what power-on left),
 * from what the caller kept in its own storage of what it sent: PendingOperation, and for
 * FW_UPGRADE the ImageKind and version of the image (imageKind/imageVersion after
 * fusCheckStagedImage, as fusFwUpgrade checks it). fusResume then verifies the
 * outcome against the device information instead of finding nothing recorded.
 */
export function fusRestoreOperation(operation: u32, imageKind: u32, imageVersion: u32): void {
  journal.restore(<PendingOperation>(operation & 0xff), imageKind, imageVersion);
}
/** Why the last fusResume answered OperationNotApplied (ResumeFinding), 0 otherwise. */
export function fusResumeFinding(): u32 {
  return resumption.lastFinding();
}
/**
 * The version the device information showed (FW_UPGRADE: of the kind of image sent; FW_DELETE /
 * FW_PURGE: the stack still registered), 0 for none.
 */
export function fusResumeFoundVersion(): u32 {
  return resumption.lastFoundVersion();
}
/** Checks the staged image without upgrading; see lastImageStatus and stagedImageStart/End. */
export function fusCheckStagedImage(): OperatorStatus {
  return preflight.checkStagedImage();
}
export function lastImageStatus(): u32 {
  return preflight.lastImageStatus();
}
export function stagedImageStart(): u32 {
  return preflight.stagedImageStart();
}
export function stagedImageEnd(): u32 {
  return preflight.stagedImageEnd();
}
/** Where the planner would put the staged image on this part (after StagedImageMisplaced). */
export function stagedImagePlannedAddress(): u32 {
  return preflight.plannedAddress();
}
/** Resets the planner with the part as it reports itself (needs FUS running); an ImageStatus. */
export function planSetPartFromDevice(): u32 {
  return preflight.planFromPart();
}
/**
 * FW_DELETE. With no stack installed FUS only answers IMG_NOT_FOUND ("Flash already empty",
 * fus-behaviour §1.10), so the operator says so itself.
 */
export function fusFwDelete(): OperatorStatus {
  const ready = commands.requireFus();
  if (ready != OperatorStatus.Ok) return ready;
  if (safetyPolicy && installedStackVersion() == 0) return OperatorStatus.NoStackInstalled;
  journal.record(PendingOperation.FwDelete);
  return settled(commands.fwDelete());
}
/** FW_PURGE: the stack and FUSv2's NVM section; refused when neither is there. */
export function fusFwPurge(): OperatorStatus {
  const ready = commands.requireFus();
  if (ready != OperatorStatus.Ok) return ready;
  if (safetyPolicy && installedStackVersion() == 0 && !preflight.nvmSectionKept()) return OperatorStatus.NoStackInstalled;
  journal.record(PendingOperation.FwPurge);
  return settled(commands.fwPurge());
}
export function fusStartWs(): OperatorStatus {
  const stackVersion = safetyPolicy ? installedStackVersion() : 0xffff_ffff;
  journal.record(PendingOperation.StartWirelessStack);
  return settled(commands.startWirelessStack(stackVersion));
}
export function fusActivateAntirollback(): OperatorStatus {
  if (!safetyPolicy) return commands.activateAntirollback(0xffff_ffff, 0xffff_ffff);
  const stackVersion = installedStackVersion();
  return commands.activateAntirollback(stackVersion, info.infoFusVersion());
}
/** Linear-memory address of the 64-byte key buffer (auth key or user key bytes). */
export function keyBufferPointer(): u32 {
  return <u32>commands.keyBuffer;
}
/** Linear-memory address of the 12-byte IV buffer for encrypted user keys. */
export function ivBufferPointer(): u32 {
  return <u32>commands.ivBuffer;
}
export function fusUpdateAuthKey(size: u32): OperatorStatus {
  return commands.updateAuthKey(size);
}
export function fusLockAuthKey(): OperatorStatus {
  return commands.lockAuthKey();
}
export function fusStoreUserKey(keyType: u32, size: u32): OperatorStatus {
  return commands.storeUserKey(keyType, size);
}
export function lastStoredKeyIndex(): u32 {
  return commands.lastStoredKeyIndex();
}
export function fusLoadUserKey(index: u32): OperatorStatus {
  return commands.loadUserKey(index);
}
export function fusLockUserKey(index: u32): OperatorStatus {
  return commands.lockUserKey(index);
}
export function fusUnloadUserKey(index: u32): OperatorStatus {
  return commands.unloadUserKey(index);
}
export function lastCommandStatus(): u32 {
  return commands.lastCommandStatus();
}
/**
 * Polls GET_STATE every `pollMs` (0: 20 ms; at most WaitLimitMs.Poll, 1 s) while FUS is busy, for
 * at most `timeoutMs` (clamped to WaitLimitMs.Operation, 10 min).
 */
export function fusWaitWhileBusy(timeoutMs: u32, pollMs: u32): OperatorStatus {
  return commands.waitWhileBusy(boundedUs(timeoutMs, WaitLimitMs.Operation), boundedUs(pollMs, WaitLimitMs.Poll, 20));
}

/**
 * Polls GET_STATE every `pollMs` (0: 20 ms; at most WaitLimitMs.Poll, 1 s) until the announced
 * reset comes, for at most `timeoutMs` (clamped to WaitLimitMs.Operation, 10 min).
 */
export function fusAwaitReset(timeoutMs: u32, pollMs: u32): OperatorStatus {
  return commands.awaitReset(boundedUs(timeoutMs, WaitLimitMs.Operation), boundedUs(pollMs, WaitLimitMs.Poll, 20));
}

// ---- Identification and recovery diagnosis (seed §4.1, FAQ) ----

export function identify(): void {
  identity.identify();
}
export function idSfsa(): u32 {
  return identity.idSfsa();
}
export function idSbrv(): u32 {
  return identity.idSbrv();
}
export function idC2boot(): u32 {
  return identity.idC2boot() ? 1 : 0;
}
export function idFlashKb(): u32 {
  return identity.idFlashKb();
}
export function idDeviceId(): u32 {
  return identity.idDeviceId();
}
export function idRevisionId(): u32 {
  return identity.idRevisionId();
}
export function idUid64Low(): u32 {
  return identity.idUid64Low();
}
export function idUid64High(): u32 {
  return identity.idUid64High();
}
/** SBRV selects FUS (one of the four ways to tell, seed §4.1). */
export function idSbrvSelectsFus(): u32 {
  return identity.sbrvSelectsFus() ? 1 : 0;
}
/** Reads the part and returns a Diagnosis; uses the FUS version when CPU2 was booted. */
export function diagnose(): u32 {
  identity.identify();
  const known = boot.isBooted() && info.readDeviceInfo() == OperatorStatus.Ok;
  return identity.diagnoseIdentified(known ? info.infoFusVersion() : 0, known);
}

/**
 * 1 when the running FUS carries an install through an asynchronous reset (FUSv2, seed §4.4), 0
 * when it does not (below V2: advise against any reset and to upgrade FUS first), 2 when unknown
 * (CPU2 not booted into FUS).
 */
export function fusInstallResetSafe(): u32 {
  if (!boot.isBooted() || info.readDeviceInfo() != OperatorStatus.Ok || info.infoLayout() != DeviceInfoLayout.Fus) return 2;
  return diagnosis.installSurvivesAsyncReset(info.infoFusVersion()) ? 1 : 0;
}

// ---- Flash staging (cpu2-interface §1.7) ----

/** Linear-memory address of the 512-byte buffer flashWrite programs from. */
export function flashBufferPointer(): u32 {
  return <u32>flash.flashBuffer;
}
/**
 * Erases the pages [address, address + length) touches; FlashRangeProtected unless the range lies
 * in [firmware end, SFSA) (never the first sector), FlashRangeInvalid when empty.
 */
export function flashErase(address: u32, length: u32): OperatorStatus {
  return flash.erase(address, length);
}
/** Programs `length` bytes of the flash buffer at `address`; same range rule as flashErase. */
export function flashWrite(address: u32, length: u32): OperatorStatus {
  return flash.writeFromBuffer(address, length);
}
/**
 * First flash address after the firmware: flashErase/flashWrite refuse anything below it. Only
 * ever raised; fusop_init() sets it from the linker's _fusop_firmware_end.
 */
export function flashSetFirmwareEnd(address: u32): void {
  flash.setFirmwareEnd(address);
}
export function flashLastErrorFlags(): u32 {
  return flash.lastFlashErrorFlags();
}

// ---- Streaming staging while the stack runs (flash/stage.ts, cpu2-interface §4.5) ----

/** Places an image of `imageSize` bytes by size below the top of free flash; see flash/stage.ts. */
export function stageBegin(imageSize: u32): OperatorStatus {
  return stage.begin(imageSize);
}
/** Linear-memory address of the chunk buffer stageWrite takes its bytes from. */
export function stageInputPointer(): u32 {
  return <u32>stage.stageInput;
}
export function stageInputCapacity(): u32 {
  return stage.STAGE_INPUT_BYTES;
}
/** Takes `length` bytes (any length up to the capacity, any alignment) from the chunk buffer. */
export function stageWrite(length: u32): OperatorStatus {
  return stage.write(length);
}
/** Flushes, clears the flash above the image, decodes, plans and checks it (as FW_UPGRADE's preflight). */
export function stageEnd(): OperatorStatus {
  return stage.end();
}
export function stageAddress(): u32 {
  return stage.stageAddress();
}
export function stageImageStatus(): u32 {
  return stage.stageImageStatus();
}

// ---- Coprocessor images: footers, install planning, upgrade policy (pure, assembly/image) ----
export * from "./image/api";
