// HSEM: the 32 hardware semaphores CPU1 and CPU2 share (cpu2-interface §1.8). ST's flash driver
// takes semaphore 2 for the whole flash session and semaphores 6/7 around single operations
// (cpu2-interface §4.5), so a loader's flash code meets this block.
import type { Peripheral } from "./bus.js";

export const HSEM_BASE = 0x5800_1400;
export const HSEM_SIZE = 0x400;

const R0 = 0x000;
const RLR0 = 0x080;
const C1IER = 0x100;
const C1ICR = 0x104;
const C1ISR = 0x108;
const C1MISR = 0x10c;
const C2IER = 0x110;
const C2ICR = 0x114;
const C2ISR = 0x118;
const C2MISR = 0x11c;
const CR = 0x140;
const KEYR = 0x144;

const SEMAPHORES = 32;
const LOCK = 1 << 31;
export const CPU1_COREID = 4;
export const CPU2_COREID = 8;

export class Hsem implements Peripheral {
  readonly name = "HSEM";
  /** Per semaphore: 0 when free, else LOCK | COREID << 8 | PROCID. */
  private readonly owners = new Uint32Array(SEMAPHORES);
  private c1ier = 0;
  private c2ier = 0;
  private c1isr = 0;
  private c2isr = 0;
  private key = 0;
  /** CPU1's accesses reach HSEM only while RCC_AHB3ENR.HSEMEN is set; otherwise reads 0, writes lost. */
  cpu1ClockEnabled: () => boolean = () => true;
  /** Before each CPU1 access: a running stack takes or frees HSEM 7 as its radio schedule says. */
  beforeCpu1Access: () => void = () => {};

  reset(): void {
    this.owners.fill(0);
    this.c1ier = this.c2ier = this.c1isr = this.c2isr = this.key = 0;
  }

  /** Owner word of semaphore `index` (0 when free). */
  owner(index: number): number {
    return this.owners[index];
  }

  private release(index: number): void {
    this.owners[index] = 0;
    // A freed semaphore raises its status bit for both cores; the enables only mask the interrupt.
    this.c1isr |= 1 << index;
    this.c2isr |= 1 << index;
  }

  /** 2-step lock (write then read back) or release, for the core `coreId`. */
  private writeLock(index: number, coreId: number, value: number): void {
    const processId = value & 0xff;
    const requester = (LOCK | (coreId << 8) | processId) >>> 0;
    if (value & LOCK) {
      if (this.owners[index] === 0) this.owners[index] = requester;
    } else if (this.owners[index] === requester) {
      this.release(index);
    }
  }

  /** 1-step lock: reading RLR locks a free semaphore for the reading core with process id 0. */
  private readLock(index: number, coreId: number): number {
    if (this.owners[index] === 0) this.owners[index] = (LOCK | (coreId << 8)) >>> 0;
    return this.owners[index];
  }

  readUint32(offset: number): number {
    if (!this.cpu1ClockEnabled()) return 0;
    this.beforeCpu1Access();
    if (offset >= R0 && offset < R0 + SEMAPHORES * 4) return this.owners[(offset - R0) / 4];
    if (offset >= RLR0 && offset < RLR0 + SEMAPHORES * 4) return this.readLock((offset - RLR0) / 4, CPU1_COREID);
    switch (offset) {
      case C1IER: return this.c1ier >>> 0;
      case C1ISR: return this.c1isr >>> 0;
      case C1MISR: return (this.c1isr & this.c1ier) >>> 0;
      case C2IER: return this.c2ier >>> 0;
      case C2ISR: return this.c2isr >>> 0;
      case C2MISR: return (this.c2isr & this.c2ier) >>> 0;
      case KEYR: return this.key >>> 0;
      default: return 0;
    }
  }

  writeUint32(offset: number, value: number): void {
    if (!this.cpu1ClockEnabled()) return;
    this.beforeCpu1Access();
    if (offset >= R0 && offset < R0 + SEMAPHORES * 4) {
      // The bus master is CPU1: the COREID field of the write is replaced by CPU1's.
      this.writeLock((offset - R0) / 4, CPU1_COREID, value);
      return;
    }
    switch (offset) {
      case C1IER: this.c1ier = value >>> 0; break;
      case C1ICR: this.c1isr &= ~value; break;
      case C2IER: this.c2ier = value >>> 0; break;
      case C2ICR: this.c2isr &= ~value; break;
      case CR: this.clearAll((value >>> 8) & 0xf, value >>> 16); break;
      case KEYR: this.key = value & 0xffff_0000; break;
      default: break;
    }
  }

  /** HSEM_CR: with the right key, releases every semaphore the given core holds. */
  private clearAll(coreId: number, key: number): void {
    if (key !== this.key >>> 16) return;
    for (let index = 0; index < SEMAPHORES; index++) {
      if (this.owners[index] !== 0 && ((this.owners[index] >>> 8) & 0xf) === coreId) this.release(index);
    }
  }

  // CPU2's side, used by CPU2 firmware models.
  cpu2Lock(index: number): boolean {
    return this.readLock(index, CPU2_COREID) === ((LOCK | (CPU2_COREID << 8)) >>> 0);
  }
  cpu2Release(index: number): void {
    if (this.owners[index] === ((LOCK | (CPU2_COREID << 8)) >>> 0)) this.release(index);
  }
}
