// FLASH interface registers, read side of the option bytes that describe CPU2's world
// (cpu2-interface §1.7). Programming and erase come with the flash model of the CPU2 issue.
import type { Peripheral } from "./bus.js";

export const FLASH_REGS_BASE = 0x5800_4000;
export const FLASH_REGS_SIZE = 0x400;

const ACR = 0x00;
const SR = 0x10;
const CR = 0x14;
const OPTR = 0x20;
const IPCCBR = 0x3c;
const SFR = 0x80;
const SRRVR = 0x84;

export const SR_OPTVERR = 1 << 15;
const SR_WRITE_ONE_TO_CLEAR = 0x0000_c3fb; // EOP, OPERR, PROGERR..FASTERR, RDERR, OPTVERR
const CR_LOCK = 1 << 31;
const CR_OPTLOCK = 1 << 30;

/** The option bytes and secure settings that survive resets (they live in the board file). */
export interface OptionBytes {
  /** Secure flash start, in sectors (SFR.SFSA). */
  sfsa: number;
  /** Flash secure mode disabled (SFR.FSD). */
  fsd: boolean;
  /** CPU2 debug access disable (SFR.DDS; polarity not found, stored as read). */
  dds: boolean;
  /** CPU2 boot vector in words (SRRVR.SBRV). */
  sbrv: number;
  /** CPU2 boots from flash (SRRVR.C2OPT). */
  c2opt: boolean;
  /** Secure SRAM2a start in KB, and its disable bit (SRRVR.SBRSA, BRSD). */
  sbrsa: number;
  brsd: boolean;
  /** Secure SRAM2b start in KB, and its disable bit (SRRVR.SNBRSA, NBRSD). */
  snbrsa: number;
  nbrsd: boolean;
  /** Mailbox offset (IPCCBR.IPCCDBA). */
  ipccdba: number;
  /** User option word (OPTR) as read. */
  optr: number;
}

export function sfrValue(ob: OptionBytes): number {
  return (ob.sfsa & 0xff) | (ob.fsd ? 1 << 8 : 0) | (ob.dds ? 1 << 12 : 0);
}

export function srrvrValue(ob: OptionBytes): number {
  return ((ob.sbrv & 0x3ffff) | ((ob.sbrsa & 0x1f) << 18) | (ob.brsd ? 1 << 23 : 0) |
    ((ob.snbrsa & 0x1f) << 25) | (ob.nbrsd ? 1 << 30 : 0) | (ob.c2opt ? 1 << 31 : 0)) >>> 0;
}

export class FlashRegisters implements Peripheral {
  readonly name = "FLASH";
  private acr = 0x600;
  private sr = SR_OPTVERR; // wrongly set at power-on (§1.7, errata)
  private cr = CR_LOCK | CR_OPTLOCK;

  constructor(private readonly optionBytes: () => OptionBytes) {}

  reset(): void {
    this.acr = 0x600;
    this.sr = SR_OPTVERR;
    this.cr = CR_LOCK | CR_OPTLOCK;
  }

  readUint32(offset: number): number {
    const ob = this.optionBytes();
    switch (offset) {
      case ACR: return this.acr;
      case SR: return this.sr;
      case CR: return this.cr;
      case OPTR: return ob.optr >>> 0;
      case IPCCBR: return ob.ipccdba & 0x3fff;
      case SFR: return sfrValue(ob);
      case SRRVR: return srrvrValue(ob);
      default: return 0;
    }
  }

  writeUint32(offset: number, value: number): void {
    switch (offset) {
      case ACR: this.acr = value & 0x1_ff07; break;
      case SR: this.sr &= ~(value & SR_WRITE_ONE_TO_CLEAR); break;
      // CPU1 cannot change the secure option bytes (SFR, SRRVR): only CPU2 code can (fus-behaviour §1.1).
      default: break;
    }
  }
}
