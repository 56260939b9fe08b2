// A running wireless stack's side of flash sharing (cpu2-interface §4.5, §1.7 ACR.PES / SR.PESD,
// §1.8 HSEM 6/7): CPU2 executes from the same flash CPU1 programs, so around each radio event it
// holds CPU1's flash work off, and it counts every CPU1 flash operation that broke the protocol or
// ran into a radio event ("disturbances": on silicon, a missed connection event or a dropped link).
//
// The radio is modelled as a BLE connection [choice]: an event of RADIO_EVENT_US every
// RADIO_INTERVAL_US from the moment the stack runs. CPU2 protects each event from PROTECT_BEFORE_US
// before it to its end; with FLASH_ERASE_ACTIVITY(ON) it protects from ERASE_PROTECT_BEFORE_US
// before it, so that a page erase (≤ 24.47 ms, chip/flash-timing.ts) can only start when it ends
// before the next event (§4.5 step 2: erases only while the radio stays idle ≥ 25 ms).
// How CPU2 holds CPU1 off follows SET_FLASH_ACTIVITY_CONTROL (§5.2 0xFC73): PES by default (every
// new CPU1 program/erase is suspended until it is cleared, and SR.PESD reads 1: HAL-FLASH's
// description of HAL_FLASHEx_SuspendOperation), HSEM 7 once CPU1 asked for it (HWCONF: CPU1 takes
// HSEM 7 around each single operation, so it cannot while CPU2 holds it). Everything is computed
// from the virtual time when asked, so nothing is scheduled for a radio that runs forever.
import type { Cpu2Host } from "./host.js";
import { FLASH_TIMING_US } from "../chip/flash-timing.js";

export const RADIO_INTERVAL_US = 30_000;
export const RADIO_EVENT_US = 2_500;
/**
 * CPU1 may have taken HSEM 7 just before a window opens and start its operation a little later:
 * CPU2 asks early enough for a program (91 µs, chip/flash-timing.ts) plus that latency [choice: 1 ms].
 */
const PROTECT_BEFORE_US = 1_000;
/** §4.5 step 2: the radio must stay idle ≥ 25 ms for an erase; plus the same latency [choice]. */
const ERASE_PROTECT_BEFORE_US = 26_000;
const SEM7 = 7;
/**
 * CPU2's own flash work (FLASH_STORE_DATA / FLASH_ERASE_DATA: the stack's NVM sector, §5.2
 * 0xFC6B, 0xFC6C) [choice: one page erase and a 4 KB page of double words, chip/flash-timing.ts].
 */
export const CPU2_FLASH_WORK_US = FLASH_TIMING_US.pageErase + 512 * FLASH_TIMING_US.programDoubleWord;
const CPU1_OWNS = 0x8000_0400; // LOCK | CPU1 COREID (§1.8)

export type Cpu1FlashKind = "erase" | "program";

export interface Disturbance {
  atUs: number;
  what: string;
}

export class StackFlashArbiter {
  /** FLASH_ERASE_ACTIVITY: CPU1 announced page erases (§4.5 steps 2 and 6). */
  eraseActivity = false;
  /** SET_FLASH_ACTIVITY_CONTROL: false = PES, true = HSEM 7 (§5.2 0xFC73). */
  usesSem7 = false;
  private holdingSem7 = false;
  /** CPU2's own flash work under way: [start, end) in virtual µs. */
  private ownWork: { startUs: number; endUs: number } | null = null;

  /** `disturbances`: where to count them (CPU2 keeps one list through the stack's restarts). */
  constructor(private readonly host: Cpu2Host, private readonly originUs: number, readonly disturbances: Disturbance[]) {}

  /** Radio event k (k ≥ 1) spans [start, start + RADIO_EVENT_US). */
  private eventStart(k: number): number {
    return this.originUs + k * RADIO_INTERVAL_US;
  }

  /** The first radio event that has not ended at `nowUs`. */
  private nextEvent(nowUs: number): number {
    return Math.max(1, Math.floor((nowUs - this.originUs - RADIO_EVENT_US) / RADIO_INTERVAL_US) + 1);
  }

  /** Start of the first radio event that has not ended at `nowUs`. */
  nextRadioEventUs(nowUs: number): number {
    return this.eventStart(this.nextEvent(nowUs));
  }

  /**
   * CPU2 writes its own flash (its NVM data) from `nowUs`: it holds CPU1 off the same way through
   * the work (PES, or HSEM 7 — taken as soon as CPU1 frees it, so the work starts then).
   */
  beginOwnFlashWork(nowUs: number): void {
    this.ownWork = { startUs: nowUs, endUs: nowUs + CPU2_FLASH_WORK_US };
  }

  /** End of the protection window in force at `nowUs`, or null outside every window. */
  private protectedUntil(nowUs: number): number | null {
    if (this.ownWork && nowUs >= this.ownWork.startUs && nowUs < this.ownWork.endUs) return this.ownWork.endUs;
    const start = this.eventStart(this.nextEvent(nowUs));
    const before = this.eraseActivity ? ERASE_PROTECT_BEFORE_US : PROTECT_BEFORE_US;
    return nowUs >= start - before ? start + RADIO_EVENT_US : null;
  }

  /** CPU2's PES request: the time it clears, or null (SR.PESD reads 0). Only in PES mode. */
  suspendedUntil(nowUs: number): number | null {
    return this.usesSem7 ? null : this.protectedUntil(nowUs);
  }

  /** In HSEM 7 mode CPU2 holds semaphore 7 through each window (it waits while CPU1 holds it). */
  syncSemaphores(nowUs: number): void {
    const hsem = this.host.hsem;
    const protect = this.usesSem7 && this.protectedUntil(nowUs) !== null;
    if (protect && !this.holdingSem7) this.holdingSem7 = hsem.cpu2Lock(SEM7);
    else if (!protect && this.holdingSem7) {
      hsem.cpu2Release(SEM7);
      this.holdingSem7 = false;
    }
  }

  /** Leaving the HSEM 7 mode (or stopping) gives the semaphore back. */
  releaseAll(): void {
    if (this.holdingSem7) this.host.hsem.cpu2Release(SEM7);
    this.holdingSem7 = false;
  }

  /** A CPU1 flash operation runs over [startUs, endUs): checked against the protocol and the radio. */
  cpu1Operation(kind: Cpu1FlashKind, startUs: number, endUs: number): void {
    if (kind === "erase" && !this.eraseActivity) {
      this.disturbances.push({ atUs: startUs, what: "CPU1 page erase without FLASH_ERASE_ACTIVITY(ON) (cpu2-interface §4.5 step 2)" });
    }
    if (this.usesSem7 && this.host.hsem.owner(SEM7) !== CPU1_OWNS) {
      this.disturbances.push({ atUs: startUs, what: `CPU1 ${kind} without holding HSEM 7 (cpu2-interface §4.5 step 4)` });
    }
    const own = this.ownWork;
    if (own && startUs < own.endUs && own.startUs < endUs) {
      this.disturbances.push({ atUs: startUs, what: `CPU1 ${kind} during CPU2's own flash work (cpu2-interface §4.5)` });
    }
    const start = this.eventStart(this.nextEvent(startUs));
    if (start < endUs) {
      this.disturbances.push({ atUs: startUs, what: `CPU1 ${kind} ran into the radio event at ${start} µs (CPU2 stalled on flash)` });
    }
  }
}
