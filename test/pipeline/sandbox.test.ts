// The sandbox around the operator module: the device runtime's address allowlist (tier 2), the
// tier-1 guard on linear memory, and the build guards that keep the module inside the device's
// few KiB without memory.grow.
import { describe, expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import binaryen from "binaryen";
import { ArmTier } from "../../host-sim/tiers/tier2.js";
import { instantiateOperator, LinearMemoryViolation, type HalImports } from "../../host-sim/tiers/wasm-module.js";
import { DeviceFault } from "../../host-sim/tiers/tier.js";
import { Allowlist } from "../../host-sim/tiers/allowlist.js";
import { projectRoot } from "../../host-sim/paths.js";
import { Cpu2Mode, OperatorStatus } from "../../assembly/shared/codes.js";
import { bareWb55, rig, tierNames } from "../support/tiers.js";

function armRig() {
  const { chip, tier } = rig("arm", bareWb55);
  return { chip, tier: tier as ArmTier };
}

function faultOf(run: () => unknown): DeviceFault {
  try {
    run();
  } catch (error) {
    if (error instanceof DeviceFault) return error;
    throw error;
  }
  throw new Error("expected a device fault");
}

describe("device allowlist (tier 2, runtime-c/hal.c)", () => {
  // The register window (allowlist.json registerWindow) is a lookup table generated from the
  // ranges: every word read in it must end as the ranges say (tier 1's Allowlist reads
  // the same ranges). Each page's first and last word, and every word of FLASH's mixed page.
  test("the register window answers reads as the ranges do (every page's edges, FLASH's registers word by word)", () => {
    const { tier, chip } = armRig();
    const ranges = new Allowlist(chip);
    const addresses = new Set<number>();
    for (let page = 0x5800_0000; page < 0x5800_4400; page += 0x100) [page, page + 0xfc].forEach((a) => addresses.add(a));
    for (let word = 0x5800_4000; word < 0x5800_4100; word += 4) addresses.add(word);
    let refused = 0;
    const unmapped: number[] = [];
    for (const address of addresses) {
      let allowed = true;
      try {
        ranges.require(address, 4, false);
      } catch {
        allowed = false;
      }
      if (allowed) {
        // Past the sandbox; a register the chip model does not map stops unicorn, never the hal.
        try {
          tier.callSymbol("fusop_hal_read32", address);
        } catch (error) {
          expect([address, error instanceof DeviceFault && error.code]).toEqual([address, "CPU_ERROR"]);
          unmapped.push(address);
        }
      } else {
        const fault = faultOf(() => tier.callSymbol("fusop_hal_read32", address));
        expect([address, fault.code]).toEqual([address, "HAL_READ_DENIED"]);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(unmapped.length).toBeLessThan(addresses.size - refused); // most allowed reads reach a register
  });

  test("in the register window only FLASH_KEYR and FLASH_SR of the FLASH registers take plain stores", () => {
    const { tier } = armRig();
    for (let address = 0x5800_4000; address < 0x5800_4100; address += 4) {
      if (address === 0x5800_4008 || address === 0x5800_4010 || address === 0x5800_4014) continue; // KEYR, SR; CR is decoded
      const fault = faultOf(() => tier.callSymbol("fusop_hal_write32", address, 0));
      expect([address, fault.code]).toEqual([address, "HAL_WRITE_DENIED"]);
    }
    tier.callSymbol("fusop_hal_write32", 0x5800_4010, 0); // FLASH_SR: write 1 to clear, 0 changes nothing
  });

  test("a write to SRAM1 (CPU1's own RAM, not the operator's) is refused by name", () => {
    const { tier, chip } = armRig();
    // 64 KB into SRAM1: above the probe's data and below its stack, so the fault path's own
    // records (fusop_last_fault, the .noinit fault record) cannot be what changes there.
    const offset = 0x1_0000;
    const before = chip.sram1.slice(offset, offset + 16);
    const fault = faultOf(() => tier.callSymbol("fusop_hal_write32", 0x2000_0000 + offset, 0xdead_beef));
    expect(fault.code).toBe("HAL_WRITE_DENIED");
    expect(fault.address).toBe(0x2000_0000 + offset);
    expect(Buffer.from(chip.sram1.slice(offset, offset + 16)).equals(Buffer.from(before))).toBe(true);
  });

  test("writes to flash, GPIO and FUS's private SRAM2b are refused; reads outside the list too", () => {
    const { tier } = armRig();
    expect(faultOf(() => tier.callSymbol("fusop_hal_write32", 0x0800_0000, 0)).code).toBe("HAL_WRITE_DENIED");
    expect(faultOf(() => tier.callSymbol("fusop_hal_write32", 0x4800_0014, 1)).code).toBe("HAL_WRITE_DENIED");
    expect(faultOf(() => tier.callSymbol("fusop_hal_write32", 0x2003_c000, 1)).code).toBe("HAL_WRITE_DENIED");
    expect(faultOf(() => tier.callSymbol("fusop_hal_read32", 0x4000_0000)).code).toBe("HAL_READ_DENIED");
    expect(faultOf(() => tier.callSymbol("fusop_hal_read32", 0x5800_0c02)).code).toBe("HAL_MISALIGNED");
  });

  test("allowed accesses go through: IPCC and the shared SRAM2a", () => {
    const { tier, chip } = armRig();
    chip.rcc.writeUint32(0x50, 1 << 20); // IPCC clock on, so the register answers
    expect(tier.callSymbol("fusop_hal_read32", 0x5800_0c0c)).toBe(0);
    tier.callSymbol("fusop_hal_write32", 0x2003_7ffc, 0x1234_5678);
    expect(chip.bus.read(0x2003_7ffc, 4)).toBe(0x1234_5678);
  });

  test("the firmware keeps running normally after the host restarts it from a fault", () => {
    const { tier } = armRig();
    faultOf(() => tier.callSymbol("fusop_hal_write32", 0x2000_0000, 1));
    expect(tier.call("linearMemoryUsed")).toBeGreaterThan(0);
  });

  test("a call that runs past its instruction budget is a RUNAWAY; the next call starts a fresh core", () => {
    const { tier } = armRig();
    expect(tier.call("linearMemoryUsed")).toBeGreaterThan(0);
    const starts = tier.cpu1Starts;
    tier.instructionBudget = 50; // booting CPU2 polls for its READY event far longer than that
    expect(faultOf(() => tier.call("bootCpu2", 1000)).code).toBe("RUNAWAY");
    tier.instructionBudget = 10_000_000;
    expect(tier.call("linearMemoryUsed")).toBeGreaterThan(0);
    expect(tier.cpu1Starts).toBe(starts + 1);
  });
});

describe("tier-1 guard on linear memory", () => {
  // A hal that points the device-information pointer somewhere and copies nothing: readDeviceInfo
  // then reads its static table buffer, the only linear-memory access it makes.
  const fakeHal = {
    ...Object.fromEntries(["read8", "read16", "write8", "write16", "write32", "copyOut", "delayUs", "nowUs"].map((name) => [name, () => {
      throw new Error(`hal.${name} must not be called here`);
    }])),
    read32: () => 0x2003_0028,
    copyIn: () => undefined,
  } as unknown as HalImports;

  test("a load beyond the device's linear memory is caught, not served by V8's 64 KiB page", () => {
    const device = instantiateOperator(fakeHal);
    expect(device.exports.readDeviceInfo()).toBe(13); // DeviceInfoUnreadable: all zeros, no violation
    const shrunk = instantiateOperator(fakeHal, 64); // the table buffer lies beyond 64 bytes
    expect(() => shrunk.exports.readDeviceInfo()).toThrow(LinearMemoryViolation);
  });

  test("host copies into linear memory are checked against the device size", () => {
    const { tier } = rig("wasm", bareWb55);
    expect(() => tier.readLinear(4090, 16)).toThrow(LinearMemoryViolation);
    expect(() => tier.writeLinear(5000, new Uint8Array(1))).toThrow(LinearMemoryViolation);
    expect(() => tier.readLinear(4080, 16)).not.toThrow();
  });
});

describe.each(tierNames)("after a fault inside a call, CPU1 starts afresh (tier.ts), %s", (tierName) => {
  test("a trap in the middle of a call discards CPU1; the next call runs on a fresh one", () => {
    const { tier, chip, operator } = rig(tierName, bareWb55);
    expect(operator.bootCpu2()).toBe(Cpu2Mode.Fus);
    const starts = tier.cpu1Starts;
    // The next peripheral read traps, as a wasm trap would halfway through GET_STATE.
    const read = chip.bus.read.bind(chip.bus);
    let armed = true;
    chip.bus.read = (address, size) => {
      if (armed) {
        armed = false;
        throw new WebAssembly.RuntimeError("unreachable");
      }
      return read(address, size);
    };
    expect(() => tier.call("fusGetState")).toThrow(WebAssembly.RuntimeError);
    // A fresh CPU1: the operator's memory of the boot is gone, the chip's state is not.
    expect(tier.call("cpu2Mode")).toBe(Cpu2Mode.Unknown);
    expect(tier.cpu1Starts).toBe(starts + 1);
    expect(chip.pwr.c2boot).toBe(true);
    expect(tier.call("readDeviceInfo")).toBe(OperatorStatus.Ok);
  });
});

describe("build guards (scripts/check-wasm.mjs)", () => {
  const directory = mkdtempSync(join(tmpdir(), "fusop-guard-"));
  function check(wat: string): { ok: boolean; output: string } {
    const module = binaryen.parseText(wat);
    const path = join(directory, `m${Math.random().toString(36).slice(2)}.wasm`);
    writeFileSync(path, module.emitBinary());
    try {
      const output = execFileSync("node", [join(projectRoot, "scripts", "check-wasm.mjs"), path, "4096", join(directory, "layout.h")], { encoding: "utf8", stdio: "pipe" });
      return { ok: true, output };
    } catch (error) {
      return { ok: false, output: String((error as { stderr: string }).stderr) };
    }
  }

  test("a module that can grow memory is refused", () => {
    const result = check(`(module (memory 1 1) (func (export "linearMemoryUsed") (result i32)
      (drop (memory.grow (i32.const 1))) (i32.const 100)))`);
    expect(result.ok).toBe(false);
    expect(result.output).toContain("memory.grow");
  });

  test("static data beyond the device's linear memory is refused", () => {
    const result = check(`(module (memory 1 1) (func (export "linearMemoryUsed") (result i32) (i32.const 5000)))`);
    expect(result.ok).toBe(false);
    expect(result.output).toContain("beyond the 4096 bytes");
  });

  // The C build has no call-depth counter (WASM_RT_USE_STACK_DEPTH_COUNT=0): recursion and
  // indirect calls, the only ways to an unbounded C stack, must not reach it.
  test("a recursive call cycle is refused, named", () => {
    const result = check(`(module (memory 1 1)
      (func $even (param i32) (result i32) (if (result i32) (local.get 0) (then (call $odd (i32.sub (local.get 0) (i32.const 1)))) (else (i32.const 1))))
      (func $odd (param i32) (result i32) (if (result i32) (local.get 0) (then (call $even (i32.sub (local.get 0) (i32.const 1)))) (else (i32.const 0))))
      (func (export "linearMemoryUsed") (result i32) (drop (call $even (i32.const 3))) (i32.const 900)))`);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/recursive call cycle \$\S+ -> \$\S+ -> \$\S+/);
  });

  test("an indirect call is refused", () => {
    const result = check(`(module (memory 1 1) (type $answer (func (result i32))) (table 1 funcref)
      (func (export "linearMemoryUsed") (result i32) (call_indirect (type $answer) (i32.const 0))))`);
    expect(result.ok).toBe(false);
    expect(result.output).toContain("indirect call");
  });

  test("a module within limits passes", () => {
    expect(check(`(module (memory 1 1) (func (export "linearMemoryUsed") (result i32) (i32.const 900)))`).ok).toBe(true);
  });
});

test("the WB15CC probe keeps out of FUS's private SRAM2a (from 0x20036800 on WB1x, fus-behaviour §1.1)", () => {
  const { tier } = rig("arm", { family: "wb1x", flashKb: 320, fus: "2.2.0" });
  const arm = tier as ArmTier;
  expect(faultOf(() => arm.callSymbol("fusop_hal_write32", 0x2003_6800, 1)).code).toBe("HAL_WRITE_DENIED");
  expect(faultOf(() => arm.callSymbol("fusop_hal_write32", 0x2003_8000, 1)).code).toBe("HAL_WRITE_DENIED"); // its whole SRAM2b
  arm.callSymbol("fusop_hal_write32", 0x2003_67fc, 1);
});
