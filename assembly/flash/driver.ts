// CPU1's flash programming through the FLASH controller (cpu2-interface §1.7): unlock with the two
// keys, page erase, 64-bit programming of erased double words, errors read from FLASH_SR. It runs
// only while CPU2 is held or runs FUS; with a wireless stack running, flash belongs to a protocol
// of semaphores and erase-activity commands (§4.5) that this driver does not speak, so it refuses.
import { read32, write32, delayUs, nowUs } from "../hal";
import {
  FLASH_BASE, FLASH_KEYR, FLASH_KEY1, FLASH_KEY2, FLASH_SR, FLASH_SR_EOP, FLASH_SR_ERRORS, FLASH_SR_BSY,
  FLASH_SR_CFGBSY, FLASH_SR_PESD, FLASH_CR, FLASH_CR_PG, FLASH_CR_PER, FLASH_CR_PNB_SHIFT, FLASH_CR_PNB_MASK,
  FLASH_CR_STRT, FLASH_CR_LOCK, FLASH_SFR, FLASH_SFR_SFSA_MASK,
} from "../chip/registers";
import { OperatorStatus, Cpu2Mode } from "../shared/codes";
import { mode } from "../mailbox/system";
import { deviceId, flashSizeKb, sectorBytes } from "../chip/variants";

/** Page erase takes up to ~25 ms on this family; allow generously before calling it stuck. */
const OPERATION_TIMEOUT_US: u32 = 100_000;
const POLL_US: u32 = 10;

/** Data to program: the host or the loader fills it, then calls writeFromBuffer. */
export const FLASH_BUFFER_BYTES: u32 = 512;
export const flashBuffer: usize = memory.data(512);

let lastErrorFlags: u32 = 0;

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

function begin(): OperatorStatus {
  if (mode() == Cpu2Mode.WirelessStack) return OperatorStatus.FlashBusyWithStack;
  const ready = waitReady();
  if (ready != OperatorStatus.Ok) return ready;
  // Errors left over from earlier operations would make the next one fail (PGSERR).
  write32(FLASH_SR, FLASH_SR_ERRORS | FLASH_SR_EOP);
  if ((read32(FLASH_CR) & FLASH_CR_LOCK) != 0) {
    write32(FLASH_KEYR, FLASH_KEY1);
    write32(FLASH_KEYR, FLASH_KEY2);
  }
  lastErrorFlags = 0;
  return OperatorStatus.Ok;
}

function end(): void {
  write32(FLASH_CR, FLASH_CR_LOCK);
}

/** Bytes of flash CPU1 may change: everything below the secure boundary SFSA (fus-behaviour §1.1). */
function flashBytes(): u32 {
  const secure = (read32(FLASH_SFR) & FLASH_SFR_SFSA_MASK) * sectorBytes(deviceId());
  const size = flashSizeKb() * 1024;
  return secure < size ? secure : size;
}

/** Erases every page that [address, address + length) touches. */
export function erase(address: u32, length: u32): OperatorStatus {
  const sector = sectorBytes(deviceId());
  if (address < FLASH_BASE || length == 0 || address - FLASH_BASE + length > flashBytes()) return OperatorStatus.FlashRangeInvalid;
  const started = begin();
  if (started != OperatorStatus.Ok) return started;
  const first = (address - FLASH_BASE) / sector;
  const last = (address - FLASH_BASE + length - 1) / sector;
  let status = OperatorStatus.Ok;
  for (let page = first; page <= last && status == OperatorStatus.Ok; page++) {
    write32(FLASH_CR, FLASH_CR_PER | ((page << FLASH_CR_PNB_SHIFT) & FLASH_CR_PNB_MASK));
    write32(FLASH_CR, FLASH_CR_PER | ((page << FLASH_CR_PNB_SHIFT) & FLASH_CR_PNB_MASK) | FLASH_CR_STRT);
    status = finish();
  }
  end();
  return status;
}

/** Programs `length` bytes (a multiple of 8) from flashBuffer at `address` (8-byte aligned). */
export function writeFromBuffer(address: u32, length: u32): OperatorStatus {
  if ((address & 7) != 0 || (length & 7) != 0 || length > FLASH_BUFFER_BYTES) return OperatorStatus.FlashRangeInvalid;
  if (address < FLASH_BASE || address - FLASH_BASE + length > flashBytes()) return OperatorStatus.FlashRangeInvalid;
  const started = begin();
  if (started != OperatorStatus.Ok) return started;
  let status = OperatorStatus.Ok;
  write32(FLASH_CR, FLASH_CR_PG);
  for (let offset: u32 = 0; offset < length && status == OperatorStatus.Ok; offset += 8) {
    // A double word is programmed by two word writes to consecutive addresses.
    write32(address + offset, load<u32>(flashBuffer + offset));
    write32(address + offset + 4, load<u32>(flashBuffer + offset + 4));
    status = finish();
  }
  end();
  return status;
}
