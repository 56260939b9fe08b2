// Bounded waits (issue 12 M1, item 8): every timeout a caller passes is clamped to the maximum
// assembly/shared/codes.ts WaitLimitMs defines (and fusop_codes.h carries to C), so no wait is
// unbounded and none overflows its microsecond count (0xFFFFFFFF ms * 1000 wraps in 32 bits).
import { describe, expect, test } from "vitest";
import { Cpu2Mode, OperatorStatus, WaitLimitMs } from "../../assembly/shared/codes.js";
import { Session } from "../../host-sim/session.js";
import { bareWb55, rig, tierNames } from "../support/tiers.js";

describe.each(tierNames)("tier %s", (tierName) => {
  test("bootCpu2 with a READY timeout of 0xFFFFFFFF ms gives up after WaitLimitMs.Ready (10 s)", () => {
    const { chip, tier } = rig(tierName, bareWb55);
    chip.board.optionBytes.sbrv = 0x1000; // CPU2 boots into nothing and never speaks (cpu2/cpu2.ts)
    const start = chip.clock.nowUs;
    expect(OperatorStatus[tier.call("bootCpu2", 0xffff_ffff)]).toBe("ReadyTimeout");
    const waitedMs = (chip.clock.nowUs - start) / 1000;
    expect(waitedMs).toBeGreaterThanOrEqual(WaitLimitMs.Ready);
    expect(waitedMs).toBeLessThan(WaitLimitMs.Ready + 1000);
  });
});

test("tier wasm: fusAwaitReset with 0xFFFFFFFF ms, polled every 0xFFFFFFFF ms, ends after WaitLimitMs.Operation, polling each WaitLimitMs.Poll", () => {
  const { chip, tier } = rig("wasm", bareWb55);
  expect(new Session(chip, tier).boot()).toBe(Cpu2Mode.Fus);
  const start = chip.clock.nowUs;
  expect(OperatorStatus[tier.call("fusAwaitReset", 0xffff_ffff, 0xffff_ffff)]).toBe("ResetDidNotHappen");
  const waitedMs = (chip.clock.nowUs - start) / 1000;
  expect(waitedMs).toBeGreaterThanOrEqual(WaitLimitMs.Operation);
  expect(waitedMs).toBeLessThan(WaitLimitMs.Operation + 2 * WaitLimitMs.Poll);
});

test("tier wasm: a wait asked for below the limit is kept as asked", () => {
  const { chip, tier } = rig("wasm", bareWb55);
  new Session(chip, tier).boot();
  const start = chip.clock.nowUs;
  expect(tier.call("fusAwaitReset", 1500, 100)).toBe(OperatorStatus.ResetDidNotHappen);
  const waitedMs = (chip.clock.nowUs - start) / 1000;
  expect(waitedMs).toBeGreaterThanOrEqual(1500);
  expect(waitedMs).toBeLessThan(1700);
});
