// Upgrade planner: from what the part runs and the images offered, the ordered steps (FUS chain,
// Safeboot, stack, anti-rollback) with the address to stage each image at, or the one hazard that
// forbids the plan. Sources: fus-behaviour §1.5, §1.6, §2, §3, §5, §6 and the seed's §3 and FAQ.
import {
  AntirollbackMode,
  Family,
  FusBinaryVariant,
  ImageKind,
  ImageStatus,
  PlanAction,
  SectorClass,
  StackFormat,
} from "../shared/image-codes";
import { CPU1_BOOT_RESERVE_BYTES, NVM_SECTION_BYTES, alignUp, flashBase, isKnownPart, referenceTop, sectorBytes } from "./geometry";
import {
  ANTIROLLBACK_NO_STACK_REFERENCE,
  FUS_V100,
  FUS_V101,
  FUS_V112,
  FUS_V120,
  FUS_V200,
  versionKey,
} from "./version";
import * as slots from "./slots";
import * as footer from "./footer";

// ---- inputs (kept across compute() calls until reset()) ----
let family: Family = Family.None;
let flashKb: u32 = 0;
let fusVersionInput: u32 = 0;
let sfsaInput: u32 = 0;
let installedSectorsInput: u32 = 0;
let installedFormatInput: StackFormat = StackFormat.None;
let installedVersionInput: u32 = 0;
let installedClassInput: SectorClass = SectorClass.Unknown;
let nvmSectionInput: bool = false;
let appEndInput: u32 = 0;
let antirollbackMode: AntirollbackMode = AntirollbackMode.Inactive;
let antirollbackReference: u32 = 0;

// ---- the part as the plan goes along ----
let sector: u32 = 0;
let top: u32 = 0;
let lowest: u32 = 0;
let fusKey: u32 = 0;
let stackSectors: u32 = 0;
let stackStart: u32 = 0;
/** Secure boundary while no stack is installed (SFSA, or 16 KB lower when the NVM section is kept). */
let emptyBoundary: u32 = 0;
let antirollbackReferenceInUse: u32 = 0;

// ---- outputs ----
const MAX_STEPS: u32 = 6;
const STEP_BYTES: u32 = 12;
const STEP_ACTION: u32 = 0;
const STEP_SLOT: u32 = 1;
const STEP_ADDRESS: u32 = 4;
const STEP_ERASE_END: u32 = 8;
const steps: usize = memory.data(<i32>(MAX_STEPS * STEP_BYTES));
let stepCount: u32 = 0;
let missingBytes: u32 = 0;
let failedSlot: u32 = slots.NO_SLOT;
let freeStart: u32 = 0;
let freeEnd: u32 = 0;
let finalFusVersion: u32 = 0;
/** No application end was given: the plan kept CPU1_BOOT_RESERVE_BYTES for CPU1's boot code. */
let bootReserveAssumed: bool = false;

export function reset(): void {
  family = Family.None;
  flashKb = 0;
  fusVersionInput = 0;
  sfsaInput = 0;
  installedSectorsInput = 0;
  installedFormatInput = StackFormat.None;
  installedVersionInput = 0;
  installedClassInput = SectorClass.Unknown;
  nvmSectionInput = false;
  appEndInput = 0;
  antirollbackMode = AntirollbackMode.Inactive;
  antirollbackReference = 0;
  slots.clearSlots();
  clearOutputs();
}

export function setDevice(deviceFamily: Family, kilobytes: u32): ImageStatus {
  family = deviceFamily;
  flashKb = kilobytes;
  return isKnownPart(family, flashKb) ? ImageStatus.Ok : ImageStatus.DeviceUnknown;
}
export function setFusVersion(word: u32): void {
  fusVersionInput = word;
}
/** 0: not known; the boundary then follows from the installed stack and the NVM section. */
export function setSfsa(sfsa: u32): void {
  sfsaInput = sfsa;
}
/** `sectors` 0 means no stack installed. */
export function setInstalledStack(sectors: u32, format: StackFormat, version: u32): void {
  installedSectorsInput = sectors;
  installedFormatInput = format;
  installedVersionInput = version;
  installedClassInput = SectorClass.Unknown;
}

