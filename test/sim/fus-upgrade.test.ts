// FUS self-upgrade, the upgrade-path rules and the leftover-image case (fus-behaviour §1.6, §2,
// §3.2, §3.3; seed §3.2–§3.3, §4.7.1, FAQ).
import { describe, expect, it } from "vitest";
import { expectSameBytes } from "../support/bytes.js";
import { Cpu1Driver } from "./support/cpu1.js";
import { buildImage } from "../../host-sim/images/builder.js";
import type { FusVariant } from "../../host-sim/images/known-images.js";
import type { Family } from "../../host-sim/chip/variants.js";
import { parseVersion } from "../../host-sim/versions.js";
import { FusError, FusState } from "../../assembly/shared/codes.js";

const FW_UPGRADE = 0xfc54;
const STORE_USR_KEY = 0xfc58;

function fusImage(version: string, fusVariant?: FusVariant, family: Family = "wb5x"): Uint8Array {
  return buildImage({ kind: "fus", family, version: parseVersion(version), size: version.startsWith("2.") ? 24_468 : 24_492, fusVariant });
}

/** FW_UPGRADE, then either resets (returns "installed") or a reported error. */
function upgrade(driver: Cpu1Driver): "installed" | [number, number] {
  expect(driver.command(FW_UPGRADE).status).toBe(0);
  for (let i = 0; i < 100; i++) {
    try {
      driver.run(20_000);
    } catch {
      driver.boot();
      while (driver.board.cpu2.journal) {
        driver.waitForReset();
        driver.boot();
      }
      return "installed";
    }
    const reading = driver.getState();
    if (reading[0] === FusState.Error) return reading;
  }
  throw new Error("FUS neither installed nor refused");
}

