// The SRAM2a/SRAM2b split FUS programs for the firmware CPU2 runs (cpu2-interface §1.7 SRRVR;
// fus-behaviour §1.1, §4.3): a stack's footer says how much of each CPU1 keeps, and a CPU1 access
// into the secure rest faults (README "Secure SRAM2", a choice: RM0434's exact response was not
// retrieved).
import { describe, expect, it } from "vitest";
import { Cpu1Driver } from "./support/cpu1.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { BusFault } from "../../host-sim/chip/bus.js";
import { parseVersion } from "../../host-sim/versions.js";

const FW_UPGRADE = 0xfc54;
const READY_STACK = 0x00;
const READY_FUS = 0x01;

function reachable(driver: Cpu1Driver, address: number): boolean {
  try {
    driver.read32(address);
    driver.write32(address, driver.read32(address));
    return true;
  } catch (error) {
    if (error instanceof BusFault) return false;
    throw error;
  }
}

/** Installs a stack whose footer leaves CPU1 `sram2aKb` / `sram2bKb`, and returns the driver with it running. */
function installStack(sram2aKb: number, sram2bKb: number): Cpu1Driver {
  const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
  driver.boot();
  const stack = buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.24.0"), size: 40_000, cpu1SramKb: [sram2aKb, sram2bKb] });
  driver.stage(0x080e_0000, stack);
  driver.command(FW_UPGRADE);
  expect(driver.followResets()).toBe(READY_STACK);
  return driver;
}

describe("secure SRAM2 split from the running firmware's footer (fus-behaviour §4.3)", () => {
  it("FUS's own split on a WB5x: all of SRAM2a and the low 16 KB of SRAM2b are CPU1's (fus-behaviour §1.1)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    expect(driver.boot()).toBe(READY_FUS);
    expect(reachable(driver, 0x2003_7ffc)).toBe(true);
    expect(reachable(driver, 0x2003_bffc)).toBe(true);
    expect(reachable(driver, 0x2003_c000)).toBe(false);
  });

  it("a BLE_Stack_full_extended-like footer (2 KB / 10 KB) leaves CPU1 0x20030000-0x200307FF and 0x20038000-0x2003A7FF (RN)", () => {
    const driver = installStack(2, 10);
    expect(driver.board.optionBytes).toMatchObject({ sbrsa: 2, brsd: false, snbrsa: 10, nbrsd: false });
    expect(reachable(driver, 0x2003_07fc)).toBe(true);
    expect(reachable(driver, 0x2003_0800)).toBe(false);
    expect(reachable(driver, 0x2003_0a80)).toBe(false); // where the operator's journal lies
    expect(reachable(driver, 0x2003_a7fc)).toBe(true);
    expect(reachable(driver, 0x2003_a800)).toBe(false);
  });

  it("a BLE_Stack_full-like footer (10 KB / 15 KB); leaving the stack for FUS gives FUS's split back", () => {
    const driver = installStack(10, 15);
    expect(reachable(driver, 0x2003_27fc)).toBe(true);
    expect(reachable(driver, 0x2003_2800)).toBe(false);
    expect(reachable(driver, 0x2003_bbfc)).toBe(true);
    expect(reachable(driver, 0x2003_bc00)).toBe(false);
    // Two GET_STATE: the stack reboots the part into FUS (fus-behaviour §1.11).
    driver.getState();
    driver.getState();
    driver.waitForReset();
    expect(driver.boot()).toBe(READY_FUS);
    expect(reachable(driver, 0x2003_2800)).toBe(true);
    expect(driver.board.optionBytes).toMatchObject({ brsd: true, snbrsa: 16, nbrsd: false });
  });
});
