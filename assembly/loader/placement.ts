// Where a received coprocessor image goes (README "Power-loss safety", steps 2-4). It arrives at
// the lowest free flash, after the application, because its footer — what says where it belongs —
// comes last. The operator's preflight then decodes it where it lies and plans it with the part
// as it reports itself; an image lying below its planned address is moved up to it, sector by
// sector from the top down. A first stack installs where it lies (fus-behaviour §1.6), so without
// the move it would take all the flash above the application into CPU2's secure area.
import * as operator from "../index";
import { planStepEraseEnd } from "../image/plan";
import * as flash from "../flash/driver";
import { OperatorStatus } from "../shared/codes";
import * as journal from "./journal";
import { Record } from "./journal";
import * as transfer from "./transfer";

/**
 * Checks the received image and puts it at its planned address; Ok when FUS may take it from
 * there, otherwise the preflight's refusal (the caller erases what arrived).
 */
export function placeReceived(): OperatorStatus {
  let status = operator.fusCheckStagedImage();
  if (status != OperatorStatus.Ok) return status;
  const staged = operator.stagedImageStart();
  const planned = operator.stagedImagePlannedAddress();
  // The preflight located the highest image below SFSA: it must be the one just received.
  if (staged < transfer.receivedStart() || staged >= transfer.receivedExtentEnd()) return OperatorStatus.StagedImageRefused;
  if (planned == staged) return OperatorStatus.Ok;
  status = moveUp(transfer.receivedStart(), transfer.receivedExtentEnd(), planned - staged, planStepEraseEnd(0));
  if (status != OperatorStatus.Ok) return status;
  status = operator.fusCheckStagedImage();
  if (status == OperatorStatus.Ok && operator.stagedImageStart() != planned) return OperatorStatus.StagedImageMisplaced;
  return status;
}

/**
 * Moves [source, sourceEnd) up by `offset` (sectors), clearing [its new end, eraseEnd) of stale
 * fragments. The journal first widens the interrupted-transfer range to everything this touches,
 * so a power loss at any point ends, on the next start, with all of it erased — both copies, no
 * leftover for FUS to find. Top-down: the destination of a sector overlaps only source sectors
 * above it, already copied (source and offset are sector multiples, offset > 0).
 */
function moveUp(source: u32, sourceEnd: u32, offset: u32, eraseEnd: u32): OperatorStatus {
  const sector = transfer.sectorBytesOfPart();
  const targetEnd = sourceEnd + offset;
  const clearEnd = eraseEnd > targetEnd ? eraseEnd : targetEnd;
  let status = journal.append(Record.ReceiveEnd, clearEnd);
  transfer.widen(clearEnd);
  if (status == OperatorStatus.Ok && clearEnd > targetEnd) status = flash.erase(targetEnd, clearEnd - targetEnd);
  for (let at = sourceEnd; status == OperatorStatus.Ok && at > source; ) {
    at -= sector;
    status = copySector(at, at + offset, sector);
  }
  // What is left of the low copy below the moved image.
  const lowEnd = source + offset < sourceEnd ? source + offset : sourceEnd;
  if (status == OperatorStatus.Ok) status = flash.erase(source, lowEnd - source);
  return status;
}

function copySector(from: u32, to: u32, sector: u32): OperatorStatus {
  let status = flash.erase(to, sector);
  const chunk = flash.FLASH_BUFFER_BYTES;
  for (let offset: u32 = 0; status == OperatorStatus.Ok && offset < sector; offset += chunk) {
    if (!transfer.readIntoBuffer(from + offset, chunk)) status = flash.writeFromBuffer(to + offset, chunk);
  }
  return status;
}
