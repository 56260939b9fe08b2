// Before FW_UPGRADE: find the image FUS is about to take and check it against the part, so that a
// dangerous one is refused with a named status before FUS ever sees it (fus-behaviour §1.4, §3.2).
// FUS walks user flash for the highest signature footer (fus-behaviour §1.4; the simulator's
// documented choice); the operator looks the same way, so it also catches a stale image left above
// the one just staged (the FAQ's leftover-image case).
import { copyIn } from "../hal";
import { FLASH_BASE } from "../chip/registers";
import { sectorBytes, fusStart, familyOf, cpu1FlashEnd } from "../chip/variants";
import { CPU1_BOOT_RESERVE_BYTES, NVM_SECTION_BYTES } from "../image/geometry";
import { firmwareEnd } from "../flash/driver";
import * as footer from "../image/footer";
import * as plan from "../image/plan";
import * as slots from "../image/slots";
import { ImageStatus, StackFormat, FusBinaryVariant, ImageKind } from "../shared/image-codes";

/** Version word of FUS V0.5.3 (cpu2-interface §3.4 encoding). */
const FUS_V053: u32 = 0x0005_0300;
import { OperatorStatus, DeviceInfoLayout } from "../shared/codes";
import * as info from "./info";
import { idSfsa, identify, idDeviceId, idFlashKb, idSecureStart } from "./identify";
import { tablesFitShare } from "../mailbox/share";

const WINDOW: u32 = footer.TAIL_CAPACITY;
/** A customer signature block: 64-byte signature + 20-byte footer (fus-behaviour §4.1). */
const CUSTOMER_BLOCK_BYTES: u32 = 84;

let imageStatus: ImageStatus = ImageStatus.Ok;
let stagedStart: u32 = 0;
let stagedEnd: u32 = 0;
let planned: u32 = 0;

export function lastImageStatus(): u32 {
  return imageStatus;
}
export function stagedImageStart(): u32 {
  return stagedStart;
}
export function stagedImageEnd(): u32 {
  return stagedEnd;
}

/**
 * A signature footer ends at `offset` of the window: its magic, with the two constant words of the
 * footer in front when the window holds them (a lone magic-like word inside encrypted code is not one).
 */
function signatureFooterEndsAt(offset: u32): bool {
  const magic = load<u32>(footer.tailBuffer + offset - 4);
  if (magic != footer.MAGIC_SIGNATURE_ST && magic != footer.MAGIC_SIGNATURE_CUSTOMER) return false;
  return load<u32>(footer.tailBuffer + offset - 20) == footer.SIGNATURE_RESERVED_A &&
    load<u32>(footer.tailBuffer + offset - 16) == footer.SIGNATURE_RESERVED_B;
}

/** A footer's magic and its two constant words span 20 bytes: windows overlap by the 16 before the magic. */
const FOOTER_CHECK_BYTES: u32 = 20;

/** End address of the highest signature footer below `top`, or 0. Reads flash a window at a time. */
function findImageEnd(top: u32): u32 {
  let windowEnd = top;
  while (windowEnd > FLASH_BASE) {
    const windowStart = windowEnd - FLASH_BASE >= WINDOW ? windowEnd - WINDOW : FLASH_BASE;
    copyIn(footer.tailBuffer, windowStart, windowEnd - windowStart);
    for (let offset = windowEnd - windowStart; offset >= FOOTER_CHECK_BYTES; offset -= 4) {
      if (signatureFooterEndsAt(offset)) return windowStart + offset;
    }
    if (windowStart == FLASH_BASE) break;
    windowEnd = windowStart + FOOTER_CHECK_BYTES - 4;
  }
  return 0;
}

/** Loads the tail ending at `end` into the decoder's buffer; returns its length. */
function loadTail(end: u32): u32 {
  const length = end - FLASH_BASE >= WINDOW ? WINDOW : end - FLASH_BASE;
  copyIn(footer.tailBuffer, end - length, length);
  return length;
}

/**
 * Locates and checks the staged image. Ok when FUS would get an image this part may take;
 * StagedImageRefused with lastImageStatus naming the hazard otherwise; NoImageStaged when FUS
 * would find nothing.
 */
