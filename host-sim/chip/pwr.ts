// PWR: the registers that gate CPU2 (cpu2-interface §1.4).
import type { Peripheral } from "./bus.js";

export const PWR_BASE = 0x5800_0400;
export const PWR_SIZE = 0x400;

const CR1 = 0x00;
const CR4 = 0x0c;
const C2CR1 = 0x80;
const EXTSCR = 0x88;

export const CR4_C2BOOT = 1 << 15;
// WP1..WP5, VBE, VBRS, C2BOOT are the implemented bits of CR4.
const CR4_IMPLEMENTED = 0x1f | (1 << 8) | (1 << 9) | CR4_C2BOOT;

export class Pwr implements Peripheral {
  readonly name = "PWR";
  unmodelled?: (offset: number, access: "read" | "write") => void;
  private cr1 = 0x0000_0200; // VOS range 1 after reset
  private cr4 = 0;
  private c2cr1 = 0;
  private c2bootLatched = false;
  /** C2BOOT went 0 -> 1 for the first time since reset: CPU2 leaves reset. */
  onCpu2Boot: () => void = () => {};

  reset(): void {
    this.cr1 = 0x0000_0200;
    this.cr4 = 0;
    this.c2cr1 = 0;
    this.c2bootLatched = false;
  }

  get c2boot(): boolean {
    return (this.cr4 & CR4_C2BOOT) !== 0;
  }

  readUint32(offset: number): number {
    switch (offset) {
      case CR1: return this.cr1;
      case CR4: return this.cr4;
      case C2CR1: return this.c2cr1;
      case EXTSCR: return 0;
      default:
        this.unmodelled?.(offset, "read");
        return 0;
    }
  }

  writeUint32(offset: number, value: number): void {
    switch (offset) {
      case CR1: this.cr1 = value; break;
      case CR4: {
        this.cr4 = value & CR4_IMPLEMENTED;
        // Once set, clearing and setting C2BOOT again has no effect (§1.4).
        if (this.c2boot && !this.c2bootLatched) {
          this.c2bootLatched = true;
          this.onCpu2Boot();
        }
        break;
      }
      case C2CR1: this.c2cr1 = value & 0x7; break;
      default: this.unmodelled?.(offset, "write"); break;
    }
  }
}
