// FUS commands besides FW_UPGRADE: GET_STATE, FW_DELETE, FW_PURGE, anti-rollback, the customer
// authentication key and double signature, user keys (fus-behaviour §1.2, §1.3, §1.10, §1.12,
// §1.13; cpu2-interface §5).
import { describe, expect, it } from "vitest";
import { expectSameBytes } from "../support/bytes.js";
import { generateKeyPairSync } from "node:crypto";
import { Cpu1Driver } from "./support/cpu1.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { rawPublicKey } from "../../host-sim/images/signing.js";
import { parseVersion } from "../../host-sim/versions.js";
import { FusError, FusState, ShciStatus } from "../../assembly/shared/codes.js";

const FW_UPGRADE = 0xfc54;
const FW_DELETE = 0xfc55;
const UPDATE_AUTH_KEY = 0xfc56;
const LOCK_AUTH_KEY = 0xfc57;
const STORE_USR_KEY = 0xfc58;
const LOAD_USR_KEY = 0xfc59;
const FW_PURGE = 0xfc5b;
const LOCK_USR_KEY = 0xfc5d;
const UNLOAD_USR_KEY = 0xfc5e;
const ACTIVATE_ANTIROLLBACK = 0xfc5f;

/** A board already in FUS mode (a stack installed means: two GET_STATE, reset, boot). */
function inFus(config: Parameters<typeof Cpu1Driver.on>[0]): Cpu1Driver {
  const driver = Cpu1Driver.on(config);
  if (driver.boot() === 0x00) {
    expect(driver.enterFus()).toBe(0x01);
  }
  return driver;
}

function settle(driver: Cpu1Driver): [number, number][] {
  const seen: [number, number][] = [];
  for (let i = 0; i < 300; i++) {
    driver.run(20_000);
    const reading = driver.getState();
    seen.push(reading);
    if (reading[0] !== FusState.FwUpgradeOngoing && reading[0] !== FusState.ServiceOngoing) break;
  }
  return seen;
}

const newFormatStack = { version: "1.24.0", type: 0x01, size: 129_460, format: "new" as const };

