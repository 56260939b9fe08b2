// FLASH interface registers (cpu2-interface §1.7): CPU1's page erase, mass erase and 64-bit
// programming with the rules of RM0434 §3.3.8 as ST quotes them (fus-behaviour §7), the KEYR /
// OPTKEYR unlock sequences, the option bytes, and the secure area from SFSA that CPU1 cannot touch.
// Timings are virtual microseconds on the chip clock (chip/flash-timing.ts: STM32WB datasheet figures).
import type { Peripheral } from "./bus.js";
import type { VirtualClock } from "./clock.js";
import type { BoardState, OptionBytes } from "../board-state.js";
import type { StepObserver } from "../faults.js";
import { userFlashBytes } from "./variants.js";
import { FLASH_TIMING_US } from "./flash-timing.js";

export { FLASH_TIMING_US };

export const FLASH_REGS_BASE = 0x5800_4000;
export const FLASH_REGS_SIZE = 0x400;

const ACR = 0x00;
const KEYR = 0x08;
const OPTKEYR = 0x0c;
const SR = 0x10;
const CR = 0x14;
const ECCR = 0x18;
const OPTR = 0x20;
const IPCCBR = 0x3c;
const SFR = 0x80;
const SRRVR = 0x84;

export const KEY1 = 0x4567_0123;
export const KEY2 = 0xcdef_89ab;
export const OPTKEY1 = 0x0819_2a3b;
export const OPTKEY2 = 0x4c5d_6e7f;

export const SR_EOP = 1 << 0;
export const SR_OPERR = 1 << 1;
export const SR_PROGERR = 1 << 3;
export const SR_WRPERR = 1 << 4;
export const SR_PGAERR = 1 << 5;
export const SR_SIZERR = 1 << 6;
export const SR_PGSERR = 1 << 7;
export const SR_MISERR = 1 << 8;
export const SR_FASTERR = 1 << 9;
export const SR_RDERR = 1 << 14;
export const SR_OPTVERR = 1 << 15;
export const SR_BSY = 1 << 16;
export const SR_CFGBSY = 1 << 18;
/** Program/erase suspended: a PES request of either core is in force (cpu2-interface §1.7). */
export const SR_PESD = 1 << 19;
const SR_WRITE_ONE_TO_CLEAR = 0x0000_c3fb; // EOP, OPERR, PROGERR..FASTERR, RDERR, OPTVERR
/** Flags that stop the next operation until software clears them (PGSERR on the next start). */
const SR_PROGRAMMING_ERRORS = SR_OPERR | SR_PROGERR | SR_WRPERR | SR_PGAERR | SR_SIZERR | SR_PGSERR | SR_MISERR | SR_FASTERR;

export const CR_PG = 1 << 0;
export const CR_PER = 1 << 1;
export const CR_MER = 1 << 2;
const CR_PNB_SHIFT = 3;
const CR_PNB_MASK = 0xff << CR_PNB_SHIFT;
export const CR_STRT = 1 << 16;
export const CR_OPTSTRT = 1 << 17;
export const CR_FSTPG = 1 << 18;
export const CR_EOPIE = 1 << 24;
const CR_ERRIE = 1 << 25;
const CR_RDERRIE = 1 << 26;
export const CR_OBL_LAUNCH = 1 << 27;
export const CR_OPTLOCK = 1 << 30;
export const CR_LOCK = 1 << 31;
const CR_STORED = CR_PG | CR_PER | CR_MER | CR_PNB_MASK | CR_FSTPG | CR_EOPIE | CR_ERRIE | CR_RDERRIE;


export type { OptionBytes };

export function sfrValue(ob: OptionBytes): number {
  return (ob.sfsa & 0xff) | (ob.fsd ? 1 << 8 : 0) | (ob.dds ? 1 << 12 : 0);
}

export function srrvrValue(ob: OptionBytes): number {
  return ((ob.sbrv & 0x3ffff) | ((ob.sbrsa & 0x1f) << 18) | (ob.brsd ? 1 << 23 : 0) |
    ((ob.snbrsa & 0x1f) << 25) | (ob.nbrsd ? 1 << 30 : 0) | (ob.c2opt ? 1 << 31 : 0)) >>> 0;
}

