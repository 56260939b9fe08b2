// A Safeboot update through the operator on both tiers (seed §4.7.4; RN Safeboot notes): FUSv2
// copies Safeboot V2.0.1 to its final place, erases the staged copy and ends in a factory reset;
// the operator reports success, with the new Safeboot version read back from the device
// information (+0x08, cpu2-interface §3.3), not FUS_STATE_ERR_UNKNOWN.
import { describe, expect, test } from "vitest";
import { Cpu2Mode, FusState } from "../../assembly/shared/codes.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { UpgradePlanner } from "../../host-sim/images/planner.js";
import { Session } from "../../host-sim/session.js";
import { parseVersion } from "../../host-sim/versions.js";
import { codeOf, rig, tierNames } from "../support/tiers.js";

const planner = new UpgradePlanner();

describe.each(tierNames)("tier %s", (tierName) => {
  test("Safeboot 2.0.1 on FUS 2.2.0: planned, staged, installed; the operator reports success and reads 2.0.1 back", () => {
    const setup = rig(tierName, { family: "wb5x", flashKb: 1024, fus: "2.2.0", safeboot: "2.0.0" });
    const session = new Session(setup.chip, setup.tier);
    const image = buildImage({ kind: "safeboot", family: "wb5x", version: parseVersion("2.0.1"), size: 4_244 });
    const plan = planner.plan(
      { family: "wb5x", flashKb: 1024, fusVersion: "2.2.0", sfsa: setup.chip.board.optionBytes.sfsa },
      [{ file: "stm32wb5x_Safeboot_fw.bin", tail: image.slice(-256), size: image.length }],
    );
    if (!plan.ok) throw new Error(`plan refused: ${plan.status}`);
    const address = plan.steps[0].address!;
    expect(address).toBe(0x080f_2000); // T − n·S (fus-behaviour §6.3 worked example)
    setup.operator.stage(image, address);

    const done = session.runLongOperation((operator) => operator.fwUpgrade());
    expect(done.mode).toBe(Cpu2Mode.Fus);
    expect(done.finalState?.stateName).toBe("FUS_STATE_IDLE");
    expect(done.finalState?.errorName).toBe("FUS_STATE_NO_ERROR");
    expect(setup.operator.deviceInformation()).toMatchObject({ layout: "fus", safebootVersion: "2.0.1", fusVersion: "2.2.0" });
    expect(setup.operator.fusGetState().state).toBe(FusState.Idle);
    // The staged copy is gone (seed §4.7.4).
    expect(setup.chip.board.flash.subarray(address - 0x0800_0000, address - 0x0800_0000 + image.length).every((b) => b === 0xff)).toBe(true);
  });

  test("the same Safeboot again is refused by FUS (FW_ROLLBACK_ERROR) or by the operator, never reported as done", () => {
    const setup = rig(tierName, { family: "wb5x", flashKb: 1024, fus: "2.2.0", safeboot: "2.0.1" });
    const session = new Session(setup.chip, setup.tier);
    const image = buildImage({ kind: "safeboot", family: "wb5x", version: parseVersion("2.0.1"), size: 4_244 });
    setup.operator.stage(image, 0x080f_2000);
    const code = codeOf(() => session.runLongOperation((operator) => operator.fwUpgrade()));
    expect(code).not.toBe("NO_ERROR");
    expect(setup.chip.board.cpu2.safebootVersion).toBe(parseVersion("2.0.1"));
  });
});
