// Exports of the coprocessor-image part: footer decoding, stale-image scan and the upgrade planner.
// Pure functions over static buffers (no hal): the device loader and the offline CLI call the same
// code. Codes are those of assembly/shared/image-codes.ts; results are read back through getters.
import { AntirollbackMode, Family, FusBinaryVariant, StackFormat } from "../shared/image-codes";
import * as footer from "./footer";
import * as stale from "./stale";
import * as plan from "./plan";
import * as slots from "./slots";

// ---- footer decoding (fus-behaviour §4) ----

/** Where the host puts the file's last bytes (and the flash chunks of a stale scan). */
export function imageTailBuffer(): u32 {
  return <u32>footer.tailBuffer;
}
export function imageTailCapacity(): u32 {
  return footer.TAIL_CAPACITY;
}
/** Decodes the last `tailLength` bytes of a `fileSize`-byte file; returns an ImageStatus. */
export function imageDecode(tailLength: u32, fileSize: u32): u32 {
  return footer.decode(tailLength, fileSize);
}
/** ImageKind of the last decoded image (0 after a failed decode). */
export function imageKind(): u32 {
  return footer.decodedKind();
}
/** StackFormat (0 for FUS and Safeboot). */
export function imageFormat(): u32 {
  return footer.decodedFormat();
}
/** SectorClass: which sector size, hence which families, the image was cut for. */
export function imageSectorClass(): u32 {
  return footer.decodedSectorClass();
}
/** Flash size in sectors as the footer states it. */
export function imageSectors(): u32 {
  return footer.decodedFooterSectors();
}
/** Sectors the file occupies when staged (never fewer than the file needs). */
export function imageStagingSectors(): u32 {
  return footer.decodedStagingSectors();
}
/** Version the image installs (FUS V1.2.0's 0xFFFFFFFF read as 0x01020000). */
export function imageVersion(): u32 {
  return footer.decodedVersion();
}
/** Version word exactly as written in the file. */
export function imageVersionWord(): u32 {
  return footer.decodedVersionWord();
}
/** Memory-size word: flash sectors, format marker, SRAM2a and SRAM2b non-secure KB (§4.3). */
export function imageMemorySize(): u32 {
  return footer.decodedMemorySizeWord();
}
export function imageMagic(): u32 {
  return footer.decodedMagic();
}
export function imageInfo1(): u32 {
  return footer.decodedInfo1();
}
/** NVM data section in sectors that a new-format stack declares (0 otherwise). */
export function imageNvmSectors(): u32 {
  return footer.decodedNvmSectors();
}
/** 1 for Safeboot V2.0.1 (magic 0x927A6741, FUS V2 only). */
export function imageIsSafebootV2(): u32 {
  return footer.decodedIsSafebootV2() ? 1 : 0;
}
export function imageSignatureCount(): u32 {
  return footer.decodedSignatureCount();
}
/** SignatureKind of signature block `index`, in file order. */
export function imageSignatureKind(index: u32): u32 {
  return footer.decodedSignatureKind(index);
}

// ---- stale image fragments in free flash (fus-behaviour §1.4) ----

/** Starts a scan; magics inside [skipStart, skipEnd) are an image staged on purpose. */
export function imageScanBegin(skipStart: u32, skipEnd: u32): void {
  stale.begin(skipStart, skipEnd);
}
/** Scans `length` bytes the host put in the tail buffer, read from flash at `address`. */
export function imageScanChunk(length: u32, address: u32): u32 {
  return stale.chunk(length, address);
}
export function imageScanHits(): u32 {
  return stale.scanHits();
}
export function imageScanFirstAddress(): u32 {
  return stale.scanFirstAddress();
}
export function imageScanFirstMagic(): u32 {
  return stale.scanFirstMagic();
}

// ---- upgrade planning (fus-behaviour §3, §6) ----