/** Bytes of flash CPU1 can reach from the flash base: the user flash below SFSA (fus-behaviour §1.1). */
export function cpu1VisibleFlashBytes(board: BoardState): number {
  return userFlashBytes(board.variant, board.optionBytes.sfsa);
}

/**
 * CPU2's side of the shared flash while a wireless stack runs (cpu2/flash-arbitration.ts): its
 * program/erase suspend request (FLASH_C2ACR.PES) and what it sees of CPU1's operations.
 */
export interface Cpu2FlashSide {
  /** When CPU2's PES request clears, or null when it has none at `nowUs`. */
  suspendedUntil(nowUs: number): number | null;
  cpu1Operation(kind: "erase" | "program", startUs: number, endUs: number): void;
}

/** What the FLASH block needs from the chip around it. */
export interface FlashHost {
  readonly board: BoardState;
  readonly clock: VirtualClock;
  requestSystemReset(reason: string): void;
  /** The firmware CPU2 runs, when it shares the flash with CPU1 (a wireless stack); else null. */
  cpu2FlashSide(): Cpu2FlashSide | null;
}

/** One program or erase under way: its effect lands when it completes, or partly if cut short. */
interface FlashOperation {
  label: string;
  endUs: number;
  complete(): void;
  /** What an operation cut short by power loss or reset leaves behind (README: "partial flash states"). */
  interrupt(): void;
}

export class FlashRegisters implements Peripheral {
  readonly name = "FLASH";
  private acr = 0x600;
  private sr = SR_OPTVERR; // wrongly set at power-on (§1.7, errata)
  private cr = CR_LOCK | CR_OPTLOCK;
  private keyStage = 0;
  private optKeyStage = 0;
  /** A wrong key sequence locks FLASH_CR until the next reset (RM0434 behaviour as on the L4 family). */
  private keysRefused = false;
  private pendingLowWord: { offset: number; value: number } | null = null;
  private stagedOptr: number | null = null;
  private operation: FlashOperation | null = null;
  /** Fault injection hook: every flash operation CPU1 starts is one step. */
  faults: StepObserver | null = null;
  /** FLASH_ACR.LATENCY written: the clock tree checks the wait states against HCLK4 (chip/rcc.ts). */
  onLatencyChange: () => void = () => {};

  constructor(private readonly host: FlashHost) {}

  private get board(): BoardState {
    return this.host.board;
  }

  /** System reset: an operation under way is cut short; the interface is locked again. */
  reset(): void {
    this.interruptOperation();
    this.acr = 0x600;
    this.sr = SR_OPTVERR;
    this.cr = CR_LOCK | CR_OPTLOCK;
    this.keyStage = 0;
    this.optKeyStage = 0;
    this.keysRefused = false;
    this.pendingLowWord = null;
    this.stagedOptr = null;
  }

  get busy(): boolean {
    return this.operation !== null;
  }

  /** Cuts the operation under way short, leaving its partial effect (power loss, reset). */
  interruptOperation(): void {
    const operation = this.operation;
    if (!operation) return;
    this.operation = null;
    operation.interrupt();
  }

  readUint32(offset: number): number {
    const ob = this.board.optionBytes;
    switch (offset) {
      case ACR: return this.acr;
      case KEYR: case OPTKEYR: return 0; // write-only
      case SR: return (this.sr | (this.operation ? SR_BSY | SR_CFGBSY : 0) | (this.suspendEnd() !== null ? SR_PESD : 0)) >>> 0;
      case CR: return this.cr >>> 0;
      case ECCR: return 0; // ECC errors are not modelled
      case OPTR: return (this.stagedOptr ?? ob.optr) >>> 0;
      case IPCCBR: return ob.ipccdba & 0x3fff;
      case SFR: return sfrValue(ob);
      case SRRVR: return srrvrValue(ob);
      default: return 0;
    }
  }

