// The FUS model's FW_UPGRADE: finding the image, refusing bad ones, installing stacks and FUS
// through their resets. Each test names the reference section it checks.
import { describe, expect, it } from "vitest";
import { expectSameBytes } from "../support/bytes.js";
import { Cpu1Driver } from "./support/cpu1.js";
import { buildImage, type ImageSpec } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { FusError, FusState } from "../../assembly/shared/codes.js";

const FW_UPGRADE = 0xfc54;
const START_WS = 0xfc5a;
const READY_FUS = 0x01;
const READY_STACK = 0x00;

function image(spec: Partial<ImageSpec> & Pick<ImageSpec, "kind" | "size">, version = "1.24.0"): Uint8Array {
  return buildImage({ family: "wb5x", version: parseVersion(version), ...spec });
}

/** Sends FW_UPGRADE and polls GET_STATE until FUS settles without a reset; returns the reports seen. */
function upgradeRefused(driver: Cpu1Driver): [number, number][] {
  expect(driver.command(FW_UPGRADE).status).toBe(0);
  const seen: [number, number][] = [];
  for (let i = 0; i < 400; i++) {
    driver.run(20_000);
    const reading = driver.getState();
    seen.push(reading);
    if (reading[0] === FusState.Error) break;
  }
  seen.push(driver.getState());
  return seen;
}

