// A virtual board: everything of one STM32WB that survives a reset (flash, option bytes, CPU2's
// own persistent state). The chip model (host-sim/chip/stm32wb.ts) runs on top of one.
import { deviceVariant, sbrvFor, sfsaFor, type DeviceVariant, type Family } from "./chip/variants.js";
import type { OptionBytes } from "./chip/flash.js";
import { parseVersion } from "./versions.js";

export interface InstalledStack {
  /** Version word (cpu2-interface §3.4). */
  version: number;
  /** Stack type byte (cpu2-interface §3.4 "info stack"). */
  type: number;
  /** First flash address of the installed stack. */
  start: number;
  /** Size in bytes. */
  size: number;
}

/** CPU2's own non-volatile state: what FUS keeps in its secure flash. */
export interface Cpu2PersistentState {
  fusVersion: number;
  safebootVersion: number;
  stack: InstalledStack | null;
}

export interface BoardConfig {
  family: Family;
  flashKb: number;
  fus: string;
  stack?: { version: string; type: number; size: number } | null;
  /** SFSA/SBRV override, e.g. to model corrupted option bytes. */
  optionBytes?: Partial<OptionBytes>;
  uid64?: bigint;
}

export class Board {
  readonly variant: DeviceVariant;
  readonly flash: Uint8Array;
  readonly optionBytes: OptionBytes;
  readonly cpu2: Cpu2PersistentState;
  readonly uid64: bigint;

  constructor(config: BoardConfig) {
    this.variant = deviceVariant(config.family, config.flashKb);
    this.flash = new Uint8Array(config.flashKb * 1024).fill(0xff);
    this.uid64 = config.uid64 ?? 0x0080_e115_0000_1234n;
    const fusVersion = parseVersion(config.fus);
    let stack: InstalledStack | null = null;
    if (config.stack) {
      const sectors = Math.ceil(config.stack.size / this.variant.sectorBytes);
      const start = this.variant.fusStart - sectors * this.variant.sectorBytes;
      stack = { version: parseVersion(config.stack.version), type: config.stack.type, start, size: config.stack.size };
    }
    this.cpu2 = { fusVersion, safebootVersion: 0, stack };
    const secureStart = stack ? stack.start : this.variant.fusStart;
    this.optionBytes = {
      sfsa: sfsaFor(this.variant, secureStart),
      fsd: false,
      dds: false,
      // A part with a stack runs it after reset; a bare part runs FUS (fus-behaviour §1.6 table).
      sbrv: sbrvFor(stack ? stack.start : this.variant.fusStart),
      c2opt: true,
      ...this.variant.secureSram,
      ipccdba: 0,
      optr: 0x3fff_e1aa,
      ...config.optionBytes,
    };
  }
}
