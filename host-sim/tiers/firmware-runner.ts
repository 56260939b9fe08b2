// Tier 2's one runner: CPU1 as an emulated Cortex-M4 (unicorn through host-sim/native) running any
// firmware from its reset vector, its memories mapped onto the chip model's own arrays and its
// peripheral windows hooked into the same chip model as tier 1. Both `fusop sim run` (a whole
// firmware through every system reset) and the probe driver (tier2.ts: API calls into the
// operator's firmware) run on it.
//
// Core behaviour it adds to unicorn, after ARMv7-M:
// - reset: SP from word 0, PC from word 1 of the vector table at the boot address (flash base);
// - time: each executed instruction is one cycle of HCLK1 as RCC configures it [choice: CPI 1, flash
//   wait states not counted], synced to the chip's clock before every peripheral access; a
//   DWT_CYCCNT read that changes nothing but its value is answered in the addon from the same
//   numbers (serveCounterReads), bit-identical to the chip model's answer;
// - WFI: sleeps until an interrupt is enabled and pending in the NVIC (or SysTick pends), WFE: until
//   the event register is set (SEV, or SEVONPEND and an interrupt becoming pending) or an interrupt
//   would be taken — time jumps to the next event on the chip's clock; nothing left to wait for is
//   CPU1_ASLEEP;
// - interrupts: SysTick and the NVIC's external interrupts are taken from thread mode when PRIMASK
//   and BASEPRI allow (exceptions.ts; nesting, the process stack and FPU frames are not modelled and
//   stop with INTERRUPT_NOT_MODELLED);
// - BKPT: the firmware ends, exit code r0; BKPT 0xAB is ARM semihosting (SYS_EXIT 0x18,
//   SYS_EXIT_EXTENDED 0x20, SYS_WRITEC 0x03, SYS_WRITE0 0x04);
// - an access to an address nothing answers stops with UNMAPPED_ACCESS naming PC, address and size.
import { createRequire } from "node:module";
import type { Stm32wb } from "../chip/stm32wb.js";
import { SRAM1_BASE, SRAM2A_BASE, SRAM2B_BASE, SYSTEM_INFO_BASE } from "../chip/stm32wb.js";
import { SCR_SEVONPEND } from "../chip/scb.js";
import { DWT_CYCCNT } from "../chip/dwt.js";
import { unicornAddonPath } from "../paths.js";
import { DeviceFault } from "./tier.js";
import { ExceptionModel } from "./exceptions.js";

interface RunResult {
  error: string | null;
  errorCode: number;
  stoppedAt?: number;
  stop?: "address" | "budget" | "wfi" | "wfe" | "bkpt";
  sev: boolean;
  invalidAccess?: { address: number; size: number; kind: "read" | "write" | "fetch"; protected: boolean };
}

export interface Emulator {
  mapBuffer(address: number, bytes: Uint8Array, perms: number, length?: number): void;
  mapRam(address: number, length: number): void;
  mapMmio(address: number, length: number,
    read: (address: number, size: number, instructions: number) => number,
    write: (address: number, size: number, value: number, instructions: number) => void): void;
  regRead(name: string): number;
  regWrite(name: string, value: number): void;
  addStopAddress(address: number): void;
  removeStopAddress(address: number): void;
  /** `leaveStopAddress`: a stop address at `begin` does not stop this run (resuming from it). */
  run(begin: number, until: number, maxInstructions?: number, leaveStopAddress?: boolean): RunResult;
  stop(): void;
  /** During run(): stop before the instruction count reaches `count` if that comes sooner. */
  limitTo(count: number): void;
  /** Reads of the counter at `address` are answered from `state` (CLOCK_STATE slots) while its slot 0 is 1. */
  shareClockState(address: number, state: Float64Array): void;
  instructions(): number;
  close(): void;
}

interface UnicornAddon {
  Emulator: new () => Emulator;
  PROT_READ: number;
  PROT_WRITE: number;
  PROT_EXEC: number;
}