/** The installed stack is the image the decoder holds (the file it was installed from). */
export function setInstalledStackFromDecoded(): ImageStatus {
  if (footer.lastStatus() != ImageStatus.Ok) return ImageStatus.ImageSlotInvalid;
  if (footer.decodedKind() != ImageKind.Stack) return ImageStatus.InstalledImageNotStack;
  installedSectorsInput = footer.decodedStagingSectors();
  installedFormatInput = footer.decodedFormat();
  installedVersionInput = footer.decodedVersion();
  installedClassInput = footer.decodedSectorClass();
  return ImageStatus.Ok;
}
export function setNvmSection(present: bool): void {
  nvmSectionInput = present;
}
/**
 * First address after the user application. 0: not given; the planner then keeps
 * CPU1_BOOT_RESERVE_BYTES for CPU1's boot code. Never lower than the end of the first sector.
 */
export function setAppEnd(address: u32): void {
  appEndInput = address;
}
export function setAntirollback(mode: AntirollbackMode, reference: u32): void {
  antirollbackMode = mode;
  antirollbackReference = reference;
}

function clearOutputs(): void {
  stepCount = 0;
  missingBytes = 0;
  failedSlot = slots.NO_SLOT;
  freeStart = 0;
  freeEnd = 0;
  finalFusVersion = 0;
  bootReserveAssumed = false;
}

function refuse(status: ImageStatus, slot: u32): ImageStatus {
  failedSlot = slot;
  stepCount = 0;
  for (let index: u32 = 0; index < slots.slotCount(); index++) slots.clearUse(index);
  return status;
}

function addStep(action: PlanAction, slot: u32, address: u32, eraseEnd: u32): void {
  const record = steps + stepCount * STEP_BYTES;
  store<u8>(record + STEP_ACTION, <u8>action);
  store<u8>(record + STEP_SLOT, <u8>(slot == slots.NO_SLOT ? 0xff : slot));
  store<u32>(record + STEP_ADDRESS, address);
  store<u32>(record + STEP_ERASE_END, eraseEnd);
  if (slot != slots.NO_SLOT) slots.markUsed(slot, stepCount);
  stepCount++;
}

/** Where FUS leaves a stack after installing it: at the top, below the NVM section if new-format. */
function finalStackStart(format: StackFormat, sectors: u32): u32 {
  const stackTop = format == StackFormat.New ? top - NVM_SECTION_BYTES : top;
  return stackTop - sectors * sector;
}

function boundary(): u32 {
  return stackSectors != 0 ? stackStart : emptyBoundary;
}

function expectedSectorClass(): SectorClass {
  return family == Family.Wb1x ? SectorClass.Sector2K : SectorClass.Sector4K;
}

/**
 * Staging address of one image on the part as it is at this point of the plan (fus-behaviour §6.2
 * and §1.6), or ImageDoesNotFit with the bytes missing below it.
 */
function place(slot: u32, action: PlanAction): ImageStatus {
  const kind = slots.slotKind(slot);
  let imageTop: u32;
  let eraseEnd: u32;
  if (stackSectors != 0) {
    eraseEnd = stackStart;
    if (kind == ImageKind.Fus) {
      // FUS decrypts its temporary copy right below the installed stack (seed §4.3 note, §4.7.1).
      imageTop = stackStart;
    } else if (fusKey >= versionKey(FUS_V112)) {
      // FUS V1.1.2 and later need one free sector between the new image and the stack (seed §3.2).
      imageTop = stackStart - sector;
    } else {
      imageTop = stackStart;
    }
  } else {
    // First install: the image ends at the secure boundary, and a new-format stack also leaves
    // room for the 16 KB NVM section FUS V2 keeps below the FUS.
    eraseEnd = emptyBoundary;
    imageTop = emptyBoundary;
    const nvmTop = top - NVM_SECTION_BYTES;
    if (kind == ImageKind.Stack && slots.slotFormat(slot) == StackFormat.New && imageTop > nvmTop) imageTop = nvmTop;
  }
  if (kind == ImageKind.Fus && versionKey(slots.slotVersion(slot)) < versionKey(FUS_V200)) {
    // ST publishes 0x080EC000 for FUS V1.x on 1 MB parts: two sectors below the rule, kept as
    // published (the gap is erased too, so no fragment survives in it).
    if (family == Family.Wb5x && flashKb == 1024) imageTop -= 2 * sector;
  }
  const bytes = slots.slotStagingSectors(slot) * sector;
  if (imageTop < lowest + bytes) {
    missingBytes = lowest + bytes - imageTop;
    return refuse(ImageStatus.ImageDoesNotFit, slot);
  }
  addStep(action, slot, imageTop - bytes, eraseEnd);
  return ImageStatus.Ok;
}

