// Instantiates the operator module in V8 with the tier-1 guard: every linear-memory access of the
// instrumented module is checked against the device's linear-memory size (scripts/instrument-tier1.mjs).
import { readFileSync } from "node:fs";
import { tier1WasmPath, deviceLinearBytes } from "../paths.js";

/** The hal imports of assembly/hal/index.ts. */
export interface HalImports {
  read8(address: number): number;
  read16(address: number): number;
  read32(address: number): number;
  write8(address: number, value: number): void;
  write16(address: number, value: number): void;
  write32(address: number, value: number): void;
  copyIn(pointer: number, address: number, length: number): void;
  copyOut(address: number, pointer: number, length: number): void;
  delayUs(us: number): void;
  nowUs(): number;
  /** The loader's console line (assembly/hal/index.ts); the probe's module does not import them. */
  uartWrite?(pointer: number, length: number): void;
  uartRead?(): number;
}

export type OperatorExports = Record<string, (...args: number[]) => number>;

/** The module touched linear memory the device does not have. */
export class LinearMemoryViolation extends Error {
  readonly code = "LINEAR_MEMORY_VIOLATION";
  constructor(readonly address: number, readonly length: number, limit: number) {
    super(`linear memory access at ${address} (+${length}) beyond the device's ${limit} bytes`);
  }
}

export interface OperatorModule {
  exports: OperatorExports;
  /** The module's linear memory (64 KiB in V8; only the first deviceLinearBytes exist on the device). */
  memory: () => Uint8Array;
}

const compiled = new Map<string, WebAssembly.Module>();

function checkLinear(address: number, length: number, limit = deviceLinearBytes): void {
  if (address < 0 || address + length > limit) throw new LinearMemoryViolation(address, length, limit);
}

/** Checks a host-side copy into or out of linear memory against the device's size (`limit`: the loader's own). */
export function checkLinearRange(pointer: number, length: number, limit = deviceLinearBytes): void {
  checkLinear(pointer >>> 0, length >>> 0, limit);
}

/**
 * `linearBytes` is the device's linear memory; tests lower it to prove the guard trips. `wasmPath`
 * is the instrumented module: the operator's, or the loader's with its own budget (loaderTier1WasmPath).
 */
export function instantiateOperator(hal: HalImports, linearBytes = deviceLinearBytes, wasmPath = tier1WasmPath): OperatorModule {
  let module = compiled.get(wasmPath);
  if (!module) {
    module = new WebAssembly.Module(readFileSync(wasmPath));
    compiled.set(wasmPath, module);
  }
  const pass = (_id: number, value: unknown) => value;
  const env = {
    load_ptr: (_id: number, bytes: number, offset: number, address: number) => {
      checkLinear((address >>> 0) + (offset >>> 0), bytes, linearBytes);
      return address;
    },
    store_ptr: (_id: number, bytes: number, offset: number, address: number) => {
      checkLinear((address >>> 0) + (offset >>> 0), bytes, linearBytes);
      return address;
    },
    load_val_i32: pass, load_val_i64: pass, load_val_f32: pass, load_val_f64: pass,
    store_val_i32: pass, store_val_i64: pass, store_val_f32: pass, store_val_f64: pass,
    memory_grow_pre: () => {
      throw new Error("memory.grow executed: the device module must never grow memory");
    },
    memory_grow_post: pass,
  };
  const instance = new WebAssembly.Instance(module, { hal: { ...hal }, env });
  const memory = instance.exports.memory as WebAssembly.Memory;
  return {
    exports: instance.exports as unknown as OperatorExports,
    memory: () => new Uint8Array(memory.buffer),
  };
}
