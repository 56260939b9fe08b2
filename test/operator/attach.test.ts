// Next to ST's middleware: the application booted CPU2 with its own tables (cpu2-interface §4.1;
// here the test CPU1 of test/sim/support/cpu1.ts, whose SRAM2a layout differs from the
// operator's), and the operator attaches to them instead of building its own (§3.1 reference
// table, §3.5 system table, §3.6 free-buffer queue), on both tiers.
import { describe, expect, test } from "vitest";
import { expectSameBytes } from "../support/bytes.js";
import { Cpu2Mode } from "../../assembly/shared/codes.js";
import { Board } from "../../host-sim/board.js";
import { Stm32wb, SRAM2A_BASE } from "../../host-sim/chip/stm32wb.js";
import { Operator } from "../../host-sim/operator.js";
import { WirelessStackFirmware } from "../../host-sim/cpu2/stack.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { Cpu1Driver } from "../sim/support/cpu1.js";
import { bareWb55, codeOf, createTier, tierNames, wb55WithStack } from "../support/tiers.js";
import type { BoardConfig } from "../../host-sim/board.js";
import type { TierName } from "../../host-sim/tiers/tier.js";

const IPCC_C1MR = 0x5800_0c04;
/** The test CPU1's command buffer (test/sim/support/cpu1.ts), not the operator's 0x20030100. */
const APPLICATION_COMMAND_BUFFER = SRAM2A_BASE + 0xa0;

function bootedByApplication(tierName: TierName, config: BoardConfig) {
  const chip = new Stm32wb(new Board(config));
  const application = new Cpu1Driver(chip);
  const ready = application.boot();
  const tables = chip.sram2a.slice(0, 0xa0);
  return { chip, application, ready, tables, operator: new Operator(createTier(tierName, chip)) };
}

describe.each(tierNames)("attach to a CPU2 the application booted, tier %s", (tierName) => {
  test("stack running: attach, stage while it runs through the application's command buffer, tables untouched", () => {
    const setup = bootedByApplication(tierName, wb55WithStack);
    expect(setup.ready).toBe(0x00);
    const masksBefore = setup.chip.bus.read(IPCC_C1MR, 4);
    expect(setup.operator.attachCpu2()).toBe(Cpu2Mode.WirelessStack);
    // ST's IPCC handler only serves unmasked channels: channel 2 is masked both ways now (§1.2).
    expect(setup.chip.bus.read(IPCC_C1MR, 4) & ((1 << 1) | (1 << 17))).toBe((1 << 1) | (1 << 17));
    const image = buildImage({ kind: "stack", version: parseVersion("1.24.1"), size: 0x3000, family: "wb5x", format: "legacy", stackType: 1 });
    const address = setup.operator.stageStream(image, [33]);
    expectSameBytes(setup.chip.board.flash.subarray(address - 0x0800_0000, address - 0x0800_0000 + image.length), image, "flash at the stage address");
    expect((setup.chip.cpu2.firmware as WirelessStackFirmware).disturbances).toEqual([]);
    // The last command (FLASH_ERASE_ACTIVITY off, §4.5 step 6) went through the application's buffer.
    expect(setup.chip.sram2a[APPLICATION_COMMAND_BUFFER - SRAM2A_BASE + 4]).toBe(0x69);
    expect(setup.chip.sram2a.slice(0, 0xa0)).toEqual(setup.tables);
    setup.operator.tier.call("detachCpu2");
    expect(setup.chip.bus.read(IPCC_C1MR, 4)).toBe(masksBefore);
  });

  test("FUS running: attach, GET_STATE answered; resume attaches by itself (§4.2, fus-behaviour §1.8)", () => {
    const setup = bootedByApplication(tierName, bareWb55);
    expect(setup.ready).toBe(0x01);
    expect(setup.operator.resume().done).toBe(true);
    expect(setup.operator.fusGetState().stateName).toBe("FUS_STATE_IDLE");
    expect(setup.operator.deviceInformation().fusVersion).toBe("1.2.0");
    expect(setup.chip.sram2a.slice(0, 0xa0)).toEqual(setup.tables);
  });

  test("no C2BOOT: CPU2_NOT_BOOTED; C2BOOT with no tables behind it: SHARED_TABLES_INVALID", () => {
    const chip = new Stm32wb(new Board(bareWb55));
    const operator = new Operator(createTier(tierName, chip));
    expect(codeOf(() => operator.attachCpu2())).toBe("CPU2_NOT_BOOTED");
    chip.bus.write(0x5800_040c, 4, 1 << 15); // C2BOOT with SRAM2a all zeros
    expect(codeOf(() => operator.attachCpu2())).toBe("SHARED_TABLES_INVALID");
  });
});