function findFus(version: u32, variant: FusBinaryVariant, acceptUnknown: bool): u32 {
  for (let slot: u32 = 0; slot < slots.slotCount(); slot++) {
    if (slots.slotKind(slot) != ImageKind.Fus) continue;
    if (versionKey(slots.slotVersion(slot)) != versionKey(version)) continue;
    const given = slots.slotVariant(slot);
    if (given == variant || (acceptUnknown && given == FusBinaryVariant.Unknown)) return slot;
  }
  return slots.NO_SLOT;
}

function isPart1M(): bool {
  return family == Family.Wb5x && flashKb == 1024;
}

/** The FUS chain of seed §3.3: V0.5.3 → V1.2.0 (dedicated file), V1.x → V1.2.0, V1.2.0 → V2.x. */
function planFusChain(): ImageStatus {
  let target = slots.NO_SLOT;
  for (let slot: u32 = 0; slot < slots.slotCount(); slot++) {
    if (slots.slotKind(slot) != ImageKind.Fus) continue;
    if (target == slots.NO_SLOT || versionKey(slots.slotVersion(slot)) > versionKey(slots.slotVersion(target))) {
      target = slot;
    }
  }
  if (target == slots.NO_SLOT) return ImageStatus.Ok;
  const targetKey = versionKey(slots.slotVersion(target));
  const startKey = fusKey;

  // V1.0.1 was made for the 1 MB STM32WB5xG only; elsewhere it locks the part for good.
  if (targetKey == versionKey(FUS_V101) && !isPart1M()) return refuse(ImageStatus.FusV101LocksPart, target);
  if (targetKey < fusKey) return refuse(ImageStatus.FusDowngrade, target);
  if (targetKey == fusKey) {
    markUnusedFus(fusKey);
    return ImageStatus.Ok;
  }
  if (targetKey < versionKey(FUS_V120)) return refuse(ImageStatus.FusPathUnsupported, target);

  if (fusKey < versionKey(FUS_V100)) {
    const dedicated = findFus(FUS_V120, FusBinaryVariant.ForFus053, false);
    if (dedicated == slots.NO_SLOT) return refuse(ImageStatus.FusNeeds053Binary, target);
    const placed = place(dedicated, PlanAction.InstallFus);
    if (placed != ImageStatus.Ok) return placed;
    fusKey = versionKey(FUS_V120);
  } else if (fusKey < versionKey(FUS_V120)) {
    const general = findFus(FUS_V120, FusBinaryVariant.ForFus1x, true);
    if (general == slots.NO_SLOT) {
      const wrong = findFus(FUS_V120, FusBinaryVariant.ForFus053, false);
      if (wrong != slots.NO_SLOT) return refuse(ImageStatus.FusWrongV120Binary, wrong);
      return refuse(ImageStatus.FusNeedsV120First, target);
    }
    const placed = place(general, PlanAction.InstallFus);
    if (placed != ImageStatus.Ok) return placed;
    fusKey = versionKey(FUS_V120);
  }
  if (targetKey > fusKey) {
    const placed = place(target, PlanAction.InstallFus);
    if (placed != ImageStatus.Ok) return placed;
  }
  markUnusedFus(startKey);
  fusKey = targetKey;
  return ImageStatus.Ok;
}

/** FUS images left out: the version the part started with, or one the chain went past. */
function markUnusedFus(startKey: u32): void {
  for (let slot: u32 = 0; slot < slots.slotCount(); slot++) {
    if (slots.slotKind(slot) != ImageKind.Fus || slots.slotStep(slot) != 0) continue;
    const installed = versionKey(slots.slotVersion(slot)) == startKey;
    slots.markSkipped(slot, installed ? ImageStatus.FusAlreadyInstalled : ImageStatus.FusSuperseded);
  }
}

