// Booting CPU2 (cpu2-interface §4.1): clocks, the SRAM2a tables, C2BOOT, then the READY event.
import { read32, write32, setBits32, clearBits32 } from "../hal";
import {
  RCC_AHB3ENR, RCC_AHB3ENR_HSEMEN, RCC_AHB3ENR_IPCCEN, RCC_C2AHB3ENR, PWR_CR4, PWR_CR4_C2BOOT,
  PWR_C2CR1, PWR_C2CR1_LPMS_MASK, PWR_C2CR1_LPMS_SHUTDOWN, FLASH_SR, FLASH_SR_OPTVERR,
  FLASH_IPCCBR, FLASH_IPCCBR_IPCCDBA_MASK,
} from "../chip/registers";
import { OperatorStatus } from "../shared/codes";
import {
  REFERENCE_TABLE, REFERENCE_TABLE_SIZE, DEVICE_INFO_TABLE, DEVICE_INFO_TABLE_SIZE, BLE_TABLE,
  SYSTEM_TABLE, MEMORY_MANAGER_TABLE, SYSTEM_EVENT_QUEUE, FREE_BUFFER_QUEUE, BLE_EVENT_QUEUE,
  SYSTEM_COMMAND_BUFFER, SPARE_SYSTEM_EVENT_BUFFER, SPARE_BLE_EVENT_BUFFER, BLE_COMMAND_BUFFER,
  EVENT_POOL, EVENT_POOL_SIZE, REF_DEVICE_INFO, REF_SYSTEM,
} from "./layout";
import { initSystemChannel, waitForReady } from "./system";
import { initQueue } from "./queue";
import { tablesFitCurrentShare } from "./share";

let booted: bool = false;

export function isBooted(): bool {
  return booted;
}

/** CPU2 runs with tables another CPU1 component built, and the operator uses them (attach.ts). */
export function markBooted(): void {
  booted = true;
}

/** The operator gave the channel back (attach.ts detach): the next resume attaches again. */
export function forgetBoot(): void {
  booted = false;
}

function zero(address: u32, length: u32): void {
  for (let offset: u32 = 0; offset < length; offset += 4) write32(address + offset, 0);
}

/** Two consecutive words of a table: half the calls of word-by-word writes (the loader's size). */
function writePair(address: u32, first: u32, second: u32): void {
  write32(address, first);
  write32(address + 4, second);
}

/** Writes the reference table and the sub-tables it points to (§3.1, §3.5, §3.6, §3.7). */
function buildTables(): void {
  zero(REFERENCE_TABLE, REFERENCE_TABLE_SIZE);
  zero(DEVICE_INFO_TABLE, DEVICE_INFO_TABLE_SIZE);
  writePair(REFERENCE_TABLE + REF_DEVICE_INFO, DEVICE_INFO_TABLE, BLE_TABLE); // REF_BLE follows
  writePair(REFERENCE_TABLE + REF_SYSTEM, SYSTEM_TABLE, MEMORY_MANAGER_TABLE); // REF_MEMORY_MANAGER follows

  initSystemChannel();
  writePair(SYSTEM_TABLE, SYSTEM_COMMAND_BUFFER, SYSTEM_EVENT_QUEUE);

  // A stack posts BLE events even when nobody asked for BLE: give it valid buffers.
  initQueue(BLE_EVENT_QUEUE);
  writePair(BLE_TABLE, BLE_COMMAND_BUFFER, BLE_COMMAND_BUFFER);
  writePair(BLE_TABLE + 0x08, BLE_EVENT_QUEUE, BLE_COMMAND_BUFFER);

  // The FUS READY event was observed only after this table was filled (§3.6, ST-COMM-1 [obs]).
  writePair(MEMORY_MANAGER_TABLE, SPARE_BLE_EVENT_BUFFER, SPARE_SYSTEM_EVENT_BUFFER);
  writePair(MEMORY_MANAGER_TABLE + 0x08, EVENT_POOL, EVENT_POOL_SIZE);
  writePair(MEMORY_MANAGER_TABLE + 0x10, FREE_BUFFER_QUEUE, 0);
  write32(MEMORY_MANAGER_TABLE + 0x18, 0);
}

/**
 * Boots CPU2 and waits up to `readyTimeoutUs` for its READY event. The order is ST's (§4.1) minus
 * the interrupt and EXTI wake-up steps: the operator polls and never sleeps.
 */
export function bootCpu2(readyTimeoutUs: u32): OperatorStatus {
  booted = false;
  if ((read32(FLASH_IPCCBR) & FLASH_IPCCBR_IPCCDBA_MASK) != 0) return OperatorStatus.MailboxOffsetUnsupported;
  // Setting C2BOOT a second time has no effect (§1.4): CPU2 would never read our tables.
  if ((read32(PWR_CR4) & PWR_CR4_C2BOOT) != 0) return OperatorStatus.Cpu2AlreadyBooted;
  // A stack that keeps more of SRAM2a secure than our tables leave would make CPU1 fault on them.
  if (!tablesFitCurrentShare()) return OperatorStatus.SharedSramTooSmall;

  write32(FLASH_SR, FLASH_SR_OPTVERR); // wrongly set at power-on; write 1 to clear (§1.7)
  setBits32(RCC_AHB3ENR, RCC_AHB3ENR_HSEMEN | RCC_AHB3ENR_IPCCEN);
  clearBits32(PWR_C2CR1, PWR_C2CR1_LPMS_MASK);
  setBits32(PWR_C2CR1, PWR_C2CR1_LPMS_SHUTDOWN);
  buildTables();
  setBits32(RCC_C2AHB3ENR, RCC_AHB3ENR_IPCCEN); // keeps IPCC clocked for CPU2 (§1.5)
  setBits32(PWR_CR4, PWR_CR4_C2BOOT);

  const ready = waitForReady(readyTimeoutUs);
  if (ready != OperatorStatus.Ok) return ready;
  booted = true;
  return OperatorStatus.Ok;
}
