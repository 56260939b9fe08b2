// Tier 2: the exact ARM firmware (build/fw/fusop-probe.elf) on a unicorn Cortex-M4, its memories
// mapped onto the chip model's own arrays and its peripheral windows hooked into the same chip
// model as tier 1. API functions are called the way a debugger would: registers set, run until the
// function returns into fusop_probe_idle. Time is the executed instruction count at the core clock.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Stm32wb } from "../chip/stm32wb.js";
import { SRAM1_BASE, SRAM2A_BASE, SRAM2B_BASE, SYSTEM_INFO_BASE } from "../chip/stm32wb.js";
import { RESET_SYSCLK_HZ } from "../chip/rcc.js";
import { probeElfPathFor, unicornAddonPath, buildDirectory, deviceLinearBytes } from "../paths.js";
import { parseElf, type ElfImage } from "./elf.js";
import { SystemResetOccurred, DeviceFault, type OperatorTier } from "./tier.js";
import { join } from "node:path";

interface RunResult {
  error: string | null;
  errorCode: number;
  stoppedAt?: number;
}

interface Emulator {
  mapBuffer(address: number, bytes: Uint8Array, perms: number, length?: number): void;
  mapRam(address: number, length: number): void;
  mapMmio(address: number, length: number,
    read: (address: number, size: number, instructions: number) => number,
    write: (address: number, size: number, value: number, instructions: number) => void): void;
  regRead(name: string): number;
  regWrite(name: string, value: number): void;
  addStopAddress(address: number): void;
  run(begin: number, until: number, maxInstructions?: number): RunResult;
  stop(): void;
  instructions(): number;
  close(): void;
}

interface UnicornAddon {
  Emulator: new () => Emulator;
  PROT_READ: number;
  PROT_WRITE: number;
  PROT_EXEC: number;
}

const FAULT_NAMES: Record<number, string> = {
  1: "HAL_READ_DENIED",
  2: "HAL_WRITE_DENIED",
  3: "HAL_MISALIGNED",
  4: "LINEAR_RANGE",
  5: "CPU_EXCEPTION",
};
const WASM_TRAP_BASE = 16;
const WASM_TRAP_NAMES = ["NONE", "OOB", "INT_OVERFLOW", "DIV_BY_ZERO", "INVALID_CONVERSION", "UNREACHABLE", "CALL_INDIRECT", "UNCAUGHT_EXCEPTION", "EXHAUSTION"];
/** The System Control Block page (DEMCR lives there); plain RAM is enough for what the runtime does. */
const SCB_PAGE = 0xe000_e000;
/** Guard against a runaway firmware: no single call may execute more than this. */
const MAX_INSTRUCTIONS_PER_CALL = 2_000_000_000;

interface Probe {
  elf: ElfImage;
  api: Record<string, { symbol: string; parameters: number }>;
}

let addon: UnicornAddon | undefined;
const probes = new Map<string, Probe>();

function loadProbe(path: string): Probe {
  addon ??= createRequire(import.meta.url)(unicornAddonPath) as UnicornAddon;
  let probe = probes.get(path);
  if (!probe) {
    probe = {
      elf: parseElf(readFileSync(path)),
      api: JSON.parse(readFileSync(join(buildDirectory, "gen", "fusop_api.json"), "utf8")),
    };
    probes.set(path, probe);
  }
  return probe;
}

export class ArmTier implements OperatorTier {
  readonly name = "arm" as const;
  private readonly elf: ElfImage;
  private readonly api: Record<string, { symbol: string; parameters: number }>;
  private emulator: Emulator | null = null;
  /** Most instructions one call (or a start up to the idle loop) may execute before it is a RUNAWAY. */
  instructionBudget = MAX_INSTRUCTIONS_PER_CALL;
  private starts = 0;
  private retiredInstructions = 0;
  private clockBaseUs = 0;
  private readonly idleAddress: number;
  private readonly faultAddress: number;
  private readonly linearAddress: number;
  /** Flash the firmware occupies, rounded up to unicorn's 4 KB mapping granule. */
  private readonly firmwareFlashBytes: number;

