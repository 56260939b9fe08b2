// Other STM32WB variants on both tiers, tier 2 with the probe built for each (Makefile
// VARIANT_PROBE): a WB15 (2 KB sectors, FUS at 0x08046000) and a WB35 (512 KB) identify
// themselves, install a stack where the planner puts it, and run it (fus-behaviour §1.1, §5, §6).
import { describe, expect, test } from "vitest";
import { Cpu2Mode } from "../../assembly/shared/codes.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { ImageCodec } from "../../host-sim/images/footer.js";
import { UpgradePlanner } from "../../host-sim/images/planner.js";
import { Session } from "../../host-sim/session.js";
import { parseVersion } from "../../host-sim/versions.js";
import { rig, tierNames } from "../support/tiers.js";
import type { Family } from "../../host-sim/chip/variants.js";

const parts: { family: Family; flashKb: number; deviceId: number; sfsa: number }[] = [
  { family: "wb1x", flashKb: 320, deviceId: 0x494, sfsa: 0x8c }, // 0x08046000 in 2 KB sectors
  { family: "wb3x", flashKb: 512, deviceId: 0x495, sfsa: 0xf4 },
];

describe.each(tierNames)("tier %s", (tierName) => {
  test.each(parts)("$family $flashKb KB: identify, plan on the part, stage, install, run the stack", ({ family, flashKb, deviceId, sfsa }) => {
    const setup = rig(tierName, { family, flashKb, fus: "2.2.0" });
    const session = new Session(setup.chip, setup.tier);
    expect(session.boot()).toBe(Cpu2Mode.Fus);
    expect(setup.operator.identify()).toMatchObject({ flashKb, deviceId, sfsa, sbrvSelectsFus: true });

    const image = buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x5000, family, format: "legacy", stackType: 1 });
    const plan = new UpgradePlanner(new ImageCodec(setup.tier)).plan({ onDevice: true }, [{ file: "stack.bin", tail: image.slice(-256), size: image.length }]);
    if (!plan.ok) throw new Error(`plan refused: ${plan.status}`);
    const { address, eraseEnd } = plan.steps[0];
    setup.operator.stage(image, address!, undefined, eraseEnd ?? undefined);
    const done = session.runLongOperation((operator) => operator.fwUpgrade());
    expect(done.mode).toBe(Cpu2Mode.WirelessStack);
    expect(setup.operator.deviceInformation().stackVersion).toBe("1.24.0");
    const sector = family === "wb1x" ? 2048 : 4096;
    expect(setup.operator.identify().sfsa * sector + 0x0800_0000).toBe(setup.chip.board.cpu2.stack!.start);
  });
});
