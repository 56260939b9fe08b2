// The images handed to the planner, one fixed-size record each in static memory (no heap on the
// device). Records are filled from the footer decoder, in the order the host adds its files.
import { FusBinaryVariant, ImageKind, ImageStatus, SectorClass, StackFormat } from "../shared/image-codes";
import * as footer from "./footer";

/** One FUS chain (at most 2 FUS images), a Safeboot and a stack, with room to spare. */
export const MAX_SLOTS: u32 = 8;
export const NO_SLOT: u32 = 0xffffffff;

const SLOT_BYTES: u32 = 16;
const KIND: u32 = 0;
const FORMAT: u32 = 1;
const SECTOR_CLASS: u32 = 2;
const VARIANT: u32 = 3;
const SAFEBOOT_V2: u32 = 4;
/** Index + 1 of the plan step that installs the image, 0 when unused. */
const STEP: u32 = 5;
/** ImageStatus saying why an unused image is not needed. */
const SKIP_REASON: u32 = 6;
const VERSION: u32 = 8;
const STAGING_SECTORS: u32 = 12;

const table: usize = memory.data(<i32>(MAX_SLOTS * SLOT_BYTES));
let count: u32 = 0;

function at(slot: u32): usize {
  return table + slot * SLOT_BYTES;
}

export function clearSlots(): void {
  count = 0;
}

export function slotCount(): u32 {
  return count;
}

export function isSlot(slot: u32): bool {
  return slot < count;
}

/** Stores the image the decoder holds; `variant` is what the host knows from the file name. */
export function addDecoded(variant: FusBinaryVariant): ImageStatus {
  if (footer.lastStatus() != ImageStatus.Ok) return ImageStatus.ImageSlotInvalid;
  if (count == MAX_SLOTS) return ImageStatus.TooManyImages;
  const record = at(count);
  store<u8>(record + KIND, <u8>footer.decodedKind());
  store<u8>(record + FORMAT, <u8>footer.decodedFormat());
  store<u8>(record + SECTOR_CLASS, <u8>footer.decodedSectorClass());
  store<u8>(record + VARIANT, <u8>(footer.decodedKind() == ImageKind.Fus ? variant : FusBinaryVariant.Unknown));
  store<u8>(record + SAFEBOOT_V2, footer.decodedIsSafebootV2() ? 1 : 0);
  store<u8>(record + STEP, 0);
  store<u8>(record + SKIP_REASON, 0);
  store<u32>(record + VERSION, footer.decodedVersion());
  store<u32>(record + STAGING_SECTORS, footer.decodedStagingSectors());
  count++;
  return ImageStatus.Ok;
}

export function slotKind(slot: u32): ImageKind {
  return <ImageKind>load<u8>(at(slot) + KIND);
}
export function slotFormat(slot: u32): StackFormat {
  return <StackFormat>load<u8>(at(slot) + FORMAT);
}
export function slotSectorClass(slot: u32): SectorClass {
  return <SectorClass>load<u8>(at(slot) + SECTOR_CLASS);
}
export function slotVariant(slot: u32): FusBinaryVariant {
  return <FusBinaryVariant>load<u8>(at(slot) + VARIANT);
}
export function slotIsSafebootV2(slot: u32): bool {
  return load<u8>(at(slot) + SAFEBOOT_V2) != 0;
}
export function slotVersion(slot: u32): u32 {
  return load<u32>(at(slot) + VERSION);
}
export function slotStagingSectors(slot: u32): u32 {
  return load<u32>(at(slot) + STAGING_SECTORS);
}
export function slotStep(slot: u32): u32 {
  return load<u8>(at(slot) + STEP);
}
export function slotSkipReason(slot: u32): ImageStatus {
  return <ImageStatus>load<u8>(at(slot) + SKIP_REASON);
}

export function markUsed(slot: u32, stepIndex: u32): void {
  store<u8>(at(slot) + STEP, <u8>(stepIndex + 1));
  store<u8>(at(slot) + SKIP_REASON, 0);
}
export function markSkipped(slot: u32, reason: ImageStatus): void {
  store<u8>(at(slot) + STEP, 0);
  store<u8>(at(slot) + SKIP_REASON, <u8>reason);
}
export function clearUse(slot: u32): void {
  markSkipped(slot, ImageStatus.Ok);
}