let addon: UnicornAddon | undefined;
function loadAddon(): UnicornAddon {
  addon ??= createRequire(import.meta.url)(unicornAddonPath) as UnicornAddon;
  return addon;
}

/** ARM semihosting operations (ARM "Semihosting for AArch32 and AArch64" §5). */
const SEMIHOSTING_BKPT = 0xab;
const SYS_WRITEC = 0x03;
const SYS_WRITE0 = 0x04;
const SYS_EXIT = 0x18;
const SYS_EXIT_EXTENDED = 0x20;
const ADP_STOPPED_APPLICATION_EXIT = 0x20026;
/** What a core carries over when its memory map is rebuilt (mapAllFlashAsCode). */
const CORE_REGISTERS = ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12",
  "msp", "psp", "control", "sp", "lr", "pc", "xpsr", "primask", "basepri"];
/**
 * Slots of the numbers shared with the addon for answering DWT_CYCCNT reads without a call into
 * JS (unicorn_addon.cc, enum ClockState, same order).
 */
const CLOCK_STATE = {
  serve: 0, nowUs: 1, nextEventUs: 2, coreHz: 3, syncedInstructions: 4, stretchEnd: 5,
  counterEnabled: 6, counterBase: 7, counterBaseUs: 8, servedReads: 9, length: 10,
} as const;
/** Nothing executes at this address: run() is bounded by its budget, not by an address. */
const NO_ADDRESS = 0xffff_fffe;

/** How a stretch of execution ended (errors are thrown as DeviceFault). */
export type RunOutcome =
  | { kind: "until" }
  | { kind: "budget" }
  | { kind: "stop-address"; address: number }
  | { kind: "reset"; reason: string }
  | { kind: "exit"; code: number; via: "bkpt" | "semihosting" }
  /** A BKPT (not semihosting) with `haltOnBkpt`: the core stays, halted in front of it. */
  | { kind: "bkpt"; address: number };

export interface RunOptions {
  /** Where to resume; the core's PC when absent. */
  from?: number;
  /** Address at which to stop (the probe's idle loop). */
  until?: number;
  /** Most instructions this stretch may execute. */
  budget: number;
  /** A virtual time (µs) the stretch must not sleep beyond; a WFI/WFE at it returns "budget". */
  deadlineUs?: number;
  /**
   * With a deadline: a WFI/WFE that nothing is left to wake sleeps until the deadline instead of
   * stopping with CPU1_ASLEEP (under a debugger, which may still halt the core).
   */
  sleepWithoutWake?: boolean;
  /** A BKPT halts the core, as under a debugger, instead of ending the firmware. */
  haltOnBkpt?: boolean;
}

export class FirmwareRunner {
  private emulator: Emulator | null = null;
  private retired = 0;
  private syncedInstructions = 0;
  private eventRegister = false;
  private starts = 0;
  private readonly stopAddresses: number[] = [];
  private readonly exceptions: ExceptionModel;
  /** Instruction count at which the stretch under way stops (its budget, or an event due sooner). */
  private stretchEnd = 0;
  /** Where the last run stopped at a stop address: resuming there executes it. */
  private stoppedAtStopAddress: number | null = null;
  /** What the addon needs to answer counter reads as access() would, and what those reads moved. */
  private readonly clockState = new Float64Array(CLOCK_STATE.length);
  /**
   * DWT_CYCCNT reads are answered in the addon while nothing but the value results from them (no
   * event falls due, no interrupt enabled); false sends every read through access() (the tests
   * compare both ways: identical instruction counts and virtual time).
   */
  serveCounterReads = true;
  /** Bytes of flash mapped as plain read-only memory (the firmware's code); the rest goes through the FLASH model. */
  codeFlashBytes: number;
  /** Semihosting console output (SYS_WRITEC, SYS_WRITE0). */
  onConsole: (text: string) => void = () => {};

