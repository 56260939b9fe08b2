// EXTI: the interrupt and event masks of both cores and the trigger selection of the configurable
// lines. ST's IPCC bring-up (hw_ipcc.c HW_IPCC_Enable) sets RTSR2 bit 9 (line 41) and C2EMR2 bit 9
// so that CPU1's SEV reaches CPU2; ST's app_entry unmasks lines 36 (IPCC) and 38 (HSEM) in C1IMR2.
// Offsets from ST's SVD for the STM32WB55 (RTSR1 0x00 ... C2EMR2 0xD4). Lines are not routed to the
// cores' wake-up logic: tier 2 wakes CPU1 from the NVIC's pending interrupts and the event register
// (firmware-runner.ts); what EXTI would add (GPIO edges) is listed under "Not modelled".
import type { Peripheral } from "./bus.js";

export const EXTI_BASE = 0x5800_0800;
export const EXTI_SIZE = 0x400;

const RTSR1 = 0x00;
const FTSR1 = 0x04;
const SWIER1 = 0x08;
const PR1 = 0x0c;
const RTSR2 = 0x20;
const FTSR2 = 0x24;
const SWIER2 = 0x28;
const PR2 = 0x2c;
const C1IMR1 = 0x80;
const C1EMR1 = 0x84;
const C1IMR2 = 0x90;
const C1EMR2 = 0x94;
const C2IMR1 = 0xc0;
const C2EMR1 = 0xc4;
const C2IMR2 = 0xd0;
const C2EMR2 = 0xd4;

/** Configurable lines of register 1 (0..16, 21, 22) and 2 (34, 40, 41, 45): SVD field lists. */
const CONFIGURABLE1 = 0x0061_ffff;
const CONFIGURABLE2 = (1 << 2) | (1 << 8) | (1 << 9) | (1 << 13);
/**
 * Reset values of the interrupt masks, from ST's SVD as the stm32wb-pac crate carries it: C1IMR1 and
 * C2IMR1 0x7FC00000 (direct lines 22–30 unmasked), C2IMR2 0x0001FCFD; C1IMR2 [assumption] the same
 * as C2IMR2 (its value was not at hand). Event masks, triggers and pending bits reset to 0.
 */
const RESET_VALUES = new Map<number, number>([
  [C1IMR1, 0x7fc0_0000], [C2IMR1, 0x7fc0_0000], [C1IMR2, 0x0001_fcfd], [C2IMR2, 0x0001_fcfd],
]);

export class Exti implements Peripheral {
  readonly name = "EXTI";
  unmodelled?: (offset: number, access: "read" | "write") => void;
  private readonly registers = new Map<number, number>();

  reset(): void {
    this.registers.clear();
  }

  /** Line `line` unmasked for CPU2 events (C2EMR1/2). */
  cpu2EventEnabled(line: number): boolean {
    const register = line < 32 ? C2EMR1 : C2EMR2;
    return ((this.value(register) >>> (line % 32)) & 1) === 1;
  }

  readUint32(offset: number): number {
    switch (offset) {
      case RTSR1: case FTSR1: case PR1: case RTSR2: case FTSR2: case PR2:
      case C1IMR1: case C1EMR1: case C1IMR2: case C1EMR2: case C2IMR1: case C2EMR1: case C2IMR2: case C2EMR2:
        return this.value(offset);
      case SWIER1: case SWIER2: return 0; // always reads 0 (SVD)
      default:
        this.unmodelled?.(offset, "read");
        return 0;
    }
  }

  writeUint32(offset: number, value: number): void {
    switch (offset) {
      case RTSR1: case FTSR1: this.registers.set(offset, value & CONFIGURABLE1); break;
      case RTSR2: case FTSR2: this.registers.set(offset, value & CONFIGURABLE2); break;
      case SWIER1: this.pend(PR1, value & CONFIGURABLE1); break;
      case SWIER2: this.pend(PR2, value & CONFIGURABLE2); break;
      case PR1: case PR2: this.registers.set(offset, (this.registers.get(offset) ?? 0) & ~value); break; // write 1 to clear
      case C1IMR2: case C2IMR2: this.registers.set(offset, value & 0x0001_ffff); break; // lines 32–48
      case C1IMR1: case C1EMR1: case C1EMR2: case C2IMR1: case C2EMR1: case C2EMR2:
        this.registers.set(offset, value >>> 0);
        break;
      default: this.unmodelled?.(offset, "write"); break;
    }
  }

  private value(register: number): number {
    return this.registers.get(register) ?? RESET_VALUES.get(register) ?? 0;
  }

  private pend(register: number, lines: number): void {
    this.registers.set(register, (this.registers.get(register) ?? 0) | lines);
  }
}
