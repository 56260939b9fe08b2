// CPU1's flash programming through the FLASH controller (cpu2-interface §1.7): unlock with the two
// keys, page erase, 64-bit programming of erased double words, errors read from FLASH_SR.
// It shares the controller with CPU2 the way cpu2-interface §4.5 describes: HSEM 2 (flash
// ownership, §1.8) is held from unlock to lock, and every single page erase or 64-bit write starts
// only with HSEM 6 free, no program/erase suspend (PESD) and HSEM 7 taken by CPU1, released right
// after. While a wireless stack runs it also speaks the stack's system commands: once
// SET_FLASH_ACTIVITY_CONTROL(1) so that CPU2 holds CPU1 off with HSEM 7 instead of PES, and
// FLASH_ERASE_ACTIVITY on/off around every erase (§4.5 steps 2, 3, 6; §5.2 0xFC69, 0xFC73).
import { read32, write32, delayUs, nowUs, setBits32 } from "../hal";
import {
  FLASH_BASE, FLASH_KEYR, FLASH_KEY1, FLASH_KEY2, FLASH_SR, FLASH_SR_EOP, FLASH_SR_ERRORS, FLASH_SR_BSY,
  FLASH_SR_CFGBSY, FLASH_SR_PESD, FLASH_CR, FLASH_CR_PG, FLASH_CR_PER, FLASH_CR_PNB_SHIFT, FLASH_CR_PNB_MASK,
  FLASH_CR_STRT, FLASH_CR_LOCK, RCC_AHB3ENR, RCC_AHB3ENR_HSEMEN,
  HSEM_R0, HSEM_RLR0, HSEM_LOCKED_BY_CPU1, HSEM_RELEASE_CPU1, HSEM_FLASH_SEMID, HSEM_BLOCK_FLASH_BY_CPU1_SEMID,
  HSEM_BLOCK_FLASH_BY_CPU2_SEMID,
} from "../chip/registers";
import { OperatorStatus, Cpu2Mode } from "../shared/codes";
import { mode, sendCommand, commandParameters, responseStatus } from "../mailbox/system";
import { FLASH_ERASE_ACTIVITY, SET_FLASH_ACTIVITY_CONTROL } from "../fus/opcodes";
import { sectorBytesOfPart, cpu1FlashEnd } from "../chip/variants";

/** Page erase takes up to ~25 ms on this family; allow generously before calling it stuck. */
const OPERATION_TIMEOUT_US: u32 = 100_000;
const POLL_US: u32 = 10;
/**
 * A running stack holds CPU1 off through a radio event (and, before an erase, the 25 ms pause it
 * needs) and through its own flash work (a page erase and a page of writes, ~71 ms): ST's driver
 * waits without a bound; this one gives up after 250 ms, a few connection intervals.
 */
const STACK_HOLD_TIMEOUT_US: u32 = 250_000;
/** After releasing HSEM 7, CPU1 leaves at least 1 µs before taking it again (§1.8) so CPU2 can get it. */
const SEM7_RETAKE_GAP_US: u32 = 1;

/** Data to program: the host or the loader fills it, then calls writeFromBuffer. */
export const FLASH_BUFFER_BYTES: u32 = 512;
export const flashBuffer: usize = memory.data(512);

/** §4.5 step 3: after FLASH_ERASE_ACTIVITY(ON), time for CPU2 to take HSEM 7 (ST: ≥ 5 µs). */
const ERASE_ACTIVITY_SETTLE_US: u32 = 5;

let lastErrorFlags: u32 = 0;
/** SET_FLASH_ACTIVITY_CONTROL(1) went to the stack that runs now (a reset starts CPU1 afresh). */
let stackUsesSem7: bool = false;

export function lastFlashErrorFlags(): u32 {
  return lastErrorFlags;
}

function waitReady(): OperatorStatus {
  const start = nowUs();
  while ((read32(FLASH_SR) & (FLASH_SR_BSY | FLASH_SR_CFGBSY | FLASH_SR_PESD)) != 0) {
    if (nowUs() - start >= OPERATION_TIMEOUT_US) return OperatorStatus.FlashBusyTimeout;
    delayUs(POLL_US);
  }
  return OperatorStatus.Ok;
}

function finish(): OperatorStatus {
  const ready = waitReady();
  if (ready != OperatorStatus.Ok) return ready;
  const errors = read32(FLASH_SR) & FLASH_SR_ERRORS;
  write32(FLASH_SR, errors | FLASH_SR_EOP); // write 1 to clear
  if (errors != 0) {
    lastErrorFlags = errors;
    return OperatorStatus.FlashOperationFailed;
  }
  return OperatorStatus.Ok;
}

// HSEM (§1.8). Every wait on a semaphore is bounded by OPERATION_TIMEOUT_US and ends in
// FlashBusyTimeout: codes.ts has no status of its own for "semaphore not obtained in time", and
// for the caller it means the same thing — someone else has the flash controller; try again later.

