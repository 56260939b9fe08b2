// Where the operator places the shared tables in SRAM2a (cpu2-interface §3). CPU2 follows the
// pointers, so the placement is ours; the sizes are ST's. The device-information table gets 0x38
// bytes because FUS writes its longer layout into it (§3.3), not the 0x20 ST's own TL reserves.
import { SRAM2A_BASE } from "../chip/registers";

export const REFERENCE_TABLE: u32 = SRAM2A_BASE; // IPCCDBA = 0 (§1.7, §3.1)
export const REFERENCE_TABLE_SIZE: u32 = 0x28;
export const DEVICE_INFO_TABLE: u32 = SRAM2A_BASE + 0x28;
export const DEVICE_INFO_TABLE_SIZE: u32 = 0x38;
export const BLE_TABLE: u32 = SRAM2A_BASE + 0x60;
export const SYSTEM_TABLE: u32 = SRAM2A_BASE + 0x70;
export const MEMORY_MANAGER_TABLE: u32 = SRAM2A_BASE + 0x78;
export const SYSTEM_EVENT_QUEUE: u32 = SRAM2A_BASE + 0x98;
export const FREE_BUFFER_QUEUE: u32 = SRAM2A_BASE + 0xa0;
export const BLE_EVENT_QUEUE: u32 = SRAM2A_BASE + 0xa8;
export const SYSTEM_COMMAND_BUFFER: u32 = SRAM2A_BASE + 0x100;
export const SPARE_SYSTEM_EVENT_BUFFER: u32 = SRAM2A_BASE + 0x210;
export const SPARE_BLE_EVENT_BUFFER: u32 = SRAM2A_BASE + 0x320;
export const BLE_COMMAND_BUFFER: u32 = SRAM2A_BASE + 0x430;
export const EVENT_POOL: u32 = SRAM2A_BASE + 0x540;
export const EVENT_POOL_SIZE: u32 = 1340; // 5 buffers of 8 + 258 bytes, word aligned (§3.6)
export const SHARED_AREA_END: u32 = EVENT_POOL + EVENT_POOL_SIZE;
/**
 * The operator's own record of a long operation (fus/journal.ts), just above the shared area: SRAM2
 * keeps its content through a system reset, CPU2 never looks there, and power loss scrambles it,
 * which the record's check word detects.
 */
export const OPERATION_JOURNAL: u32 = (SHARED_AREA_END + 15) & ~15;
export const OPERATION_JOURNAL_SIZE: u32 = 16;
/**
 * First byte after everything the operator keeps in SRAM2a (0x20030A90). CPU1 may use SRAM2a only
 * below the secure part the running stack claims (SRRVR.SBRSA, from the stack's footer:
 * BLE_Stack_full leaves 10 KB, BLE_Stack_full_extended 2 KB; fus-behaviour §4.3).
 */
export const OPERATOR_SRAM2A_END: u32 = OPERATION_JOURNAL + OPERATION_JOURNAL_SIZE;

/** A command or event buffer: 8-byte list node + 3-byte header + 255 bytes of payload (§3.11, §3.12). */
export const PACKET_BUFFER_SIZE: u32 = 0x10c;

// Reference-table slots (§3.1).
export const REF_DEVICE_INFO: u32 = 0x00;
export const REF_BLE: u32 = 0x04;
export const REF_SYSTEM: u32 = 0x0c;
export const REF_MEMORY_MANAGER: u32 = 0x10;