  writeUint32(offset: number, value: number): void {
    switch (offset) {
      case ACR: this.acr = value & 0x1_ff07; this.onLatencyChange(); break;
      case KEYR: this.writeKey(value); break;
      case OPTKEYR: this.writeOptionKey(value); break;
      case SR: this.sr &= ~(value & SR_WRITE_ONE_TO_CLEAR); break;
      case CR: this.writeControl(value); break;
      case OPTR:
        // The user option word is CPU1's to change once OPTLOCK is open; OPTSTRT commits it.
        if (!(this.cr & CR_OPTLOCK)) this.stagedOptr = value >>> 0;
        break;
      // CPU1 cannot change the secure option bytes (SFR, SRRVR): only CPU2 code can (fus-behaviour §1.1).
      default: break;
    }
  }

  private writeKey(value: number): void {
    if (this.keysRefused || !(this.cr & CR_LOCK)) {
      this.lockOnBadKey();
      return;
    }
    if (this.keyStage === 0 && value === KEY1) this.keyStage = 1;
    else if (this.keyStage === 1 && value === KEY2) {
      this.keyStage = 0;
      this.cr &= ~CR_LOCK;
    } else this.lockOnBadKey();
  }

  private writeOptionKey(value: number): void {
    if (this.keysRefused || (this.cr & CR_LOCK) || !(this.cr & CR_OPTLOCK)) {
      this.lockOnBadKey();
      return;
    }
    if (this.optKeyStage === 0 && value === OPTKEY1) this.optKeyStage = 1;
    else if (this.optKeyStage === 1 && value === OPTKEY2) {
      this.optKeyStage = 0;
      this.cr &= ~CR_OPTLOCK;
    } else this.lockOnBadKey();
  }

  private lockOnBadKey(): void {
    this.keysRefused = true;
    this.keyStage = this.optKeyStage = 0;
    this.cr |= CR_LOCK | CR_OPTLOCK;
  }

  private writeControl(value: number): void {
    if (this.cr & CR_LOCK) return; // FLASH_CR is read-only while locked
    // LOCK and OPTLOCK can be set by software, only the key sequences clear them.
    const locks = (this.cr | value) & (CR_LOCK | CR_OPTLOCK);
    this.cr = (value & CR_STORED) | locks;
    if (this.cr & CR_LOCK) this.pendingLowWord = null;
    if (value & CR_STRT) this.startErase();
    if ((value & CR_OPTSTRT) && !(this.cr & CR_OPTLOCK)) this.startOptionProgramming();
    if ((value & CR_OBL_LAUNCH) && !(this.cr & CR_OPTLOCK)) {
      this.host.requestSystemReset("FLASH_CR.OBL_LAUNCH: option-byte loading");
    }
  }

  /** Accessing the flash while it is busy stalls CPU1 until the operation ends (the bus waits). */
  private stallUntilIdle(): void {
    while (this.operation) this.host.clock.advanceTo(this.operation.endUs);
  }

  /** End of CPU2's PES request in force now, or null. */
  private suspendEnd(): number | null {
    return this.host.cpu2FlashSide()?.suspendedUntil(this.host.clock.nowUs) ?? null;
  }

  private refuseIfErrorsPending(): boolean {
    if (this.sr & SR_PROGRAMMING_ERRORS) {
      this.sr |= SR_PGSERR;
      return true;
    }
    return false;
  }

  private startErase(): void {
    this.stallUntilIdle();
    if (this.refuseIfErrorsPending()) return;
    const per = (this.cr & CR_PER) !== 0;
    const mer = (this.cr & CR_MER) !== 0;
    if (per === mer || (this.cr & (CR_PG | CR_FSTPG))) {
      this.sr |= SR_PGSERR;
      return;
    }
    const sector = this.board.variant.sectorBytes;
    const visible = cpu1VisibleFlashBytes(this.board);
    if (per) {
      const page = (this.cr & CR_PNB_MASK) >>> CR_PNB_SHIFT;
      // A page in the secure area (or beyond the part's flash) is not CPU1's to erase.
      if ((page + 1) * sector > visible) {
        this.sr |= SR_WRPERR;
        return;
      }
      this.begin("erase", `CPU1 page erase ${page} (0x${(this.board.variant.flashBase + page * sector).toString(16)})`,
        FLASH_TIMING_US.pageErase,
        () => this.board.flash.fill(0xff, page * sector, (page + 1) * sector),
        // Cut short: the first half of the page is erased, the rest still holds its old data.
        () => this.board.flash.fill(0xff, page * sector, page * sector + sector / 2));
    } else {
      this.begin("erase", "CPU1 mass erase", FLASH_TIMING_US.massErase,
        () => this.board.flash.fill(0xff, 0, visible),
        // Cut short: the lower half of CPU1's pages are erased.
        () => this.board.flash.fill(0xff, 0, Math.floor(visible / sector / 2) * sector));
    }
  }