  constructor(readonly chip: Stm32wb, codeFlashBytes?: number) {
    this.codeFlashBytes = codeFlashBytes ?? chip.board.flash.length;
    this.exceptions = new ExceptionModel(chip);
  }

  /** DWT_CYCCNT reads the addon answered (serveCounterReads), over every start. */
  get servedCounterReads(): number {
    return this.clockState[CLOCK_STATE.servedReads];
  }

  /** Number of CPU1 starts (power-on and every system reset). */
  get cpu1Starts(): number {
    return this.starts;
  }

  /** Instructions CPU1 executed so far, over every start. */
  get instructions(): number {
    return this.retired + (this.emulator ? this.emulator.instructions() : 0);
  }

  get running(): boolean {
    return this.emulator !== null;
  }

  /**
   * Stops at `address` (e.g. the probe's fault handler) in every core started from now on. A run
   * that resumes where the last one stopped at a stop address executes it (a debugger's breakpoints).
   */
  addStopAddress(address: number): void {
    if (this.stopAddresses.includes(address & ~1)) return;
    this.stopAddresses.push(address & ~1);
    this.emulator?.addStopAddress(address);
  }

  removeStopAddress(address: number): void {
    const index = this.stopAddresses.indexOf(address & ~1);
    if (index < 0) return;
    this.stopAddresses.splice(index, 1);
    this.emulator?.removeStopAddress(address & ~1);
  }

  regRead(name: string): number {
    return this.core().regRead(name);
  }

  regWrite(name: string, value: number): void {
    this.core().regWrite(name, value);
  }

  private core(): Emulator {
    if (!this.emulator) throw new Error("CPU1 is not running");
    return this.emulator;
  }

  /** Power-on or system reset: a fresh core, memories as the chip shows them now, at the reset vector. */
  start(): void {
    this.discard();
    this.stoppedAtStopAddress = null;
    this.build(this.codeFlashBytes);
    this.syncedInstructions = 0;
    this.eventRegister = false;
    this.starts++;
    const vectors = new DataView(this.chip.board.flash.buffer, this.chip.board.flash.byteOffset);
    this.emulator!.regWrite("sp", vectors.getUint32(0, true));
    this.emulator!.regWrite("pc", vectors.getUint32(4, true));
  }

  /**
   * CPU1 branched into flash mapped as a window (a firmware that jumps to code it wrote, as the
   * field loader starts its application): from now until the next start all of CPU1's flash is
   * code — read-only memory, so a store to flash there stops with UNMAPPED_ACCESS [limitation:
   * the application cannot program flash on tier 2]. The core goes on where it stood.
   */
  private mapAllFlashAsCode(): void {
    const core = this.core();
    const registers = CORE_REGISTERS.map((name) => [name, core.regRead(name)] as const);
    this.discard();
    this.build(this.chip.flashRegion.visibleLength!());
    for (const [name, value] of registers) this.emulator!.regWrite(name, value);
    this.syncedInstructions = 0;
  }

