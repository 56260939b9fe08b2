// The --gdb HOST:PORT target: a part behind a debug probe's GDB server. The probe firmware's RAM
// build (build/fw/fusop-probe-ram.elf, linker/stm32wb55xg-ram.ld) is written into SRAM1, never into
// flash; VTOR, SP and PC are set as a loader of the image does, and the operator's exported
// functions are called the way tier 2 calls them (host-sim/tiers/tier2.ts): arguments in r0-r3, LR
// into the probe's idle loop, run until the breakpoint there, result in r0. Every system reset that
// FUS (or anything else) causes restarts CPU1 from the part's own vector table in flash; the reset
// vector catch (DEMCR.VC_CORERESET) halts it there, the call reports SystemResetOccurred as tier 2
// does, and the next call loads the probe again. Option bytes are only read (through the operator).
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { buildDirectory, deviceLinearBytes } from "../../host-sim/paths.js";
import { parseElf, type ElfImage } from "../../host-sim/tiers/elf.js";
import { DeviceFault, SystemResetOccurred, type OperatorCalls, type ResetCounting } from "../../host-sim/tiers/tier.js";
import { deviceVariant } from "../../host-sim/chip/variants.js";
import { probeFaultName } from "../../host-sim/tiers/tier2.js";
import { Session, type SessionEvent } from "../../host-sim/session.js";
import { CliError, EXIT, usageError } from "../command.js";
import { GdbClient, GdbError, GdbUnreachable } from "./gdb-client.js";
import type { PartTarget } from "./virtual-board.js";

export const probeRamElfPath = join(buildDirectory, "fw", "fusop-probe-ram.elf");

const FLASH_BASE = 0x0800_0000;
const VTOR = 0xe000_ed08;
const DEMCR = 0xe000_edfc;
const DEMCR_VC_CORERESET = 1;
/** xPSR with only the Thumb bit: what the core holds after reset (ARMv7-M B1.4.2). */
const XPSR_THUMB = 0x0100_0000;
const REG = { r0: 0, r1: 1, sp: 13, lr: 14, pc: 15, xpsr: 16 } as const;
/** The STM32WB5x/WB3x DBGMCU device id; the RAM probe is built for the WB55xG's 192 KB SRAM1. */
const DEVICE_ID_WB5X = 0x495;
/** Wall-clock limit of one call before the core is interrupted and the call counts as a runaway. [choice] */
const CALL_TIMEOUT_MS = 120_000;

/** HOST:PORT, checked before anything is opened. */
export function parseHostPort(text: string): { host: string; port: number } {
  const match = /^(.*):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : NaN;
  if (!match || !match[1] || port < 1 || port > 65535) throw usageError("BAD_GDB_ADDRESS", `--gdb takes HOST:PORT (e.g. localhost:3333), not '${text}'`);
  return { host: match[1], port };
}

/** The operator's functions on the part, through the GDB server. */
class GdbProbe implements OperatorCalls, ResetCounting {
  readonly name = "gdb" as const;
  private loaded = false;
  cpu1Starts = 0;
  systemResetCount = 0;
  /** Raised into the operator's flash driver after every load: the part's own firmware ends here. */
  firmwareEnd = 0;
  private readonly api: Record<string, { symbol: string; parameters: number }>;
  private readonly idle: number;
  private readonly fault: number;
  private readonly linear: number;

  constructor(private readonly client: GdbClient, private readonly elf: ElfImage) {
    this.api = JSON.parse(readFileSync(join(buildDirectory, "gen", "fusop_api.json"), "utf8"));
    this.idle = this.symbol("fusop_probe_idle");
    this.fault = this.symbol("fusop_fault");
    this.linear = this.symbol("fusop_linear_memory");
  }

  private symbol(name: string): number {
    const found = this.elf.symbols.get(name);
    if (!found) throw new Error(`the RAM probe firmware has no symbol '${name}'`);
    return found.address & ~1;
  }

  /** Writes the probe into SRAM1 and runs its reset handler up to the idle loop. */
  load(): void {
    for (const segment of this.elf.segments) {
      if (segment.physicalAddress < 0x2000_0000 || segment.physicalAddress >= 0x2003_0000) {
        throw new Error(`the RAM probe has a segment at 0x${segment.physicalAddress.toString(16)}, outside SRAM1: rebuild it (make firmware)`);
      }
      this.client.writeMemory(segment.physicalAddress, segment.data);
    }
    const vectors = this.symbol("fusop_vectors");
    const stack = this.client.readWord(vectors);
    const reset = this.client.readWord(vectors + 4);
    this.client.writeWord(VTOR, vectors);
    this.client.writeRegister(REG.sp, stack);
    this.client.writeRegister(REG.xpsr, XPSR_THUMB);
    this.client.writeRegister(REG.pc, reset & ~1);
    this.client.setBreakpoint(this.idle);
    this.client.setBreakpoint(this.fault);
    this.loaded = true;
    this.cpu1Starts++;
    this.runToIdle();
    if (this.firmwareEnd > 0) this.call("flashSetFirmwareEnd", this.firmwareEnd);
  }

