// NVIC (ARMv7-M ARM B3.4): enable and pending bits of CPU1's 63 external interrupts (IRQ numbers
// from ST's stm32wb55xx.h: USART1 36, LPUART1 37, IPCC C1 RX 44, C1 TX 45). Interrupts are
// level-sensitive: a peripheral's request line holds its interrupt pending, and clearing it while the
// line is high pends it again. Tier 2's runner takes what is enabled and pending (tiers/exceptions.ts),
// wakes CPU1 from WFI/WFE with it, and turns a SEVONPEND transition into an event
// (firmware-runner.ts). Priorities keep their 4 implemented bits; active bits read 0.
import type { Peripheral } from "./bus.js";

export const NVIC_BASE = 0xe000_e100;
export const NVIC_SIZE = 0x400;

const ISER = 0x000;
const ICER = 0x080;
const ISPR = 0x100;
const ICPR = 0x180;
const IABR = 0x200;
const IPR = 0x300;
const IPR_END = IPR + 64;
const WORDS = 2;

export const IRQ_USART1 = 36;
export const IRQ_LPUART1 = 37;
export const IRQ_IPCC_C1_RX = 44;
export const IRQ_IPCC_C1_TX = 45;

export class Nvic implements Peripheral {
  readonly name = "NVIC";
  unmodelled?: (offset: number, access: "read" | "write") => void;
  private readonly enabled = new Uint32Array(WORDS);
  private readonly pendingBits = new Uint32Array(WORDS);
  private readonly priorities = new Uint8Array(64);
  /** The request lines of the modelled peripherals now, as a bit per IRQ number. */
  lines: () => Uint32Array = () => new Uint32Array(WORDS);

  reset(): void {
    this.enabled.fill(0);
    this.pendingBits.fill(0);
    this.priorities.fill(0);
  }

  /**
   * Samples the request lines: a line that is high pends its interrupt. Returns true when an
   * interrupt went from not pending to pending (what SEVONPEND turns into an event).
   */
  sample(): boolean {
    const lines = this.lines();
    let newlyPending = false;
    for (let i = 0; i < WORDS; i++) {
      const rising = lines[i] & ~this.pendingBits[i];
      if (rising) newlyPending = true;
      this.pendingBits[i] |= lines[i];
    }
    return newlyPending;
  }

  /** Some interrupt is both enabled and pending (it would be taken, or wake WFI). */
  get enabledPending(): boolean {
    return this.firstEnabledPending() !== null;
  }

  /** Whether any interrupt is enabled at all (nothing can be taken otherwise: a cheap early out). */
  get anyEnabled(): boolean {
    return this.enabled.some((bits) => bits !== 0);
  }

  /** Enabled and pending IRQ numbers, in number order. */
  enabledPendingIrqs(): number[] {
    this.sample();
    const irqs: number[] = [];
    for (let irq = 0; irq < WORDS * 32; irq++) {
      const bit = 1 << (irq & 31);
      if (this.enabled[irq >> 5] & this.pendingBits[irq >> 5] & bit) irqs.push(irq);
    }
    return irqs;
  }

  priority(irq: number): number {
    return this.priorities[irq];
  }

  /** The core takes the interrupt: its pending bit clears (a line still high pends it again). */
  acknowledge(irq: number): void {
    this.pendingBits[irq >> 5] &= ~(1 << (irq & 31));
  }

  /** The lowest IRQ number that is enabled and pending, or null. */
  firstEnabledPending(): number | null {
    this.sample();
    for (let i = 0; i < WORDS; i++) {
      const bits = this.enabled[i] & this.pendingBits[i];
      if (bits !== 0) return i * 32 + (31 - Math.clz32(bits & -bits));
    }
    return null;
  }

  readUint32(offset: number): number {
    this.sample();
    const word = (offset & 0x7f) >> 2;
    if (inBank(offset, ISER) || inBank(offset, ICER)) return this.enabled[word];
    if (inBank(offset, ISPR) || inBank(offset, ICPR)) return this.pendingBits[word];
    if (inBank(offset, IABR)) return 0;
    if (offset >= IPR && offset < IPR_END) {
      const n = offset - IPR;
      return (this.priorities[n] | (this.priorities[n + 1] << 8) | (this.priorities[n + 2] << 16) | (this.priorities[n + 3] << 24)) >>> 0;
    }
    this.unmodelled?.(offset, "read");
    return 0;
  }

  /** Priority bytes take byte and half-word writes (ARMv7-M B3.4.9; CMSIS NVIC_SetPriority writes bytes). */
  writeNarrow(offset: number, size: 1 | 2, value: number): boolean {
    if (offset < IPR || offset + size > IPR_END) return false;
    for (let i = 0; i < size; i++) this.priorities[offset - IPR + i] = (value >>> (8 * i)) & 0xf0;
    return true;
  }

  writeUint32(offset: number, value: number): void {
    const word = (offset & 0x7f) >> 2;
    if (inBank(offset, ISER)) this.enabled[word] |= value;
    else if (inBank(offset, ICER)) this.enabled[word] &= ~value;
    else if (inBank(offset, ISPR)) this.pendingBits[word] |= value;
    else if (inBank(offset, ICPR)) {
      this.pendingBits[word] &= ~value;
      this.sample(); // a line still high pends its interrupt again
    } else if (offset >= IPR && offset < IPR_END) {
      // 4 priority bits implemented (STM32: __NVIC_PRIO_BITS 4), in the top of each byte.
      for (let i = 0; i < 4; i++) this.priorities[offset - IPR + i] = (value >>> (8 * i)) & 0xf0;
    } else this.unmodelled?.(offset, "write");
  }
}

/** `offset` is one of the two words of the register bank at `bank` (IRQs 0–31, 32–63). */
function inBank(offset: number, bank: number): boolean {
  return offset >= bank && offset < bank + 4 * WORDS;
}
