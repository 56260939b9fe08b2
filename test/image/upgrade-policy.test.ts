// Upgrade chains and hazard refusals of the wasm planner on the real v1.24.0 images, with
// synthetic footers only for files testdata does not hold (old FUS versions).
import { describe, expect, test } from "vitest";
import { Family, ImageStatus, StackFormat } from "../../assembly/shared/image-codes.js";
import { UpgradePlanner, type ImageFile, type PartDescription, type PlanResult } from "../../host-sim/images/planner.js";
import { ImageCodec } from "../../host-sim/images/footer.js";
import { MAGIC, buildTail, imageFooter, realImage, syntheticImage, version, wordHex } from "./support.js";

const codec = new ImageCodec();
const planner = new UpgradePlanner(codec);

const wb5x = (name: string) => realImage("wb5x", `stm32wb5x_${name}`);
const fus053 = () => wb5x("FUS_fw_for_fus_0_5_3.bin");
const fus120 = () => wb5x("FUS_fw_1_2_0.bin");
const fus220 = () => wb5x("FUS_fw.bin");
const bleFull = () => wb5x("BLE_Stack_full_fw.bin"); // new format, 32 sectors, published 0x080D0000 on 1M
const bleLight = () => wb5x("BLE_Stack_light_fw.bin"); // new format, 25 sectors
const hciLayer = () => wb5x("BLE_HCILayer_fw.bin"); // legacy, 19 sectors, published 0x080E1000 on 1M
const threadFtd = () => wb5x("Thread_FTD_fw.bin"); // legacy, 104 sectors
const safebootV201 = () => wb5x("Safeboot_fw.bin");

/** A FUS file of an old version (testdata only has the v1.24.0 FUS binaries). */
function oldFus(major: number, minor: number, sub: number): ImageFile {
  return syntheticImage(`stm32wb5x_FUS_fw_v${major}_${minor}_${sub}.bin`, 24492, {
    info1: 0xabcdabcd,
    sectors: 6,
    formatByte: 0xff,
    sram2a: 0x20,
    sram2b: 0x10,
    version: version(major, minor, sub),
    magic: MAGIC.fus,
  });
}

const wb55 = (fusVersion: string, extra: Partial<PartDescription> = {}): PartDescription => ({ family: "wb5x", flashKb: 1024, fusVersion, ...extra });

function steps(result: PlanResult) {
  if (!result.ok) throw new Error(`plan refused: ${ImageStatus[result.status]}`);
  return result.steps.map((step) => ({ action: step.action, file: step.file, address: step.address === null ? null : wordHex(step.address) }));
}

function refusal(result: PlanResult): string {
  return result.ok ? "planned" : ImageStatus[result.status];
}