function planSafeboot(slot: u32): ImageStatus {
  if (slots.slotIsSafebootV2(slot)) {
    if (fusKey < versionKey(FUS_V200)) return refuse(ImageStatus.SafebootNeedsFusV2, slot);
    if (stackSectors != 0) return refuse(ImageStatus.SafebootNeedsNoStack, slot);
  }
  return place(slot, PlanAction.InstallSafeboot);
}

function planStack(slot: u32): ImageStatus {
  const format = slots.slotFormat(slot);
  const sectors = slots.slotStagingSectors(slot);
  if (format == StackFormat.New && fusKey < versionKey(FUS_V200)) return refuse(ImageStatus.StackNeedsFusV2, slot);
  if (antirollbackMode == AntirollbackMode.Active) {
    if (antirollbackReferenceInUse == ANTIROLLBACK_NO_STACK_REFERENCE) {
      return refuse(ImageStatus.StackBlockedByAntirollback, slot);
    }
    if (versionKey(slots.slotVersion(slot)) < versionKey(antirollbackReferenceInUse)) {
      return refuse(ImageStatus.StackBelowAntirollback, slot);
    }
  }
  if (stackSectors != 0 && fusKey < versionKey(FUS_V120) && sectors > stackSectors) {
    return refuse(ImageStatus.StackGrowsOnOldFus, slot);
  }
  const placed = place(slot, PlanAction.InstallStack);
  if (placed != ImageStatus.Ok) return placed;
  stackSectors = sectors;
  stackStart = finalStackStart(format, sectors);
  return ImageStatus.Ok;
}

/** Validates the inputs and sets up the part's state before the first step. */
function startState(): ImageStatus {
  if (!isKnownPart(family, flashKb)) return ImageStatus.DeviceUnknown;
  if (fusVersionInput == 0) return ImageStatus.FusVersionMissing;
  sector = sectorBytes(family);
  top = referenceTop(family, flashKb);
  fusKey = versionKey(fusVersionInput);
  stackSectors = installedSectorsInput;
  emptyBoundary = nvmSectionInput ? top - NVM_SECTION_BYTES : top;
  const base = flashBase();
  if (stackSectors != 0 && installedFormatInput == StackFormat.None) return ImageStatus.PlanInputInconsistent;
  // SFSA is an 8-bit sector number; sizes are checked in 64 bits so that no input wraps.
  if (sfsaInput > 0xff || <u64>stackSectors * sector > <u64>(top - base - sector)) return ImageStatus.PlanInputInconsistent;
  if (installedClassInput != SectorClass.Unknown && installedClassInput != expectedSectorClass()) {
    return ImageStatus.ImageFamilyMismatch;
  }
  if (antirollbackMode == AntirollbackMode.Active && antirollbackReference == 0) {
    // Without a stated reference, the reference is the stack installed now (§1.12).
    if (stackSectors == 0) return ImageStatus.PlanInputInconsistent;
    antirollbackReferenceInUse = installedVersionInput;
  } else {
    antirollbackReferenceInUse = antirollbackReference;
  }
  if (sfsaInput != 0) {
    const sfsaBoundary = base + sfsaInput * sector;
    if (stackSectors != 0) {
      stackStart = sfsaBoundary;
      // The installed stack ends at most at the top of this part's flash (below FUS; P2).
      if (<u64>stackStart + <u64>stackSectors * sector > <u64>top) return ImageStatus.PlanInputInconsistent;
    } else if (sfsaBoundary < emptyBoundary) {
      // SFSA 16 KB below the top is the NVM section FUS V2 keeps after a delete; V0.5.3's 0xF6
      // lies above the top and changes nothing.
      emptyBoundary = sfsaBoundary;
    }
  } else if (stackSectors != 0) {
    stackStart = finalStackStart(installedFormatInput, stackSectors);
  }
  if (stackSectors != 0 && stackStart < base + sector) return ImageStatus.PlanInputInconsistent;
  // No plan reaches the first sector (CPU1's vector table); an application end outside the part's
  // flash is refused rather than wrapped (alignUp of 0xFFFFF001 would give 0).
  if (appEndInput == 0) {
    lowest = base + CPU1_BOOT_RESERVE_BYTES;
    bootReserveAssumed = true;
  } else {
    if (appEndInput < base || appEndInput > base + flashKb * 1024) return ImageStatus.AppEndOutsideFlash;
    lowest = alignUp(appEndInput, sector);
    if (lowest < base + sector) lowest = base + sector;
  }
  freeStart = lowest;
  freeEnd = boundary();
  return ImageStatus.Ok;
}