/** 1-step lock: reading RLR[n] takes semaphore n; it is CPU1's iff the read shows CPU1 as owner. */
function tryTakeSemaphore(index: u32): bool {
  return read32(HSEM_RLR0 + 4 * index) == HSEM_LOCKED_BY_CPU1;
}

function releaseSemaphore(index: u32): void {
  write32(HSEM_R0 + 4 * index, HSEM_RELEASE_CPU1);
}

/**
 * §4.5 step 1: HSEM 2 for the whole session. Staging may run before bootCpu2 has switched the HSEM
 * clock on, and without it the block neither answers nor locks, so the driver enables it itself
 * (and leaves it on: bootCpu2 needs it anyway).
 */
function takeFlashOwnership(): OperatorStatus {
  setBits32(RCC_AHB3ENR, RCC_AHB3ENR_HSEMEN);
  read32(RCC_AHB3ENR); // read back: the clock is running before the first HSEM access
  const start = nowUs();
  while (!tryTakeSemaphore(HSEM_FLASH_SEMID)) {
    if (nowUs() - start >= OPERATION_TIMEOUT_US) return OperatorStatus.FlashBusyTimeout;
    delayUs(POLL_US);
  }
  return OperatorStatus.Ok;
}

/**
 * §4.5 step 4, before one page erase or one 64-bit write: no program/erase suspend (PESD), HSEM 6
 * free, then a 1-step lock of HSEM 7; retried while any of them is busy. The device path runs
 * without interrupts, so the critical section ST wraps around this is already given.
 */
function blockCpu2Flash(): OperatorStatus {
  const start = nowUs();
  const limit = stackRuns() ? STACK_HOLD_TIMEOUT_US : OPERATION_TIMEOUT_US;
  while (true) {
    if ((read32(FLASH_SR) & FLASH_SR_PESD) == 0
      && read32(HSEM_R0 + 4 * HSEM_BLOCK_FLASH_BY_CPU1_SEMID) == 0
      && tryTakeSemaphore(HSEM_BLOCK_FLASH_BY_CPU2_SEMID)) return OperatorStatus.Ok;
    if (nowUs() - start >= limit) return OperatorStatus.FlashBusyTimeout;
    delayUs(POLL_US);
  }
}

/** After the operation has finished: HSEM 7 back to CPU2, and the gap before the next lock. */
function unblockCpu2Flash(): void {
  releaseSemaphore(HSEM_BLOCK_FLASH_BY_CPU2_SEMID);
  delayUs(SEM7_RETAKE_GAP_US);
}

/** One single-byte system command to the running stack; CommandRejected unless it answers success. */
function stackCommand(opcode: u16, value: u8): OperatorStatus {
  store<u8>(commandParameters, value);
  const sent = sendCommand(opcode, 1);
  if (sent != OperatorStatus.Ok) return sent;
  return responseStatus() == 0 ? OperatorStatus.Ok : OperatorStatus.CommandRejected;
}

function stackRuns(): bool {
  return mode() == Cpu2Mode.WirelessStack;
}

/** §4.5: the stack keeps CPU1 off with HSEM 7 from now on (once per stack run). */
function moveStackToSem7(): OperatorStatus {
  if (!stackRuns() || stackUsesSem7) return OperatorStatus.Ok;
  const status = stackCommand(SET_FLASH_ACTIVITY_CONTROL, 1);
  if (status == OperatorStatus.Ok) stackUsesSem7 = true;
  return status;
}

function begin(): OperatorStatus {
  const sem7 = moveStackToSem7();
  if (sem7 != OperatorStatus.Ok) return sem7;
  const owned = takeFlashOwnership();
  if (owned != OperatorStatus.Ok) return owned;
  const ready = waitReady();
  if (ready != OperatorStatus.Ok) {
    releaseSemaphore(HSEM_FLASH_SEMID);
    return ready;
  }
  // Errors left over from earlier operations would make the next one fail (PGSERR).
  write32(FLASH_SR, FLASH_SR_ERRORS | FLASH_SR_EOP);
  if ((read32(FLASH_CR) & FLASH_CR_LOCK) != 0) {
    write32(FLASH_KEYR, FLASH_KEY1);
    write32(FLASH_KEYR, FLASH_KEY2);
  }
  lastErrorFlags = 0;
  return OperatorStatus.Ok;
}

/** §4.5 step 7: lock FLASH_CR, then give up flash ownership. */
function end(): void {
  write32(FLASH_CR, FLASH_CR_LOCK);
  releaseSemaphore(HSEM_FLASH_SEMID);
}

/** First flash address after the firmware running the operator (0: not told). */
let firmwareEndAddress: u32 = 0;

export function firmwareEnd(): u32 {
  return firmwareEndAddress;
}