  private runToIdle(): void {
    const stop = this.client.continueAndWait(CALL_TIMEOUT_MS);
    const pc = this.client.readRegister(REG.pc) & ~1;
    if (pc === this.idle) return;
    if (pc === this.fault) {
      const code = this.client.readRegister(REG.r0);
      const address = this.client.readRegister(REG.r1);
      this.loaded = false;
      const name = probeFaultName(code);
      throw new DeviceFault(name, address, `device fault ${name} at 0x${address.toString(16).padStart(8, "0")}`);
    }
    if (stop.signal === -1) {
      this.loaded = false;
      throw new DeviceFault("RUNAWAY", pc, `the probe did not return within ${CALL_TIMEOUT_MS / 1000} s; interrupted at 0x${pc.toString(16)}`);
    }
    // Anywhere else: the part went through a system reset and CPU1 restarted from flash (its
    // reset vector, where the vector catch halted it), or it stopped where nothing of the probe lies.
    this.loaded = false;
    const resetVector = this.client.readWord(FLASH_BASE + 4) & ~1;
    if (pc === resetVector) {
      this.systemResetCount++;
      throw new SystemResetOccurred("CPU1 restarted at its reset vector");
    }
    throw new DeviceFault("CPU_ERROR", pc, `the core stopped at 0x${pc.toString(16)} (signal ${stop.signal}), outside the probe`);
  }

  private ensureLoaded(): void {
    if (!this.loaded) this.load();
  }

  call(name: string, ...args: number[]): number {
    const entry = this.api[name];
    if (!entry) throw new Error(`the operator module exports no function '${name}'`);
    if (args.length !== entry.parameters || args.length > 4) throw new Error(`${name} takes ${entry.parameters} arguments`);
    this.ensureLoaded();
    args.forEach((value, i) => this.client.writeRegister(i, value >>> 0));
    this.client.writeRegister(REG.lr, this.idle | 1);
    this.client.writeRegister(REG.pc, this.symbol(entry.symbol));
    this.runToIdle();
    return this.client.readRegister(REG.r0) >>> 0;
  }

  private linearAddress(pointer: number, length: number): number {
    if (pointer < 0 || pointer + length > deviceLinearBytes) {
      throw new DeviceFault("LINEAR_RANGE", pointer, `linear memory ${pointer}+${length} beyond ${deviceLinearBytes} bytes`);
    }
    return this.linear + pointer;
  }

  readLinear(pointer: number, length: number): Uint8Array {
    this.ensureLoaded();
    return this.client.readMemory(this.linearAddress(pointer, length), length);
  }

  writeLinear(pointer: number, data: Uint8Array): void {
    this.ensureLoaded();
    this.client.writeMemory(this.linearAddress(pointer, data.length), data);
  }
}

/**
 * Opens the part behind HOST:PORT: halts it with a debugger's reset (vector catch on), loads the
 * probe into SRAM1. Exit 4 when nothing answers.
 */
export function openGdbBoard(address: string, onEvent: (event: SessionEvent) => void): PartTarget {
  const { host, port } = parseHostPort(address);
  if (!existsSync(probeRamElfPath)) {
    throw new CliError("PROBE_FIRMWARE_MISSING", `the RAM probe firmware ${probeRamElfPath} is missing (build it from a fusop clone: make firmware)`);
  }
  const elf = parseElf(readFileSync(probeRamElfPath));
  let client: GdbClient;
  try {
    client = GdbClient.connect(host, port);
  } catch (error) {
    if (error instanceof GdbUnreachable) throw new CliError("DEVICE_NOT_REACHABLE", `${error.message}: start the probe's GDB server (docs/real-board.md)`, { gdb: address }, EXIT.unreachable);
    throw error;
  }
  const probe = new GdbProbe(client, elf);
  const session = new Session(probe, probe, onEvent);
  try {
    client.writeWord(DEMCR, client.readWord(DEMCR) | DEMCR_VC_CORERESET);
    client.monitor("reset halt");
    probe.load();
  } catch (error) {
    client.close();
    if (error instanceof GdbUnreachable) throw new CliError("DEVICE_NOT_REACHABLE", `${error.message} (${address})`, { gdb: address }, EXIT.unreachable);
    throw error;
  }
  const identity = session.operator.identify();
  if (identity.deviceId !== DEVICE_ID_WB5X) {
    client.close();
    throw new CliError("GDB_PART_UNSUPPORTED", `the part behind ${address} reports device id 0x${identity.deviceId.toString(16)}; the RAM probe is built for STM32WB55 (0x495)`);
  }
  const variant = deviceVariant("wb5x", identity.flashKb);
  const readFlash = (start: number, end: number): Uint8Array => client.readMemory(start, end - start);
  const applicationEnd = (): number => {
    for (let at = FLASH_BASE; at < variant.flashTop; at += variant.sectorBytes) {
      if (readFlash(at, at + variant.sectorBytes).every((byte) => byte === 0xff)) return at;
    }
    return variant.flashTop;
  };
  // The part's own firmware stays out of the operator's reach, also for its flash driver.
  const firmwareEnd = applicationEnd();
  probe.firmwareEnd = firmwareEnd;
  probe.call("flashSetFirmwareEnd", firmwareEnd);
  return {
    label: address,
    session,
    variant,
    readFlash,
    applicationEnd: () => firmwareEnd,
    save() {
      // Nothing to write back: the part keeps its own state. Leave it running its own firmware;
      // best effort, so that a connection lost during the command reports the command's own error.
      try {
        client.writeWord(DEMCR, client.readWord(DEMCR) & ~DEMCR_VC_CORERESET);
        client.monitor("reset");
        client.send("D");
        client.receive(2_000);
      } catch (error) {
        if (!(error instanceof GdbUnreachable || error instanceof GdbError)) throw error;
      } finally {
        client.close();
      }
    },
  };
}