describe("FW_DELETE and FW_PURGE (fus-behaviour §1.10, §10 #7)", () => {
  it("with nothing installed: SERVICE_ONGOING + IMG_NOT_FOUND once, then IDLE, no reset (F-LOGS)", () => {
    const driver = inFus({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    expect(driver.command(FW_DELETE).status).toBe(0);
    driver.run(5_000);
    expect(driver.getState()).toEqual([FusState.ServiceOngoing, FusError.ImgNotFound]);
    expect(driver.getState()).toEqual([FusState.Idle, FusError.NoError]);
    expect(driver.resets).toHaveLength(0);
  });

  it("deletes a new-format stack with a reset and keeps the NVM section: SFSA 0xF0 (seed §3.4 footnote, FAQ)", () => {
    const driver = inFus({ family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: newFormatStack });
    const resetsBefore = driver.resets.length;
    expect(driver.command(FW_DELETE).status).toBe(0);
    driver.run(5_000);
    expect(driver.getState()[0]).toBe(FusState.ServiceOngoing);
    driver.waitForReset();
    expect(driver.resets.length).toBe(resetsBefore + 1);
    expect(driver.boot()).toBe(0x01);
    expect(driver.board.optionBytes).toMatchObject({ sfsa: 0xf0, sbrv: 0x3d000 });
    expect(driver.read32(0x2003_0028 + 0x14)).toBe(0); // stack version 0.0.0 (fus-behaviour §1.8)
    expect(driver.board.cpu2.nvmSection).not.toBeNull();
  });

  it("FW_PURGE removes the stack and the NVM section: SFSA back to 0xF4; WB1x 0x84 → 0x8C (seed §3.4)", () => {
    const driver = inFus({ family: "wb1x", flashKb: 320, fus: "2.2.0", nvmSection: true });
    expect(driver.board.optionBytes).toMatchObject({ sfsa: 0x84, sbrv: 0x11800 });
    driver.command(FW_PURGE);
    driver.waitForReset();
    driver.boot();
    expect(driver.board.optionBytes).toMatchObject({ sfsa: 0x8c, sbrv: 0x11800 });
    expect(driver.board.cpu2.nvmSection).toBeNull();
  });

  it("FW_PURGE is unknown to FUS before 2.0.0 [choice]", () => {
    const driver = inFus({ family: "wb5x", flashKb: 1024, fus: "1.2.0" });
    expect(driver.command(FW_PURGE).status).toBe(ShciStatus.UnknownCmd);
  });

  it("FUSv2 moves a legacy stack's interleaved BLE NVM data (+0x1000) into the new NVM section (seed §4.7.2)", () => {
    const driver = inFus({ family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.20.0", type: 1, size: 151_732 } });
    const legacy = driver.board.cpu2.stack!;
    const bonding = driver.board.flash.slice(legacy.start + 0x1000 - 0x0800_0000, legacy.start + 0x2000 - 0x0800_0000);
    const update = buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.24.0"), size: 129_460, format: "new" });
    driver.stage(legacy.start - 0x1000 - 32 * 0x1000, update);
    driver.command(FW_UPGRADE);
    expect(driver.followResets()).toBe(0x00);
    expect(driver.board.cpu2.stack).toMatchObject({ start: 0x080d_0000, format: "new" });
    expectSameBytes(driver.board.flash.subarray(0xf0000, 0xf1000), bonding, "bonding page");
    expect(driver.board.flash.subarray(0xf1000, 0xf4000).every((b) => b === 0xff)).toBe(true);
  });

  it("installing a legacy stack purges the NVM section (seed FAQ)", () => {
    const driver = inFus({ family: "wb5x", flashKb: 1024, fus: "2.2.0", nvmSection: true });
    driver.stage(0x080e_1000 - 0x4000, buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.20.0"), size: 76_104 }));
    driver.command(FW_UPGRADE);
    expect(driver.followResets()).toBe(0x00);
    expect(driver.board.cpu2.nvmSection).toBeNull();
  });
});

describe("ACTIVATE_ANTIROLLBACK (fus-behaviour §1.12, §10 #9)", () => {
  it("refuses an older stack once active (FW_ROLLBACK_ERROR)", () => {
    const driver = inFus({ family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.20.0", type: 2, size: 76_104 } });
    expect(driver.command(ACTIVATE_ANTIROLLBACK).status).toBe(0);
    expect(driver.board.cpu2.antirollback).toEqual({ active: true, reference: parseVersion("1.20.0") });
    const start = driver.board.cpu2.stack!.start;
    driver.stage(start - 0x1000 - 19 * 0x1000, buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.19.0"), size: 76_104 }));
    driver.command(FW_UPGRADE);
    expect(settle(driver).at(-1)).toEqual([FusState.Error, FusError.FwRollbackError]);
  });

  it("the trap: activated with no stack, every later stack is refused forever (seed FAQ)", () => {
    const driver = inFus({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    driver.command(ACTIVATE_ANTIROLLBACK);
    expect(driver.board.cpu2.antirollback.reference).toBe(0xffff_ffff);
    for (const version of ["1.24.0", "9.9.9"]) {
      driver.stage(0x080e_1000, buildImage({ kind: "stack", family: "wb5x", version: parseVersion(version), size: 76_104 }));
      driver.command(FW_UPGRADE);
      expect(settle(driver).at(-1)).toEqual([FusState.Error, FusError.FwRollbackError]);
    }
  });

  it("does not exist before FUS 1.1.0 (seed §3.2)", () => {
    const driver = inFus({ family: "wb5x", flashKb: 1024, fus: "1.0.2" });
    expect(driver.command(ACTIVATE_ANTIROLLBACK).status).toBe(ShciStatus.UnknownCmd);
    expect(driver.board.cpu2.antirollback.active).toBe(false);
  });
});

describe("customer authentication key and double signature (fus-behaviour §1.5, §1.13)", () => {
  const customer = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
  const authKey = Array.from(rawPublicKey(customer));

  it("after UPDATE_AUTH_KEY, an ST-only image is AUTH_TAG_CUST_NOTFOUND and a double-signed one installs", () => {
    const driver = inFus({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    expect(driver.command(UPDATE_AUTH_KEY, [64, ...authKey]).status).toBe(0);
    const plain = buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.24.0"), size: 76_104 });
    driver.stage(0x080e_1000, plain);
    driver.command(FW_UPGRADE);
    expect(settle(driver).at(-1)).toEqual([FusState.Error, FusError.AuthTagCustNotFound]);
    const signed = buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.24.0"), size: 76_104 + 84, customerKey: customer });
    driver.stage(0x080e_1000, signed);
    driver.command(FW_UPGRADE);
    expect(driver.followResets()).toBe(0x00);
  });

  it("a customer signature by another key is IMG_NOT_AUTHENTIC", () => {
    const driver = inFus({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    driver.command(UPDATE_AUTH_KEY, [64, ...authKey]);
    const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    driver.stage(0x080e_1000, buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.24.0"), size: 76_188, customerKey: other }));
    driver.command(FW_UPGRADE);
    expect(settle(driver).at(-1)).toEqual([FusState.Error, FusError.ImgNotAuthentic]);
  });

  it("LOCK_AUTH_KEY: a later update is AUTH_KEY_LOCKED", () => {
    const driver = inFus({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    driver.command(UPDATE_AUTH_KEY, [64, ...authKey]);
    expect(driver.command(LOCK_AUTH_KEY).status).toBe(0);
    expect(driver.command(UPDATE_AUTH_KEY, [64, ...authKey]).status).toBe(FusError.AuthKeyLocked);
    expect(driver.getState()).toEqual([FusState.Error, FusError.AuthKeyLocked]);
    expect(driver.getState()).toEqual([FusState.Idle, FusError.NoError]);
  });

  it("a key that is not a P-256 point is refused as invalid parameters [choice]", () => {
    const driver = inFus({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    expect(driver.command(UPDATE_AUTH_KEY, [64, ...new Array(64).fill(1)]).status).toBe(ShciStatus.InvalidHciCmdParams);
  });
});

describe("user keys (fus-behaviour §1.13; cpu2-interface §5.6)", () => {
  const simple = [1, 16, ...new Array(16).fill(0x11)];

  it("STORE returns indices from 1; LOAD into AES1; LOCK blocks use until the next reset; UNLOAD", () => {
    const driver = inFus({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    expect(driver.command(STORE_USR_KEY, simple)).toEqual({ status: 0, parameters: [1] });
    expect(driver.command(STORE_USR_KEY, [2, 32, ...new Array(32).fill(0x22)])).toEqual({ status: 0, parameters: [2] });
    expect(driver.command(STORE_USR_KEY, [3, 16, ...new Array(16 + 12).fill(0x33)])).toEqual({ status: 0, parameters: [3] });
    expect(driver.command(LOAD_USR_KEY, [1]).status).toBe(0);
    expect(driver.chip.cpu2.keyState.loadedIndex).toBe(1);
    expect(driver.command(UNLOAD_USR_KEY, [1]).status).toBe(0);
    expect(driver.chip.cpu2.keyState.loadedIndex).toBeNull();
    expect(driver.command(LOCK_USR_KEY, [1]).status).toBe(0);
    expect(driver.command(LOAD_USR_KEY, [1]).status).toBe(ShciStatus.InvalidHciCmdParams);
    driver.chip.requestSystemReset("test");
    driver.waitForReset(10_000);
    driver.boot();
    expect(driver.command(LOAD_USR_KEY, [1]).status).toBe(0); // the lock lasted until the reset
    expect(driver.board.cpu2.userKeys).toHaveLength(3); // keys themselves survive resets
  });

  it("the running stack answers the user-key commands too (fus-behaviour §1.2)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 1, size: 0x20000 } });
    expect(driver.boot()).toBe(0x00);
    expect(driver.command(STORE_USR_KEY, simple)).toEqual({ status: 0, parameters: [1] });
    expect(driver.command(FW_DELETE).status).toBe(ShciStatus.FusCmdNotSupported);
  });

  it("no customer key storage on WB1x (seed §3.4)", () => {
    const driver = inFus({ family: "wb1x", flashKb: 320, fus: "2.2.0" });
    expect(driver.command(STORE_USR_KEY, simple).status).toBe(ShciStatus.UnsupportedFeature);
  });

  it("an encrypted key needs a master key; one master key only; bad sizes are refused", () => {
    const driver = inFus({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    expect(driver.command(STORE_USR_KEY, [3, 16, ...new Array(28).fill(0)]).status).toBe(ShciStatus.InvalidHciCmdParams);
    expect(driver.command(STORE_USR_KEY, [2, 16, ...new Array(16).fill(0)]).status).toBe(0);
    expect(driver.command(STORE_USR_KEY, [2, 16, ...new Array(16).fill(0)]).status).toBe(ShciStatus.MemoryCapacityExceeded);
    expect(driver.command(STORE_USR_KEY, [1, 24, ...new Array(24).fill(0)]).status).toBe(ShciStatus.InvalidHciCmdParams);
  });
});

describe("GET_STATE ranges (fus-behaviour §1.3; cpu2-interface §5.3)", () => {
  it("0x10 during a stack install, 0x20 during a FUS install, 0x30 during a service, then back to IDLE", () => {
    const driver = inFus({ family: "wb5x", flashKb: 1024, fus: "2.1.0" });
    driver.stage(0x080e_e000, buildImage({ kind: "fus", family: "wb5x", version: parseVersion("2.2.0"), size: 24_468 }));
    driver.command(FW_UPGRADE);
    driver.run(10_000);
    expect(driver.getState()).toEqual([FusState.FusUpgradeOngoing, 0]);
    // Other commands wait until FUS is idle again [choice].
    expect(driver.command(STORE_USR_KEY, [1, 16, ...new Array(16).fill(0)]).status).toBe(ShciStatus.UnknownCmd);
  });
});
