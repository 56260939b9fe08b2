// RCC: the clock enables the operator sets (cpu2-interface §1.5). Only the bits that matter are
// modelled; IPCC answers only while CPU1 has its clock on, as on silicon.
import type { Peripheral } from "./bus.js";

export const RCC_BASE = 0x5800_0000;
export const RCC_SIZE = 0x400;

const AHB3RSTR = 0x30;
const AHB3ENR = 0x50;
const C2AHB3ENR = 0x150;

export const AHB3ENR_HSEMEN = 1 << 19;
export const AHB3ENR_IPCCEN = 1 << 20;
export const AHB3ENR_FLASHEN = 1 << 25;
// QUADSPI, PKA, AES2, RNG, HSEM, IPCC, FLASH
const AHB3ENR_IMPLEMENTED = (1 << 8) | (1 << 16) | (1 << 17) | (1 << 18) | AHB3ENR_HSEMEN | AHB3ENR_IPCCEN | AHB3ENR_FLASHEN;

/** MSI at 4 MHz is the system clock after reset; the operator does not change it. */
export const RESET_SYSCLK_HZ = 4_000_000;

export class Rcc implements Peripheral {
  readonly name = "RCC";
  private ahb3enr = AHB3ENR_FLASHEN;
  private c2ahb3enr = 0;

  reset(): void {
    this.ahb3enr = AHB3ENR_FLASHEN;
    this.c2ahb3enr = 0;
  }

  isEnabled(bit: number): boolean {
    return (this.ahb3enr & bit) !== 0;
  }

  readUint32(offset: number): number {
    switch (offset) {
      case AHB3ENR: return this.ahb3enr;
      case C2AHB3ENR: return this.c2ahb3enr;
      case AHB3RSTR: return 0;
      default: return 0;
    }
  }

  writeUint32(offset: number, value: number): void {
    switch (offset) {
      case AHB3ENR: this.ahb3enr = value & AHB3ENR_IMPLEMENTED; break;
      case C2AHB3ENR: this.c2ahb3enr = value; break;
      default: break;
    }
  }
}