export function checkStagedImage(): OperatorStatus {
  imageStatus = ImageStatus.Ok;
  stagedStart = 0;
  stagedEnd = 0;
  planned = 0;
  identify();
  const end = findImageEnd(cpu1FlashEnd());
  if (end == 0) return OperatorStatus.NoImageStaged;
  const sector = sectorBytes(idDeviceId());
  // One read of the tail serves the sector count and the decode.
  const tailLength = loadTail(end);
  const sectors = footer.statedSectors(tailLength);
  const alignedEnd = (end + sector - 1) & ~(sector - 1);
  if (sectors == 0 || sectors * sector > alignedEnd - FLASH_BASE) {
    imageStatus = ImageStatus.ImageFooterInconsistent;
    stagedEnd = end;
    return OperatorStatus.StagedImageRefused;
  }
  stagedStart = alignedEnd - sectors * sector;
  stagedEnd = end;
  imageStatus = footer.decode(tailLength, end - stagedStart);
  if (imageStatus != ImageStatus.Ok) return OperatorStatus.StagedImageRefused;
  // ST counted the sectors of the file it signed; a customer block appended later can spill into
  // one more sector. FUS counts back from the end of the whole file (the simulator's choice,
  // host-sim README "Image scan") and would read the image one sector too high.
  if (footer.decodedSignatureCount() == 2) {
    const stEnd = end - CUSTOMER_BLOCK_BYTES;
    if (((stEnd + sector - 1) & ~(sector - 1)) != alignedEnd) {
      imageStatus = ImageStatus.SectorCountMismatch;
      return OperatorStatus.StagedImageRefused;
    }
  }
  // Once this stack runs, CPU1 keeps the SRAM2a KB its footer names (byte -94, fus-behaviour §4.3):
  // the operator could never boot CPU2 with its tables again to leave the stack.
  const cpu1Sram2aKb = (footer.decodedMemorySizeWord() >> 16) & 0xff;
  if (footer.decodedKind() == ImageKind.Stack && !tablesFitShare(cpu1Sram2aKb)) return OperatorStatus.SharedSramTooSmall;

  imageStatus = planFromPart();
  if (imageStatus != ImageStatus.Ok) return OperatorStatus.StagedImageRefused;
  // The two FUS V1.2.0 files have identical footers (fus-behaviour §5.2): on a part still on V0.5.3
  // only the dedicated one can be meant, and FUS V0.5.3 refuses the other one itself.
  const onV053 = info.infoFusVersion() >> 8 == FUS_V053 >> 8;
  imageStatus = slots.addDecoded(onV053 && footer.decodedKind() == ImageKind.Fus ? FusBinaryVariant.ForFus053 : FusBinaryVariant.Unknown);
  if (imageStatus != ImageStatus.Ok) return OperatorStatus.StagedImageRefused;
  imageStatus = plan.compute();
  if (imageStatus != ImageStatus.Ok) return OperatorStatus.StagedImageRefused;
  if (plan.planStepCount() == 0) {
    // Nothing to install: the part already has this version or a newer one (FUS refuses it with
    // FW_ROLLBACK_ERROR and leaves it in flash, the FAQ's leftover).
    imageStatus = slots.slotSkipReason(0);
    return OperatorStatus.StagedImageRefused;
  }
  planned = plan.planStepAddress(0);
  // Lower is fine (FUS installs a first stack where it lies, moves an update up); higher leaves
  // FUS without the room it needs (IMG_NOT_ENOUGH_SPACE, fus-behaviour §1.6).
  return stagedStart > planned ? OperatorStatus.StagedImageMisplaced : OperatorStatus.Ok;
}

export function plannedAddress(): u32 {
  return planned;
}

/**
 * Resets the planner and gives it the part as the part reports itself: family and flash size,
 * running FUS version (device information in either layout, cpu2-interface §3.2, §3.3), SFSA, the
 * installed stack (its format read from the geometry: a new-format stack ends where its NVM
 * section starts, 16 KB below FUS, fus-behaviour §2) or a kept NVM section. The CLI plans with
 * this too, so the device and the host describe a part the same way.
 */
export function planFromPart(): ImageStatus {
  plan.reset();
  identify();
  // Both layouts carry the FUS version and the installed stack (cpu2-interface §3.2, §3.3): a
  // part can be planned for while its wireless stack runs (streaming staging, flash/stage.ts).
  if (info.readDeviceInfo() != OperatorStatus.Ok || info.infoLayout() == DeviceInfoLayout.None) return ImageStatus.FusVersionMissing;
  const id = idDeviceId();
  const sector = sectorBytes(id);
  const secureStart = idSecureStart();
  const device = plan.setDevice(familyOf(id), idFlashKb());
  if (device != ImageStatus.Ok) return device;
  plan.setFusVersion(info.infoFusVersion());
  plan.setSfsa(idSfsa());
  // The firmware running the operator ends where fusop_init told the flash driver: never plan
  // over it when it is larger than the boot reserve the planner keeps anyway.
  if (firmwareEnd() > FLASH_BASE + CPU1_BOOT_RESERVE_BYTES) plan.setAppEnd(firmwareEnd());
  const stackVersion = info.infoStackVersion();
  const stackSectors = info.infoStackMemorySize() & 0xff;
  const nvmStart = fusStart(id) - NVM_SECTION_BYTES;
  if (stackVersion != 0 && stackSectors != 0) {
    const format = secureStart + stackSectors * sector == nvmStart ? StackFormat.New : StackFormat.Legacy;
    plan.setInstalledStack(stackSectors, format, stackVersion);
  } else {
    plan.setNvmSection(secureStart == nvmStart);
  }
  return ImageStatus.Ok;
}

/** FUSv2's 16 KB NVM section is kept with no stack: SFSA sits right below it (0xF0 / 0x84, fus-behaviour §2). */
export function nvmSectionKept(): bool {
  identify();
  return idSecureStart() == fusStart(idDeviceId()) - NVM_SECTION_BYTES;
}
