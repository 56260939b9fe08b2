// System control block and the debug registers next to it (ARMv7-M ARM B3.2, C1.6), CPU1 side:
// CPUID 0x410FC241 (Cortex-M4 r0p1), ICSR (SysTick pend/clear), VTOR, AIRCR (SYSRESETREQ with the
// 0x05FA key resets the part: what NVIC_SystemReset does), SCR (SEVONPEND, SLEEPDEEP), CCR (reset
// 0x00000200, STKALIGN), the fault and priority registers as storage, CPACR (SystemInit enables the
// FPU there) and DEMCR (TRCENA for the DWT). Window 0xE000ED00–0xE000EDFF.
import type { Peripheral } from "./bus.js";
import type { SysTick } from "./systick.js";

export const SCB_BASE = 0xe000_ed00;
export const SCB_SIZE = 0x100;

const CPUID = 0x00;
const ICSR = 0x04;
const VTOR = 0x08;
const AIRCR = 0x0c;
const SCR = 0x10;
const CCR = 0x14;
const SHPR1 = 0x18;
const SHPR2 = 0x1c;
const SHPR3 = 0x20;
const SHCSR = 0x24;
const CFSR = 0x28;
const HFSR = 0x2c;
const MMFAR = 0x34;
const BFAR = 0x38;
const CPACR = 0x88;
const DHCSR = 0xf0;
const DEMCR = 0xfc;

const CPUID_CORTEX_M4_R0P1 = 0x410f_c241;
const ICSR_PENDSTSET = 1 << 26;
const ICSR_PENDSTCLR = 1 << 25;
const AIRCR_VECTKEY = 0x05fa;
const AIRCR_VECTKEYSTAT = 0xfa05_0000;
const AIRCR_SYSRESETREQ = 1 << 2;
export const SCR_SEVONPEND = 1 << 4;
const CCR_RESET = 0x0000_0200;

export class Scb implements Peripheral {
  readonly name = "SCB";
  unmodelled?: (offset: number, access: "read" | "write") => void;
  private readonly stored = new Map<number, number>();
  private aircr = 0;
  scr = 0;
  /** AIRCR.SYSRESETREQ: the part resets (ST's NVIC_SystemReset). */
  onSystemResetRequest: () => void = () => {};

  constructor(private readonly systick: SysTick) {}

  reset(): void {
    this.stored.clear();
    this.aircr = 0;
    this.scr = 0;
  }

  /** Vector table offset (VTOR). */
  get vectorTable(): number {
    return this.stored.get(VTOR) ?? 0;
  }

  /** Priority byte of system exception 4..15 (SHPR1–3). */
  systemPriority(exception: number): number {
    const word = this.stored.get(SHPR1 + ((exception - 4) & ~3)) ?? 0;
    return (word >>> (((exception - 4) & 3) * 8)) & 0xff;
  }

  readUint32(offset: number): number {
    switch (offset) {
      case CPUID: return CPUID_CORTEX_M4_R0P1;
      case ICSR: return this.systick.pending ? ICSR_PENDSTSET : 0;
      case AIRCR: return (AIRCR_VECTKEYSTAT | this.aircr) >>> 0;
      case SCR: return this.scr;
      case CCR: return this.stored.get(offset) ?? CCR_RESET;
      case VTOR: case SHPR1: case SHPR2: case SHPR3: case SHCSR: case CFSR: case HFSR: case MMFAR: case BFAR:
      case CPACR: case DEMCR: return this.stored.get(offset) ?? 0;
      case DHCSR: return 0; // no debugger attached
      default:
        this.unmodelled?.(offset, "read");
        return 0;
    }
  }

  /** SHPR1–3 take byte and half-word writes (CMSIS NVIC_SetPriority for SysTick, PendSV...). */
  writeNarrow(offset: number, size: 1 | 2, value: number): boolean {
    if (offset < SHPR1 || offset + size > SHPR3 + 4) return false;
    const word = offset & ~3;
    const shift = (offset & 3) * 8;
    const mask = (size === 1 ? 0xff : 0xffff) << shift;
    const before = this.stored.get(word) ?? 0;
    this.stored.set(word, ((before & ~mask) | ((value << shift) & mask & 0xf0f0_f0f0)) >>> 0);
    return true;
  }

  writeUint32(offset: number, value: number): void {
    switch (offset) {
      case ICSR: {
        if (value & ICSR_PENDSTSET) this.systick.pending = true;
        if (value & ICSR_PENDSTCLR) this.systick.pending = false;
        break;
      }
      case AIRCR: {
        if ((value >>> 16) !== AIRCR_VECTKEY) break; // writes without the key are ignored
        this.aircr = value & 0x0000_0700; // PRIGROUP
        if (value & AIRCR_SYSRESETREQ) this.onSystemResetRequest();
        break;
      }
      case SCR: this.scr = value & 0x16; break;
      case CFSR: case HFSR: this.stored.set(offset, (this.stored.get(offset) ?? 0) & ~value); break; // write 1 to clear
      case VTOR: this.stored.set(offset, value & 0xffff_ff80); break;
      case SHPR1: case SHPR2: case SHPR3: this.stored.set(offset, (value & 0xf0f0_f0f0) >>> 0); break; // 4 priority bits
      case CCR: case SHCSR: case MMFAR: case BFAR: case CPACR: case DEMCR:
        this.stored.set(offset, value >>> 0);
        break;
      case CPUID: case DHCSR: break;
      default: this.unmodelled?.(offset, "write"); break;
    }
  }
}
