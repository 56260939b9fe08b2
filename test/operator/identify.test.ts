// Identification and recovery diagnosis (seed §4.1 and FAQ; fus-behaviour §1.1, §1.6;
// cpu2-interface §1.7 SFR/SRRVR, §6.2 device ids).
import { describe, expect, test } from "vitest";
import { Diagnosis } from "../../assembly/shared/codes.js";
import { DeviceFault } from "../../host-sim/tiers/tier.js";
import { bareWb55, rig, tierNames, wb55WithStack } from "../support/tiers.js";

describe.each(tierNames)("tier %s", (tierName) => {
  test("a bare WB55: SFSA 0xF4, SBRV 0x3D000 selects FUS, 1024 KB, id 0x495, UID64 (seed §3.4, §4.1)", () => {
    const { operator } = rig(tierName, { ...bareWb55, uid64: 0x0011_2233_4455_6677n });
    expect(operator.identify()).toEqual({
      sfsa: 0xf4, sbrv: 0x3d000, c2boot: false, flashKb: 1024, deviceId: 0x495, revisionId: 0x2003,
      uid64: 0x0011_2233_4455_6677n, sbrvSelectsFus: true,
    });
  });

  test("a part running a stack: SBRV points at the stack, SFSA at its first sector (fus-behaviour §1.6)", () => {
    const { operator, chip } = rig(tierName, wb55WithStack);
    const identity = operator.identify();
    const stackStart = chip.board.cpu2.stack!.start;
    expect(identity.sbrvSelectsFus).toBe(false);
    expect(identity.sbrv * 4 + 0x0800_0000).toBe(stackStart);
    expect(identity.sfsa * 4096 + 0x0800_0000).toBeLessThanOrEqual(stackStart);
  });

  test("diagnosis: CPU2 never enabled, then healthy once booted (seed FAQ 'check whether CM0+ is activated')", () => {
    const { operator } = rig(tierName, bareWb55);
    expect(operator.diagnose().code).toBe("CPU2_NOT_ENABLED");
    operator.bootCpu2();
    expect(operator.diagnose()).toMatchObject({ diagnosis: Diagnosis.Healthy, code: "HEALTHY" });
    expect(operator.identify().c2boot).toBe(true);
  });

  test("diagnosis: FUS version 0.0.0.0 (seed FAQ)", () => {
    const { operator, chip } = rig(tierName, bareWb55);
    chip.board.cpu2.fusVersion = 0; // FUS's own record of itself lost: it reports 0.0.0.0
    operator.bootCpu2();
    expect(operator.diagnose().code).toBe("FUS_VERSION_ZERO");
  });

  test("diagnosis: SBRV below the secure boundary, the FUS < V1.2.0 bricking bug (seed FAQ)", () => {
    // SBRV pointing into user flash (0x080C0000) while SFSA says the secure area starts at 0x080D0000.
    const { operator } = rig(tierName, { ...wb55WithStack, optionBytes: { sbrv: 0xc0000 / 4, sfsa: 0xd0 } });
    const diagnosis = operator.diagnose();
    expect(diagnosis.code).toBe("SBRV_SFSA_MISALIGNED");
    expect(diagnosis.advice).toContain("bricked");
  });
});

test("diagnosis: SFSA=0 with SBRV=0x3FC00 is Safeboot forced (seed FAQ) — read by a host, tier 1", () => {
  const { operator } = rig("wasm", { ...bareWb55, optionBytes: { sfsa: 0, sbrv: 0x3fc00 } });
  const diagnosis = operator.diagnose();
  expect(diagnosis.code).toBe("SAFEBOOT_FORCED");
  expect(diagnosis.advice).toContain("0x5800040C");
});

test("with SFSA=0 all flash is secure: CPU1 firmware cannot even start (seed FAQ), tier 2", () => {
  const { tier } = rig("arm", { ...bareWb55, optionBytes: { sfsa: 0, sbrv: 0x3fc00 } });
  expect(() => tier.call("diagnose")).toThrow(DeviceFault);
});
