// The operator as the host sees it: typed calls over either tier. Tests, the CLI and the demo all
// go through this one wrapper; the logic itself lives in the wasm module.
import { OperatorStatus, Cpu2Mode, DeviceInfoLayout, FusState, FusError, Diagnosis, PendingOperation, ResumeFinding } from "../assembly/shared/codes.js";
import type { OperatorCalls } from "./tiers/tier.js";
import type { ImageStatus } from "../assembly/shared/image-codes.js";
import { imageStatusCode, imageStatusMessage } from "./images/messages.js";
import { formatVersion } from "./versions.js";

/** An operator call returned a non-Ok OperatorStatus. `code` is the stable name (e.g. READY_TIMEOUT). */
export class OperatorError extends Error {
  constructor(readonly status: OperatorStatus, readonly code: string, message: string) {
    super(message);
  }
}

export function statusCode(status: OperatorStatus): string {
  const name = OperatorStatus[status] ?? `STATUS_${status}`;
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** What each failure means for the user, and what to do about it. */
const statusAdvice: Partial<Record<OperatorStatus, string>> = {
  [OperatorStatus.ReadyTimeout]: "CPU2 did not announce itself: check SBRV/SFSA (Safeboot forced? FUS corrupted?) and that CPU2 was not already started",
  [OperatorStatus.CommandTimeout]: "CPU2 stopped answering system commands; reset the part and boot CPU2 again",
  [OperatorStatus.ChannelBusy]: "a previous system command is still pending on IPCC channel 2",
  [OperatorStatus.MailboxOffsetUnsupported]: "FLASH_IPCCBR.IPCCDBA must be 0; its unit is disputed between ST sources",
  [OperatorStatus.Cpu2AlreadyBooted]: "C2BOOT was already set by other code; reset the part so the operator can boot CPU2 with its own tables",
  [OperatorStatus.StackRunning]: "the wireless stack runs; start FUS first (start-fus), a stray GET_STATE would reset the part",
  [OperatorStatus.Cpu2NotBooted]: "boot CPU2 first",
  [OperatorStatus.FusNotRunning]: "this command needs FUS on CPU2; start FUS first (start-fus)",
  [OperatorStatus.FusBusyTimeout]: "FUS is still working; poll its state again later, do not reset or power off the part",
  [OperatorStatus.InvalidKeyType]: "user keys are simple (1), master (2) or encrypted (3)",
  [OperatorStatus.InvalidKeySize]: "user keys are 16 or 32 bytes (the 64-byte size does not fit FUS's 44-byte key area)",
  [OperatorStatus.InvalidAuthKeySize]: "the authentication key is 1 to 64 bytes",
  [OperatorStatus.NoStackInstalled]: "there is no wireless stack installed (nothing to start or delete); install one first (stage + upgrade)",
  [OperatorStatus.AntirollbackWithoutStack]: "activating anti-rollback with no stack installed blocks every stack install forever; install a stack first",
  [OperatorStatus.OperationNotApplied]: "the part does not show what the operation was to achieve; read it with `info` and send the command again",
  [OperatorStatus.AntirollbackNeedsFus120]: "upgrade FUS to V1.2.0 or later first; ST asks for it before anti-rollback is activated",
  [OperatorStatus.EventMalformed]: "the system event queue in SRAM2a is corrupted (power-on garbage?); reset the part and boot CPU2 again",
  [OperatorStatus.ReadyPayloadUnknown]: "CPU2 announced a firmware the operator does not know; read the device information and the FUS state",
  [OperatorStatus.ParametersTooLong]: "a system command carries at most 255 parameter bytes",
  [OperatorStatus.FlashRangeProtected]: "the operator changes flash only from the end of the firmware (never the first sector, CPU1's vector table) up to the secure boundary SFSA; stage where `fusop plan` says",
  [OperatorStatus.ResetDidNotHappen]: "CPU2 should have reset the part and did not; read the FUS state and power-cycle the board",
  [OperatorStatus.SharedTablesInvalid]: "C2BOOT is set but the SRAM2a reference table at 0x20030000 does not lead to a system table, command buffer and event queues in SRAM2a: boot CPU2 with ST's TL_Init tables first, or reset the part and let the operator boot it",
  [OperatorStatus.StageNotStarted]: "call stageBegin with the image size first (a failed write ends the staging too)",
  [OperatorStatus.StageOverflow]: "more bytes than stageBegin announced, or a chunk larger than the stage input buffer",
  [OperatorStatus.StageIncomplete]: "stageEnd came before every byte stageBegin announced was written",
  [OperatorStatus.SharedSramTooSmall]: "the wireless stack keeps SRAM2a secure from below 0x20030A90, where the operator's mailbox tables end (BLE_Stack_full_extended leaves CPU1 only 2 KB): the operator cannot talk to CPU2 under it; install a stack that leaves CPU1 at least 3 KB of SRAM2a (e.g. BLE_Stack_full, 10 KB)",
};

/** How to get out of each diagnosed situation (seed FAQ). */
export const diagnosisAdvice: Record<Diagnosis, string> = {
  [Diagnosis.Healthy]: "nothing to recover",
  [Diagnosis.SafebootForced]: "option bytes were corrupted and the hardware boots Safeboot: enable CPU2 (write 0x00008000 to PWR_CR4 at 0x5800040C) to run it; with FUS >= V1.1.0 it performs a factory reset, older parts stay locked",
  [Diagnosis.Cpu2NotEnabled]: "CPU2 was never started: set PWR_CR4.C2BOOT (boot CPU2) and read the FUS state again",
  [Diagnosis.FusVersionZero]: "FUS reports version 0.0.0.0: FUS is missing or corrupted; check SBRV/SFSA and the flash ECC register, then contact ST for recovery",
  [Diagnosis.SbrvSfsaMisaligned]: "SBRV points outside the secure area (the FUS < V1.2.0 bug after installing a bigger stack): the part is bricked for CPU2; only ST can recover it",
  [Diagnosis.SfsaOutOfRange]: "SFSA is not a valid secure boundary for this part's flash; the option bytes are corrupted",
};

/** STACK_STILL_INSTALLED, STACK_VERSION_DIFFERS, ... */
export function findingCode(finding: ResumeFinding): string {
  return (ResumeFinding[finding] ?? `FINDING_${finding}`).replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

export function diagnosisCode(diagnosis: Diagnosis): string {
  return (Diagnosis[diagnosis] ?? `DIAGNOSIS_${diagnosis}`).replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

export function describeStatus(status: OperatorStatus, doing: string): OperatorError {
  const advice = statusAdvice[status];
  return new OperatorError(status, statusCode(status), `${doing}: ${statusCode(status)}${advice ? ` — ${advice}` : ""}`);
}

export function fusStateName(state: number): string {
  if (state === FusState.Idle) return "FUS_STATE_IDLE";
  if (state >= 0x10 && state <= 0x1f) return "FUS_STATE_FW_UPGRD_ONGOING";
  if (state >= 0x20 && state <= 0x2f) return "FUS_STATE_FUS_UPGRD_ONGOING";
  if (state >= 0x30 && state <= 0x3f) return "FUS_STATE_SERVICE_ONGOING";
  if (state === FusState.Error) return "FUS_STATE_ERROR";
  return `FUS_STATE_0x${state.toString(16).padStart(2, "0")}`;
}

/**
 * FUS error names as ST spells them (cpu2-interface §5.4: FUS_STATE_ERROR_<name> in shci.h, printed
 * FUS_STATE_<name> by CubeProgrammer), which scripts match on; 0xFE reads FUS_STATE_NOT_RUNNING.
 */
const fusErrorNames: Record<number, string> = {
  [FusError.NoError]: "NO_ERROR",
  [FusError.ImgNotFound]: "IMG_NOT_FOUND",
  [FusError.ImgCorrupt]: "IMG_CORRUPT",
  [FusError.ImgNotAuthentic]: "IMG_NOT_AUTHENTIC",
  [FusError.ImgNotEnoughSpace]: "IMG_NOT_ENOUGH_SPACE",
  [FusError.ImageUsrAbort]: "IMAGE_USRABORT",
  [FusError.ImageErsError]: "IMAGE_ERSERROR",
  [FusError.ImageWrtError]: "IMAGE_WRTERROR",
  [FusError.AuthTagStNotFound]: "AUTH_TAG_ST_NOTFOUND",
  [FusError.AuthTagCustNotFound]: "AUTH_TAG_CUST_NOTFOUND",
  [FusError.AuthKeyLocked]: "AUTH_KEY_LOCKED",
  [FusError.FwRollbackError]: "FW_ROLLBACK_ERROR",
  [FusError.StateNotRunning]: "NOT_RUNNING",
  [FusError.ErrUnknown]: "ERR_UNKNOWN",
};

/** What to do when FUS itself refused (cpu2-interface §5.4; fus-behaviour §1.3-§1.5, §1.12). */
const fusErrorAdvice: Record<number, string> = {
  [FusError.ImgNotFound]: "FUS found no image below the secure boundary: stage one first",
  [FusError.ImgCorrupt]: "the image is damaged: download it again, erase the staging area and stage it again",
  [FusError.ImgNotAuthentic]: "the image is not signed for this part, or a customer signature is required: use ST's image for this family (customer-signed if an authentication key is installed); the refused image stays in flash, erase it",
  [FusError.ImgNotEnoughSpace]: "there is no room for the image where it lies: erase it and stage it where `fusop plan` says",
  [FusError.AuthTagStNotFound]: "the ST signature block is missing: the file is truncated or not an ST coprocessor image",
  [FusError.AuthTagCustNotFound]: "an authentication key is installed, so the image needs the customer signature block",
  [FusError.AuthKeyLocked]: "the authentication key is locked and can never be changed",
  [FusError.FwRollbackError]: "FUS refused an older image: a FUS image older than the running FUS (FUS never downgrades), or, with anti-rollback active, a stack older than the reference; install the same or a newer version; the refused image stays in flash, erase it (fusop erase --range)",
  [FusError.ImageErsError]: "FUS could not erase flash: power-cycle the board and read the FUS state",
  [FusError.ImageWrtError]: "FUS could not write flash: power-cycle the board and read the FUS state",
};

/** The error FUS reported, named as ST names it, with what to do about it. */
export function fusRefusal(status: OperatorStatus, reading: FusStateReading): OperatorError {
  const advice = fusErrorAdvice[reading.error];
  return new OperatorError(status, reading.errorName, `FUS reported ${reading.stateName} / ${reading.errorName}${advice ? ` — ${advice}` : ""}`);
}

export function fusErrorName(error: number): string {
  const name = fusErrorNames[error];
  return name ? `FUS_STATE_${name}` : `FUS_STATE_ERROR_0x${error.toString(16).padStart(2, "0")}`;
}

export interface FusStateReading {
  state: number;
  error: number;
  stateName: string;
  errorName: string;
}

export interface DeviceInformation {
  layout: "fus" | "stack";
  safebootVersion: string;
  fusVersion: string;
  stackVersion: string | null;
  /** Flash sectors the installed stack occupies (memory-size word bits 7:0, cpu2-interface §3.4). */
  stackSectors: number;
  stackType: number;
  uid64: bigint | null;
  deviceId: number | null;
}

/** What was sent and what it was to install: kept by the host as firmware keeps it in its own storage. */
export interface SentOperation {
  operation: PendingOperation;
  imageKind: number;
  imageVersion: number;
}

/** Why a finished operation did not take effect (fusResumeFinding), and what to do. */
function notAppliedReason(finding: ResumeFinding, expected: string, found: string | null): string {
  switch (finding) {
    case ResumeFinding.StackStillInstalled:
      return `the wireless stack ${found ?? ""} is still registered after the resets: the delete did not complete and the stack may be partly erased; do not start it, run the delete again`;
    case ResumeFinding.StackVersionDiffers:
      return `the installed stack is ${found ?? "none"}, the image was ${expected}: FUS did not install it (nothing was committed); the image is still staged, send the upgrade again`;
    case ResumeFinding.FusVersionDiffers:
      return `FUS runs ${found ?? "no version"}, the image was ${expected}: FUS did not upgrade itself; the image is still staged, send the upgrade again`;
    case ResumeFinding.SafebootVersionDiffers:
      return `Safeboot is ${found ?? "absent"}, the image was ${expected}: it was not installed; send the upgrade again`;
    case ResumeFinding.StackNotStarted:
      return "FUS still runs after START_WS: the stack did not start; check it with `info` and start it again";
    default:
      return "CPU2's device information could not be read, so the outcome is unknown; read it with `info`";
  }
}

export interface PartIdentity {
  sfsa: number;
  sbrv: number;
  c2boot: boolean;
  flashKb: number;
  deviceId: number;
  revisionId: number;
  uid64: bigint;
  sbrvSelectsFus: boolean;
}

export class Operator {
  /**
   * What the last long command (FW_UPGRADE, FW_DELETE, FW_PURGE, START_WS) was sent to do, noted
   * before it went out: the host's own storage, which power loss does not scramble as it does
   * the operator's record in SRAM2a. Session gives it back to the operator after power loss.
   */
  lastSent: SentOperation | null = null;
  private safetyPolicy = true;

  constructor(readonly tier: OperatorCalls) {}

  private check(status: number, doing: string): void {
    if (status !== OperatorStatus.Ok) throw describeStatus(status, doing);
  }

  /**
   * Attaches to a CPU2 the application booted with ST's middleware (its SRAM2a tables and system
   * channel); returns which firmware runs.
   */
  attachCpu2(): Cpu2Mode {
    this.check(this.tier.call("attachCpu2"), "attach to the running CPU2");
    return this.tier.call("cpu2Mode") as Cpu2Mode;
  }

  /** Boots CPU2 and returns which firmware announced itself. */
  bootCpu2(readyTimeoutMs = 0): Cpu2Mode {
    this.check(this.tier.call("bootCpu2", readyTimeoutMs), "boot CPU2");
    return this.tier.call("cpu2Mode") as Cpu2Mode;
  }

  get mode(): Cpu2Mode {
    return this.tier.call("cpu2Mode") as Cpu2Mode;
  }

  setCommandTimeoutMs(ms: number): void {
    this.tier.call("setCommandTimeoutMs", ms);
  }

  fusGetState(): FusStateReading {
    this.check(this.tier.call("fusGetState"), "FUS_GET_STATE");
    const state = this.tier.call("fusLastState");
    const error = this.tier.call("fusLastError");
    return { state, error, stateName: fusStateName(state), errorName: fusErrorName(error) };
  }

  /** Leaves the wireless stack for FUS: ends in a system reset (SystemResetOccurred) when it works. */
  startFus(): void {
    this.check(this.tier.call("startFus"), "start FUS");
  }

  /** A FUS command that FUS answered with a non-zero status names the status and the FUS error. */
  private fusCommand(name: string, status: number): void {
    if (status === OperatorStatus.CommandRejected) {
      // The operator read GET_STATE right after the refusal: FUS names its reason there once.
      const commandStatus = this.tier.call("lastCommandStatus");
      const error = this.mode === Cpu2Mode.Fus ? this.tier.call("fusLastError") : 0;
      const code = error !== 0 ? fusErrorName(error) : "FUS_COMMAND_REJECTED";
      throw new OperatorError(status, code, `${name}: refused by CPU2 (status 0x${commandStatus.toString(16).padStart(2, "0")}${error ? `, ${code}` : ""})`);
    }
    this.check(status, name);
  }

  /**
   * Advice before an install when the running FUS (below V2) loses it to an asynchronous reset
   * (seed §4.4: FUSv2 fixed that weakness); null when FUS is V2 or CPU2 does not run FUS.
   */
  installNotice(): string | null {
    if (this.tier.call("fusInstallResetSafe") !== 0) return null;
    const version = formatVersion(this.tier.call("infoFusVersion"));
    return `FUS ${version} is below V2, which fixed a known weakness against asynchronous resets (seed §4.4): keep the board powered and do not reset it until the operator reports the end of the install; where possible upgrade FUS to V2 first (through V1.2.0)`;
  }

  /** FW_UPGRADE, refused by the operator itself when the image FUS would take is hazardous. */
  fwUpgrade(): void {
    // The image FUS would take, as the operator checks it before sending (with the safety policy
    // off the operator sends unchecked and records no version either).
    const checked = this.safetyPolicy && this.tier.call("fusCheckStagedImage") === OperatorStatus.Ok;
    this.lastSent = {
      operation: PendingOperation.FwUpgrade,
      imageKind: checked ? this.tier.call("imageKind") : 0,
      imageVersion: checked ? this.tier.call("imageVersion") : 0,
    };
    const status = this.tier.call("fusFwUpgrade");
    if (status === OperatorStatus.StagedImageRefused || status === OperatorStatus.NoImageStaged ||
      status === OperatorStatus.StagedImageMisplaced) throw this.stagedImageError(status);
    this.fusCommand("FUS_FW_UPGRADE", status);
  }

  private stagedImageError(status: OperatorStatus): OperatorError {
    const start = this.tier.call("stagedImageStart");
    const end = this.tier.call("stagedImageEnd");
    if (status === OperatorStatus.NoImageStaged) {
      return new OperatorError(status, "NO_IMAGE_STAGED", "no image is staged below the secure boundary: FUS would report IMG_NOT_FOUND; stage one first");
    }
    const where = `the image FUS would take (0x${start.toString(16).padStart(8, "0")}..0x${end.toString(16).padStart(8, "0")})`;
    if (status === OperatorStatus.StagedImageMisplaced) {
      const planned = this.tier.call("stagedImagePlannedAddress");
      return new OperatorError(status, "STAGED_IMAGE_MISPLACED",
        `FW_UPGRADE not sent: ${where} starts above 0x${planned.toString(16).padStart(8, "0")}, the highest address this part can install it from; FUS would refuse it (IMG_NOT_ENOUGH_SPACE). Erase it and stage it there`);
    }
    const imageStatus = this.tier.call("lastImageStatus") as ImageStatus;
    const imageVersion = this.tier.call("imageVersion");
    this.tier.call("readDeviceInfo");
    const context = {
      ...(imageVersion ? { imageVersion: formatVersion(imageVersion) } : {}),
      fusVersion: formatVersion(this.tier.call("infoFusVersion")),
    };
    return new OperatorError(status, imageStatusCode(imageStatus),
      `FW_UPGRADE not sent: ${where}: ${imageStatusMessage(imageStatus, context)}. It stays in flash, where FUS would find it again: erase it before staging another image`);
  }
  private noteSent(operation: PendingOperation): void {
    this.lastSent = { operation, imageKind: 0, imageVersion: 0 };
  }
  fwDelete(): void {
    this.noteSent(PendingOperation.FwDelete);
    this.fusCommand("FUS_FW_DELETE", this.tier.call("fusFwDelete"));
  }
  fwPurge(): void {
    this.noteSent(PendingOperation.FwPurge);
    this.fusCommand("FUS_FW_PURGE", this.tier.call("fusFwPurge"));
  }
  startWirelessStack(): void {
    this.noteSent(PendingOperation.StartWirelessStack);
    this.fusCommand("FUS_START_WS", this.tier.call("fusStartWs"));
  }
  activateAntirollback(): void {
    this.fusCommand("FUS_ACTIVATE_ANTIROLLBACK", this.tier.call("fusActivateAntirollback"));
  }
  /** Turns the operator's own refusals off (simulator boards only, `--force`). */
  setSafetyPolicy(enabled: boolean): void {
    this.safetyPolicy = enabled;
    this.tier.call("setSafetyPolicy", enabled ? 1 : 0);
  }

  /** The module's key buffer holds 64 bytes; what is longer cannot even be handed over. */
  private writeKey(key: Uint8Array, tooLong: OperatorStatus, iv?: Uint8Array): void {
    if (key.length > 64) throw describeStatus(tooLong, `a key of ${key.length} bytes`);
    this.tier.writeLinear(this.tier.call("keyBufferPointer"), key);
    if (iv) this.tier.writeLinear(this.tier.call("ivBufferPointer"), iv);
  }

  updateAuthKey(key: Uint8Array): void {
    this.writeKey(key, OperatorStatus.InvalidAuthKeySize);
    this.fusCommand("FUS_UPDATE_AUTH_KEY", this.tier.call("fusUpdateAuthKey", key.length));
  }
  lockAuthKey(): void {
    this.fusCommand("FUS_LOCK_AUTH_KEY", this.tier.call("fusLockAuthKey"));
  }
  /** Stores a user key; returns the index FUS assigned. `type`: 1 simple, 2 master, 3 encrypted (needs `iv`). */
  storeUserKey(type: number, key: Uint8Array, iv?: Uint8Array): number {
    if (type === 3 && (!iv || iv.length !== 12)) {
      throw new OperatorError(OperatorStatus.InvalidKeyType, "INVALID_KEY_IV", "an encrypted user key needs a 12-byte IV");
    }
    this.writeKey(key, OperatorStatus.InvalidKeySize, iv);
    this.fusCommand("FUS_STORE_USR_KEY", this.tier.call("fusStoreUserKey", type, key.length));
    return this.tier.call("lastStoredKeyIndex");
  }
  loadUserKey(index: number): void {
    this.fusCommand("FUS_LOAD_USR_KEY", this.tier.call("fusLoadUserKey", index));
  }
  lockUserKey(index: number): void {
    this.fusCommand("FUS_LOCK_USR_KEY", this.tier.call("fusLockUserKey", index));
  }
  unloadUserKey(index: number): void {
    this.fusCommand("FUS_UNLOAD_USR_KEY", this.tier.call("fusUnloadUserKey", index));
  }

  /** Polls GET_STATE while FUS is busy; returns the final reading (idle, or the error FUS named). */
  waitWhileBusy(timeoutMs: number, pollMs = 20): FusStateReading {
    const status = this.tier.call("fusWaitWhileBusy", timeoutMs, pollMs);
    const state = this.tier.call("fusLastState");
    const error = this.tier.call("fusLastError");
    const reading = { state, error, stateName: fusStateName(state), errorName: fusErrorName(error) };
    if (status === OperatorStatus.FusReportedError) throw fusRefusal(status, reading);
    this.check(status, "wait for FUS");
    return reading;
  }

  /**
   * Waits for the system reset a command announced while FUS already reads idle. Returns normally
   * only when no reset came within `timeoutMs`; the reset itself arrives as SystemResetOccurred.
   */
  awaitReset(timeoutMs: number, pollMs = 20): void {
    const status = this.tier.call("fusAwaitReset", timeoutMs, pollMs);
    if (status === OperatorStatus.FusReportedError) {
      const error = this.tier.call("fusLastError");
      throw new OperatorError(status, fusErrorName(error), `FUS reported ${fusErrorName(error)} instead of resetting`);
    }
    if (status !== OperatorStatus.ResetDidNotHappen) this.check(status, "wait for the reset");
  }

  /**
   * Where the recorded long operation stands after a CPU1 start (boots CPU2 if needed): done, or
   * still in progress with FUS's phase. A failure FUS names is thrown with that name.
   */
  resume(readyTimeoutMs = 0): { done: boolean; reading: FusStateReading } {
    const status = this.tier.call("fusResume", readyTimeoutMs);
    const state = this.tier.call("fusLastState");
    const error = this.tier.call("fusLastError");
    const reading = { state, error, stateName: fusStateName(state), errorName: fusErrorName(error) };
    if (status === OperatorStatus.FusReportedError) throw fusRefusal(status, reading);
    if (status === OperatorStatus.OperationInProgress) return { done: false, reading };
    if (status === OperatorStatus.OperationNotApplied) {
      const finding = this.tier.call("fusResumeFinding") as ResumeFinding;
      const found = this.tier.call("fusResumeFoundVersion");
      const expected = this.lastSent?.imageVersion ? formatVersion(this.lastSent.imageVersion) : "?";
      const reason = notAppliedReason(finding, expected, found === 0 ? null : formatVersion(found));
      throw new OperatorError(status, statusCode(status), `not applied (${findingCode(finding)}): ${reason}`);
    }
    this.check(status, "resume the operation");
    return { done: true, reading };
  }

  /** Gives the operator back a record power loss took, so that resume verifies the outcome. */
  restoreOperation(sent: SentOperation): void {
    this.tier.call("fusRestoreOperation", sent.operation, sent.imageKind, sent.imageVersion);
  }

  /** Sends any system command with raw parameters; returns the status byte and return parameters. */
  systemCommand(opcode: number, parameters: Uint8Array): { status: number; returnParameters: Uint8Array } {
    this.tier.writeLinear(this.tier.call("commandParametersPointer"), parameters);
    this.check(this.tier.call("systemCommand", opcode, parameters.length), `system command 0x${opcode.toString(16)}`);
    const length = this.tier.call("responseLength");
    const response = this.tier.readLinear(this.tier.call("responsePointer"), length);
    return { status: response[6], returnParameters: response.slice(7) };
  }

  /**
   * Writes `image` into flash at `address` through the operator's flash driver: erases the pages it
   * covers (or up to `eraseEnd`), then programs 512-byte chunks (the tail padded with 0xFF to a
   * double word, so no footer magic is ever duplicated by padding).
   */
  stage(image: Uint8Array, address: number, onProgress?: (written: number) => void, eraseEnd?: number): void {
    // Erasing up to `eraseEnd` (the planner's suggestion) also clears stale image fragments there.
    const eraseBytes = Math.max(image.length, (eraseEnd ?? 0) - address);
    this.flashErase(address, eraseBytes);
    const buffer = this.tier.call("flashBufferPointer");
    const chunkBytes = 512;
    for (let offset = 0; offset < image.length; offset += chunkBytes) {
      const chunk = image.subarray(offset, Math.min(offset + chunkBytes, image.length));
      const padded = new Uint8Array(Math.ceil(chunk.length / 8) * 8).fill(0xff);
      padded.set(chunk);
      this.tier.writeLinear(buffer, padded);
      const status = this.tier.call("flashWrite", address + offset, padded.length);
      if (status === OperatorStatus.FlashOperationFailed) {
        const flags = this.tier.call("flashLastErrorFlags");
        throw new OperatorError(status, "FLASH_OPERATION_FAILED", `programming 0x${(address + offset).toString(16)} failed: FLASH_SR error flags 0x${flags.toString(16)}`);
      }
      this.check(status, `program flash at 0x${(address + offset).toString(16)}`);
      onProgress?.(offset + chunk.length);
    }
  }

  /** Erases the flash pages covering [address, address + bytes) through the operator's flash driver. */
  flashErase(address: number, bytes: number): void {
    this.check(this.tier.call("flashErase", address, bytes), `erase flash at 0x${address.toString(16)}`);
  }

  /**
   * Streams `image` through the device's staging API (stageBegin / stageWrite / stageEnd, also
   * while the wireless stack runs), in chunks of the given sizes (repeated; default the whole input
   * buffer). The operator picks the address; returns it. A refused image throws with the
   * ImageStatus that names why.
   */
  stageStream(image: Uint8Array, chunkSizes: number[] = []): number {
    const refusal = (status: number, doing: string): OperatorError => {
      const imageStatus = this.tier.call("stageImageStatus") as ImageStatus;
      if (status !== OperatorStatus.StagedImageRefused) return describeStatus(status, doing);
      return new OperatorError(status, imageStatusCode(imageStatus), `${doing}: ${imageStatusMessage(imageStatus, {})}`);
    };
    let status = this.tier.call("stageBegin", image.length);
    if (status !== OperatorStatus.Ok) throw refusal(status, "begin staging");
    const input = this.tier.call("stageInputPointer");
    const capacity = this.tier.call("stageInputCapacity");
    const sizes = chunkSizes.length > 0 ? chunkSizes : [capacity];
    for (let offset = 0, index = 0; offset < image.length; index++) {
      const length = Math.min(sizes[index % sizes.length], capacity, image.length - offset);
      this.tier.writeLinear(input, image.subarray(offset, offset + length));
      status = this.tier.call("stageWrite", length);
      if (status !== OperatorStatus.Ok) throw refusal(status, `stage bytes ${offset}..${offset + length}`);
      offset += length;
    }
    status = this.tier.call("stageEnd");
    if (status !== OperatorStatus.Ok) throw refusal(status, "end staging");
    return this.tier.call("stageAddress");
  }

  identify(): PartIdentity {
    this.tier.call("identify");
    return {
      sfsa: this.tier.call("idSfsa"),
      sbrv: this.tier.call("idSbrv"),
      c2boot: this.tier.call("idC2boot") === 1,
      flashKb: this.tier.call("idFlashKb"),
      deviceId: this.tier.call("idDeviceId"),
      revisionId: this.tier.call("idRevisionId"),
      uid64: (BigInt(this.tier.call("idUid64High")) << 32n) | BigInt(this.tier.call("idUid64Low")),
      sbrvSelectsFus: this.tier.call("idSbrvSelectsFus") === 1,
    };
  }

  diagnose(): { diagnosis: Diagnosis; code: string; advice: string } {
    const diagnosis = this.tier.call("diagnose") as Diagnosis;
    return { diagnosis, code: diagnosisCode(diagnosis), advice: diagnosisAdvice[diagnosis] };
  }

  deviceInformation(): DeviceInformation {
    this.check(this.tier.call("readDeviceInfo"), "read the device-information table");
    const layout = this.tier.call("infoLayout") === DeviceInfoLayout.Fus ? "fus" : "stack";
    const stackVersion = this.tier.call("infoStackVersion");
    return {
      layout,
      safebootVersion: formatVersion(this.tier.call("infoSafebootVersion")),
      fusVersion: formatVersion(this.tier.call("infoFusVersion")),
      stackVersion: stackVersion === 0 ? null : formatVersion(stackVersion),
      stackSectors: this.tier.call("infoStackMemorySize") & 0xff,
      stackType: this.tier.call("infoStackType"),
      uid64: layout === "fus" ? (BigInt(this.tier.call("infoUid64High")) << 32n) | BigInt(this.tier.call("infoUid64Low")) : null,
      deviceId: layout === "fus" ? this.tier.call("infoDeviceId") : null,
    };
  }
}