describe("FUS upgrade chain (seed §3.3, fus-behaviour §3.2, §5.1)", () => {
  const everything = () => [fus053(), fus120(), fus220(), bleFull()];

  test("V0.5.3 goes through the dedicated V1.2.0 binary, then V2.2.0, then the stack", () => {
    const result = planner.plan(wb55("0.5.3"), everything());
    expect(steps(result)).toEqual([
      { action: "install-fus", file: "stm32wb5x_FUS_fw_for_fus_0_5_3.bin", address: "0x080EC000" },
      { action: "install-fus", file: "stm32wb5x_FUS_fw.bin", address: "0x080EE000" },
      { action: "install-stack", file: "stm32wb5x_BLE_Stack_full_fw.bin", address: "0x080D0000" },
    ]);
    expect(result.ok && result.skipped.map((skip) => [skip.file, ImageStatus[skip.status]])).toEqual([
      ["stm32wb5x_FUS_fw_1_2_0.bin", "FusSuperseded"],
    ]);
    expect(result.ok && result.fusAfter).toBe("2.2.0");
  });

  test("V1.1.0 goes through *_FUS_fw_1_2_0.bin, then V2.2.0", () => {
    expect(steps(planner.plan(wb55("1.1.0"), everything())).map((step) => step.file)).toEqual([
      "stm32wb5x_FUS_fw_1_2_0.bin",
      "stm32wb5x_FUS_fw.bin",
      "stm32wb5x_BLE_Stack_full_fw.bin",
    ]);
  });

  test("V1.2.0 goes straight to V2.2.0; V2.2.0 installs no FUS", () => {
    expect(steps(planner.plan(wb55("1.2.0"), everything())).map((step) => step.file)).toEqual([
      "stm32wb5x_FUS_fw.bin",
      "stm32wb5x_BLE_Stack_full_fw.bin",
    ]);
    const upToDate = planner.plan(wb55("2.2.0"), everything());
    expect(steps(upToDate).map((step) => step.file)).toEqual(["stm32wb5x_BLE_Stack_full_fw.bin"]);
    expect(upToDate.ok && upToDate.skipped.map((skip) => ImageStatus[skip.status])).toEqual([
      "FusSuperseded",
      "FusSuperseded",
      "FusAlreadyInstalled",
    ]);
  });

  test("V0.5.3 without the dedicated binary is refused (seed §3.3: X(1))", () => {
    expect(refusal(planner.plan(wb55("0.5.3"), [fus120(), fus220()]))).toBe("FusNeeds053Binary");
    // The two V1.2.0 files have identical footers: a renamed dedicated file is not trusted either.
    const renamed = { ...fus053(), file: "fus.bin" };
    expect(refusal(planner.plan(wb55("0.5.3"), [renamed]))).toBe("FusNeeds053Binary");
  });

  test("V1.x below V1.2.0 cannot jump to V2 (seed §3.3: X(2)), nor take the V0.5.3 binary", () => {
    expect(refusal(planner.plan(wb55("1.1.2"), [fus220()]))).toBe("FusNeedsV120First");
    expect(refusal(planner.plan(wb55("1.0.2"), [fus053(), fus220()]))).toBe("FusWrongV120Binary");
  });

  test("any FUS downgrade is refused, e.g. V1.2.0 on a V2.2.0 part (seed FAQ)", () => {
    const result = planner.plan(wb55("2.2.0"), [fus120()]);
    expect(refusal(result)).toBe("FusDowngrade");
    expect(!result.ok && result.file).toBe("stm32wb5x_FUS_fw_1_2_0.bin");
    expect(refusal(planner.plan(wb55("1.1.2"), [oldFus(1, 1, 0)]))).toBe("FusDowngrade");
  });

  test("FUS V1.0.1 on a 512 KB or 256 KB STM32WB5x locks the part (seed §3.2)", () => {
    for (const flashKb of [512, 256, 640]) {
      expect(refusal(planner.plan({ family: "wb5x", flashKb, fusVersion: "0.5.3" }, [oldFus(1, 0, 1)]))).toBe("FusV101LocksPart");
    }
    // On the 1 MB part V1.0.1 is legal but off today's published path.
    expect(refusal(planner.plan(wb55("0.5.3"), [oldFus(1, 0, 1)]))).toBe("FusPathUnsupported");
  });
});

