// Cortex-M4 DWT cycle counter: the device runtime's time source (runtime-c/hal.c). CYCCNT counts
// core clock cycles (HCLK1 as RCC configures it), derived from the chip's virtual clock, and only
// while CTRL.CYCCNTENA is set.
import type { Peripheral } from "./bus.js";
import type { VirtualClock } from "./clock.js";

export const DWT_BASE = 0xe000_1000;
export const DWT_SIZE = 0x1000;

const CTRL = 0x00;
const CYCCNT = 0x04;
/** CYCCNT's address (tier 2 answers its reads in the addon while they change nothing else). */
export const DWT_CYCCNT = DWT_BASE + CYCCNT;
const CTRL_CYCCNTENA = 1;

export class Dwt implements Peripheral {
  readonly name = "DWT";
  private ctrl = 0;
  private cyclesAtWrite = 0;
  private clockAtWrite = 0;

  constructor(private readonly clock: VirtualClock, private readonly coreHz: () => number) {}

  reset(): void {
    this.ctrl = 0;
    this.cyclesAtWrite = 0;
    this.clockAtWrite = this.clock.nowUs;
  }

  /**
   * The core clock changed from `previousHz`: the cycles so far counted at that clock stay,
   * further cycles count at the new one.
   */
  rebase(previousHz: number): void {
    this.cyclesAtWrite = this.cycles(previousHz);
    this.clockAtWrite = this.clock.nowUs;
  }

  /** Whether CYCCNT counts; with counterBase and counterBaseUs, CYCCNT as a function of time (cycles()). */
  get counterEnabled(): boolean {
    return (this.ctrl & CTRL_CYCCNTENA) !== 0;
  }

  get counterBase(): number {
    return this.cyclesAtWrite;
  }

  get counterBaseUs(): number {
    return this.clockAtWrite;
  }

  private cycles(hz = this.coreHz()): number {
    if (!(this.ctrl & CTRL_CYCCNTENA)) return this.cyclesAtWrite;
    const elapsedUs = this.clock.nowUs - this.clockAtWrite;
    return (this.cyclesAtWrite + Math.floor((elapsedUs * hz) / 1e6)) >>> 0;
  }

  readUint32(offset: number): number {
    switch (offset) {
      case CTRL: return this.ctrl;
      case CYCCNT: return this.cycles();
      default: return 0;
    }
  }

  writeUint32(offset: number, value: number): void {
    switch (offset) {
      case CTRL: {
        this.cyclesAtWrite = this.cycles();
        this.clockAtWrite = this.clock.nowUs;
        this.ctrl = value;
        break;
      }
      case CYCCNT: {
        this.cyclesAtWrite = value >>> 0;
        this.clockAtWrite = this.clock.nowUs;
        break;
      }
      default: break;
    }
  }
}
