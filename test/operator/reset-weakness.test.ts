// The operator's advice for FUS below V2, whose installs do not survive an asynchronous reset
// (seed §4.4: FUSv2 fixed "a known weakness against asynchronous reset"; the simulator models it
// as a board option, test/sim/interrupted.test.ts). Both tiers.
import { describe, expect, test } from "vitest";
import { rig, tierNames } from "../support/tiers.js";

describe.each(tierNames)("tier %s", (tierName) => {
  test("FUS 1.2.0: the operator advises to keep the part powered and to upgrade FUS to V2 first", () => {
    const setup = rig(tierName, { family: "wb5x", flashKb: 1024, fus: "1.2.0" });
    expect(setup.operator.installNotice()).toBeNull(); // CPU2 not booted: nothing known yet
    setup.operator.bootCpu2();
    const notice = setup.operator.installNotice();
    expect(notice).toMatch(/FUS 1\.2\.0 is below V2/);
    expect(notice).toMatch(/do not reset/);
    expect(notice).toMatch(/upgrade FUS to V2 first/);
  });

  test("FUS 2.2.0: no advice", () => {
    const setup = rig(tierName, { family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    setup.operator.bootCpu2();
    expect(setup.operator.installNotice()).toBeNull();
  });
});