  /** `firmware`: another build of the probe to run (the bench's, with hand-written baselines linked in). */
  constructor(readonly chip: Stm32wb, firmware?: string) {
    const variant = chip.board.variant;
    const loaded = loadProbe(firmware ?? probeElfPathFor(variant.family));
    this.elf = loaded.elf;
    this.api = loaded.api;
    this.idleAddress = this.symbol("fusop_probe_idle");
    this.faultAddress = this.symbol("fusop_fault");
    this.linearAddress = this.symbol("fusop_linear_memory");
    const flashBase = chip.board.variant.flashBase;
    const end = Math.max(...this.elf.segments.filter((s) => s.physicalAddress >= flashBase && s.physicalAddress < flashBase + chip.board.flash.length)
      .map((s) => s.physicalAddress + s.data.length));
    this.firmwareFlashBytes = Math.ceil((end - flashBase) / 0x1000) * 0x1000;
    this.programFirmware();
  }

  get cpu1Starts(): number {
    return this.starts;
  }

  /** Instructions CPU1 executed on this tier so far, over every start. */
  get instructions(): number {
    return this.retiredInstructions + (this.emulator ? this.emulator.instructions() : 0);
  }

  symbol(name: string): number {
    const found = this.elf.symbols.get(name);
    if (!found) throw new Error(`the probe firmware has no symbol '${name}'`);
    return found.address & ~1;
  }

  /** Writes the firmware into the board's flash, as a probe programs a part. */
  private programFirmware(): void {
    const { flash } = this.chip.board;
    const base = this.chip.board.variant.flashBase;
    for (const segment of this.elf.segments) {
      const offset = segment.physicalAddress - base;
      if (offset < 0 || offset + segment.data.length > flash.length) continue; // RAM-only segment
      flash.set(segment.data, offset);
    }
  }

  /** Power-on or system reset: a fresh core, memories as the chip shows them now, run to idle. */
  private startCpu1(): Emulator {
    const unicorn = addon!;
    const emulator = new unicorn.Emulator();
    const chip = this.chip;
    const rx = unicorn.PROT_READ | unicorn.PROT_EXEC;
    const rwx = rx | unicorn.PROT_WRITE;
    // Flash up to the secure boundary only: above it CPU1 faults (fus-behaviour §1.1). The
    // firmware's own pages are plain read-only memory it executes from; the rest is a window into
    // the chip's flash, so that writes reach the FLASH controller model (programming rules) as on
    // silicon, where a store to flash is a programming request.
    const flashBase = chip.board.variant.flashBase;
    const visibleFlash = chip.flashRegion.visibleLength!();
    const codeBytes = Math.min(visibleFlash, this.firmwareFlashBytes);
    if (codeBytes > 0) emulator.mapBuffer(flashBase, chip.board.flash, rx, codeBytes);
    if (visibleFlash > codeBytes) {
      emulator.mapMmio(flashBase + codeBytes, visibleFlash - codeBytes,
        (address, width, instructions) => this.access(emulator, instructions, () => chip.bus.read(address, width as 1 | 2 | 4)),
        (address, width, value, instructions) => this.access(emulator, instructions, () => chip.bus.write(address, width as 1 | 2 | 4, value)));
    }
    emulator.mapBuffer(SRAM1_BASE, chip.sram1, rwx);
    // SRAM2a/SRAM2b up to their secure parts (1 KB granular): whole 4 KB pages as memory, a page
    // the boundary cuts through goes through the chip's bus, which faults beyond the boundary.
    for (const base of [SRAM2A_BASE, SRAM2B_BASE]) {
      const region = chip.bus.memoryRegions.find((m) => m.base === base)!;
      const visible = region.visibleLength!();
      const wholePages = Math.floor(visible / 0x1000) * 0x1000;
      if (wholePages > 0) emulator.mapBuffer(base, region.bytes, rwx, wholePages);
      if (visible > wholePages) {
        emulator.mapMmio(base + wholePages, 0x1000,
          (address, width, instructions) => this.access(emulator, instructions, () => chip.bus.read(address, width as 1 | 2 | 4)),
          (address, width, value, instructions) => this.access(emulator, instructions, () => chip.bus.write(address, width as 1 | 2 | 4, value)));
      }
    }
    emulator.mapBuffer(SYSTEM_INFO_BASE, chip.systemInfo, unicorn.PROT_READ);
    emulator.mapRam(SCB_PAGE, 0x1000);
    for (const { base, size } of chip.bus.peripheralRegions) {
      emulator.mapMmio(base, size,
        (address, width, instructions) => this.access(emulator, instructions, () => chip.bus.read(address, width as 1 | 2 | 4)),
        (address, width, value, instructions) => this.access(emulator, instructions, () => chip.bus.write(address, width as 1 | 2 | 4, value)));
    }
    emulator.addStopAddress(this.faultAddress);
    this.emulator = emulator;
    this.clockBaseUs = chip.clock.nowUs;
    this.starts++;

    const vectors = new DataView(chip.board.flash.buffer, chip.board.flash.byteOffset);
    emulator.regWrite("sp", vectors.getUint32(0, true));
    const reset = vectors.getUint32(4, true);
    this.runUntilIdle(emulator, reset);
    return emulator;
  }

