// GPIO ports A–E: enough to configure pins (mode, type, speed, pull, alternate function) and read a
// button. Offsets from stm32wb55xx.h (GPIO_TypeDef); reset values from ST's SVD for the STM32WB55:
// port A MODER 0xABFFFFFF, OSPEEDR 0x0C000000, PUPDR 0x64000000 (the debug pins);
// [assumption] port B MODER 0xFFFFFEBF, OSPEEDR 0x000000C0, PUPDR 0x00000100 (the STM32L4 family's
// values, the WB SVD entry was not at hand); other ports all analog (0xFFFFFFFF), 0, 0.
// A pin reads (IDR) what drives it: its own output in output mode, else a level the board applies
// (`drive`, e.g. a button), else its pull-up/pull-down, else 0 [choice: floating reads low].
import type { Peripheral } from "./bus.js";

export const GPIO_BASE = 0x4800_0000;
export const GPIO_PORT_STRIDE = 0x400;
export const GPIO_PORTS = ["A", "B", "C", "D", "E"] as const;

const MODER = 0x00;
const OTYPER = 0x04;
const OSPEEDR = 0x08;
const PUPDR = 0x0c;
const IDR = 0x10;
const ODR = 0x14;
const BSRR = 0x18;
const LCKR = 0x1c;
const AFRL = 0x20;
const AFRH = 0x24;
const BRR = 0x28;

const MODE_OUTPUT = 1;
const PULL_UP = 1;
const PULL_DOWN = 2;

const RESET_VALUES: Record<string, { moder: number; ospeedr: number; pupdr: number }> = {
  A: { moder: 0xabff_ffff, ospeedr: 0x0c00_0000, pupdr: 0x6400_0000 },
  B: { moder: 0xffff_febf, ospeedr: 0x0000_00c0, pupdr: 0x0000_0100 },
};
const OTHER_PORTS = { moder: 0xffff_ffff, ospeedr: 0, pupdr: 0 };

export class GpioPort implements Peripheral {
  readonly name: string;
  unmodelled?: (offset: number, access: "read" | "write") => void;
  private moder = 0;
  private otyper = 0;
  private ospeedr = 0;
  private pupdr = 0;
  private odr = 0;
  private afrl = 0;
  private afrh = 0;
  private lckr = 0;
  /** Levels applied from outside (board wiring), by pin; absent pins are not driven. */
  private readonly driven = new Map<number, boolean>();

  constructor(readonly port: (typeof GPIO_PORTS)[number], private readonly clockEnabled: () => boolean) {
    this.name = `GPIO${port}`;
    this.reset();
  }

  reset(): void {
    const values = RESET_VALUES[this.port] ?? OTHER_PORTS;
    this.moder = values.moder;
    this.ospeedr = values.ospeedr;
    this.pupdr = values.pupdr;
    this.otyper = this.odr = this.afrl = this.afrh = this.lckr = 0;
  }

  /** The board drives pin `pin` high or low (a pressed button), or releases it (null). */
  drive(pin: number, level: boolean | null): void {
    if (level === null) this.driven.delete(pin);
    else this.driven.set(pin, level);
  }

  /** The level CPU1 drives on `pin` (output mode), or null. */
  output(pin: number): boolean | null {
    return ((this.moder >>> (pin * 2)) & 3) === MODE_OUTPUT ? ((this.odr >>> pin) & 1) === 1 : null;
  }

  private idr(): number {
    let value = 0;
    for (let pin = 0; pin < 16; pin++) {
      const mode = (this.moder >>> (pin * 2)) & 3;
      const pull = (this.pupdr >>> (pin * 2)) & 3;
      let level: boolean;
      if (mode === MODE_OUTPUT) level = ((this.odr >>> pin) & 1) === 1;
      else if (this.driven.has(pin)) level = this.driven.get(pin)!;
      else level = pull === PULL_UP ? true : pull === PULL_DOWN ? false : false;
      if (level) value |= 1 << pin;
    }
    return value >>> 0;
  }

  readUint32(offset: number): number {
    if (!this.clockEnabled()) return 0;
    switch (offset) {
      case MODER: return this.moder;
      case OTYPER: return this.otyper;
      case OSPEEDR: return this.ospeedr;
      case PUPDR: return this.pupdr;
      case IDR: return this.idr();
      case ODR: return this.odr;
      case BSRR: case BRR: return 0; // write-only
      case LCKR: return this.lckr;
      case AFRL: return this.afrl;
      case AFRH: return this.afrh;
      default:
        this.unmodelled?.(offset, "read");
        return 0;
    }
  }

  writeUint32(offset: number, value: number): void {
    if (!this.clockEnabled()) return;
    switch (offset) {
      case MODER: this.moder = value >>> 0; break;
      case OTYPER: this.otyper = value & 0xffff; break;
      case OSPEEDR: this.ospeedr = value >>> 0; break;
      case PUPDR: this.pupdr = value >>> 0; break;
      case ODR: this.odr = value & 0xffff; break;
      // Set bits win over reset bits in the same write (RM0434 GPIOx_BSRR).
      case BSRR: this.odr = ((this.odr & ~(value >>> 16)) | (value & 0xffff)) & 0xffff; break;
      case BRR: this.odr &= ~value & 0xffff; break;
      case LCKR: this.lckr = value & 0x1_ffff; break; // the lock key sequence is not modelled
      case AFRL: this.afrl = value >>> 0; break;
      case AFRH: this.afrh = value >>> 0; break;
      case IDR: break; // read-only
      default: this.unmodelled?.(offset, "write"); break;
    }
  }
}
