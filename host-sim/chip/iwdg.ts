// IWDG: the independent watchdog, counting down on LSI (32 kHz) and resetting the part at 0.
// Registers and reset values from ST's SVD for the STM32WB55 (KR 0x00, PR 0x00000000, RLR 0x00000FFF,
// SR 0, WINR 0x00000FFF). Keys: 0xCCCC starts it (and LSI), 0xAAAA reloads, 0x5555 opens PR/RLR/WINR
// to writes, anything else closes them again. Timeout = 4·2^PR × (RLR+1) / 32 kHz. Once started it
// cannot be stopped, only a reset stops it; a reload while the counter is above a window (WINR <
// 0xFFF) resets the part too. SR's update flags read 0 [choice: updates take effect at once].
import type { Peripheral } from "./bus.js";
import type { VirtualClock, ScheduledHandle } from "./clock.js";

export const IWDG_BASE = 0x4000_3000;
export const IWDG_SIZE = 0x400;

const KR = 0x00;
const PR = 0x04;
const RLR = 0x08;
const SR = 0x0c;
const WINR = 0x10;

const KEY_START = 0xcccc;
const KEY_RELOAD = 0xaaaa;
const KEY_UNLOCK = 0x5555;
export const LSI_HZ = 32_000;
const RLR_RESET = 0xfff;
const WINR_RESET = 0xfff;

export class Iwdg implements Peripheral {
  readonly name = "IWDG";
  unmodelled?: (offset: number, access: "read" | "write") => void;
  private pr = 0;
  private rlr = RLR_RESET;
  private winr = WINR_RESET;
  private unlocked = false;
  private running = false;
  private reloadedAtUs = 0;
  private expiry: ScheduledHandle | null = null;
  /** The counter reached 0, or a reload came outside the window: the part resets. */
  onTimeout: (reason: string) => void = () => {};
  /** KR 0xCCCC switches LSI on (RCC_CSR.LSI1ON). */
  onStart: () => void = () => {};

  constructor(private readonly clock: VirtualClock) {}

  reset(): void {
    this.expiry?.cancel();
    this.expiry = null;
    this.pr = 0;
    this.rlr = RLR_RESET;
    this.winr = WINR_RESET;
    this.unlocked = false;
    this.running = false;
  }

  private tickUs(): number {
    return (4 * 2 ** Math.min(this.pr, 6) * 1e6) / LSI_HZ;
  }

  /** The down-counter now (RLR at the last reload, one less per prescaled LSI tick). */
  private counter(): number {
    return Math.max(0, this.rlr - Math.floor((this.clock.nowUs - this.reloadedAtUs) / this.tickUs()));
  }

  private reload(): void {
    this.expiry?.cancel();
    this.reloadedAtUs = this.clock.nowUs;
    this.expiry = this.clock.schedule((this.rlr + 1) * this.tickUs(), () => {
      this.expiry = null;
      this.onTimeout("IWDG timeout");
    });
  }

  readUint32(offset: number): number {
    switch (offset) {
      case KR: return 0;
      case PR: return this.pr;
      case RLR: return this.rlr;
      case SR: return 0;
      case WINR: return this.winr;
      default:
        this.unmodelled?.(offset, "read");
        return 0;
    }
  }

  writeUint32(offset: number, value: number): void {
    switch (offset) {
      case KR: {
        const key = value & 0xffff;
        if (key === KEY_START) {
          this.unlocked = false;
          if (!this.running) {
            this.running = true;
            this.onStart();
            this.reload();
          }
        } else if (key === KEY_RELOAD) {
          this.unlocked = false;
          if (!this.running) break;
          if (this.winr < WINR_RESET && this.counter() > this.winr) this.onTimeout("IWDG reload outside the window");
          else this.reload();
        } else {
          this.unlocked = key === KEY_UNLOCK;
        }
        break;
      }
      case PR: if (this.unlocked) this.pr = value & 7; break;
      case RLR: if (this.unlocked) this.rlr = value & 0xfff; break;
      case WINR: {
        if (!this.unlocked) break;
        this.winr = value & 0xfff;
        if (this.running) this.reload(); // writing WINR reloads the counter (RM0434 IWDG_WINR)
        break;
      }
      case SR: break;
      default: this.unmodelled?.(offset, "write"); break;
    }
  }
}
