// Codes of the coprocessor-image part of the operator (assembly/image), shared verbatim by the
// AssemblyScript module and the TypeScript host: valid in both languages, numeric literals only.

/** What a decoded coprocessor image is (fus-behaviour §4.4). */
export enum ImageKind {
  None = 0,
  Fus = 1,
  Stack = 2,
  Safeboot = 3,
}

/** Container format of a wireless stack (fus-behaviour §2 "telling formats apart"). */
export enum StackFormat {
  None = 0,
  /** Magic 0x23372991, BLE NVM interleaved in the stack; any FUS can install it. */
  Legacy = 1,
  /** Magic 0xB10C8B99, declares a 16 KB NVM section below the FUS; FUS V2 only. */
  New = 2,
}

/** Flash sector size an image was cut for, which is all a footer tells about its family (§4.3). */
export enum SectorClass {
  Unknown = 0,
  /** 4 KB sectors: STM32WB5x and STM32WB3x (their images are byte-identical). */
  Sector4K = 1,
  /** 2 KB sectors: STM32WB1x. */
  Sector2K = 2,
}

/** A signature block at the end of an image (fus-behaviour §4.2). */
export enum SignatureKind {
  None = 0,
  /** Footer magic 0xD3A12C5E: ST's signature, in every file. */
  St = 1,
  /** Footer magic 0xE2B51D4A: the customer's second signature, appended after ST's. */
  Customer = 2,
}

/** Device family the planner is asked about. */
export enum Family {
  None = 0,
  Wb5x = 1,
  Wb3x = 2,
  Wb1x = 3,
}

/** Which of the two published V1.2.0 FUS binaries a file is; their footers are identical (§3.1). */
export enum FusBinaryVariant {
  /** Not told (the footer cannot tell): accepted only where the choice does not matter. */
  Unknown = 0,
  /** `*_FUS_fw_for_fus_0_5_3.bin`: the only way off FUS V0.5.3. */
  ForFus053 = 1,
  /** `*_FUS_fw_1_2_0.bin` (`*_FUS_fw.bin` up to CubeWB V1.22.0): for parts on FUS V1.x.y. */
  ForFus1x = 2,
}

/** Anti-rollback situation of the part, or the request to activate it after the plan (§1.12). */
export enum AntirollbackMode {
  Inactive = 0,
  /** Active; the reference version is the stack installed when it was activated. */
  Active = 1,
  /** Not active yet; the user asks to activate it once the plan has run. */
  ActivateAfterPlan = 2,
}

/** One step of an upgrade plan. */
export enum PlanAction {
  InstallFus = 1,
  InstallSafeboot = 2,
  InstallStack = 3,
  ActivateAntirollback = 4,
}

/**
 * Result of decoding, planning and scanning. 0 is success; every other value is one named
 * refusal (decoding 1-31, planning and policy 32-63) or, for 64 and up, why an image passed to
 * the planner is not used (not a failure).
 */
export enum ImageStatus {
  Ok = 0,
  // --- footer decoding (fus-behaviour §4) ---
  /** The host passed a tail length of 0, above the buffer size, or above the file size. */
  TailLengthInvalid = 1,
  /** The file is smaller than one image footer plus one signature block (104 bytes). */
  FileTooShort = 2,
  /** FUS refuses images whose size is not a multiple of 4 bytes (§1.5). */
  SizeNotWordMultiple = 3,
  /** The last word is neither the ST nor the customer signature magic: not a signed image. */
  NoSignatureFooter = 4,
  /** A signature footer's reserved words or signature length are not those of every real file. */
  SignatureFooterInvalid = 5,
  /** Signature blocks in an order real files never have (customer block first, or repeated). */
  SignatureOrderInvalid = 6,
  /** The tail the host passed ends before the image footer. */
  TailTooShort = 7,
  /** The image-footer magic is none of FUS, stack, new-format stack, Safeboot. */
  ImageMagicUnknown = 8,
  /** Magic 0x42769811 ("other" image): no FUS-installable file carries it. */
  ImageKindNotInstallable = 9,
  /** Info words or format marker contradict the magic (damaged or forged footer). */
  ImageFooterInconsistent = 10,
  /** The footer's sector count fits the file size for neither 4 KB nor 2 KB sectors. */
  SectorCountMismatch = 11,
  /** The version word is 0, or 0xFFFFFFFF on anything but a FUS V1.2.0 image. */
  VersionInvalid = 12,
  /** A getter or plan input named an image slot that does not exist. */
  ImageSlotInvalid = 13,

