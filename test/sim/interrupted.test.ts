// What a part looks like after an asynchronous reset (or power loss) cuts FUS's flash work short:
// FW_DELETE / FW_PURGE (a documented choice, README "Interrupted services") and an install under
// FUS below V2 with the board option for its known weakness (seed §4.4; README "Board options").
import { describe, expect, it } from "vitest";
import { Cpu1Driver, ResetHappened } from "./support/cpu1.js";
import { FaultInjector } from "../../host-sim/faults.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { FusError, FusState } from "../../assembly/shared/codes.js";
import type { BoardConfig } from "../../host-sim/board.js";

const FW_UPGRADE = 0xfc54;
const FW_DELETE = 0xfc55;
const START_WS = 0xfc5a;
const FW_PURGE = 0xfc5b;
const READY_FUS = 0x01;
const READY_STACK = 0x00;

/** A part running FUS with a stack installed (the stack's first sectors hold its image). */
function fusWithStack(config: Partial<BoardConfig> = {}): Cpu1Driver {
  const driver = Cpu1Driver.on({
    family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 0x01, size: 40_000 }, ...config,
  });
  driver.boot();
  driver.enterFus();
  return driver;
}

/** Sends `opcode`, strikes a reset at CPU2's `step`-th flash operation, boots again: the READY payload. */
function cutShort(driver: Cpu1Driver, opcode: number, step: number): number | null {
  new FaultInjector({ kinds: ["cpu2-flash"], at: [{ step, action: "reset" }] }).attach(driver.chip);
  try {
    // FUS answers, then starts erasing: a reset at its first operation may come before CPU1 reads the answer.
    expect(driver.command(opcode).status).toBe(0);
    driver.waitForReset();
  } catch (error) {
    if (!(error instanceof ResetHappened)) throw error;
  }
  expect(driver.resets.at(-1)).toMatch(/injected reset/);
  return driver.boot();
}

describe("FW_DELETE / FW_PURGE cut short by a reset (README: a documented choice)", () => {
  it("FW_DELETE: FUS comes back idle, the stack still listed but its first sector erased; START_WS boots nothing; a new FW_DELETE finishes it", () => {
    const driver = fusWithStack();
    const stack = driver.board.cpu2.stack!;
    expect(cutShort(driver, FW_DELETE, 1)).toBe(READY_FUS);
    expect(driver.getState()).toEqual([FusState.Idle, FusError.NoError]); // nothing journaled, nothing reported
    expect(driver.board.cpu2.stack).toEqual(stack);
    expect(driver.read32(0x2003_0028 + 0x14)).toBe(parseVersion("1.24.0")); // the operator must not read this as deleted
    const first = driver.board.offsetOf(stack.start);
    expect(driver.board.flash.subarray(first, first + 8).every((b) => b === 0xff)).toBe(true); // secure to CPU1: read the board
    // START_WS: FUS boots the stack, whose vectors are erased: CPU2 never speaks again until FUS runs.
    expect(driver.command(START_WS).status).toBe(0);
    driver.waitForReset();
    expect(driver.boot()).toBeNull();
    driver.board.optionBytes.sbrv = 0x3d000; // (a recovery tool would boot FUS again; outside this test)
    driver.chip.requestSystemReset("test: back to FUS");
    driver.waitForReset();
    expect(driver.boot()).toBe(READY_FUS);
    expect(driver.command(FW_DELETE).status).toBe(0);
    driver.waitForReset();
    expect(driver.boot()).toBe(READY_FUS);
    expect(driver.board.cpu2.stack).toBeNull();
    expect(driver.read32(0x2003_0028 + 0x14)).toBe(0);
  });

  it("FW_PURGE cut during the NVM section's erase: the stack is still listed (erased), the NVM section kept half erased", () => {
    const driver = fusWithStack({ stack: { version: "1.24.0", type: 0x01, size: 40_000, format: "new" } });
    const stackSectors = Math.ceil(40_000 / 4096);
    expect(cutShort(driver, FW_PURGE, stackSectors + 1)).toBe(READY_FUS);
    expect(driver.getState()).toEqual([FusState.Idle, FusError.NoError]);
    expect(driver.board.cpu2.stack).not.toBeNull();
    expect(driver.board.cpu2.nvmSection).not.toBeNull();
    expect(driver.command(FW_PURGE).status).toBe(0);
    driver.waitForReset();
    expect(driver.boot()).toBe(READY_FUS);
    expect(driver.board.cpu2.stack).toBeNull();
    expect(driver.board.cpu2.nvmSection).toBeNull();
  });
});

describe("FUS below V2 and an asynchronous reset during an install (seed §4.4; board option, off by default)", () => {
  const update = buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.24.0"), size: 40_000, stackType: 0x01 });

  /** FUS `fus` with stack 1.20.0 installed; stages a 1.24.0 update one free sector below it and cuts the install phase. */
  function cutUpdate(fus: string, weakness: boolean): Cpu1Driver {
    const driver = fusWithStack({ fus, stack: { version: "1.20.0", type: 0x01, size: 40_000 } });
    driver.chip.cpu2.options.fusBelowV2AsyncResetWeakness = weakness;
    const old = driver.board.cpu2.stack!;
    driver.stage(old.start - 0x1000 - 10 * 0x1000, update);
    expect(driver.command(FW_UPGRADE).status).toBe(0);
    driver.waitForReset(); // verified: FUS resets into the install phase
    // The install phase's first flash operation erases the old stack's first sector: cut it short.
    new FaultInjector({ kinds: ["cpu2-flash"], at: [{ step: 2, action: "reset" }] }).attach(driver.chip);
    driver.boot();
    expect(driver.waitForReset()).toMatch(/injected reset/);
    return driver;
  }

  it("option off (default): FUS 1.2.0 resumes the install after the reset and the new stack runs", () => {
    const driver = cutUpdate("1.2.0", false);
    expect(driver.boot()).toBe(READY_FUS);
    expect(driver.followResets()).toBe(READY_STACK);
    expect(driver.board.cpu2.stack?.version).toBe(parseVersion("1.24.0"));
  });

  it("option on: FUS 1.2.0 forgets the install; idle, the old stack listed but unbootable, the update not installed", () => {
    const driver = cutUpdate("1.2.0", true);
    expect(driver.boot()).toBe(READY_FUS);
    expect(driver.board.cpu2.journal).toBeNull();
    expect(driver.getState()).toEqual([FusState.Idle, FusError.NoError]);
    expect(driver.board.cpu2.stack?.version).toBe(parseVersion("1.20.0"));
    expect(driver.command(START_WS).status).toBe(0);
    driver.waitForReset();
    expect(driver.boot()).toBeNull(); // the old stack's vectors are erased
  });

  it("option on, FUS 2.2.0: FUSv2 fixed the weakness, the install resumes", () => {
    const driver = cutUpdate("2.2.0", true);
    expect(driver.boot()).toBe(READY_FUS);
    expect(driver.followResets()).toBe(READY_STACK);
    expect(driver.board.cpu2.stack?.version).toBe(parseVersion("1.24.0"));
  });
});
