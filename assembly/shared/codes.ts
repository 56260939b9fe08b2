// Numeric codes shared verbatim by the AssemblyScript operator and the TypeScript host side: this
// file is valid in both languages, so the names the CLI prints and the values the device returns
// come from one definition.

/** What every exported operator function returns. 0 is success; the rest are named failures. */
export enum OperatorStatus {
  Ok = 0,
  /** CPU2 did not post its READY event on the system channel in time (cpu2-interface §4.1 step 9). */
  ReadyTimeout = 1,
  /** A system command was posted but CPU2 never freed the channel (§4.2). */
  CommandTimeout = 2,
  /** The previous system command still occupies channel 2 (§4.2 step 1). */
  ChannelBusy = 3,
  /** FLASH_IPCCBR.IPCCDBA is not 0; its unit is disputed (§1.7), so only 0 is supported. */
  MailboxOffsetUnsupported = 4,
  /** C2BOOT was already set: CPU2 runs with tables the operator did not build (§1.4). */
  Cpu2AlreadyBooted = 5,
  /** The response in the command buffer is not a command-complete for the opcode sent (§3.13). */
  ResponseMalformed = 6,
  /** The READY event carried a payload the operator does not know (§3.14). */
  ReadyPayloadUnknown = 7,
  /** The operation needs CPU2 booted by this operator first. */
  Cpu2NotBooted = 8,
  /** A FUS command was asked for while the wireless stack runs; a second GET_STATE would reset the part (§5.5). */
  StackRunning = 9,
  /** The system event queue holds a node outside SRAM2a or more events than CPU2 has buffers (§3.9, §3.12). */
  EventMalformed = 11,
  /** The buffer-release channel 4 stayed busy (§4.3 step 5). */
  ReleaseTimeout = 12,
  /** The device-information table holds neither layout (§3.2, §3.3). */
  DeviceInfoUnreadable = 13,
  /** Parameters longer than a system command can carry (255 bytes, §3.11). */
  ParametersTooLong = 14,
  /** CPU2 was expected to reset the part (into FUS, into the stack) and did not (§4.4, §5.5). */
  ResetDidNotHappen = 15,
  /** FUS answered a command with a non-zero status; see lastCommandStatus and the FUS error (§5.2, §5.4). */
  CommandRejected = 16,
  /** GET_STATE reported FUS_STATE_ERROR; the error byte names the cause (§5.4). */
  FusReportedError = 17,
  /** FUS stayed busy (states 0x10-0x3F) longer than the caller allowed (fus-behaviour §1.8). */
  FusBusyTimeout = 18,
  /** User-key type other than simple (1), master (2) or encrypted (3) (§5.6). */
  InvalidKeyType = 19,
  /** User keys are 16 or 32 bytes; the 64-byte size does not fit the command's 44-byte key area (§5.6). */
  InvalidKeySize = 20,
  /** Authentication keys are 1..64 bytes (§5.2 UPDATE_AUTH_KEY). */
  InvalidAuthKeySize = 21,
  /** START_WS with no stack installed would leave CPU2 without firmware (fus-behaviour §1.11). */
  NoStackInstalled = 22,
  /** Anti-rollback with no stack installed locks every later stack install forever (fus-behaviour §1.12). */
  AntirollbackWithoutStack = 23,
  /** The command needs FUS running on CPU2 (after a start-fus). */
  FusNotRunning = 24,
  /** The FLASH controller stayed busy (SR.BSY/CFGBSY/PESD) too long (cpu2-interface §1.7, §4.5). */
  FlashBusyTimeout = 25,
  /** The FLASH controller flagged a programming or erase error; see flashLastErrorFlags (§1.7 SR). */
  FlashOperationFailed = 26,
  /** Flash range empty, not double-word aligned, not a multiple of 8, or longer than the write buffer. */
  FlashRangeInvalid = 27,
  /** No longer returned: the flash driver follows §4.5 with a running stack. Kept so the numbers stay stable. */
  FlashBusyWithStack = 28,
  /** The image FUS would take is one this part must not get; lastImageStatus names why (image-codes.ts). */
  StagedImageRefused = 29,
  /** No signature footer below the secure boundary: FUS would report IMG_NOT_FOUND. */
  NoImageStaged = 30,
  /** FUS is still working on the recorded operation: wait while it is busy, then resume again. */
  OperationInProgress = 31,
  /** Anti-rollback needs FUS V1.2.0 or later (fus-behaviour §1.12, release-notes known limitation). */
  AntirollbackNeedsFus120 = 32,
  /** The device information after the resets shows the recorded operation did not take effect; fusResumeFinding says why. */
  OperationNotApplied = 33,
  /** The image FUS would take is staged above where this part can install it (plannedAddress says where). */
  StagedImageMisplaced = 34,
  /**
   * The SRAM2a CPU1 may use (the running or staged stack's share, cpu2-interface §1.7 SRRVR,
   * fus-behaviour §4.3) ends below the operator's shared tables (mailbox/layout.ts).
   */
  SharedSramTooSmall = 35,
  /** Flash range outside [firmware end, SFSA): the firmware's own pages (always the first sector), CPU2's secure area, beyond the flash, or a length that wraps. */
  FlashRangeProtected = 36,
  /** stageWrite or stageEnd without a successful stageBegin (or after a failed write). */
  StageNotStarted = 37,
  /** More bytes than stageBegin announced, or a chunk larger than the stage input buffer. */
  StageOverflow = 38,
  /** stageEnd before all the bytes stageBegin announced were written. */
  StageIncomplete = 39,
  /** C2BOOT is set but the reference table does not lead to a system table and queues in SRAM2a (§3.1, §3.5, §3.6). */
  SharedTablesInvalid = 40,
  /** fusop_init without a core clock or a time hook, or with a journal address that is not 16 aligned bytes of SRAM2a (C API). */
  InvalidConfig = 41,
}

