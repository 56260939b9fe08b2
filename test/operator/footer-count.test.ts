// FUS takes an image's start from its footer's sector count (fus-behaviour §1.4, §4.3; host-sim
// README "Image scan"). A customer block appended to an ST-signed file can push it into a sector
// ST's footer does not count: FUS would read it from one sector too high and refuse it. The
// operator refuses it first, named, and nothing reaches FUS. Both tiers.
import { describe, expect, test } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import { buildImage } from "../../host-sim/images/builder.js";
import { Session } from "../../host-sim/session.js";
import { parseVersion } from "../../host-sim/versions.js";
import { codeOf, rig, tierNames } from "../support/tiers.js";

const customerKey = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;

describe.each(tierNames)("tier %s", (tierName) => {
  test("a customer-signed stack whose customer block spills into a sector ST did not count: IMAGE_SIZE_MISMATCH before FW_UPGRADE", () => {
    const setup = rig(tierName, { family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    const session = new Session(setup.chip, setup.tier);
    const image = buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.24.0"), size: 0x6000 - 40 + 84, customerKey });
    setup.operator.stage(image, 0x080f_4000 - 0x7000);
    expect(codeOf(() => session.runLongOperation((operator) => operator.fwUpgrade()))).toBe("IMAGE_SIZE_MISMATCH");
    expect(setup.chip.board.cpu2.stack).toBeNull();
    expect(setup.chip.board.cpu2.journal).toBeNull(); // FUS never started on it
  });

  test("the same layout without the spill installs", () => {
    const setup = rig(tierName, { family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    const session = new Session(setup.chip, setup.tier);
    const image = buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.24.0"), size: 0x6000 - 100 + 84, customerKey });
    setup.operator.stage(image, 0x080f_4000 - 0x6000);
    session.runLongOperation((operator) => operator.fwUpgrade());
    expect(setup.chip.board.cpu2.stack?.start).toBe(0x080f_4000 - 0x6000);
  });
});