export function compute(): ImageStatus {
  clearOutputs();
  for (let index: u32 = 0; index < slots.slotCount(); index++) slots.clearUse(index);
  const started = startState();
  if (started != ImageStatus.Ok) return refuse(started, slots.NO_SLOT);

  const expected = expectedSectorClass();
  let stack = slots.NO_SLOT;
  let safeboot = slots.NO_SLOT;
  for (let slot: u32 = 0; slot < slots.slotCount(); slot++) {
    if (slots.slotSectorClass(slot) != expected) return refuse(ImageStatus.ImageFamilyMismatch, slot);
    const kind = slots.slotKind(slot);
    if (kind == ImageKind.Stack) {
      if (stack != slots.NO_SLOT) return refuse(ImageStatus.ConflictingImages, slot);
      stack = slot;
    } else if (kind == ImageKind.Safeboot) {
      if (safeboot != slots.NO_SLOT) return refuse(ImageStatus.ConflictingImages, slot);
      safeboot = slot;
    }
  }

  const chain = planFusChain();
  if (chain != ImageStatus.Ok) return chain;
  // Safeboot V2.0.1 wants no stack installed, so it goes before the stack (seed §4.7.4).
  if (safeboot != slots.NO_SLOT) {
    const planned = planSafeboot(safeboot);
    if (planned != ImageStatus.Ok) return planned;
  }
  if (stack != slots.NO_SLOT) {
    const planned = planStack(stack);
    if (planned != ImageStatus.Ok) return planned;
  }
  if (antirollbackMode == AntirollbackMode.ActivateAfterPlan) {
    if (fusKey < versionKey(FUS_V120)) return refuse(ImageStatus.AntirollbackNeedsFusV120, slots.NO_SLOT);
    if (stackSectors == 0) return refuse(ImageStatus.AntirollbackWithoutStack, slots.NO_SLOT);
    addStep(PlanAction.ActivateAntirollback, slots.NO_SLOT, 0, 0);
  }
  finalFusVersion = fusKey << 8;
  return ImageStatus.Ok;
}

function stepRecord(index: u32): usize {
  return steps + index * STEP_BYTES;
}

export function planStepCount(): u32 {
  return stepCount;
}
export function planStepAction(index: u32): u32 {
  return index < stepCount ? load<u8>(stepRecord(index) + STEP_ACTION) : 0;
}
/** Slot of the step's image, NO_SLOT for steps without one. */
export function planStepSlot(index: u32): u32 {
  if (index >= stepCount) return slots.NO_SLOT;
  const slot = <u32>load<u8>(stepRecord(index) + STEP_SLOT);
  return slot == 0xff ? slots.NO_SLOT : slot;
}
export function planStepAddress(index: u32): u32 {
  return index < stepCount ? load<u32>(stepRecord(index) + STEP_ADDRESS) : 0;
}
/** The staging range [address, eraseEnd) is erased before writing, clearing any stale fragment. */
export function planStepEraseEnd(index: u32): u32 {
  return index < stepCount ? load<u32>(stepRecord(index) + STEP_ERASE_END) : 0;
}
export function planMissingBytes(): u32 {
  return missingBytes;
}
export function planFailedSlot(): u32 {
  return failedSlot;
}
/** Free flash FUS may scan for images: [freeStart, freeEnd) (fus-behaviour §1.4). */
export function planFreeStart(): u32 {
  return freeStart;
}
export function planFreeEnd(): u32 {
  return freeEnd;
}
/** 1 when no application end was given and the plan kept CPU1_BOOT_RESERVE_BYTES for CPU1's boot code. */
export function planBootReserveAssumed(): u32 {
  return bootReserveAssumed ? 1 : 0;
}
/** FUS version (major.minor.sub word) the part runs once the plan has run. */
export function planFinalFusVersion(): u32 {
  return finalFusVersion;
}