  private build(codeFlashBytes: number): void {
    const unicorn = loadAddon();
    const emulator = new unicorn.Emulator();
    const chip = this.chip;
    const rx = unicorn.PROT_READ | unicorn.PROT_EXEC;
    const rwx = rx | unicorn.PROT_WRITE;
    // Flash up to the secure boundary only: above it CPU1 faults (fus-behaviour §1.1). The code
    // pages are plain read-only memory; the rest is a window into the chip's flash, so that writes
    // reach the FLASH controller model (programming rules) as on silicon.
    const flashBase = chip.board.variant.flashBase;
    const visibleFlash = chip.flashRegion.visibleLength!();
    const codeBytes = Math.min(visibleFlash, codeFlashBytes);
    const read = (address: number, width: number, instructions: number): number =>
      this.access(instructions, () => chip.bus.read(address, width as 1 | 2 | 4));
    const write = (address: number, width: number, value: number, instructions: number): void =>
      this.access(instructions, () => chip.bus.write(address, width as 1 | 2 | 4, value));
    if (codeBytes > 0) emulator.mapBuffer(flashBase, chip.board.flash, rx, codeBytes);
    if (visibleFlash > codeBytes) emulator.mapMmio(flashBase + codeBytes, visibleFlash - codeBytes, read, write);
    emulator.mapBuffer(SRAM1_BASE, chip.sram1, rwx);
    // SRAM2a/SRAM2b up to their secure parts (1 KB granular): whole 4 KB pages as memory, a page
    // the boundary cuts through goes through the chip's bus, which faults beyond the boundary.
    for (const base of [SRAM2A_BASE, SRAM2B_BASE]) {
      const region = chip.bus.memoryRegions.find((m) => m.base === base)!;
      const visible = region.visibleLength!();
      const wholePages = Math.floor(visible / 0x1000) * 0x1000;
      if (wholePages > 0) emulator.mapBuffer(base, region.bytes, rwx, wholePages);
      if (visible > wholePages) emulator.mapMmio(base + wholePages, 0x1000, read, write);
    }
    emulator.mapBuffer(SYSTEM_INFO_BASE, chip.systemInfo, unicorn.PROT_READ);
    for (const { base, size } of mmioWindows(chip.bus.peripheralRegions)) emulator.mapMmio(base, size, read, write);
    for (const address of this.stopAddresses) emulator.addStopAddress(address);
    emulator.shareClockState(DWT_CYCCNT, this.clockState);
    this.emulator = emulator;
  }

  /** Throws CPU1 away where it stands (a fault, a reset); the chip keeps its state. */
  discard(): void {
    if (!this.emulator) return;
    this.retired += this.emulator.instructions();
    this.emulator.close();
    this.emulator = null;
  }

  /** Brings the chip's clock up to the instructions executed, at the configured core clock. */
  private sync(instructions: number): void {
    const delta = instructions - this.syncedInstructions;
    this.syncedInstructions = instructions;
    if (delta > 0) this.chip.clock.advanceBy((delta * 1e6) / this.chip.rcc.hclkHz());
  }

  /**
   * Hands the addon the numbers access() would use for a counter read (before a run and after each
   * access, when any of them may have changed).
   */
  private shareClock(): void {
    const state = this.clockState;
    const { clock, dwt } = this.chip;
    state[CLOCK_STATE.serve] = this.serveCounterReads && this.chip.resetPending === null && !this.exceptions.anyEnabled ? 1 : 0;
    state[CLOCK_STATE.nowUs] = clock.nowUs;
    state[CLOCK_STATE.nextEventUs] = clock.nextEventUs ?? Infinity;
    state[CLOCK_STATE.coreHz] = this.chip.rcc.hclkHz();
    state[CLOCK_STATE.syncedInstructions] = this.syncedInstructions;
    state[CLOCK_STATE.stretchEnd] = this.stretchEnd;
    state[CLOCK_STATE.counterEnabled] = dwt.counterEnabled ? 1 : 0;
    state[CLOCK_STATE.counterBase] = dwt.counterBase;
    state[CLOCK_STATE.counterBaseUs] = dwt.counterBaseUs;
  }

  /**
   * Takes over what counter reads answered in the addon did since shareClock(): the time they
   * brought up to their instruction counts (no event was due on the way: the addon refuses those
   * reads, so advanceTo runs none) and the end of the stretch they shortened.
   */
  private adoptServedReads(): void {
    const state = this.clockState;
    if (state[CLOCK_STATE.syncedInstructions] !== this.syncedInstructions) {
      this.syncedInstructions = state[CLOCK_STATE.syncedInstructions];
      this.chip.clock.advanceTo(state[CLOCK_STATE.nowUs]);
    }
    this.stretchEnd = state[CLOCK_STATE.stretchEnd];
  }