/** Forgets all inputs and images. */
export function planReset(): void {
  plan.reset();
}
/** Family (Family code) and flash size in KB; returns DeviceUnknown for parts ST does not make. */
export function planSetDevice(family: u32, flashKb: u32): u32 {
  return plan.setDevice(<Family>family, flashKb);
}
/** Running FUS version word (V0.5.3 = 0x00050300). */
export function planSetFusVersion(version: u32): void {
  plan.setFusVersion(version);
}
/** Current SFSA option byte (sector number); 0 when not known. */
export function planSetSfsa(sfsa: u32): void {
  plan.setSfsa(sfsa);
}
/** Installed stack from the device-information table: sectors (0: none), StackFormat, version. */
export function planSetInstalledStack(sectors: u32, format: u32, version: u32): void {
  plan.setInstalledStack(sectors, <StackFormat>format, version);
}
/** Installed stack = the image just decoded (the file it was installed from). */
export function planSetInstalledStackFromImage(): u32 {
  return plan.setInstalledStackFromDecoded();
}
/** 1 when FUS V2 keeps the 16 KB NVM section with no stack installed (SFSA 0xF0 / 0x84). */
export function planSetNvmSection(present: u32): void {
  plan.setNvmSection(present != 0);
}
/**
 * First address after the user application; images are never staged below it, nor in the first
 * sector. 0: not given, the planner keeps 28 KB for CPU1's boot code (planBootReserveAssumed).
 */
export function planSetAppEnd(address: u32): void {
  plan.setAppEnd(address);
}
/** AntirollbackMode and, when active, the reference version (0: the installed stack's). */
export function planSetAntirollback(mode: u32, reference: u32): void {
  plan.setAntirollback(<AntirollbackMode>mode, reference);
}
/** Adds the image just decoded; `variant` is the FusBinaryVariant the file name tells. */
export function planAddImage(variant: u32): u32 {
  return slots.addDecoded(<FusBinaryVariant>variant);
}
export function planImageCount(): u32 {
  return slots.slotCount();
}
/** Computes the plan; returns an ImageStatus (Ok, or the hazard that forbids it). */
export function planCompute(): u32 {
  return plan.compute();
}
export function planStepCount(): u32 {
  return plan.planStepCount();
}
/** PlanAction of step `index`. */
export function planStepAction(index: u32): u32 {
  return plan.planStepAction(index);
}
/** Image (order of planAddImage) step `index` installs; 0xFFFFFFFF for none. */
export function planStepImage(index: u32): u32 {
  return plan.planStepSlot(index);
}
/** Flash address to stage the step's image at. */
export function planStepAddress(index: u32): u32 {
  return plan.planStepAddress(index);
}
/** End of the range [address, end) to erase before staging. */
export function planStepEraseEnd(index: u32): u32 {
  return plan.planStepEraseEnd(index);
}
/** Bytes the refused image lacks (ImageDoesNotFit). */
export function planMissingBytes(): u32 {
  return plan.planMissingBytes();
}
/** Image the refusal is about; 0xFFFFFFFF when it concerns the part or the inputs. */
export function planFailedImage(): u32 {
  return plan.planFailedSlot();
}
/** Index + 1 of the step that installs image `image`; 0 when unused. */
export function planImageStep(image: u32): u32 {
  return slots.isSlot(image) ? slots.slotStep(image) : 0;
}
/** Why an unused image is not needed (ImageStatus 64+), 0 otherwise. */
export function planImageSkipReason(image: u32): u32 {
  return slots.isSlot(image) ? slots.slotSkipReason(image) : 0;
}
/** Free flash range FUS could find stale images in: [start, end). */
export function planFreeStart(): u32 {
  return plan.planFreeStart();
}
export function planFreeEnd(): u32 {
  return plan.planFreeEnd();
}
/**
 * 1 when no application end was given (planSetAppEnd 0) and the plan kept the first 28 KB
 * (geometry.ts CPU1_BOOT_RESERVE_BYTES) for CPU1's boot code: say so to the user.
 */
export function planBootReserveAssumed(): u32 {
  return plan.planBootReserveAssumed();
}
/** FUS version word the part runs after the plan. */
export function planFinalFusVersion(): u32 {
  return plan.planFinalFusVersion();
}
