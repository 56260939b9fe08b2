// The image code on the device path: the same decoding, planning and stale scan through both tiers
// (wasm in V8 and the ARM firmware in unicorn), each attached to a virtual WB55.
import { describe, expect, test } from "vitest";
import { ImageStatus } from "../../assembly/shared/image-codes.js";
import { ImageCodec } from "../../host-sim/images/footer.js";
import { UpgradePlanner } from "../../host-sim/images/planner.js";
import { bareWb55, rig, tierNames } from "../support/tiers.js";
import { familyName, footerIndex, realImage, realTail, wordHex } from "./support.js";

describe.each(tierNames)("tier %s", (tierName) => {
  const codec = new ImageCodec(rig(tierName, bareWb55).tier);

  test("all 56 real tails decode to the index's kind, version and sectors (fus-behaviour §4.5)", () => {
    const decoded = footerIndex.map((entry) => {
      const result = codec.decodeTail(realTail(entry), entry.size);
      return result.ok ? [result.image.kind, result.image.version, result.image.sectors] : ImageStatus[result.status];
    });
    const expected = footerIndex.map((entry) => {
      const footer = entry.image_footer;
      const kind = entry.original_name.includes("_FUS_fw") ? "fus" : entry.original_name.includes("_Safeboot_fw") ? "safeboot" : "stack";
      const version = footer.version_word === "0xffffffff" ? "1.2.0" : `${footer.version.major}.${footer.version.minor}.${footer.version.sub}`;
      return [kind, version, footer.flash_sectors_byte0];
    });
    expect(decoded).toEqual(expected);
  });

  test("V0.5.3 to V2.2.0 and BLE_Stack_full on a 1 MB WB5x (seed §3.3, RN5x §V1.24.0)", () => {
    const wb5x = (name: string) => realImage("wb5x", `stm32wb5x_${name}`);
    const result = new UpgradePlanner(codec).plan({ family: "wb5x", flashKb: 1024, fusVersion: "0.5.3" }, [
      wb5x("FUS_fw_for_fus_0_5_3.bin"),
      wb5x("FUS_fw.bin"),
      wb5x("BLE_Stack_full_fw.bin"),
    ]);
    expect(result.ok && result.steps.map((step) => wordHex(step.address!))).toEqual(["0x080EC000", "0x080EE000", "0x080D0000"]);
  });

  test("WB1x BLE_Stack_full above an application ending at 0x08030000: refused with the missing bytes (fus-behaviour §6.2)", () => {
    const image = realImage(familyName("STM32WB1x"), "stm32wb1x_BLE_Stack_full_fw.bin");
    const result = new UpgradePlanner(codec).plan({ family: "wb1x", flashKb: 320, fusVersion: "2.2.0", appEnd: 0x08030000 }, [image]);
    // published at 0x08022800 (RN1x §V1.24.0)
    expect(!result.ok && [ImageStatus[result.status], result.missingBytes]).toEqual(["ImageDoesNotFit", 0x08030000 - 0x08022800]);
  });

  test("stale FUS footer in free flash is found (fus-behaviour §1.4)", () => {
    const flash = new Uint8Array(0x1000).fill(0xff);
    flash.set(realTail(footerIndex.find((entry) => entry.original_name === "stm32wb5x_FUS_fw.bin")!), 0x800);
    const scan = codec.scanForStaleImages(flash, 0x080e0000);
    expect([ImageStatus[scan.status], wordHex(scan.firstAddress)]).toEqual(["StaleImageInStaging", wordHex(0x080e0800 + 256 - 88)]);
  });
});
