// The operator's mailbox tables must fit the SRAM2a the stack leaves to CPU1 (fus-behaviour §4.3
// footer byte −94; cpu2-interface §1.7 SRRVR.SBRSA): they reach 0x20030A90 (mailbox/layout.ts),
// BLE_Stack_full_extended leaves 2 KB. The operator refuses, named, before it would fault: when it
// attaches to a running stack, and before it lets FUS install such a stack. Both tiers.
import { describe, expect, test } from "vitest";
import { Cpu2Mode } from "../../assembly/shared/codes.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { Session } from "../../host-sim/session.js";
import { parseVersion } from "../../host-sim/versions.js";
import { codeOf, rig, tierNames, wb55WithStack } from "../support/tiers.js";

describe.each(tierNames)("tier %s", (tierName) => {
  test("attaching to a stack that leaves CPU1 2 KB of SRAM2a: SHARED_SRAM_TOO_SMALL, nothing touched beyond it", () => {
    const setup = rig(tierName, { ...wb55WithStack, optionBytes: { sbrsa: 2, brsd: false } });
    expect(codeOf(() => setup.operator.bootCpu2())).toBe("SHARED_SRAM_TOO_SMALL");
    expect(setup.chip.pwr.readUint32(0x0c) & (1 << 15)).toBe(0); // C2BOOT not set: CPU2 never saw a table
    expect(setup.chip.sram2a.subarray(0x800).every((b) => b === 0)).toBe(true);
  });

  test("attaching to a stack that leaves CPU1 10 KB (BLE_Stack_full) works", () => {
    const setup = rig(tierName, { ...wb55WithStack, optionBytes: { sbrsa: 10, brsd: false } });
    expect(setup.operator.bootCpu2()).toBe(Cpu2Mode.WirelessStack);
  });

  test("a staged stack whose footer leaves CPU1 2 KB of SRAM2a is refused before FW_UPGRADE; nothing installed", () => {
    const setup = rig(tierName, { family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    const session = new Session(setup.chip, setup.tier);
    const image = buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.24.0"), size: 0x6000, cpu1SramKb: [2, 10] });
    setup.operator.stage(image, 0x080f_4000 - 0x6000);
    expect(codeOf(() => session.runLongOperation((operator) => operator.fwUpgrade()))).toBe("SHARED_SRAM_TOO_SMALL");
    expect(setup.chip.board.cpu2.stack).toBeNull();
    expect(setup.chip.board.cpu2.journal).toBeNull();
  });
});