describe("hazards of the seed and its FAQ", () => {
  test("image of another family: WB1x stack on a WB5x, WB5x FUS on a WB1x (§4.3 sector sizes)", () => {
    expect(refusal(planner.plan(wb55("2.2.0"), [realImage("wb1x", "stm32wb1x_BLE_Stack_full_fw.bin")]))).toBe("ImageFamilyMismatch");
    expect(refusal(planner.plan({ family: "wb1x", flashKb: 320, fusVersion: "2.1.0" }, [fus220()]))).toBe("ImageFamilyMismatch");
    // WB3x images are the WB5x files byte for byte: both families accept them.
    expect(refusal(planner.plan({ family: "wb3x", flashKb: 512, fusVersion: "2.2.0" }, [bleFull()]))).toBe("planned");
  });

  test("new-format stack on FUS below V2 (RN 'FUS_v2 only', fus-behaviour §1.5)", () => {
    expect(refusal(planner.plan(wb55("1.2.0"), [bleFull()]))).toBe("StackNeedsFusV2");
    // legacy stacks install on V1.2.0
    expect(steps(planner.plan(wb55("1.2.0"), [hciLayer()]))).toEqual([
      { action: "install-stack", file: "stm32wb5x_BLE_HCILayer_fw.bin", address: "0x080E1000" },
    ]);
  });

  test("Safeboot V2.0.1 needs FUS V2 and no stack; it runs before the stack (seed §3.3, §4.7.4)", () => {
    expect(refusal(planner.plan(wb55("1.2.0"), [safebootV201()]))).toBe("SafebootNeedsFusV2");
    expect(steps(planner.plan(wb55("1.2.0"), [bleFull(), safebootV201(), fus220()]))).toEqual([
      { action: "install-fus", file: "stm32wb5x_FUS_fw.bin", address: "0x080EE000" },
      { action: "install-safeboot", file: "stm32wb5x_Safeboot_fw.bin", address: "0x080F2000" },
      { action: "install-stack", file: "stm32wb5x_BLE_Stack_full_fw.bin", address: "0x080D0000" },
    ]);
    expect(refusal(planner.plan(wb55("2.2.0", { installedStack: hciLayer() }), [safebootV201()]))).toBe("SafebootNeedsNoStack");
  });

  test("anti-rollback: activation needs a stack, and FUS V1.2.0 (fus-behaviour §1.12, seed FAQ)", () => {
    expect(refusal(planner.plan(wb55("2.2.0", { antirollback: "activate" }), [fus220()]))).toBe("AntirollbackWithoutStack");
    expect(refusal(planner.plan(wb55("1.1.0", { antirollback: "activate", installedStack: hciLayer() }), []))).toBe(
      "AntirollbackNeedsFusV120",
    );
    expect(steps(planner.plan(wb55("2.2.0", { antirollback: "activate" }), [bleFull()]))).toEqual([
      { action: "install-stack", file: "stm32wb5x_BLE_Stack_full_fw.bin", address: "0x080D0000" },
      { action: "activate-antirollback", file: null, address: null },
    ]);
  });

  test("anti-rollback active: older stacks refused, and none at all after activation without a stack", () => {
    const newer = wb55("2.2.0", { antirollback: "active", antirollbackReference: "1.25.0" });
    expect(refusal(planner.plan(newer, [bleFull()]))).toBe("StackBelowAntirollback");
    const same = wb55("2.2.0", { antirollback: "active", antirollbackReference: "1.24.0" });
    expect(refusal(planner.plan(same, [bleFull()]))).toBe("planned");
    // reference taken from the installed stack when not given
    const fromInstalled = wb55("2.2.0", { antirollback: "active", installedStack: bleFull() });
    const olderLegacy = syntheticImage("stm32wb5x_BLE_Stack_full_fw_1_20_0.bin", 151732, {
      info1: 0xabcdabcd, sectors: 38, formatByte: 0xff, version: version(1, 20, 0, 3), magic: MAGIC.stackLegacy,
    });
    expect(refusal(planner.plan(fromInstalled, [olderLegacy]))).toBe("StackBelowAntirollback");
    const blocked = wb55("2.2.0", { antirollback: "active", antirollbackReference: "none" });
    expect(refusal(planner.plan(blocked, [bleFull()]))).toBe("StackBlockedByAntirollback");
  });

  test("FUS below V1.2.0 bricks the part when a larger stack replaces the installed one (seed FAQ)", () => {
    expect(refusal(planner.plan(wb55("1.1.1", { installedStack: hciLayer() }), [threadFtd()]))).toBe("StackGrowsOnOldFus");
    // after the chain to V1.2.0 the same install is fine
    expect(refusal(planner.plan(wb55("1.1.1", { installedStack: hciLayer() }), [fus120(), threadFtd()]))).toBe("planned");
  });

  test("does not fit above the application: the refusal names the missing bytes (§6.2)", () => {
    // BLE_Stack_full goes to 0x080D0000 on a 1 MB part; an application ending at 0x080D8000 leaves 32 KB too little.
    const result = planner.plan(wb55("2.2.0", { appEnd: 0x080d8000 }), [bleFull()]);
    expect(refusal(result)).toBe("ImageDoesNotFit");
    expect(!result.ok && result.missingBytes).toBe(0x080d8000 - 0x080d0000);
    // an application end inside a sector reserves that whole sector
    expect(steps(planner.plan(wb55("2.2.0", { appEnd: 0x080cf001 }), [bleFull()]))[0].address).toBe("0x080D0000");
    const oneByteMore = planner.plan(wb55("2.2.0", { appEnd: 0x080d0001 }), [bleFull()]);
    expect(!oneByteMore.ok && oneByteMore.missingBytes).toBe(0x1000);
  });

  test("two stacks or two Safeboots in one plan", () => {
    expect(refusal(planner.plan(wb55("2.2.0"), [bleFull(), bleLight()]))).toBe("ConflictingImages");
  });

  test("parts ST does not make, and inputs that contradict each other", () => {
    expect(refusal(planner.plan({ family: "wb1x", flashKb: 512, fusVersion: "2.2.0" }, [bleFull()]))).toBe("DeviceUnknown");
    expect(refusal(planner.plan(wb55("2.2.0", { installedStack: fus220() }), [bleLight()]))).toBe("InstalledImageNotStack");
    // a 104-sector stack cannot start at SFSA 0xF0 on a 1 MB part: it would run into the FUS
    expect(refusal(planner.plan(wb55("2.2.0", { installedStack: threadFtd(), sfsa: 0xf0 }), [bleLight()]))).toBe("PlanInputInconsistent");
    expect(refusal(planner.plan(wb55("2.2.0", { antirollback: "active" }), [bleLight()]))).toBe("PlanInputInconsistent");
  });
});