describe("FUS self-upgrade (fus-behaviour §1.6, §1.7; seed §4.7.1)", () => {
  it("1.2.0 → 2.2.0: temporary copy below the secure area, three resets, new version, user keys erased", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "1.2.0", stack: { version: "1.20.0", type: 1, size: 151_732 } });
    driver.boot();
    driver.enterFus();
    const key = [1, 16, ...new Array(16).fill(0x5a)];
    expect(driver.command(STORE_USR_KEY, key)).toEqual({ status: 0, parameters: [1] });
    const stackStart = driver.board.cpu2.stack!.start;
    driver.stage(stackStart - 0x1000 - 6 * 0x1000, fusImage("2.2.0"));
    expect(driver.command(FW_UPGRADE).status).toBe(0);
    driver.run(10_000);
    expect(driver.getState()[0]).toBe(FusState.FusUpgradeOngoing);
    // Device information +0x05, last FUS active state (cpu2-interface §3.3; seed §4.1: 0x04 only while
    // the stack runs): FUS writes the upgrade state it resumes in [choice, README].
    const lastFusActiveState = (): number => (driver.read32(0x2003_0028 + 0x04) >>> 8) & 0xff;
    expect(lastFusActiveState()).toBe(FusState.Idle);
    driver.waitForReset();
    driver.boot();
    expect(lastFusActiveState()).toBe(FusState.FusUpgradeOngoing);
    driver.waitForReset();
    // Second boot: the new FUS runs from its temporary copy right below the stack (SBRV there).
    expect(driver.board.optionBytes.sbrv).toBe((stackStart - 0x6000 - 0x0800_0000) / 4);
    expect(driver.boot()).toBe(0x01);
    expect(driver.read32(0x2003_0028 + 0x0c)).toBe(parseVersion("2.2.0"));
    driver.waitForReset();
    expect(driver.boot()).toBe(0x01);
    expect(driver.resets).toHaveLength(4); // the stack's reset into FUS + three of the upgrade
    expect(driver.board.cpu2.fusVersion).toBe(parseVersion("2.2.0"));
    expect(driver.board.optionBytes).toMatchObject({ sbrv: 0x3d000, sfsa: (stackStart - 0x0800_0000) >> 12 });
    expect(driver.board.cpu2.stack?.start).toBe(stackStart); // the installed stack is preserved
    expect(driver.board.cpu2.userKeys).toEqual([]); // seed FAQ: every FUS upgrade erases user keys
    expect(driver.getState()).toEqual([FusState.Idle, FusError.NoError]);
    expect(lastFusActiveState()).toBe(FusState.Idle);
  });

  it("0.5.3 → 1.2.0 with the dedicated binary moves FUS to 0x080F4000 and reports IMG_NOT_AUTHENTIC once although it worked (F-053)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "0.5.3" });
    expect(driver.board.optionBytes).toMatchObject({ sfsa: 0xf6, sbrv: 0x3d800 });
    expect(driver.boot()).toBe(0x01);
    driver.stage(0x080e_c000, fusImage("1.2.0", "for-0.5.3"));
    expect(upgrade(driver)).toBe("installed");
    expect(driver.board.optionBytes).toMatchObject({ sfsa: 0xf4, sbrv: 0x3d000 });
    expect(driver.getState()).toEqual([FusState.Error, FusError.ImgNotAuthentic]);
    expect(driver.getState()).toEqual([FusState.Idle, FusError.NoError]);
    expect(driver.read32(0x2003_0028 + 0x0c)).toBe(parseVersion("1.2.0"));
  });

  const refusals: [string, string, () => Uint8Array, FusError][] = [
    ["2.2.0", "a lower FUS (anti-rollback, seed FAQ)", () => fusImage("1.2.0"), FusError.FwRollbackError],
    ["2.2.0", "the same FUS again", () => fusImage("2.2.0"), FusError.FwRollbackError],
    ["0.5.3", "1.1.0 over 0.5.3 (seed §3.2)", () => fusImage("1.1.0"), FusError.ImgNotAuthentic],
    ["0.5.3", "the V1.x flavour of 1.2.0 over 0.5.3 (seed §3.3)", () => fusImage("1.2.0", "for-1.x"), FusError.ImgNotAuthentic],
    ["1.1.0", "FUSv2 straight from 1.1.0 (seed §3.3 X(2))", () => fusImage("2.2.0"), FusError.ImgNotAuthentic],
    ["1.1.0", "1.1.2 before anti-rollback is active (seed §3.2)", () => fusImage("1.1.2"), FusError.ImgNotAuthentic],
  ];
  for (const [running, what, make, error] of refusals) {
    it(`refuses ${what}, image left in flash`, () => {
      const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: running });
      driver.boot();
      const bytes = make();
      driver.stage(0x080e_c000, bytes);
      expect(upgrade(driver)).toEqual([FusState.Error, error]);
      expectSameBytes(driver.chip.bus.readBytes(0x080e_c000, bytes.length), bytes, "flash at 0x080EC000");
    });
  }

  it("1.0.2 over 1.0.1 on a 5xG is IMG_NOT_AUTHENTIC (seed §3.2)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "1.0.1" });
    driver.boot();
    driver.stage(0x080e_c000, fusImage("1.0.2"));
    expect(upgrade(driver)).toEqual([FusState.Error, FusError.ImgNotAuthentic]);
  });

  it("FUS 1.0.1 installed on a 512 KB STM32WB5xE locks CPU2 for good (seed §3.2)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 512, fus: "0.5.3" });
    driver.boot();
    driver.stage(0x0807_a000, fusImage("1.0.1"));
    expect(upgrade(driver)).toBe("installed");
    driver.chip.requestSystemReset("test");
    driver.waitForReset(10_000);
    expect(driver.boot()).toBeNull();
    expect(driver.board.cpu2.locked).toMatch(/1\.0\.1/);
  });

  it("a WB1x FUS image does not install on a WB5x part (IMG_NOT_AUTHENTIC)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.1.0" });
    driver.boot();
    driver.stage(0x080e_e000, fusImage("2.2.0", undefined, "wb1x"));
    expect(upgrade(driver)).toEqual([FusState.Error, FusError.ImgNotAuthentic]);
  });
});

describe("the leftover-image case (seed FAQ; fus-behaviour §1.4, §10 #1)", () => {
  it("a refused FUS 1.2 image stays, breaks a later stack install until 0x080F0000–0x080F3FFF is erased", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    driver.boot();
    driver.stage(0x080e_c000, fusImage("1.2.0"));
    expect(upgrade(driver)).toEqual([FusState.Error, FusError.FwRollbackError]);
    // The stack is staged at its published address; its pages overwrite the start of the FUS 1.2 image.
    const stack = buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.24.0"), size: 129_460, format: "new" });
    driver.stage(0x080d_0000, stack);
    // FUS picks the remains of the FUS 1.2 image up again and the stack install fails.
    const result = upgrade(driver);
    expect(result).not.toBe("installed");
    expect(driver.board.cpu2.stack).toBeNull();
    // The fix: erase 0x080F0000–0x080F3FFF (SFSA is 0xF4, so CPU1 may), then the stack installs.
    for (let page = 0xf0; page < 0xf4; page++) {
      driver.write32(0x5800_4008, 0x4567_0123);
      driver.write32(0x5800_4008, 0xcdef_89ab);
      driver.write32(0x5800_4014, (1 << 1) | (page << 3) | (1 << 16));
      driver.run(25_000);
      driver.write32(0x5800_4014, 1 << 31);
    }
    expect(upgrade(driver)).toBe("installed");
    expect(driver.board.cpu2.stack?.start).toBe(0x080d_0000);
  });
});
