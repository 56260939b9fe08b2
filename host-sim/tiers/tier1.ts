// Tier 1: the operator module as wasm in V8, its hal imports bound to the chip model.
import type { Stm32wb } from "../chip/stm32wb.js";
import { instantiateOperator, checkLinearRange, type HalImports, type OperatorModule } from "./wasm-module.js";
import { SystemResetOccurred, type OperatorTier } from "./tier.js";
import { Allowlist } from "./allowlist.js";
import { loaderTier1WasmPath, loaderLinearBytes, deviceLinearBytes } from "../paths.js";

/**
 * What one look at the time source costs in virtual time. On the device a poll-loop iteration
 * takes real cycles; in V8 nothing else moves the clock, so each reading advances it by this much.
 */
const TIME_READ_COST_US = 1;

class ResetSignal extends Error {}

/** Same name as the device runtime's fault for the same mistake (runtime-c/fusop_fault.h). */
export class HalMisaligned extends Error {
  readonly code = "HAL_MISALIGNED";
  constructor(readonly address: number, size: number) {
    super(`device fault HAL_MISALIGNED: ${size * 8}-bit access at 0x${address.toString(16).padStart(8, "0")}`);
  }
}

/**
 * Tier 1's console line for the loader module (hal uartRead/uartWrite): what a test or an adapter
 * sends waits in a queue the module reads byte by byte; what the module writes is collected.
 */
export class UartQueue {
  private incoming: number[] = [];
  private outgoing: number[] = [];

  /** Bytes for the device, as if they arrived on its RX pin. */
  send(bytes: Uint8Array | string): void {
    const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
    for (const byte of data) this.incoming.push(byte);
  }
  /** Everything the device wrote since the last take. */
  take(): Uint8Array {
    const bytes = Uint8Array.from(this.outgoing);
    this.outgoing = [];
    return bytes;
  }
  get pending(): number {
    return this.incoming.length;
  }
  read(): number {
    return this.incoming.shift() ?? -1;
  }
  write(bytes: Uint8Array): void {
    for (const byte of bytes) this.outgoing.push(byte);
  }
}

export interface WasmTierOptions {
  /** Which module runs as CPU1: the operator (probe's module, the default) or the field loader. */
  module?: "operator" | "loader";
  /** The loader's console line. */
  uart?: UartQueue;
}

export class WasmTier implements OperatorTier {
  readonly name = "wasm" as const;
  private module: OperatorModule | null = null;
  private starts = 0;
  readonly uart: UartQueue;

  constructor(readonly chip: Stm32wb, private readonly options: WasmTierOptions = {}) {
    this.uart = options.uart ?? new UartQueue();
    this.linearBytes = options.module === "loader" ? loaderLinearBytes : deviceLinearBytes;
  }

  /** Linear memory the device gives this module. */
  private readonly linearBytes: number;

  get cpu1Starts(): number {
    return this.starts;
  }

  private instance(): OperatorModule {
    if (!this.module) {
      this.module = this.options.module === "loader"
        ? instantiateOperator(this.halImports(), this.linearBytes, loaderTier1WasmPath)
        : instantiateOperator(this.halImports());
      this.starts++;
    }
    return this.module;
  }

  private halImports(): HalImports {
    const { bus, clock } = this.chip;
    // The device's sandbox, enforced here too (runtime-c/allowlist.json).
    const allowlist = new Allowlist(this.chip);
    const read = (address: number, length: number): number => {
      allowlist.require(address, length, false);
      return address >>> 0;
    };
    const write = (address: number, length: number): number => {
      allowlist.require(address, length, true);
      return address >>> 0;
    };
    const checked = <T>(access: () => T): T => {
      const result = access();
      if (this.chip.resetPending !== null) throw new ResetSignal();
      return result;
    };
    // The hal contract (assembly/hal/index.ts): register accesses are naturally aligned.
    const aligned = (address: number, size: number): number => {
      if ((address >>> 0) % size !== 0) throw new HalMisaligned(address >>> 0, size);
      return address >>> 0;
    };
    return {
      read8: (address) => checked(() => bus.read(read(address, 1), 1)),
      read16: (address) => checked(() => bus.read(read(aligned(address, 2), 2), 2)),
      read32: (address) => checked(() => bus.read(read(aligned(address, 4), 4), 4)),
      write8: (address, value) => checked(() => bus.write(write(address, 1), 1, value)),
      write16: (address, value) => checked(() => bus.write(write(aligned(address, 2), 2), 2, value)),
      write32: (address, value) => checked(() => {
        allowlist.requireStore32(aligned(address, 4), value); // FLASH_CR stores are decoded
        bus.write(address >>> 0, 4, value);
      }),
      copyIn: (pointer, address, length) => checked(() => {
        checkLinearRange(pointer, length, this.linearBytes);
        if (length > 0) read(address, length);
        this.instance().memory().set(bus.readBytes(address, length), pointer);
      }),
      copyOut: (address, pointer, length) => checked(() => {
        checkLinearRange(pointer, length, this.linearBytes);
        if (length > 0) write(address, length);
        bus.writeBytes(address, this.instance().memory().slice(pointer, pointer + length));
      }),
      delayUs: (us) => checked(() => clock.advanceBy(us >>> 0)),
      nowUs: () => checked(() => {
        clock.advanceBy(TIME_READ_COST_US);
        return Math.floor(clock.nowUs) >>> 0;
      }),
      uartWrite: (pointer, length) => {
        checkLinearRange(pointer, length, this.linearBytes);
        this.uart.write(this.instance().memory().slice(pointer, pointer + length));
      },
      uartRead: () => this.uart.read(),
    };
  }

  call(name: string, ...args: number[]): number {
    const exported = this.instance().exports[name];
    if (typeof exported !== "function") throw new Error(`the operator module exports no function '${name}'`);
    try {
      const result = exported(...args);
      return typeof result === "number" ? result >>> 0 : 0;
    } catch (error) {
      if (error instanceof ResetSignal) {
        const reason = this.chip.resetPending ?? "reset";
        this.chip.applySystemReset();
        this.module = null; // CPU1 restarts from scratch
        throw new SystemResetOccurred(reason);
      }
      // A fault (HalMisaligned, LinearMemoryViolation, BusFault, a wasm trap, ...) left the
      // instance in the middle of a function: as on tier 2, CPU1 is dropped and the next call
      // starts a fresh one. The chip keeps its state; this is no system reset.
      this.module = null;
      throw error;
    }
  }

  readLinear(pointer: number, length: number): Uint8Array {
    checkLinearRange(pointer, length, this.linearBytes);
    return this.instance().memory().slice(pointer, pointer + length);
  }

  writeLinear(pointer: number, data: Uint8Array): void {
    checkLinearRange(pointer, data.length, this.linearBytes);
    this.instance().memory().set(data, pointer);
  }
}