describe("placement with something installed (fus-behaviour §1.6, §2; seed §3.2, §4.7)", () => {
  test("FUS >= V1.1.2 stages a new stack one sector below the installed one", () => {
    // BLE_Stack_full sits at 0x080D0000 (new format, below the NVM section); BLE_Stack_light has 25 sectors.
    const result = planner.plan(wb55("2.2.0", { installedStack: bleFull() }), [bleLight()]);
    expect(steps(result)).toEqual([
      { action: "install-stack", file: "stm32wb5x_BLE_Stack_light_fw.bin", address: wordHex(0x080d0000 - 0x1000 - 25 * 0x1000) },
    ]);
    expect(result.ok && result.steps[0].eraseEnd).toBe(0x080d0000);
  });

  test("the device path states the installed stack from the info table instead of a file: same placement", () => {
    // Stack memory-size word: 32 sectors; new format; version 1.24.0 (what the loader reads on the part).
    codec.call("planReset");
    codec.call("planSetDevice", Family.Wb5x, 1024);
    codec.call("planSetFusVersion", version(2, 2, 0));
    codec.call("planSetInstalledStack", 32, StackFormat.New, version(1, 24, 0, 3));
    const light = bleLight();
    expect(codec.decodeTail(light.tail, light.size).ok).toBe(true);
    expect(codec.call("planAddImage", 0)).toBe(ImageStatus.Ok);
    expect(codec.call("planCompute")).toBe(ImageStatus.Ok);
    expect(wordHex(codec.call("planStepAddress", 0))).toBe(wordHex(0x080d0000 - 0x1000 - 25 * 0x1000));
    expect(codec.call("planFreeEnd")).toBe(0x080d0000);
  });

  test("FUS below V1.1.2 needs no separating sector; the installed stack's start comes from SFSA when given", () => {
    const result = planner.plan(wb55("1.1.0", { installedStack: threadFtd(), sfsa: 0x8c }), [hciLayer()]);
    expect(steps(result)[0].address).toBe(wordHex(0x0808c000 - 19 * 0x1000));
  });

  test("a FUS upgrade with a stack installed is staged right below the stack (seed §4.3 note, §4.7.1)", () => {
    const result = planner.plan(wb55("1.2.0", { installedStack: hciLayer() }), [fus220()]);
    expect(steps(result)[0].address).toBe(wordHex(0x080e1000 - 6 * 0x1000));
  });

  test("FUS V2 keeps the 16 KB NVM section after a delete (SFSA 0xF0): images go below it (seed §3.4 footnote)", () => {
    const viaSfsa = planner.plan(wb55("2.2.0", { sfsa: 0xf0 }), [safebootV201()]);
    const viaFlag = planner.plan(wb55("2.2.0", { nvmSection: true }), [safebootV201()]);
    expect(steps(viaSfsa)[0].address).toBe("0x080EE000");
    expect(steps(viaFlag)).toEqual(steps(viaSfsa));
    // a new-format stack lands where it would anyway: the NVM section is already accounted for
    expect(steps(planner.plan(wb55("2.2.0", { sfsa: 0xf0 }), [bleFull()]))[0].address).toBe("0x080D0000");
  });

  test("FUS V0.5.3's SFSA 0xF6 lies above the FUS V1 top and changes nothing (fus-behaviour §1.1)", () => {
    expect(steps(planner.plan(wb55("0.5.3", { sfsa: 0xf6 }), [fus053()]))[0].address).toBe("0x080EC000");
  });

  test("a first-install staging range is erased up to the secure boundary, which clears the FAQ's stale FUS V1.2 copy", () => {
    // FAQ: a refused FUS V1.2 at 0x080EC000-0x080F3FFF broke a later BLE_Stack_full install at 0x080D0000.
    const result = planner.plan(wb55("2.2.0"), [bleFull()]);
    expect(result.ok && [result.steps[0].address, result.steps[0].eraseEnd]).toEqual([0x080d0000, 0x080f4000]);
  });
});