  private access<T>(instructions: number, operation: () => T): T {
    this.adoptServedReads();
    const result = this.accessAt(instructions, operation);
    this.shareClock();
    return result;
  }

  private accessAt<T>(instructions: number, operation: () => T): T {
    this.sync(instructions);
    const result = operation();
    if (this.chip.resetPending !== null) {
      this.emulator?.stop();
    } else if (this.exceptions.anyEnabled && this.emulator && this.exceptions.takeable(this.emulator) !== null) {
      // An interrupt the core takes now: the stretch ends before the next instruction.
      this.emulator.limitTo(instructions);
    } else if (this.chip.clock.nextEventUs !== null) {
      // The access may have scheduled something (a watchdog started, a byte to send): the
      // stretch under way ends when it falls due.
      const end = instructions + this.instructionsToNextEvent();
      if (end < this.stretchEnd) {
        this.stretchEnd = end;
        this.emulator?.limitTo(end);
      }
    }
    return result;
  }

  private pc(): number {
    return this.core().regRead("pc") & ~1;
  }

  private fault(code: string, address: number, message: string): never {
    const pc = this.emulator ? this.pc() : 0;
    this.discard();
    throw new DeviceFault(code, address, `${message} (pc 0x${hex(pc)})`);
  }

  /** Runs until `until`, a stop address, the budget, a reset or the firmware's exit. */
  run(options: RunOptions): RunOutcome {
    let emulator = this.core();
    let begin = options.from ?? this.pc();
    const until = options.until ?? NO_ADDRESS;
    const limit = this.instructions + options.budget;
    for (;;) {
      const budget = limit - this.instructions;
      if (budget <= 0) return { kind: "budget" };
      begin = this.takeException(begin);
      let result: RunResult;
      let leaving = false;
      let startedAt = 0;
      try {
        // A stretch ends at the next scheduled event, so that it strikes on time even in a loop
        // that touches no peripheral (a watchdog reset, a byte leaving the USART).
        const slice = Math.min(budget, this.instructionsToNextEvent());
        this.stretchEnd = emulator.instructions() + slice;
        leaving = this.stoppedAtStopAddress === (begin & ~1);
        startedAt = emulator.instructions();
        this.shareClock();
        result = emulator.run(begin, until, slice, leaving);
        this.adoptServedReads();
        this.stoppedAtStopAddress = null;
      } catch (error) {
        // A peripheral callback threw (bus fault, clock misconfiguration): the core stopped mid-instruction.
        const pc = this.pc();
        this.discard();
        const code = (error as { code?: string }).code;
        if (typeof code === "string") throw Object.assign(error as Error, { message: `${(error as Error).message} (pc 0x${hex(pc)})` });
        throw error;
      }
      this.sync(emulator.instructions());
      if (result.sev) this.eventRegister = true;
      if (this.chip.resetPending !== null) return this.applyReset();
      if (result.invalidAccess?.kind === "fetch" && this.inFlashWindow(result.invalidAccess.address)) {
        this.mapAllFlashAsCode();
        emulator = this.core();
        begin = this.pc();
        continue;
      }
      if (result.invalidAccess) {
        const { address, size, kind } = result.invalidAccess;
        this.fault("UNMAPPED_ACCESS", address, `${size * 8}-bit ${kind} at 0x${hex(address)}: nothing is modelled there`);
      }
      if (result.error && this.exceptions.isReturn(emulator)) {
        begin = this.guarded(() => this.exceptions.leave(emulator));
        continue;
      }
      if (result.error) this.fault("CPU_ERROR", this.pc(), `unicorn stopped: ${result.error}`);
      const at = result.stoppedAt;
      // A stop address on a WFI, WFE or BKPT: the emulator stopped for the instruction first.
      const stillLeaving = leaving && emulator.instructions() === startedAt && (at! & ~1) === (begin & ~1);
      if (result.stop !== "address" && result.stop !== "budget" && at !== undefined && this.stopAddresses.includes(at & ~1) && !stillLeaving) {
        this.stoppedAtStopAddress = at & ~1;
        emulator.regWrite("pc", at | 1);
        return { kind: "stop-address", address: at & ~1 };
      }
      switch (result.stop) {
        case "address":
          this.stoppedAtStopAddress = at! & ~1;
          return { kind: "stop-address", address: at! & ~1 };
        case "budget":
          if (this.instructions < limit) {
            begin = this.pc();
            continue;
          }
          return { kind: "budget" };
        case "bkpt": {
          if (options.haltOnBkpt && (this.chip.bus.read(at!, 2) & 0xff) !== SEMIHOSTING_BKPT) {
            emulator.regWrite("pc", at! | 1);
            return { kind: "bkpt", address: at! };
          }
          const exit = this.breakpoint(at!);
          if (exit) return exit;
          begin = at! + 2; // a semihosting call that returns
          continue;
        }
        case "wfi":
        case "wfe": {
          const woke = this.sleep(result.stop, options.deadlineUs, options.sleepWithoutWake === true);
          if (this.chip.resetPending !== null) return this.applyReset();
          if (!woke) {
            emulator.regWrite("pc", at! | 1); // the deadline came first: the core is still in WFI/WFE
            if (stillLeaving) this.stoppedAtStopAddress = at! & ~1; // and still resuming from its stop address
            return { kind: "budget" };
          }
          begin = at! + this.instructionSize(at!);
          continue;
        }
        default:
          if ((this.pc() & ~1) === (until & ~1)) return { kind: "until" };
          this.fault("CPU_ERROR", this.pc(), "the core stopped for no known reason");
      }
    }
  }

