// Streaming staging: an application hands over a coprocessor image in chunks of any length as it
// receives them (over BLE, a UART, from external flash), while the wireless stack keeps running
// (the flash driver follows cpu2-interface §4.5). The application never computes an address.
//
// Where the image goes is decided before its first byte arrives, yet the footer that says what it
// is comes last (fus-behaviour §4.1). begin() therefore takes the image size and places the image
// by size: it ends PLACEMENT_MARGIN below the top of the free flash the planner reports for this
// part (the installed stack's start, or the secure boundary). The margin covers every rule that can
// put an image's top lower than that (fus-behaviour §1.6, §6.2): the free sector FUS ≥ V1.1.2
// wants between a new stack and the installed one, the two sectors ST's published FUS V1.x address
// leaves on 1 MB parts, and — with no stack installed — FUSv2's 16 KB NVM section. A lower start is
// always installable: FUS installs a first stack where it lies and moves an update up
// (preflight's StagedImageMisplaced only refuses higher). end() decodes the footer, plans and
// checks the image exactly as FW_UPGRADE's preflight does, so a wrong image is refused before FUS
// sees it. Receiving low and moving the image up afterwards was the alternative: it costs a
// second erase-and-program pass over the whole image and leaves a window where neither copy is
// whole; a margin of at most a few sectors costs nothing of the kind.
import { FLASH_BASE } from "../chip/registers";
import { sectorBytesOfPart } from "../chip/variants";
import { NVM_SECTION_BYTES } from "../image/geometry";
import { ImageStatus } from "../shared/image-codes";
import { OperatorStatus } from "../shared/codes";
import * as plan from "../image/plan";
import * as preflight from "../fus/preflight";
import * as info from "../fus/info";
import { erase, writeFromBuffer, flashBuffer } from "./driver";

/** Where the caller puts each chunk before stageWrite (any length up to this). */
export const STAGE_INPUT_BYTES: u32 = 256;
export const stageInput: usize = memory.data(<i32>STAGE_INPUT_BYTES);

/** Sectors left free above the image when a stack is installed (see above). */
const MARGIN_SECTORS_WITH_STACK: u32 = 2;

let active: bool = false;
let imageSize: u32 = 0;
let address: u32 = 0;
let received: u32 = 0;
/** Bytes held in flashBuffer that do not yet make a whole double word (at most 7). */
let held: u32 = 0;
let erasedEnd: u32 = 0;
let freeEnd: u32 = 0;
let imageStatus: ImageStatus = ImageStatus.Ok;

export function stageAddress(): u32 {
  return address;
}
export function stageReceived(): u32 {
  return received;
}
/** Why the part or the image was refused (ImageStatus), Ok otherwise. */
export function stageImageStatus(): u32 {
  return imageStatus;
}

function refuse(status: ImageStatus): OperatorStatus {
  imageStatus = status;
  active = false;
  return OperatorStatus.StagedImageRefused;
}

/** Reserves the place for an image of `size` bytes. Flash is erased sector by sector as data comes. */
export function begin(size: u32): OperatorStatus {
  active = false;
  imageStatus = ImageStatus.Ok;
  received = 0;
  held = 0;
  address = 0;
  if (size == 0 || (size & 3) != 0) return refuse(ImageStatus.SizeNotWordMultiple);
  const part = preflight.planFromPart();
  if (part != ImageStatus.Ok) return refuse(part);
  const planned = plan.compute();
  if (planned != ImageStatus.Ok) return refuse(planned);
  const sector = sectorBytesOfPart();
  const stackInstalled = info.infoStackVersion() != 0 && (info.infoStackMemorySize() & 0xff) != 0;
  const margin = MARGIN_SECTORS_WITH_STACK * sector + (stackInstalled ? 0 : NVM_SECTION_BYTES);
  const needed = ((size + sector - 1) / sector) * sector + margin;
  freeEnd = plan.planFreeEnd();
  if (freeEnd < plan.planFreeStart() + needed) return refuse(ImageStatus.ImageDoesNotFit);
  address = freeEnd - needed;
  erasedEnd = address;
  imageSize = size;
  active = true;
  return OperatorStatus.Ok;
}

/** Erases the sectors [erasedEnd, upTo) still holding old data. */
function eraseUpTo(upTo: u32): OperatorStatus {
  if (upTo <= erasedEnd) return OperatorStatus.Ok;
  const sector = sectorBytesOfPart();
  const end = ((upTo - FLASH_BASE + sector - 1) / sector) * sector + FLASH_BASE;
  const status = erase(erasedEnd, end - erasedEnd);
  if (status == OperatorStatus.Ok) erasedEnd = end;
  return status;
}

/** Programs the first `length` bytes of flashBuffer (a multiple of 8) at the write position. */
function program(length: u32): OperatorStatus {
  if (length == 0) return OperatorStatus.Ok;
  const at = address + received - held - length;
  const erased = eraseUpTo(at + length);
  if (erased != OperatorStatus.Ok) return erased;
  return writeFromBuffer(at, length);
}

/**
 * Takes `length` bytes from stageInput. Whole double words go to flash now; up to 7 bytes wait
 * for the next chunk (flash is programmed 64 bits at a time, cpu2-interface §1.7).
 */
export function write(length: u32): OperatorStatus {
  if (!active) return OperatorStatus.StageNotStarted;
  if (length > STAGE_INPUT_BYTES || received + length > imageSize) return OperatorStatus.StageOverflow;
  // held < 8 and length ≤ 256: both fit the 512-byte program buffer.
  memory.copy(flashBuffer + held, stageInput, length);
  const pending = held + length;
  const whole = pending & ~7;
  received += length;
  held = pending - whole;
  const status = program(whole);
  if (status != OperatorStatus.Ok) {
    active = false;
    return status;
  }
  memory.copy(flashBuffer, flashBuffer + whole, held);
  return OperatorStatus.Ok;
}

/**
 * Writes the last bytes (padded with the erased value), erases the rest of the free flash up to
 * its top (no stale footer may stay above the image: FUS takes the highest, fus-behaviour §1.4),
 * then checks the image as FW_UPGRADE will: Ok, or StagedImageRefused / StagedImageMisplaced.
 */
export function end(): OperatorStatus {
  if (!active) return OperatorStatus.StageNotStarted;
  active = false;
  if (received != imageSize) return OperatorStatus.StageIncomplete;
  let status: OperatorStatus = OperatorStatus.Ok;
  if (held != 0) {
    memory.fill(flashBuffer + held, 0xff, 8 - held);
    const last = held;
    held = 0;
    received += 8 - last;
    status = program(8);
    received -= 8 - last;
  }
  if (status == OperatorStatus.Ok) status = eraseUpTo(freeEnd);
  if (status != OperatorStatus.Ok) return status;
  const checked = preflight.checkStagedImage();
  imageStatus = <ImageStatus>preflight.lastImageStatus();
  if (checked != OperatorStatus.Ok) return checked;
  // The image FUS would take must be the one just written.
  if (preflight.stagedImageEnd() != address + imageSize) return refuse(ImageStatus.ImageFooterInconsistent);
  return OperatorStatus.Ok;
}