describe("FW_UPGRADE of a wireless stack (fus-behaviour §1.4–§1.9, §10 #1–#4, #6, #8, #10)", () => {
  it("installs a legacy stack where it was staged, with two resets, and the stack runs (§1.6 first install, §1.7)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    expect(driver.boot()).toBe(READY_FUS);
    const stack = image({ kind: "stack", size: 76_104, format: "legacy", stackType: 0x02 });
    const address = 0x080e_1000; // T − n·S for 76 104 bytes (fus-behaviour §6.3)
    driver.stage(address, stack);
    expect(driver.command(FW_UPGRADE).status).toBe(0);
    driver.run(10_000);
    expect(driver.getState()[0]).toBe(FusState.FwUpgradeOngoing);
    expect(driver.followResets()).toBe(READY_STACK);
    expect(driver.resets).toHaveLength(2);
    const ob = driver.board.optionBytes;
    expect(ob.sfsa).toBe(0xe1);
    expect(ob.sbrv).toBe((address - 0x0800_0000) / 4);
    expect(driver.board.cpu2.stack).toMatchObject({ start: address, version: parseVersion("1.24.0"), type: 0x02, format: "legacy" });
    // Stack layout of the device-information table: stack version at +0x10, type at +0x18 (cpu2-interface §3.2).
    expect(driver.read32(0x2003_0028 + 0x10)).toBe(parseVersion("1.24.0"));
    expect(driver.read32(0x2003_0028 + 0x18)).toBe(0x02);
    // The stack is secure now: CPU1 cannot read it (fus-behaviour §1.1).
    expect(() => driver.read32(address)).toThrow(/bus fault/);
  });

  it("puts a new-format stack below the 16 KB NVM section and creates it (§2, seed FAQ SFSA 0xF0 after delete)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    driver.boot();
    driver.stage(0x080d_0000, image({ kind: "stack", size: 129_460, format: "new" }));
    driver.command(FW_UPGRADE);
    expect(driver.followResets()).toBe(READY_STACK);
    expect(driver.board.cpu2.stack?.start).toBe(0x080d_0000);
    expect(driver.board.cpu2.nvmSection).toEqual({ start: 0x080f_0000, bytes: 0x4000 });
    expect(driver.board.optionBytes.sfsa).toBe(0xd0);
  });

  it("refuses a new-format stack staged too high for the NVM section: IMG_NOT_ENOUGH_SPACE, image left in place (seed FAQ)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    driver.boot();
    const stack = image({ kind: "stack", size: 129_460, format: "new" });
    driver.stage(0x080d_4000, stack);
    const seen = upgradeRefused(driver);
    expect(seen.at(-2)).toEqual([FusState.Error, FusError.ImgNotEnoughSpace]);
    expect(seen.at(-1)).toEqual([FusState.Idle, FusError.NoError]); // reported once (§10 #3)
    expect(driver.resets).toHaveLength(0);
    expectSameBytes(driver.chip.bus.readBytes(0x080d_4000, stack.length), stack, "installed stack");
  });

  it("on FUS 1.2.0 a new-format stack is not an image at all: IMG_NOT_FOUND (§3.3 'FUS_v2 only', GH-115)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "1.2.0" });
    driver.boot();
    driver.stage(0x080d_0000, image({ kind: "stack", size: 129_460, format: "new" }));
    expect(upgradeRefused(driver).at(-2)).toEqual([FusState.Error, FusError.ImgNotFound]);
  });

  it("reports IMG_NOT_FOUND once when nothing is staged, then IDLE (§1.3, §1.8)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    driver.boot();
    const seen = upgradeRefused(driver);
    expect(seen.at(-2)).toEqual([FusState.Error, FusError.ImgNotFound]);
    expect(seen.at(-1)).toEqual([FusState.Idle, FusError.NoError]);
  });

  it("refuses an image signed with another key or staged off a sector start (IMG_NOT_AUTHENTIC), a size not a multiple of 4 (IMG_CORRUPT) (§1.5, seed §4.3)", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const stranger = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    const cases: [Uint8Array, number, FusError][] = [
      [image({ kind: "stack", size: 40_000, stKey: stranger }), 0x080e_0000, FusError.ImgNotAuthentic],
      // FUS takes the start from the footer's sector count (§1.4, §4.3): a file staged half a
      // sector off is read from the next sector start, where its signature does not verify.
      [image({ kind: "stack", size: 40_000 }), 0x080e_0800, FusError.ImgNotAuthentic],
      [image({ kind: "stack", size: 40_002 }), 0x080e_0000, FusError.ImgCorrupt],
      [buildImage({ kind: "stack", size: 40_000, family: "wb1x", version: parseVersion("1.24.0") }), 0x080e_0000, FusError.ImgNotAuthentic],
    ];
    for (const [bytes, address, error] of cases) {
      const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
      driver.boot();
      driver.stage(address, bytes);
      expect(upgradeRefused(driver).at(-2)).toEqual([FusState.Error, error]);
    }
  });

  it("finds the image start from the footer's sector count: a count one sector short is refused and left in flash (§1.4, §4.3)", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const customerKey = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    // ST signs a 40 920-byte file and counts ceil(40 920 / 4 KB) = 10 sectors; the customer's 84-byte
    // block pushes the file into an 11th sector the footer (under ST's signature) cannot count.
    const spilled = image({ kind: "stack", size: 40_920 + 84, customerKey });
    const fitting = image({ kind: "stack", size: 40_000 + 84, customerKey });
    const undercounted = image({ kind: "stack", size: 40_000, footerSectors: 9 });
    const cases: [Uint8Array, boolean][] = [[spilled, false], [fitting, true], [undercounted, false]];
    for (const [bytes, installs] of cases) {
      const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
      driver.boot();
      const address = 0x080e_0000;
      driver.stage(address, bytes);
      if (installs) {
        driver.command(FW_UPGRADE);
        expect(driver.followResets()).toBe(READY_STACK);
        expect(driver.board.cpu2.stack?.start).toBe(address);
        continue;
      }
      // Read from one sector too high, the file's ST signature does not verify.
      expect(upgradeRefused(driver).at(-2)).toEqual([FusState.Error, FusError.ImgNotAuthentic]);
      expect(driver.board.cpu2.stack).toBeNull();
      const staged = driver.board.flash.subarray(address - 0x0800_0000, address - 0x0800_0000 + bytes.length);
      expect(Buffer.from(staged).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it("updates an installed stack: new image below it with one free sector, ends at the old top, shadow erased (§1.6, §1.9; seed §3.2 V1.1.2)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.20.0", type: 0x02, size: 76_104 } });
    expect(driver.boot()).toBe(READY_STACK);
    // Two GET_STATE: the stack reboots into FUS (fus-behaviour §1.11).
    expect(driver.getState()).toEqual([0xff, FusError.StateNotRunning]);
    driver.getState();
    driver.waitForReset();
    expect(driver.boot()).toBe(READY_FUS);
    const oldStart = driver.board.cpu2.stack!.start; // 0x080E1000
    const update = image({ kind: "stack", size: 70_000, stackType: 0x02 }); // 18 sectors
    const staged = oldStart - 0x1000 - 18 * 0x1000;
    driver.stage(staged, update);
    driver.command(FW_UPGRADE);
    expect(driver.followResets()).toBe(READY_STACK);
    const stack = driver.board.cpu2.stack!;
    expect(stack.start).toBe(0x080f_4000 - 18 * 0x1000);
    expect(driver.board.optionBytes.sfsa).toBe((stack.start - 0x0800_0000) >> 12);
    expect(driver.chip.bus.readBytes(staged, 18 * 0x1000).every((b) => b === 0xff)).toBe(true);
  });

  it("without one free sector below the installed stack: IMG_NOT_ENOUGH_SPACE (seed §3.2 V1.1.2)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.20.0", type: 0x02, size: 76_104 } });
    driver.boot();
    driver.enterFus();
    const oldStart = driver.board.cpu2.stack!.start;
    driver.stage(oldStart - 18 * 0x1000, image({ kind: "stack", size: 70_000 }));
    expect(upgradeRefused(driver).at(-2)).toEqual([FusState.Error, FusError.ImgNotEnoughSpace]);
  });

  it("FUS older than 1.2.0 bricks the part when a larger stack replaces a smaller one (seed FAQ known limitation)", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "1.1.0", stack: { version: "1.10.0", type: 0x01, size: 40_000 } });
    driver.boot();
    driver.enterFus();
    const oldStart = driver.board.cpu2.stack!.start;
    const bigger = image({ kind: "stack", size: 60_000 }, "1.11.0");
    // FUS < 1.1.2 wants as much free space as the image below the old stack.
    driver.stage(oldStart - 2 * 15 * 0x1000, bigger);
    driver.command(FW_UPGRADE);
    driver.waitForReset();
    driver.boot();
    driver.waitForReset();
    expect(driver.board.optionBytes.sbrv).toBe((oldStart - 0x0800_0000) / 4);
    expect(driver.board.cpu2.stack!.start).not.toBe(oldStart);
    expect(driver.boot()).toBeNull(); // SBRV points at the erased first stack: CPU2 never speaks
  });

  it("START_WS reboots on the installed stack; with no stack it is refused with IMG_NOT_FOUND (§1.11)", () => {
    const withStack = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 0x01, size: 0x20000 } });
    withStack.boot();
    withStack.getState();
    withStack.getState();
    withStack.waitForReset();
    expect(withStack.boot()).toBe(READY_FUS);
    expect(withStack.command(START_WS).status).toBe(0);
    withStack.waitForReset();
    expect(withStack.boot()).toBe(READY_STACK);

    const bare = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    bare.boot();
    expect(bare.command(START_WS).status).toBe(FusError.ImgNotFound);
    expect(bare.getState()).toEqual([FusState.Error, FusError.ImgNotFound]);
  });
});
