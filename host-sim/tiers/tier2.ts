// Tier 2 for the operator: the probe firmware (build/fw/fusop-probe.elf) on the one firmware runner
// (firmware-runner.ts), programmed into the board's flash and started from its reset vector. API
// functions are called the way a debugger would: registers set, run until the function returns
// into fusop_probe_idle. What is probe-specific stays here: its ELF, its function table, and three
// symbols (the idle loop, the fault handler, the linear memory).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Stm32wb } from "../chip/stm32wb.js";
import { SRAM1_BASE } from "../chip/stm32wb.js";
import { probeElfPathFor, buildDirectory, deviceLinearBytes } from "../paths.js";
import { parseElf, type ElfImage } from "./elf.js";
import { FirmwareRunner, type RunOutcome } from "./firmware-runner.js";
import { SystemResetOccurred, DeviceFault, type OperatorTier } from "./tier.js";
import { programElf } from "./firmware-image.js";

const FAULT_NAMES: Record<number, string> = {
  1: "HAL_READ_DENIED",
  2: "HAL_WRITE_DENIED",
  3: "HAL_MISALIGNED",
  4: "LINEAR_RANGE",
  5: "CPU_EXCEPTION",
};
const WASM_TRAP_BASE = 16;
const WASM_TRAP_NAMES = ["NONE", "OOB", "INT_OVERFLOW", "DIV_BY_ZERO", "INVALID_CONVERSION", "UNREACHABLE", "CALL_INDIRECT", "UNCAUGHT_EXCEPTION", "EXHAUSTION"];

/** The name of the code the probe's fusop_fault(code, address) received (r0): a runtime fault or a wasm trap. */
export function probeFaultName(code: number): string {
  return code >= WASM_TRAP_BASE ? `WASM_TRAP_${WASM_TRAP_NAMES[code - WASM_TRAP_BASE] ?? code - WASM_TRAP_BASE}` : FAULT_NAMES[code] ?? `FAULT_${code}`;
}
/** Guard against a runaway firmware: no single call may execute more than this. */
const MAX_INSTRUCTIONS_PER_CALL = 2_000_000_000;

interface Probe {
  elf: ElfImage;
  api: Record<string, { symbol: string; parameters: number }>;
}

const probes = new Map<string, Probe>();

function loadProbe(path: string): Probe {
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
  /** The core it runs on (tests compare its ways of answering counter reads). */
  readonly runner: FirmwareRunner;
  /** Most instructions one call (or a start up to the idle loop) may execute before it is a RUNAWAY. */
  instructionBudget = MAX_INSTRUCTIONS_PER_CALL;
  private readonly idleAddress: number;
  private readonly faultAddress: number;
  private readonly linearAddress: number;

  /** `firmware`: another build of the probe to run (the bench's, with hand-written baselines linked in). */
  constructor(readonly chip: Stm32wb, firmware?: string) {
    const loaded = loadProbe(firmware ?? probeElfPathFor(chip.board.variant.family));
    this.elf = loaded.elf;
    this.api = loaded.api;
    this.idleAddress = this.symbol("fusop_probe_idle");
    this.faultAddress = this.symbol("fusop_fault");
    this.linearAddress = this.symbol("fusop_linear_memory");
    // Written into the board's flash as a probe programs a part; its own pages are plain code memory.
    const firmwareFlashBytes = programElf(chip.board, this.elf, "array");
    this.runner = new FirmwareRunner(chip, firmwareFlashBytes);
    this.runner.addStopAddress(this.faultAddress);
  }

  get cpu1Starts(): number {
    return this.runner.cpu1Starts;
  }

  /** Instructions CPU1 executed on this tier so far, over every start. */
  get instructions(): number {
    return this.runner.instructions;
  }

  symbol(name: string): number {
    const found = this.elf.symbols.get(name);
    if (!found) throw new Error(`the probe firmware has no symbol '${name}'`);
    return found.address & ~1;
  }

  /** Power-on or system reset: a fresh core from the reset vector, run to the idle loop. */
  private ensureRunning(): void {
    if (this.runner.running) return;
    this.runner.start();
    this.runUntilIdle();
  }

  private runUntilIdle(from?: number): void {
    let outcome: RunOutcome;
    try {
      outcome = this.runner.run({ from, until: this.idleAddress, budget: this.instructionBudget });
    } catch (error) {
      this.runner.discard();
      throw error;
    }
    switch (outcome.kind) {
      case "until": return;
      case "reset": throw new SystemResetOccurred(outcome.reason);
      case "stop-address": {
        const code = this.runner.regRead("r0");
        const address = this.runner.regRead("r1");
        this.runner.discard();
        const name = probeFaultName(code);
        throw new DeviceFault(name, address, `device fault ${name} at 0x${address.toString(16).padStart(8, "0")}`);
      }
      case "budget": {
        const pc = this.runner.regRead("pc");
        this.runner.discard();
        throw new DeviceFault("RUNAWAY", pc, "the firmware did not return within the instruction budget");
      }
      case "exit": {
        this.runner.discard();
        throw new DeviceFault("CPU_ERROR", 0, `the probe firmware executed BKPT (exit ${outcome.code})`);
      }
    }
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
    this.ensureRunning();
    args.forEach((value, i) => this.runner.regWrite(`r${i}`, value >>> 0));
    this.runner.regWrite("lr", this.idleAddress | 1);
    this.runUntilIdle(this.symbol(symbol));
    return this.runner.regRead("r0") >>> 0;
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