  // --- planning and upgrade-path policy (fus-behaviour §1.5, §1.6, §3, §6; seed §3, FAQ) ---
  /** Family and flash size do not name a real part (WB5x 1M/640K/512K/256K, WB3x 512K/256K, WB1x 320K). */
  DeviceUnknown = 32,
  /** The current FUS version was not given. */
  FusVersionMissing = 33,
  /** More images than the planner has slots for. */
  TooManyImages = 34,
  /** Two stacks or two Safeboot images in one plan: which one is meant is unclear. */
  ConflictingImages = 35,
  /** The image was cut for the other sector size (WB1x vs WB5x/WB3x). */
  ImageFamilyMismatch = 36,
  /** The FUS image is older than the running FUS: FUS never downgrades (FAQ). */
  FusDowngrade = 37,
  /** FUS V1.0.1 on a part that is not a 1 MB STM32WB5xG locks it for good (seed §3.2). */
  FusV101LocksPart = 38,
  /** The running FUS is V1.x below V1.2.0: it must go through `*_FUS_fw_1_2_0.bin` first. */
  FusNeedsV120First = 39,
  /** The running FUS is V0.5.3: only `*_FUS_fw_for_fus_0_5_3.bin` moves it on. */
  FusNeeds053Binary = 40,
  /** The V1.2.0 binary given is the one for the other starting version. */
  FusWrongV120Binary = 41,
  /** FUS image older than V1.2.0 (not V1.0.1): not on the published path (seed §3.3). */
  FusPathUnsupported = 42,
  /** New-format stack on a FUS below V2.0.0 ("FUS_v2 only"). */
  StackNeedsFusV2 = 43,
  /** Safeboot V2.0.1 on a FUS below V2.0.0 ("FUSv2 only"). */
  SafebootNeedsFusV2 = 44,
  /** Safeboot V2.0.1 is installed with no stack present (seed §4.7.4). */
  SafebootNeedsNoStack = 45,
  /** Anti-rollback is active and the stack is older than the reference stack. */
  StackBelowAntirollback = 46,
  /** Anti-rollback was activated with no stack: the reference is 0xFFFFFFFF, no stack can ever install. */
  StackBlockedByAntirollback = 47,
  /** Activating anti-rollback with no stack installed would block every stack forever (FAQ). */
  AntirollbackWithoutStack = 48,
  /** Anti-rollback is to be activated only on FUS V1.2.0 or later (release-notes known limitations). */
  AntirollbackNeedsFusV120 = 49,
  /** FUS below V1.2.0 bricks the part when a larger stack replaces an installed one (FAQ). */
  StackGrowsOnOldFus = 50,
  /** The image does not fit between the end of the user application and the secure boundary. */
  ImageDoesNotFit = 51,
  /** Footer magics found in free flash: FUS may pick the stale image up (§1.4, FAQ). */
  StaleImageInStaging = 52,
  /** SFSA, installed stack, flash size or anti-rollback inputs contradict each other or are missing. */
  PlanInputInconsistent = 53,
  /** The file named as the installed stack is not a wireless-stack image. */
  InstalledImageNotStack = 54,
  /** The application end given lies below the flash base or beyond the part's flash. */
  AppEndOutsideFlash = 55,

  // --- why an image given to the planner is not used (not failures) ---
  /** The FUS image has the version the part already runs. */
  FusAlreadyInstalled = 64,
  /** A newer FUS image in the same plan makes this one unnecessary. */
  FusSuperseded = 65,
}