  /** Whether `address` is CPU1's flash above the code mapped as memory (reached through the bus). */
  private inFlashWindow(address: number): boolean {
    const base = this.chip.board.variant.flashBase;
    return address >= base + this.codeFlashBytes && address < base + this.chip.flashRegion.visibleLength!();
  }

  /** Takes the exception the core would take now (tier 2 has no NVIC of its own); returns where to run. */
  private takeException(begin: number): number {
    if (!this.exceptions.anyEnabled) return begin;
    const emulator = this.core();
    const exception = this.exceptions.takeable(emulator);
    if (exception === null) return begin;
    return this.guarded(() => this.exceptions.enter(emulator, exception, begin));
  }

  /** Runs a step of the exception model; a case it does not model discards the core and stops. */
  private guarded<T>(step: () => T): T {
    try {
      return step();
    } catch (error) {
      this.discard();
      throw error;
    }
  }

  /** Instructions until the next event on the chip's clock falls due, at the core clock (at least 1). */
  private instructionsToNextEvent(): number {
    const next = this.chip.clock.nextEventUs;
    if (next === null) return Number.MAX_SAFE_INTEGER;
    return Math.max(1, Math.ceil(((next - this.chip.clock.nowUs) * this.chip.rcc.hclkHz()) / 1e6));
  }

  private applyReset(): RunOutcome {
    const reason = this.chip.resetPending!;
    this.discard();
    this.chip.applySystemReset();
    return { kind: "reset", reason };
  }

  private instructionSize(address: number): number {
    const first = this.chip.bus.read(address, 2);
    return (first & 0xf800) >= 0xe800 ? 4 : 2;
  }

