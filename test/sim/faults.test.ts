// Fault injection: power loss and reset at chosen or seeded-random steps, with deterministic replay;
// FUS resumes an install cut short from its journal (fus-behaviour §1.7 phases, §2 "robustness
// against asynchronous resets"), and CPU1's own flash operations leave the documented partial state.
import { describe, expect, it } from "vitest";
import { expectSameBytes } from "../support/bytes.js";
import { Cpu1Driver, ResetHappened } from "./support/cpu1.js";
import { FaultInjector, type FaultPlan } from "../../host-sim/faults.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";

const FW_UPGRADE = 0xfc54;
const stackImage = buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.24.0"), size: 40_000, stackType: 2 });

/** Stages a stack, sends FW_UPGRADE and follows the part through every reset, faults included. */
function installUnder(plan: FaultPlan): { driver: Cpu1Driver; faults: FaultInjector; ready: number | null } {
  const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
  const faults = new FaultInjector({ kinds: ["phase", "cpu2-flash"], ...plan }).attach(driver.chip);
  driver.boot();
  driver.stage(0x080e_0000, stackImage);
  driver.command(FW_UPGRADE);
  let ready: number | null = null;
  let resetAlreadyApplied = false;
  for (let i = 0; i < 20; i++) {
    try {
      if (!resetAlreadyApplied) driver.waitForReset();
      resetAlreadyApplied = false;
      ready = driver.boot();
    } catch (error) {
      // A fault struck while CPU1 was booting CPU2: the part has reset again already.
      if (!(error instanceof ResetHappened)) throw error;
      resetAlreadyApplied = true;
      continue;
    }
    if (ready === 0x00) break;
    if (ready === 0x01 && driver.board.cpu2.journal === null) break;
  }
  return { driver, faults, ready };
}

describe("fault injection during a FUS install", () => {
  it("counts steps: phases and CPU2 flash operations of a stack install", () => {
    const { faults, ready } = installUnder({});
    expect(ready).toBe(0x00);
    expect(faults.log.filter((r) => r.kind === "phase").map((r) => r.label)).toEqual(["FW_UPGRADE verify", "stack install"]);
    expect(faults.steps).toBeGreaterThan(20);
  });

  it("power loss at any step of the install phase: FUS resumes from its journal and the stack ends up installed (FUSv2 robustness)", () => {
    const clean = installUnder({});
    const total = clean.faults.steps;
    for (const step of [2, 3, Math.floor(total / 2), total - 1, total]) {
      const { driver, faults, ready } = installUnder({ at: [{ step, action: "power-loss" }] });
      expect(faults.faults.map((r) => r.step)).toEqual([step]);
      expect(ready).toBe(0x00);
      expect(driver.board.cpu2.stack).toMatchObject({ start: 0x080e_0000, type: 2 });
      expectSameBytes(driver.board.flash.subarray(0xe0000, 0xe0000 + stackImage.length), stackImage, "staged stack image");
      expect(driver.resets).toContain("power loss");
    }
  });

  it("a reset instead of power loss works the same; SRAM2 survives a reset but not a power loss", () => {
    const reset = installUnder({ at: [{ step: 3, action: "reset" }] });
    expect(reset.ready).toBe(0x00);
    expect(reset.driver.resets.some((reason) => reason.startsWith("injected reset"))).toBe(true);

    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    const faults = new FaultInjector({}).attach(driver.chip);
    driver.chip.sram2a[0x7000] = 0xa5;
    driver.chip.requestSystemReset("test");
    driver.waitForReset(1000);
    expect(driver.chip.sram2a[0x7000]).toBe(0xa5);
    faults.strike("power-loss", "test");
    driver.waitForReset(1000);
    expect(driver.chip.sram2a.subarray(0x7000, 0x7010).every((b) => b === 0xa5)).toBe(false);
  });

  it("seeded random faults replay exactly, and the replay plan reproduces the same run", () => {
    const plan: FaultPlan = { random: { seed: 1234, probability: 0.05, action: "either", maxFaults: 2 } };
    const first = installUnder(plan);
    const second = installUnder(plan);
    expect(second.faults.log).toEqual(first.faults.log);
    expect(first.faults.faults.length).toBeGreaterThan(0);
    const replay = installUnder(first.faults.replayPlan());
    expect(replay.faults.faults.map((r) => [r.step, r.fault])).toEqual(first.faults.faults.map((r) => [r.step, r.fault]));
    expect(replay.driver.board.toJSON()).toEqual(first.driver.board.toJSON());
  });

  it("a power loss during a CPU1 page erase leaves the documented partial page (first half erased)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    driver.board.flash.fill(0x00, 0x10000, 0x11000);
    new FaultInjector({ at: [{ step: 1, action: "power-loss" }], kinds: ["cpu1-flash"] }).attach(driver.chip);
    driver.write32(0x5800_4008, 0x4567_0123);
    driver.write32(0x5800_4008, 0xcdef_89ab);
    driver.write32(0x5800_4014, (1 << 1) | (0x10 << 3) | (1 << 16));
    expect(driver.chip.resetPending).toBe("power loss");
    expect(driver.board.flash[0x10000]).toBe(0xff);
    expect(driver.board.flash[0x107ff]).toBe(0xff);
    expect(driver.board.flash[0x10800]).toBe(0x00);
  });

  it("a fault on a system command: the command is lost with the power", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    const faults = new FaultInjector({ at: [{ step: 1, action: "power-loss" }], kinds: ["command"] }).attach(driver.chip);
    driver.boot();
    expect(() => driver.getState()).toThrow(/system reset: power loss/);
    expect(faults.faults[0].label).toMatch(/0xfc52/);
  });
});