  /** Every peripheral access first brings the chip's clock up to the instructions executed. */
  private access<T>(emulator: Emulator, instructions: number, operation: () => T): T {
    this.chip.clock.advanceTo(this.clockBaseUs + (instructions * 1e6) / RESET_SYSCLK_HZ);
    const result = operation();
    if (this.chip.resetPending !== null) emulator.stop();
    return result;
  }

  private runUntilIdle(emulator: Emulator, begin: number): void {
    let result: RunResult;
    try {
      result = emulator.run(begin, this.idleAddress, this.instructionBudget);
    } catch (error) {
      // A peripheral callback threw (a bus fault in the chip model...): the core stopped mid-function.
      this.discardCpu1();
      throw error;
    }
    if (this.chip.resetPending !== null) {
      const reason = this.chip.resetPending;
      this.discardCpu1();
      this.chip.applySystemReset();
      throw new SystemResetOccurred(reason);
    }
    if (result.stoppedAt !== undefined && (result.stoppedAt & ~1) === this.faultAddress) {
      const code = emulator.regRead("r0");
      const address = emulator.regRead("r1");
      this.discardCpu1();
      const name = code >= WASM_TRAP_BASE ? `WASM_TRAP_${WASM_TRAP_NAMES[code - WASM_TRAP_BASE] ?? code - WASM_TRAP_BASE}` : FAULT_NAMES[code] ?? `FAULT_${code}`;
      throw new DeviceFault(name, address, `device fault ${name} at 0x${address.toString(16).padStart(8, "0")}`);
    }
    if (result.error) {
      const pc = emulator.regRead("pc");
      this.discardCpu1();
      throw new DeviceFault("CPU_ERROR", pc, `unicorn stopped: ${result.error} (pc 0x${pc.toString(16)})`);
    }
    const pc = emulator.regRead("pc");
    if ((pc & ~1) !== this.idleAddress) {
      this.discardCpu1();
      throw new DeviceFault("RUNAWAY", pc, "the firmware did not return within the instruction budget");
    }
  }

  private discardCpu1(): void {
    if (!this.emulator) return;
    this.retiredInstructions += this.emulator.instructions();
    this.emulator.close();
    this.emulator = null;
  }

  private ensureRunning(): Emulator {
    return this.emulator ?? this.startCpu1();
  }

  call(name: string, ...args: number[]): number {
    const entry = this.api[name];
    if (!entry) throw new Error(`the operator module exports no function '${name}'`);
    if (args.length !== entry.parameters) throw new Error(`${name} takes ${entry.parameters} arguments`);
    return this.callSymbol(entry.symbol, ...args);
  }

  /**
   * Calls a C function of the firmware by symbol, AAPCS-style (up to four word arguments in r0-r3,
   * result in r0), returning into the idle loop. Also reaches runtime internals (the allowlist tests).
   */
  callSymbol(symbol: string, ...args: number[]): number {
    if (args.length > 4) throw new Error(`${symbol}: at most four arguments fit in registers`);
    const emulator = this.ensureRunning();
    args.forEach((value, i) => emulator.regWrite(`r${i}`, value >>> 0));
    emulator.regWrite("lr", this.idleAddress | 1);
    this.runUntilIdle(emulator, this.symbol(symbol));
    return emulator.regRead("r0") >>> 0;
  }

  private linearOffset(pointer: number, length: number): number {
    if (pointer < 0 || pointer + length > deviceLinearBytes) {
      throw new DeviceFault("LINEAR_RANGE", pointer, `linear memory ${pointer}+${length} beyond ${deviceLinearBytes} bytes`);
    }
    return this.linearAddress - SRAM1_BASE + pointer;
  }

  readLinear(pointer: number, length: number): Uint8Array {
    this.ensureRunning();
    const offset = this.linearOffset(pointer, length);
    return this.chip.sram1.slice(offset, offset + length);
  }

  writeLinear(pointer: number, data: Uint8Array): void {
    this.ensureRunning();
    this.chip.sram1.set(data, this.linearOffset(pointer, data.length));
  }
}