describe("stale image fragments in free flash (fus-behaviour §1.4, seed FAQ)", () => {
  const freeStart = 0x08080000;
  const freeEnd = 0x080f4000;

  function flashWith(fragments: { address: number; bytes: Uint8Array }[]): Uint8Array {
    const flash = new Uint8Array(freeEnd - freeStart).fill(0xff);
    for (const fragment of fragments) flash.set(fragment.bytes, fragment.address - freeStart);
    return flash;
  }

  test("erased flash is clean", () => {
    expect(codec.scanForStaleImages(flashWith([]), freeStart).status).toBe(ImageStatus.Ok);
  });

  test("the tail of a refused FUS V1.2 image left at 0x080EC000-0x080F3FFF is found", () => {
    const fus = fus120();
    const endOfImage = 0x080ec000 + fus.size;
    const result = codec.scanForStaleImages(flashWith([{ address: endOfImage - fus.tail.length, bytes: fus.tail }]), freeStart);
    expect(ImageStatus[result.status]).toBe("StaleImageInStaging");
    expect(wordHex(result.firstAddress)).toBe(wordHex(endOfImage - 88)); // the image magic (§4.1)
    expect(wordHex(result.firstMagic)).toBe(wordHex(MAGIC.fus));
    expect(result.hits).toBe(2); // image magic and ST signature magic
  });

  test("a lone signature-footer magic counts too; the image staged on purpose does not", () => {
    const word = new Uint8Array(new Uint32Array([MAGIC.signatureSt]).buffer);
    const flash = flashWith([{ address: 0x080a0000, bytes: word }]);
    expect(codec.scanForStaleImages(flash, freeStart).status).toBe(ImageStatus.StaleImageInStaging);
    expect(codec.scanForStaleImages(flash, freeStart, 0x080a0000, 0x080a1000).status).toBe(ImageStatus.Ok);
  });

  test("footer magics not on a word boundary are not image footers", () => {
    const shifted = buildTail(imageFooter({ info1: 0xabcdabcd, sectors: 6, formatByte: 0xff, version: version(2, 2, 0), magic: MAGIC.fus }));
    const flash = flashWith([{ address: 0x080a0002, bytes: shifted }]);
    expect(codec.scanForStaleImages(flash, freeStart).status).toBe(ImageStatus.Ok);
  });
});
