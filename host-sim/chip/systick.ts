// SysTick (ARMv7-M ARM B3.3): a 24-bit down-counter on CPU1's core clock (CLKSOURCE 1) or the
// external reference, HCLK/8 on STM32 (CLKSOURCE 0; RM0434 RCC "SysTick clock"). It counts in
// virtual time at the configured clock; COUNTFLAG says it reached 0 since CSR was last read, and a
// wrap with TICKINT pends the SysTick exception (`pending`, what wakes WFI in firmware-runner.ts).
// CSR resets to 0; RVR and CVR are UNKNOWN at reset (0 here); CALIB [assumption] 0x40000000 (SKEW,
// no TENMS value: ST does not give one for the WB).
import type { Peripheral } from "./bus.js";
import type { VirtualClock, ScheduledHandle } from "./clock.js";

export const SYSTICK_BASE = 0xe000_e010;
export const SYSTICK_SIZE = 0x10;

const CSR = 0x00;
const RVR = 0x04;
const CVR = 0x08;
const CALIB = 0x0c;

const CSR_ENABLE = 1 << 0;
const CSR_TICKINT = 1 << 1;
const CSR_CLKSOURCE = 1 << 2;
const CSR_COUNTFLAG = 1 << 16;
const CALIB_VALUE = 0x4000_0000;
const MAX = 0xff_ffff;

export class SysTick implements Peripheral {
  readonly name = "SysTick";
  unmodelled?: (offset: number, access: "read" | "write") => void;
  private csr = 0;
  private rvr = 0;
  /** CVR at `startUs`, the last time the count was re-based. */
  private cvrAtStart = 0;
  private startUs = 0;
  private countflag = false;
  /** Wraps since the last re-base already turned into COUNTFLAG. */
  private wrapsNoted = 0;
  private wrap: ScheduledHandle | null = null;
  /** The SysTick exception is pending (a wrap with TICKINT); cleared by ICSR.PENDSTCLR or taken. */
  pending = false;

  constructor(private readonly clock: VirtualClock, private readonly coreHz: () => number) {}

  reset(): void {
    this.wrap?.cancel();
    this.wrap = null;
    this.csr = this.rvr = this.cvrAtStart = 0;
    this.countflag = this.pending = false;
    this.wrapsNoted = 0;
    this.startUs = this.clock.nowUs;
  }

  /** The counter's clock: the core clock (`coreHz`, the present one unless given) or it / 8. */
  private hz(coreHz = this.coreHz()): number {
    return this.csr & CSR_CLKSOURCE ? coreHz : coreHz / 8;
  }

  private elapsedTicks(coreHz?: number): number {
    return Math.floor(((this.clock.nowUs - this.startUs) * this.hz(coreHz)) / 1e6);
  }

  /** Counter value now (counted at `coreHz` since the last start); a wrap not yet noted sets COUNTFLAG. */
  private current(coreHz?: number): number {
    if (!(this.csr & CSR_ENABLE)) return this.cvrAtStart;
    const ticks = this.elapsedTicks(coreHz);
    if (ticks <= this.cvrAtStart) return this.cvrAtStart - ticks;
    const wraps = this.rvr === 0 ? 1 : 1 + Math.floor((ticks - this.cvrAtStart - 1) / (this.rvr + 1));
    if (wraps > this.wrapsNoted) {
      this.countflag = true;
      this.wrapsNoted = wraps;
    }
    if (this.rvr === 0) return 0; // a reload value of 0 stops the counter at the next wrap
    return this.rvr - ((ticks - this.cvrAtStart - 1) % (this.rvr + 1));
  }

  /** Starts counting afresh from `value` now (clock changes, register writes). */
  private restartAt(value: number): void {
    this.cvrAtStart = value;
    this.startUs = this.clock.nowUs;
    this.wrapsNoted = 0;
    this.scheduleWrap();
  }

  /** Re-bases the count at the present value, counted so far at `previousHz` (the core clock changed). */
  rebase(previousHz?: number): void {
    this.restartAt(this.current(previousHz));
  }

  private scheduleWrap(): void {
    this.wrap?.cancel();
    this.wrap = null;
    if ((this.csr & (CSR_ENABLE | CSR_TICKINT)) !== (CSR_ENABLE | CSR_TICKINT)) return;
    // The exception pends when the counter goes from 1 to 0.
    const ticksToZero = this.cvrAtStart === 0 ? this.rvr + 1 : this.cvrAtStart;
    if (this.rvr === 0 && this.cvrAtStart === 0) return;
    this.wrap = this.clock.schedule((ticksToZero * 1e6) / this.hz(), () => {
      this.pending = true;
      this.rebase();
    });
  }

  readUint32(offset: number): number {
    switch (offset) {
      case CSR: {
        this.current();
        const value = this.csr | (this.countflag ? CSR_COUNTFLAG : 0);
        this.countflag = false; // reading CSR clears COUNTFLAG
        return value;
      }
      case RVR: return this.rvr;
      case CVR: return this.current();
      case CALIB: return CALIB_VALUE;
      default:
        this.unmodelled?.(offset, "read");
        return 0;
    }
  }

  writeUint32(offset: number, value: number): void {
    switch (offset) {
      case CSR: {
        const now = this.current();
        this.csr = value & (CSR_ENABLE | CSR_TICKINT | CSR_CLKSOURCE);
        this.restartAt(now);
        break;
      }
      case RVR: this.rvr = value & MAX; break;
      case CVR: {
        // Any write clears the counter to 0 and COUNTFLAG; it reloads from RVR on the next tick.
        this.countflag = false;
        this.restartAt(0);
        break;
      }
      case CALIB: break;
      default: this.unmodelled?.(offset, "write"); break;
    }
  }
}