/** Raises the firmware's end (fusop_init passes the linker's _fusop_firmware_end); never lowers it. */
export function setFirmwareEnd(address: u32): void {
  if (address > firmwareEndAddress) firmwareEndAddress = address;
}

/**
 * [address, address + length) lies where CPU1 may erase and program: from the firmware's end, and
 * never in the first sector (CPU1's vector table), up to the secure boundary. The end is summed in
 * 64 bits, so no length wraps around (the hal checks the same range again, runtime-c/hal.c).
 */
function changeable(address: u32, length: u32): bool {
  const firstSectorEnd = FLASH_BASE + sectorBytesOfPart();
  const lowest = firmwareEndAddress > firstSectorEnd ? firmwareEndAddress : firstSectorEnd;
  return address >= lowest && <u64>address + <u64>length <= <u64>cpu1FlashEnd();
}

/** Erases every page that [address, address + length) touches. */
export function erase(address: u32, length: u32): OperatorStatus {
  const sector = sectorBytesOfPart();
  if (length == 0) return OperatorStatus.FlashRangeInvalid;
  if (!changeable(address, length)) return OperatorStatus.FlashRangeProtected;
  const started = begin();
  if (started != OperatorStatus.Ok) return started;
  // §4.5 steps 2-3: a running stack lets an erase start only in a long enough radio pause.
  if (stackRuns()) {
    const announced = stackCommand(FLASH_ERASE_ACTIVITY, 1);
    if (announced != OperatorStatus.Ok) {
      end();
      return announced;
    }
    delayUs(ERASE_ACTIVITY_SETTLE_US);
  }
  const first = (address - FLASH_BASE) / sector;
  const last = (address - FLASH_BASE + length - 1) / sector;
  let status = OperatorStatus.Ok;
  for (let page = first; page <= last && status == OperatorStatus.Ok; page++) {
    status = blockCpu2Flash();
    if (status != OperatorStatus.Ok) break;
    write32(FLASH_CR, FLASH_CR_PER | ((page << FLASH_CR_PNB_SHIFT) & FLASH_CR_PNB_MASK));
    write32(FLASH_CR, FLASH_CR_PER | ((page << FLASH_CR_PNB_SHIFT) & FLASH_CR_PNB_MASK) | FLASH_CR_STRT);
    status = finish();
    unblockCpu2Flash();
  }
  // §4.5 step 6, also after a failed page: the stack goes back to its normal flash use.
  if (stackRuns()) {
    const ended = stackCommand(FLASH_ERASE_ACTIVITY, 0);
    if (status == OperatorStatus.Ok) status = ended;
  }
  end();
  return status;
}

/**
 * The end of one double word's programming: FLASH_SR polled back to back (the busy time is about
 * 90 µs, so a 10 µs sleep between looks would add up to 10 µs per double word), the clock read only
 * while it is busy, and the last read's error flags used, not read again. Flags are cleared (write 1)
 * only when set. Same outcome and bound as finish().
 */
function programmed(): OperatorStatus {
  let status = read32(FLASH_SR);
  if ((status & (FLASH_SR_BSY | FLASH_SR_CFGBSY | FLASH_SR_PESD)) != 0) {
    const start = nowUs();
    while (((status = read32(FLASH_SR)) & (FLASH_SR_BSY | FLASH_SR_CFGBSY | FLASH_SR_PESD)) != 0) {
      if (nowUs() - start >= OPERATION_TIMEOUT_US) return OperatorStatus.FlashBusyTimeout;
    }
  }
  const errors = status & FLASH_SR_ERRORS;
  if ((status & (FLASH_SR_ERRORS | FLASH_SR_EOP)) != 0) write32(FLASH_SR, errors | FLASH_SR_EOP);
  if (errors != 0) {
    lastErrorFlags = errors;
    return OperatorStatus.FlashOperationFailed;
  }
  return OperatorStatus.Ok;
}

/** Programs `length` bytes (a multiple of 8) from flashBuffer at `address` (8-byte aligned). */
export function writeFromBuffer(address: u32, length: u32): OperatorStatus {
  if ((address & 7) != 0 || (length & 7) != 0 || length > FLASH_BUFFER_BYTES) return OperatorStatus.FlashRangeInvalid;
  if (!changeable(address, length)) return OperatorStatus.FlashRangeProtected;
  const started = begin();
  if (started != OperatorStatus.Ok) return started;
  let status = OperatorStatus.Ok;
  write32(FLASH_CR, FLASH_CR_PG);
  for (let offset: u32 = 0; offset < length && status == OperatorStatus.Ok; offset += 8) {
    status = blockCpu2Flash();
    if (status != OperatorStatus.Ok) break;
    // A double word is programmed by two word writes to consecutive addresses.
    write32(address + offset, load<u32>(flashBuffer + offset));
    write32(address + offset + 4, load<u32>(flashBuffer + offset + 4));
    status = programmed();
    unblockCpu2Flash();
  }
  end();
  return status;
}