  /** BKPT at `address`: the firmware's exit, or null after a semihosting call that returns. */
  private breakpoint(address: number): RunOutcome | null {
    const immediate = this.chip.bus.read(address, 2) & 0xff;
    const r0 = this.regRead("r0") >>> 0;
    const r1 = this.regRead("r1") >>> 0;
    if (immediate !== SEMIHOSTING_BKPT) {
      this.discard();
      return { kind: "exit", code: r0, via: "bkpt" };
    }
    switch (r0) {
      case SYS_EXIT:
        this.discard();
        return { kind: "exit", code: r1 === ADP_STOPPED_APPLICATION_EXIT ? 0 : 1, via: "semihosting" };
      case SYS_EXIT_EXTENDED: {
        const reason = this.chip.bus.read(r1, 4);
        const subcode = this.chip.bus.read(r1 + 4, 4);
        this.discard();
        return { kind: "exit", code: reason === ADP_STOPPED_APPLICATION_EXIT ? subcode : 1, via: "semihosting" };
      }
      case SYS_WRITEC:
        this.onConsole(String.fromCharCode(this.chip.bus.read(r1, 1)));
        break;
      case SYS_WRITE0: {
        let text = "";
        for (let p = r1; ; p++) {
          const c = this.chip.bus.read(p, 1);
          if (c === 0) break;
          text += String.fromCharCode(c);
        }
        this.onConsole(text);
        break;
      }
      default:
        this.fault("SEMIHOSTING_UNSUPPORTED", address, `semihosting operation 0x${r0.toString(16)} is not supported`);
    }
    this.regWrite("r0", 0);
    return null;
  }

  /**
   * WFI/WFE: time moves to each next event on the chip's clock until a wake-up condition holds.
   * Returns false when `deadlineUs` came first.
   */
  private sleep(kind: "wfi" | "wfe", deadlineUs?: number, sleepWithoutWake = false): boolean {
    for (;;) {
      if (this.sampleInterrupts(kind)) return true;
      if (this.chip.resetPending !== null) return true;
      const next = this.chip.clock.nextEventUs;
      if (next === null && deadlineUs !== undefined && sleepWithoutWake) {
        this.chip.clock.advanceTo(Math.max(this.chip.clock.nowUs, deadlineUs));
        return false;
      }
      if (next === null) {
        this.fault("CPU1_ASLEEP", this.pc(), `CPU1 sleeps in ${kind.toUpperCase()} and nothing is left that could wake it`);
      }
      if (deadlineUs !== undefined && next > deadlineUs) {
        this.chip.clock.advanceTo(Math.max(this.chip.clock.nowUs, deadlineUs));
        return false;
      }
      this.chip.clock.advanceTo(next);
    }
  }

  /** Whether CPU1 wakes now (ARMv7-M B1.5.18, B1.5.19). */
  private sampleInterrupts(kind: "wfi" | "wfe"): boolean {
    const chip = this.chip;
    const newlyPending = chip.nvic.sample();
    if (newlyPending && (chip.scb.scr & SCR_SEVONPEND)) this.eventRegister = true;
    // WFI wakes on any enabled pending interrupt, masked by PRIMASK or not; WFE on one it would take.
    const interrupt = chip.nvic.enabledPending || chip.systick.pending;
    if (kind === "wfi") return interrupt;
    if (this.exceptions.takeable(this.core()) !== null) return true;
    if (this.eventRegister) {
      this.eventRegister = false;
      return true;
    }
    return false;
  }
}

/**
 * Unicorn maps MMIO in whole 1 KB target pages (QEMU's ARM page size): the peripheral windows are
 * widened to the pages they touch and merged. An access to a hole in a page reaches the bus, which
 * answers with a BusFault naming the address.
 */
const MMIO_PAGE = 0x400;
function mmioWindows(regions: readonly { base: number; size: number }[]): { base: number; size: number }[] {
  const pages = new Set<number>();
  for (const { base, size } of regions) {
    for (let page = Math.floor(base / MMIO_PAGE); page * MMIO_PAGE < base + size; page++) pages.add(page);
  }
  const windows: { base: number; size: number }[] = [];
  for (const page of [...pages].sort((a, b) => a - b)) {
    const last = windows[windows.length - 1];
    if (last && last.base + last.size === page * MMIO_PAGE) last.size += MMIO_PAGE;
    else windows.push({ base: page * MMIO_PAGE, size: MMIO_PAGE });
  }
  return windows;
}

function hex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, "0");
}
