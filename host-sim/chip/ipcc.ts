// IPCC: six channels, one flag per direction (cpu2-interface §1.2, §1.3).
import type { Peripheral } from "./bus.js";

export const IPCC_BASE = 0x5800_0c00;
export const IPCC_SIZE = 0x400;

const C1CR = 0x00;
const C1MR = 0x04;
const C1SCR = 0x08;
const C1TOC2SR = 0x0c;
const C2CR = 0x10;
const C2MR = 0x14;
const C2SCR = 0x18;
const C2TOC1SR = 0x1c;

const CHANNEL_MASK = 0x3f;
/** C1MR/C2MR reset 0xFFFFFFFF in ST's SVD: every channel masked (the implemented bits read back). */
const MASK_RESET = 0x003f_003f;
const CR_RXOIE = 1 << 0;
const CR_TXFIE = 1 << 16;

export type ChannelListener = (channel: number) => void;

export class Ipcc implements Peripheral {
  readonly name = "IPCC";
  unmodelled?: (offset: number, access: "read" | "write") => void;
  private c1cr = 0;
  private c1mr = MASK_RESET;
  private c2cr = 0;
  private c2mr = MASK_RESET;
  private c1toc2 = 0;
  private c2toc1 = 0;
  /** CPU1's accesses reach IPCC only while RCC_AHB3ENR.IPCCEN is set; otherwise reads 0, writes lost. */
  cpu1ClockEnabled: () => boolean = () => true;
  /** CPU1 set a C1->C2 flag: CPU2 gets its RX-occupied. */
  onCpu1Post: ChannelListener = () => {};
  /** CPU1 cleared a C2->C1 flag: CPU2 may post on that channel again. */
  onCpu1Acknowledge: ChannelListener = () => {};

  reset(): void {
    this.c1cr = this.c2cr = this.c1toc2 = this.c2toc1 = 0;
    this.c1mr = this.c2mr = MASK_RESET;
  }

  /** CPU1's RX-occupied interrupt request: RXOIE and an occupied, unmasked C2->C1 channel. */
  get cpu1RxInterrupt(): boolean {
    return (this.c1cr & CR_RXOIE) !== 0 && (this.c2toc1 & ~this.c1mr & CHANNEL_MASK) !== 0;
  }

  /** CPU1's TX-free interrupt request: TXFIE and a free, unmasked C1->C2 channel. */
  get cpu1TxInterrupt(): boolean {
    return (this.c1cr & CR_TXFIE) !== 0 && (~this.c1toc2 & ~(this.c1mr >>> 16) & CHANNEL_MASK) !== 0;
  }

  readUint32(offset: number): number {
    if (!this.cpu1ClockEnabled()) return 0;
    switch (offset) {
      case C1CR: return this.c1cr;
      case C1MR: return this.c1mr;
      case C1SCR: return 0; // write-only
      case C1TOC2SR: return this.c1toc2;
      case C2CR: return this.c2cr;
      case C2MR: return this.c2mr;
      case C2SCR: return 0;
      case C2TOC1SR: return this.c2toc1;
      default:
        this.unmodelled?.(offset, "read");
        return 0;
    }
  }

  writeUint32(offset: number, value: number): void {
    if (!this.cpu1ClockEnabled()) return;
    switch (offset) {
      case C1CR: this.c1cr = value & 0x0001_0001; break;
      case C1MR: this.c1mr = value & 0x003f_003f; break;
      case C1SCR: this.cpu1SetClear(value); break;
      case C2CR: this.c2cr = value & 0x0001_0001; break;
      case C2MR: this.c2mr = value & 0x003f_003f; break;
      case C2SCR: this.cpu2SetClear(value); break;
      case C1TOC2SR: case C2TOC1SR: break; // status registers are read-only
      default: this.unmodelled?.(offset, "write"); break;
    }
  }

  private cpu1SetClear(value: number): void {
    const clear = value & CHANNEL_MASK;
    const set = (value >>> 16) & CHANNEL_MASK;
    this.c2toc1 &= ~clear;
    const newlySet = set & ~this.c1toc2;
    this.c1toc2 |= set;
    for (let channel = 1; channel <= 6; channel++) {
      const bit = 1 << (channel - 1);
      if (clear & bit) this.onCpu1Acknowledge(channel);
      if (newlySet & bit) this.onCpu1Post(channel);
    }
  }

  private cpu2SetClear(value: number): void {
    this.c1toc2 &= ~(value & CHANNEL_MASK);
    this.c2toc1 |= (value >>> 16) & CHANNEL_MASK;
  }

  // CPU2's side, used by the CPU2 firmware models (they reach the registers the way CPU2 code would).
  cpu2Post(channel: number): void {
    this.cpu2SetClear(1 << (channel - 1 + 16));
  }
  cpu2Clear(channel: number): void {
    this.cpu2SetClear(1 << (channel - 1));
  }
  isCpu1Posted(channel: number): boolean {
    return (this.c1toc2 & (1 << (channel - 1))) !== 0;
  }
  isCpu2Posted(channel: number): boolean {
    return (this.c2toc1 & (1 << (channel - 1))) !== 0;
  }
}
