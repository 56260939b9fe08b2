// `install` on tier 1: an image received by YMODEM into free flash above the application slot,
// checked by the operator's preflight (footer, part, upgrade policy: fus-behaviour §1.4, §3.2),
// moved up to its planned address and handed to FW_UPGRADE — the loader then follows FUS's resets
// and prints the outcome — or refused by name with what arrived erased.
import { describe, expect, test } from "vitest";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { realImage } from "../image/support.js";
import { UpgradePlanner } from "../../host-sim/images/planner.js";
import { APPLICATION_START, C, LoaderRig, sendFile, throughResets } from "./support.js";

function fusImage(version: string) {
  return buildImage({ kind: "fus", version: parseVersion(version), size: 24_464, family: "wb5x" });
}

function startInstall(rig: LoaderRig): void {
  const answer = rig.exchange("install\r");
  expect(new TextDecoder().decode(answer)).toContain(`receive-at 0x${APPLICATION_START.toString(16).padStart(8, "0")}`);
  expect(answer.at(-1)).toBe(C);
}

/** Final lines (OK / ERROR) in a stretch of console output. */
function finalCount(text: string): number {
  return text.split("\r\n").filter((line) => line === "OK" || line.startsWith("ERROR ")).length;
}

function erased(rig: LoaderRig, address: number, length: number): boolean {
  return rig.flash(address, length).every((byte) => byte === 0xff);
}

describe("loader install (tier 1)", () => {
  test("FUS 1.2.0 -> 2.2.0: received, placed, FW_UPGRADE; the loader follows FUS's resets and prints the outcome unasked", () => {
    const rig = new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "1.2.0" });
    rig.text();
    startInstall(rig);
    const image = fusImage("2.2.0");
    const { text, resets } = throughResets(rig, () => sendFile(rig, "stm32wb5x_FUS_fw.bin", image));
    expect(resets).toBeGreaterThanOrEqual(2); // fus-behaviour §1.7: FUS resets the part during its upgrade
    expect(text).toContain("progress fw-upgrade");
    expect(text).toContain("resume install");
    // The final line comes after the last reset, with the versions read back.
    expect(text).toMatch(/fus 2\.2\.0\r\nstack none\r\nOK\r\n$/);
    expect(finalCount(text)).toBe(1);
    // Nothing is left where the image was received or placed (no leftover for a later FW_UPGRADE).
    const secure = 0x0800_0000 + rig.chip.board.optionBytes.sfsa * 4096;
    expect(erased(rig, APPLICATION_START, secure - APPLICATION_START)).toBe(true);
    expect(rig.command("info")).toContain("fus 2.2.0");
  });

  test("a WB1x stack sent to a WB5x (another family, fus-behaviour §4.3) is refused before FUS sees it, and the received copy is erased", () => {
    const rig = new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    rig.text();
    startInstall(rig);
    // ST's file as far as the loader can tell: its genuine footer tail (test/fixtures) at the end
    // of a file of its real size.
    const real = realImage("wb1x", "stm32wb1x_BLE_Stack_full_fw.bin");
    const image = new Uint8Array(real.size).fill(0x5a);
    image.set(real.tail, real.size - real.tail.length);
    const final = sendFile(rig, real.file, image);
    expect(final).toMatch(/ERROR STAGED_IMAGE_REFUSED install: failed\r\n$/);
    expect(erased(rig, APPLICATION_START, image.length)).toBe(true);
    expect(rig.chip.systemResetCount).toBe(0);
    expect(rig.command("info")).toContain("stack none");
  });

  test("a FUS downgrade is refused by the upgrade policy (fus-behaviour §3.2) and leaves no leftover", () => {
    const rig = new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    rig.text();
    startInstall(rig);
    const image = fusImage("1.2.0");
    expect(sendFile(rig, "old.bin", image)).toMatch(/ERROR STAGED_IMAGE_REFUSED install: failed\r\n$/);
    expect(erased(rig, APPLICATION_START, image.length)).toBe(true);
    expect(rig.chip.systemResetCount).toBe(0);
  });

  test("a file that carries no footer at all: NO_IMAGE_STAGED, erased", () => {
    const rig = new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "1.2.0" });
    rig.text();
    startInstall(rig);
    const junk = new Uint8Array(5000).fill(0x42);
    expect(sendFile(rig, "junk.bin", junk)).toMatch(/ERROR NO_IMAGE_STAGED install: failed\r\n$/);
    expect(erased(rig, APPLICATION_START, 5000)).toBe(true);
  });

  test.each([1024, 512])("a first BLE stack arrives after the application slot, is moved up to its planned address, and installs there (fus-behaviour §1.6; WB55 %i KB)", (flashKb) => {
    const rig = new LoaderRig({ family: "wb5x", flashKb, fus: "2.2.0" });
    rig.text();
    const image = buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x6000, family: "wb5x", format: "legacy", stackType: 0x01 });
    const plan = new UpgradePlanner().plan({ family: "wb5x", flashKb, fusVersion: "2.2.0", sfsa: rig.chip.board.optionBytes.sfsa },
      [{ file: "stack.bin", tail: image.slice(-256), size: image.length }]);
    if (!plan.ok) throw new Error(`plan refused: ${plan.status}`);
    const planned = plan.steps[0].address!;
    expect(planned).toBeGreaterThan(APPLICATION_START + image.length);
    startInstall(rig);
    const { text } = throughResets(rig, () => sendFile(rig, "stm32wb5x_BLE_Stack_full_fw.bin", image));
    expect(text).toContain(`placed-at 0x${planned.toString(16).padStart(8, "0")}`);
    expect(text).toMatch(/stack 1\.24\.0\r\nOK\r\n$/);
    expect(finalCount(text)).toBe(1);
    // The low copy is gone (no second footer for FUS to find).
    expect(erased(rig, APPLICATION_START, image.length)).toBe(true);
    // The secure area starts where the plan put the stack, not at the application's end.
    expect(0x0800_0000 + rig.chip.board.optionBytes.sfsa * 4096).toBe(planned);
  });
});
