// Safeboot (seed §3.2 V1.1.0, §4.6, §4.7.4, FAQ) and genuine ST images accepted by identity.
import { describe, expect, it } from "vitest";
import { createHash, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Cpu1Driver } from "./support/cpu1.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { registerKnownImage, KNOWN_IMAGES } from "../../host-sim/images/known-images.js";
import { projectRoot } from "../../host-sim/paths.js";
import { parseVersion } from "../../host-sim/versions.js";
import { FusError, FusState } from "../../assembly/shared/codes.js";

const FW_UPGRADE = 0xfc54;

function refusedWith(driver: Cpu1Driver): [number, number] {
  driver.command(FW_UPGRADE);
  for (let i = 0; i < 200; i++) {
    driver.run(20_000);
    const reading = driver.getState();
    if (reading[0] === FusState.Error || reading[0] === FusState.Idle) return reading;
  }
  throw new Error("no verdict");
}

describe("Safeboot forced by option-byte corruption (seed FAQ; fus-behaviour §1.6)", () => {
  it("FUS ≥ 1.1.0: CPU1 sees no flash; enabling CM0+ factory-resets the part and FUS runs again", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 1, size: 0x20000 },
      optionBytes: { sfsa: 0x00, sbrv: 0x3fc00 } });
    driver.board.flash.fill(0x42, 0, 0x1000); // an application
    expect(() => driver.read32(0x0800_0000)).toThrow(/bus fault/);
    expect(driver.boot()).toBeNull(); // Safeboot does not use the mailbox
    driver.waitForReset();
    expect(driver.board.optionBytes).toMatchObject({ sfsa: 0xf4, sbrv: 0x3d000 });
    expect(driver.board.cpu2.stack).toBeNull();
    expect(driver.read32(0x0800_0000)).toBe(0xffff_ffff); // user flash mass-erased
    expect(driver.boot()).toBe(0x01);
    expect(driver.getState()).toEqual([FusState.Idle, FusError.NoError]);
  });

  it("FUS < 1.1.0: the part stays locked with all flash secure", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "1.0.2", optionBytes: { sfsa: 0x00, sbrv: 0x3fc00 } });
    expect(driver.boot()).toBeNull();
    driver.run(10_000_000, 100_000);
    expect(driver.resets).toHaveLength(0);
    expect(driver.board.cpu2.locked).toMatch(/locked/);
    expect(() => driver.read32(0x0800_0000)).toThrow(/bus fault/);
  });
});

describe("Safeboot update through FW_UPGRADE (seed §4.7.4; RN Safeboot notes)", () => {
  it("FUSv2 installs Safeboot 2.0.1; after its factory reset GET_STATE reads IDLE / NO_ERROR (RN; FUS_UFB_CORRUPT is no GET_STATE error, cpu2-interface §5.4)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0", safeboot: "2.0.0" });
    driver.boot();
    const safeboot = buildImage({ kind: "safeboot", family: "wb5x", version: parseVersion("2.0.1"), size: 4_244 });
    driver.stage(0x080f_2000, safeboot);
    driver.command(FW_UPGRADE);
    expect(driver.followResets()).toBe(0x01);
    expect(driver.board.cpu2.safebootVersion).toBe(parseVersion("2.0.1"));
    expect(driver.read32(0x2003_0028 + 0x08)).toBe(parseVersion("2.0.1"));
    expect(driver.read32(0x080f_2000)).toBe(0xffff_ffff); // the temporary copy is deleted
    expect(driver.getState()).toEqual([FusState.Idle, FusError.NoError]);
  });

  it("Safeboot 2.0.1 means nothing to FUS 1.2.0 (FUSv2 only): IMG_NOT_FOUND", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "1.2.0" });
    driver.boot();
    driver.stage(0x080f_2000, buildImage({ kind: "safeboot", family: "wb5x", version: parseVersion("2.0.1"), size: 4_244 }));
    expect(refusedWith(driver)).toEqual([FusState.Error, FusError.ImgNotFound]);
  });
});

describe("genuine ST images are accepted by identity (known-images.ts)", () => {
  it("an image whose sha256 is in the table installs although the simulator could not check its signature", () => {
    const stranger = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    const bytes = buildImage({ kind: "stack", family: "wb5x", version: 0x0118_0003, size: 76_104, stKey: stranger, seed: 7 });
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    driver.boot();
    driver.stage(0x080e_1000, bytes);
    expect(refusedWith(driver)).toEqual([FusState.Error, FusError.ImgNotAuthentic]);
    registerKnownImage({
      file: "test_stack.bin", family: "wb5x", sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length,
      kind: "stack", version: 0x0118_0003, footerVersionWord: 0x0118_0003, format: "legacy", stackType: 0x02, fusVariant: null,
    });
    driver.command(FW_UPGRADE);
    expect(driver.followResets()).toBe(0x00);
    expect(driver.board.cpu2.stack).toMatchObject({ start: 0x080e_1000, type: 0x02 });
  });

  it("a file ending in the real footer of ST's BLE_HCILayer 1.24 but with other content is IMG_NOT_AUTHENTIC", () => {
    const name = "stm32wb5x_BLE_HCILayer_fw.bin";
    const known = KNOWN_IMAGES.find((image) => image.file === name)!;
    const tail = readFileSync(join(projectRoot, "test", "fixtures", "copro-footers", `${name}.tail256.bin`));
    const forged = new Uint8Array(known.size);
    forged.set(tail, known.size - tail.length);
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    driver.boot();
    driver.stage(0x080e_1000, forged);
    expect(refusedWith(driver)).toEqual([FusState.Error, FusError.ImgNotAuthentic]);
  });
});