  private startOptionProgramming(): void {
    this.stallUntilIdle();
    const value = this.stagedOptr;
    if (value === null) return;
    this.begin(null, "CPU1 option-byte programming", FLASH_TIMING_US.optionProgram,
      () => { this.board.optionBytes.optr = value; },
      // Cut short: the option word keeps its old value (the model does not corrupt option bytes
      // here; corruption is injected explicitly, see host-sim/faults.ts).
      () => {});
  }

  /**
   * A CPU1 write into the visible flash (the bus routes it here; writes at or above SFSA never
   * arrive: the bus faults them). Programming takes two 32-bit writes to one double word with
   * FLASH_CR.PG set (fus-behaviour §7).
   */
  cpu1Store(offset: number, size: number, value: number): void {
    this.stallUntilIdle();
    if ((this.cr & CR_LOCK) || !(this.cr & CR_PG) || (this.cr & (CR_PER | CR_MER | CR_FSTPG))) {
      this.sr |= SR_PGSERR;
      this.pendingLowWord = null;
      return;
    }
    if (size !== 4) {
      this.sr |= SR_SIZERR;
      this.pendingLowWord = null;
      return;
    }
    if (this.refuseIfErrorsPending()) {
      this.pendingLowWord = null;
      return;
    }
    const pending = this.pendingLowWord;
    if (!pending) {
      if (offset % 8 !== 0) this.sr |= SR_PGAERR;
      else this.pendingLowWord = { offset, value: value >>> 0 };
      return;
    }
    this.pendingLowWord = null;
    if (offset !== pending.offset + 4) {
      this.sr |= SR_PGAERR;
      return;
    }
    const flash = this.board.flash;
    const view = new DataView(flash.buffer, flash.byteOffset);
    const at = pending.offset;
    const erased = flash.subarray(at, at + 8).every((b) => b === 0xff);
    // A programmed double word may only be programmed again to all zeros.
    if (!erased && !(pending.value === 0 && value === 0)) {
      this.sr |= SR_PROGERR;
      return;
    }
    const low = pending.value;
    const high = value >>> 0;
    this.begin("program", `CPU1 program 0x${(this.board.variant.flashBase + at).toString(16)}`, FLASH_TIMING_US.programDoubleWord,
      () => {
        view.setUint32(at, low, true);
        view.setUint32(at + 4, high, true);
      },
      // Cut short: the low word holds its new value, the high word is still erased (ECC not modelled).
      () => view.setUint32(at, low, true));
  }

  /**
   * Starts an operation. A PES request in force suspends it until the request clears (HAL-FLASH:
   * "any new Flash program and erase operation on both CPU side" is suspended; BSY reads 1 meanwhile).
   * `kind` null: option-byte programming, which CPU2's flash sharing does not concern.
   */
  private begin(kind: "erase" | "program" | null, label: string, durationUs: number, complete: () => void, interrupt: () => void): void {
    const nowUs = this.host.clock.nowUs;
    const startUs = Math.max(nowUs, this.suspendEnd() ?? nowUs);
    const operation: FlashOperation = { label, endUs: startUs + durationUs, complete, interrupt };
    if (kind) this.host.cpu2FlashSide()?.cpu1Operation(kind, startUs, operation.endUs);
    this.operation = operation;
    const fault = this.faults?.step("cpu1-flash", label) ?? null;
    if (fault) {
      this.interruptOperation();
      this.faults!.strike(fault, `${fault} during ${label}`);
      return;
    }
    this.host.clock.schedule(operation.endUs - nowUs, () => {
      if (this.operation !== operation) return; // cut short meanwhile
      this.operation = null;
      operation.complete();
      if (this.cr & CR_EOPIE) this.sr |= SR_EOP; // EOP is only set with EOPIE (as on the L4 family)
    });
  }
}
