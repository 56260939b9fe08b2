// Stable names and human messages for every ImageStatus the image code returns: what went wrong and
// the way out. The table is keyed by the shared enum, so a new code without a message fails to compile.
import { ImageStatus } from "../../assembly/shared/image-codes.js";

/** What a message may mention about the case at hand. */
export interface MessageContext {
  /** The file the refusal is about. */
  file?: string;
  missingBytes?: number;
  fusVersion?: string;
  imageVersion?: string;
  antirollbackReference?: string;
  staleAddress?: string;
  device?: string;
  /** No application end was given: the planner kept flash up to here for CPU1's boot code. */
  bootReserveEnd?: string;
}

interface Entry {
  code: string;
  message: (c: MessageContext) => string;
}

const the = (c: MessageContext, fallback = "the image") => (c.file ? `'${c.file}'` : fallback);

const entries: { [S in ImageStatus]: Entry } = {
  [ImageStatus.Ok]: { code: "OK", message: () => "ok" },
  [ImageStatus.TailLengthInvalid]: {
    code: "TAIL_LENGTH_INVALID",
    message: () => "the host passed an empty or oversized tail to the decoder; pass the file's last bytes (at most the tail buffer's size)",
  },
  [ImageStatus.FileTooShort]: {
    code: "IMAGE_TOO_SHORT",
    message: (c) => `${the(c)} is shorter than an image footer plus ST's signature block (104 bytes): it is not a coprocessor image; use the .bin from STM32CubeWB's STM32WB_Copro_Wireless_Binaries`,
  },
  [ImageStatus.SizeNotWordMultiple]: {
    code: "IMAGE_SIZE_NOT_WORD_MULTIPLE",
    message: (c) => `${the(c)} is not a whole number of 32-bit words, which FUS refuses: the file is truncated or padded; download it again`,
  },
  [ImageStatus.NoSignatureFooter]: {
    code: "IMAGE_NOT_SIGNED",
    message: (c) => `${the(c)} does not end with an ST or customer signature footer: it is not a signed coprocessor image, or it was cut short; use the original .bin`,
  },
  [ImageStatus.SignatureFooterInvalid]: {
    code: "SIGNATURE_FOOTER_INVALID",
    message: (c) => `the signature footer of ${the(c)} does not have the layout of ST's files (reserved words, 64-byte signature): the file is damaged; download it again`,
  },
  [ImageStatus.SignatureOrderInvalid]: {
    code: "SIGNATURE_ORDER_INVALID",
    message: (c) => `${the(c)} carries signature blocks in an order real images never have (ST's first, then at most one customer signature): re-sign the original ST file once`,
  },
  [ImageStatus.TailTooShort]: {
    code: "TAIL_TOO_SHORT",
    message: () => "the tail passed to the decoder ends before the image footer; pass more of the file's last bytes",
  },
  [ImageStatus.ImageMagicUnknown]: {
    code: "IMAGE_MAGIC_UNKNOWN",
    message: (c) => `${the(c)} has no FUS, wireless-stack or Safeboot footer magic: it is not a coprocessor image; check you picked the right file`,
  },
  [ImageStatus.ImageKindNotInstallable]: {
    code: "IMAGE_KIND_NOT_INSTALLABLE",
    message: (c) => `${the(c)} carries the "other" image magic 0x42769811, which FUS does not install; use a FUS, stack or Safeboot binary`,
  },
  [ImageStatus.ImageFooterInconsistent]: {
    code: "IMAGE_FOOTER_INCONSISTENT",
    message: (c) => `the footer of ${the(c)} contradicts itself (info words or format marker do not match its magic): the file is damaged or not from ST; download it again`,
  },
  [ImageStatus.SectorCountMismatch]: {
    code: "IMAGE_SIZE_MISMATCH",
    message: (c) => `the sector count in the footer of ${the(c)} does not match the file size for 4 KB or 2 KB sectors: the file is truncated or padded; download it again`,
  },
  [ImageStatus.VersionInvalid]: {
    code: "IMAGE_VERSION_INVALID",
    message: (c) => `${the(c)} has an empty or blank version word (only FUS V1.2.0 files may say 0xFFFFFFFF): the file is damaged; download it again`,
  },
  [ImageStatus.ImageSlotInvalid]: {
    code: "IMAGE_NOT_DECODED",
    message: () => "an image was handed to the planner before it decoded successfully; decode it first",
  },
  [ImageStatus.DeviceUnknown]: {
    code: "DEVICE_UNKNOWN",
    message: (c) => `${c.device ?? "this family and flash size"} is not an STM32WB part: use WB5x with 1024/640/512/256 KB, WB3x with 512/256 KB or WB1x with 320 KB`,
  },
  [ImageStatus.FusVersionMissing]: {
    code: "FUS_VERSION_MISSING",
    message: () => "the running FUS version is needed to plan (read it with `fusop info`, or at 0x20030030 while FUS runs)",
  },
  [ImageStatus.TooManyImages]: {
    code: "TOO_MANY_IMAGES",
    message: () => "more images than one plan takes (8): pass only the FUS, Safeboot and stack binaries you want installed",
  },
  [ImageStatus.ConflictingImages]: {
    code: "CONFLICTING_IMAGES",
    message: (c) => `${the(c)} is a second stack or a second Safeboot in the same plan: pass only the one you want installed`,
  },
  [ImageStatus.ImageFamilyMismatch]: {
    code: "IMAGE_FAMILY_MISMATCH",
    message: (c) => `${the(c, "the installed stack's file")} was built for the other sector size (WB1x images use 2 KB sectors, WB5x/WB3x 4 KB): take the binary from the folder of your family (STM32WB5x, STM32WB3x or STM32WB1x)`,
  },
  [ImageStatus.FusDowngrade]: {
    code: "FUS_DOWNGRADE",
    message: (c) => `${the(c)} holds FUS V${c.imageVersion ?? "?"}, older than ${c.fusVersion ? `the running V${c.fusVersion}` : "the FUS the part runs"}: FUS never downgrades and leaves the refused image in flash, where it breaks later installs; do not stage it (the running FUS is already newer)`,
  },
  [ImageStatus.FusV101LocksPart]: {
    code: "FUS_V101_LOCKS_PART",
    message: (c) => `${the(c)} is FUS V1.0.1, made for 1 MB STM32WB5xG parts only: on ${c.device ?? "this part"} it locks the device for good; install the FUS V1.2.0 binary for your starting version instead`,
  },
  [ImageStatus.FusNeedsV120First]: {
    code: "FUS_NEEDS_V1_2_0_FIRST",
    message: (c) => `FUS V${c.fusVersion ?? "1.x"} cannot go to V${c.imageVersion ?? "2.x"} directly: add *_FUS_fw_1_2_0.bin to the plan so it installs V1.2.0 first`,
  },
  [ImageStatus.FusNeeds053Binary]: {
    code: "FUS_NEEDS_0_5_3_BINARY",
    message: () => "the part runs FUS V0.5.3, which only accepts *_FUS_fw_for_fus_0_5_3.bin (V1.2.0 for V0.5.3 parts): add that file to the plan (the planner recognises it by that name)",
  },
  [ImageStatus.FusWrongV120Binary]: {
    code: "FUS_WRONG_V1_2_0_BINARY",
    message: (c) => `${the(c)} is the V1.2.0 binary for parts still on FUS V0.5.3, but this part runs V${c.fusVersion ?? "1.x"}: use *_FUS_fw_1_2_0.bin`,
  },
  [ImageStatus.FusPathUnsupported]: {
    code: "FUS_PATH_UNSUPPORTED",
    message: (c) => `${the(c)} is FUS V${c.imageVersion ?? "?"}, an intermediate version ST no longer routes through: go to V1.2.0 (then V2.x) with the current release's FUS binaries`,
  },
  [ImageStatus.StackNeedsFusV2]: {
    code: "STACK_NEEDS_FUS_V2",
    message: (c) => `${the(c)} is a new-format ("FUS_v2 only") stack and FUS V${c.fusVersion ?? "?"} cannot install it: add the FUS upgrade chain (V1.2.0, then the latest *_FUS_fw.bin) to the plan, or use a legacy-format stack`,
  },
  [ImageStatus.SafebootNeedsFusV2]: {
    code: "SAFEBOOT_NEEDS_FUS_V2",
    message: (c) => `${the(c)} is Safeboot V2.0.1, for FUS V2 only, and the part would run V${c.fusVersion ?? "?"}: upgrade FUS to V2 first (add the FUS binaries to the plan)`,
  },
  [ImageStatus.SafebootNeedsNoStack]: {
    code: "SAFEBOOT_NEEDS_NO_STACK",
    message: (c) => `${the(c)} (Safeboot V2.0.1) installs only with no wireless stack present: delete the stack first (fusop delete), install Safeboot, then the stack again`,
  },
  [ImageStatus.StackBelowAntirollback]: {
    code: "STACK_BELOW_ANTIROLLBACK",
    message: (c) => `${the(c)} holds stack V${c.imageVersion ?? "?"}, older than the anti-rollback reference V${c.antirollbackReference ?? "?"}: FUS refuses it; use a stack at least as new as the reference`,
  },
  [ImageStatus.StackBlockedByAntirollback]: {
    code: "STACK_BLOCKED_BY_ANTIROLLBACK",
    message: () => "anti-rollback was activated with no stack installed, so its reference is 0xFFFFFFFF and FUS refuses every stack; ST documents no recovery for this part",
  },
  [ImageStatus.AntirollbackWithoutStack]: {
    code: "ANTIROLLBACK_WITHOUT_STACK",
    message: () => "activating anti-rollback with no stack installed would block every future stack install for good: install the stack first, then activate anti-rollback",
  },
  [ImageStatus.AntirollbackNeedsFusV120]: {
    code: "ANTIROLLBACK_NEEDS_FUS_V1_2_0",
    message: (c) => `anti-rollback must only be activated on FUS V1.2.0 or later (the part would run V${c.fusVersion ?? "?"}): upgrade FUS first`,
  },
  [ImageStatus.StackGrowsOnOldFus]: {
    code: "STACK_GROWS_ON_OLD_FUS",
    message: (c) => `${the(c)} is larger than the installed stack, and FUS V${c.fusVersion ?? "?"} (below V1.2.0) bricks the part in that case: upgrade FUS to V1.2.0 first, or delete the installed stack before installing`,
  },
  [ImageStatus.ImageDoesNotFit]: {
    code: "IMAGE_DOES_NOT_FIT",
    message: (c) =>
      `${the(c)} does not fit between the end of the application and the secure boundary: ${c.missingBytes ?? "?"} bytes (${Math.ceil((c.missingBytes ?? 0) / 1024)} KB) are missing; shrink or move the application, delete the installed stack first, or pick a smaller stack${c.bootReserveEnd ? ` (no application end was given, so flash below ${c.bootReserveEnd} is kept for CPU1's boot code; pass --app-end if the application is smaller)` : ""}`,
  },
  [ImageStatus.StaleImageInStaging]: {
    code: "STALE_IMAGE_IN_FLASH",
    message: (c) => `free flash holds a stale image footer${c.staleAddress ? ` at ${c.staleAddress}` : ""} that FUS could pick up instead of the new image: erase the free flash between the application and the secure boundary first`,
  },
  [ImageStatus.PlanInputInconsistent]: {
    code: "PLAN_INPUT_INCONSISTENT",
    message: () => "SFSA, installed stack and flash size contradict each other (or anti-rollback is active with no reference and no stack): check --sfsa, --stack and --antirollback-reference against the part",
  },
  [ImageStatus.InstalledImageNotStack]: {
    code: "INSTALLED_IMAGE_NOT_STACK",
    message: (c) => `${the(c)} was given as the installed stack but is not a wireless-stack image: pass the stack's .bin, or --stack none`,
  },
  [ImageStatus.AppEndOutsideFlash]: {
    code: "APP_END_OUTSIDE_FLASH",
    message: (c) => `the application end lies outside ${c.device ?? "the part"}'s flash: give --app-end as the first address after the application, between the flash base 0x08000000 and the end of flash`,
  },
  [ImageStatus.FusAlreadyInstalled]: {
    code: "FUS_ALREADY_INSTALLED",
    message: (c) => `${the(c)} holds the FUS version the part already runs; not installed`,
  },
  [ImageStatus.FusSuperseded]: {
    code: "FUS_SUPERSEDED",
    message: (c) => `${the(c)} is not needed on the way to the newest FUS in the plan; not installed`,
  },
};

export function imageStatusCode(status: ImageStatus): string {
  return entries[status]?.code ?? `IMAGE_STATUS_${status}`;
}

export function imageStatusMessage(status: ImageStatus, context: MessageContext = {}): string {
  const entry = entries[status];
  return entry ? entry.message(context) : `image code returned unknown status ${status}`;
}

/** Every code, for documentation and for the test that names them all. */
export function allImageStatusCodes(): string[] {
  return Object.values(entries).map((entry) => entry.code);
}
