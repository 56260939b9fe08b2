// Staging a coprocessor image while the wireless stack runs, through the streaming API the
// application calls (stageBegin / stageWrite / stageEnd), on both tiers. The flash driver follows
// cpu2-interface §4.5 (SET_FLASH_ACTIVITY_CONTROL once, FLASH_ERASE_ACTIVITY around erases, PESD,
// HSEM 6/7 per operation); the stack model holds CPU1 off around its radio events and counts
// every CPU1 flash operation that broke the protocol or ran into one (host-sim/cpu2/flash-arbitration.ts).
import { describe, expect, test } from "vitest";
import { expectSameBytes } from "../support/bytes.js";
import { Cpu2Mode, OperatorStatus } from "../../assembly/shared/codes.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { Session } from "../../host-sim/session.js";
import { parseVersion } from "../../host-sim/versions.js";
import { WirelessStackFirmware } from "../../host-sim/cpu2/stack.js";
import { RADIO_INTERVAL_US } from "../../host-sim/cpu2/flash-arbitration.js";
import { codeOf, rig, tierNames, wb55WithStack, type Rig } from "../support/tiers.js";

const FLASH_BASE = 0x0800_0000;

function stackImage(version: string, size = 0x6000): Uint8Array {
  return buildImage({ kind: "stack", version: parseVersion(version), size, family: "wb5x", format: "legacy", stackType: 0x01 });
}

function runningStack(setup: Rig): WirelessStackFirmware {
  const firmware = setup.chip.cpu2.firmware;
  if (!(firmware instanceof WirelessStackFirmware)) throw new Error(`CPU2 runs ${firmware?.kind ?? "nothing"}, not a stack`);
  return firmware;
}

function flashAt(setup: Rig, address: number, length: number): Uint8Array {
  return setup.chip.board.flash.slice(address - FLASH_BASE, address - FLASH_BASE + length);
}

describe.each(tierNames)("streaming staging while the stack runs, tier %s", (tierName) => {
  test("chunks of odd sizes land below the stack with no disturbance; the radio held CPU1 off meanwhile (§4.5)", () => {
    const setup = rig(tierName, wb55WithStack);
    expect(setup.operator.bootCpu2()).toBe(Cpu2Mode.WirelessStack);
    const stack = runningStack(setup);
    const stackStart = setup.chip.board.cpu2.stack!.start;
    // Old stale bytes in the staging area: they must be erased, not programmed over.
    setup.chip.board.flash.fill(0x00, stackStart - FLASH_BASE - 0x10000, stackStart - FLASH_BASE);
    const image = stackImage("1.24.1");
    const startUs = setup.chip.clock.nowUs;

    const address = setup.operator.stageStream(image, [1, 7, 13, 250, 3, 256]);

    expectSameBytes(flashAt(setup, address, image.length), image, "staged image");
    // Placed by size: below the stack with the margin, and everything up to the stack erased.
    expect(address + image.length).toBeLessThanOrEqual(stackStart - 4096);
    expect(flashAt(setup, address + image.length, stackStart - address - image.length).every((b) => b === 0xff)).toBe(true);
    expect(stack.disturbances).toEqual([]);
    expect(setup.chip.cpu2.firmware).toBe(stack); // still the same running stack: no reset
    expect(stack.arbiter!.usesSem7).toBe(true); // SET_FLASH_ACTIVITY_CONTROL(1) went out
    expect(stack.arbiter!.eraseActivity).toBe(false); // every FLASH_ERASE_ACTIVITY(ON) was switched off
    // The staging took several radio intervals, so it did meet the stack's protection windows.
    expect(setup.chip.clock.nowUs - startUs).toBeGreaterThan(3 * RADIO_INTERVAL_US);
    expect(setup.chip.hsem.owner(2)).toBe(0);
  });

  test("the stack writing its own flash (FLASH_STORE_DATA) meanwhile: the driver waits for HSEM 7, nothing disturbed (§4.5, §5.2)", () => {
    const setup = rig(tierName, wb55WithStack);
    setup.operator.bootCpu2();
    const image = stackImage("1.24.1", 0x2000);
    expect(setup.tier.call("stageBegin", image.length)).toBe(0);
    const input = setup.tier.call("stageInputPointer");
    for (let offset = 0; offset < image.length; offset += 256) {
      // Every 2 KB the application has the stack store its NVM data (u8 IP 0 = BLE).
      if (offset % 2048 === 0) expect(setup.operator.systemCommand(0xfc6b, Uint8Array.of(0)).status).toBe(0);
      setup.tier.writeLinear(input, image.subarray(offset, offset + 256));
      expect(setup.tier.call("stageWrite", 256)).toBe(0);
    }
    expect(setup.tier.call("stageEnd")).toBe(0);
    const address = setup.tier.call("stageAddress");
    expectSameBytes(flashAt(setup, address, image.length), image, "staged image");
    expect(runningStack(setup).disturbances).toEqual([]);
  });

  test("staged while running, then start FUS, FW_UPGRADE and back on the new stack (fus-behaviour §1.6-§1.8)", () => {
    const setup = rig(tierName, wb55WithStack);
    const session = new Session(setup.chip, setup.tier);
    expect(session.boot()).toBe(Cpu2Mode.WirelessStack);
    setup.operator.stageStream(stackImage("1.24.1"), [100]);
    expect(runningStack(setup).disturbances).toEqual([]);
    session.ensureFus();
    const done = session.runLongOperation((operator) => operator.fwUpgrade());
    expect(done.mode).toBe(Cpu2Mode.WirelessStack);
    expect(setup.operator.deviceInformation().stackVersion).toBe("1.24.1");
  });

  test("bad streams are refused with named errors and nothing is installed", () => {
    const setup = rig(tierName, wb55WithStack);
    setup.operator.bootCpu2();
    const image = stackImage("1.24.1");
    // Not a whole image: the footer is not where stageEnd looks.
    expect(codeOf(() => setup.operator.stageStream(image.subarray(0, image.length - 4)))).not.toBe("NO_ERROR");
    // More bytes than announced.
    expect(setup.tier.call("stageBegin", 16)).toBe(0);
    setup.tier.writeLinear(setup.tier.call("stageInputPointer"), new Uint8Array(24));
    expect(setup.tier.call("stageWrite", 24)).toBe(OperatorStatus.StageOverflow);
    // End before everything arrived.
    expect(setup.tier.call("stageBegin", 16)).toBe(0);
    expect(setup.tier.call("stageWrite", 8)).toBe(0);
    expect(setup.tier.call("stageEnd")).toBe(OperatorStatus.StageIncomplete);
    expect(setup.tier.call("stageWrite", 8)).toBe(OperatorStatus.StageNotStarted);
    // A FUS image this part must not take (V1.2.0 below the running V2.2.0): refused at stageEnd.
    const fus = buildImage({ kind: "fus", version: parseVersion("1.2.0"), size: 0x4000, family: "wb5x" });
    expect(codeOf(() => setup.operator.stageStream(fus))).toBe("FUS_DOWNGRADE");
    expect(runningStack(setup).disturbances).toEqual([]);
    expect(setup.chip.board.cpu2.stack!.version).toBe(parseVersion("1.24.0"));
  });
});