/**
 * Longest waits a caller may ask for, in milliseconds: a larger timeout is clamped to these (so no
 * wait is unbounded and none overflows its microsecond count).
 */
export enum WaitLimitMs {
  /** bootCpu2, fusResume: READY follows C2BOOT within milliseconds (cpu2-interface §4.1); 10 s. */
  Ready = 10000,
  /** setCommandTimeoutMs: a system command is answered well within the 6 s default; 10 s. */
  Command = 10000,
  /** fusWaitWhileBusy, fusAwaitReset: the longest FUS install takes seconds (fus-behaviour §7); 10 min. */
  Operation = 600000,
  /** The polling interval of fusWaitWhileBusy and fusAwaitReset; 1 s. */
  Poll = 1000,
}

/** A long FUS operation the operator recorded before its resets (fus/journal.ts). */
export enum PendingOperation {
  None = 0,
  FwUpgrade = 1,
  FwDelete = 2,
  FwPurge = 3,
  StartWirelessStack = 4,
}

/**
 * Why fusResume found a recorded operation not applied (OperationNotApplied): what the device
 * information (cpu2-interface §3.3, §3.4) shows against what the operation was to achieve.
 */
export enum ResumeFinding {
  None = 0,
  /** FW_DELETE / FW_PURGE: a wireless stack is still registered (it may be partly erased: do not start it). */
  StackStillInstalled = 1,
  /** FW_UPGRADE of a stack: the installed stack's version (or none) is not the image's. */
  StackVersionDiffers = 2,
  /** FW_UPGRADE of FUS: FUS runs another version than the image's. */
  FusVersionDiffers = 3,
  /** FW_UPGRADE of Safeboot: the Safeboot version is not the image's. */
  SafebootVersionDiffers = 4,
  /** START_WS: FUS still runs after the reset; the stack did not start. */
  StackNotStarted = 5,
  /** CPU2's device-information table could not be read, so nothing could be verified. */
  DeviceInfoUnreadable = 6,
}

/** What the recovery diagnosis found (seed FAQ; fus-behaviour §1.1, §1.6). */
export enum Diagnosis {
  Healthy = 0,
  /** SFSA = 0 and SBRV = 0x3FC00: option bytes corrupted, hardware boots Safeboot. */
  SafebootForced = 1,
  /** PWR_CR4.C2BOOT is clear: CPU2 was never started. */
  Cpu2NotEnabled = 2,
  /** FUS reports version 0.0.0.0: FUS is absent or corrupted. */
  FusVersionZero = 3,
  /** SBRV points neither at FUS nor inside the secure area: boot vector and secure boundary disagree. */
  SbrvSfsaMisaligned = 4,
  /** SFSA is not a sector boundary FUS could have set, or lies beyond the flash. */
  SfsaOutOfRange = 5,
}

/** Which firmware runs on CPU2, as the READY event says (cpu2-interface §3.14). */
export enum Cpu2Mode {
  Unknown = 0,
  Fus = 1,
  WirelessStack = 2,
  NvmBackup = 3,
  NvmRestore = 4,
}

/** Layout found in the device-information table (cpu2-interface §3.2, §3.3). */
export enum DeviceInfoLayout {
  None = 0,
  Fus = 1,
  WirelessStack = 2,
}

/** FUS_GET_STATE state byte (cpu2-interface §5.3). Ranges: see fusStateName on the host side. */
export enum FusState {
  Idle = 0x00,
  FwUpgradeOngoing = 0x10,
  FusUpgradeOngoing = 0x20,
  ServiceOngoing = 0x30,
  Error = 0xff,
}

/** FUS_GET_STATE error byte (cpu2-interface §5.4). */
export enum FusError {
  NoError = 0x00,
  ImgNotFound = 0x01,
  ImgCorrupt = 0x02,
  ImgNotAuthentic = 0x03,
  ImgNotEnoughSpace = 0x04,
  ImageUsrAbort = 0x05,
  ImageErsError = 0x06,
  ImageWrtError = 0x07,
  AuthTagStNotFound = 0x08,
  AuthTagCustNotFound = 0x09,
  AuthKeyLocked = 0x0a,
  FwRollbackError = 0x11,
  StateNotRunning = 0xfe,
  ErrUnknown = 0xff,
}

/** System status byte of a command response (cpu2-interface §6.4). */
export enum ShciStatus {
  Success = 0x00,
  UnknownCmd = 0x01,
  MemoryCapacityExceeded = 0x07,
  UnsupportedFeature = 0x11,
  InvalidHciCmdParams = 0x12,
  InvalidParams = 0x42,
  InvalidParamsV2 = 0x92,
  FusCmdNotSupported = 0xff,
}
