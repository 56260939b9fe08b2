// RTC backup registers BKP0R..BKP19R (RTC base 0x40002800, offsets 0x50..0x9C, stm32wb55xx.h
// RTC_TypeDef). They live in the backup domain: kept through a system reset, lost on a power loss
// unless the board keeps VBAT (Board.vbatKept); the values are the board's (Board.backupRegisters).
// Writes need the backup domain unlocked (PWR_CR1.DBP) and the RTC APB clock (RCC_APB1ENR1.RTCAPBEN,
// on after reset). The calendar, alarms, wake-up timer and tamper are not modelled.
import type { Peripheral } from "./bus.js";

export const RTC_BASE = 0x4000_2800;
export const RTC_SIZE = 0x400;

const BKP0R = 0x50;
export const BACKUP_REGISTER_COUNT = 20;
const BKP_END = BKP0R + BACKUP_REGISTER_COUNT * 4;

export class RtcBackup implements Peripheral {
  readonly name = "RTC";
  unmodelled?: (offset: number, access: "read" | "write") => void;

  constructor(private readonly registers: number[], private readonly writable: () => boolean,
    private readonly clockEnabled: () => boolean) {}

  readUint32(offset: number): number {
    if (!this.clockEnabled()) return 0;
    if (offset >= BKP0R && offset < BKP_END) return this.registers[(offset - BKP0R) >> 2] >>> 0;
    this.unmodelled?.(offset, "read");
    return 0;
  }

  writeUint32(offset: number, value: number): void {
    if (!this.clockEnabled()) return;
    if (offset >= BKP0R && offset < BKP_END) {
      if (this.writable()) this.registers[(offset - BKP0R) >> 2] = value >>> 0;
      return;
    }
    this.unmodelled?.(offset, "write");
  }
}
