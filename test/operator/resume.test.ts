// The operator's own journal of a long operation (assembly/fus/journal.ts, resume.ts): it lives in
// SRAM2a, so it survives the system resets FUS causes but not power loss; after each CPU1 start
// fusResume tells where the operation stands (fus-behaviour §1.7, §1.8, §1.15).
import { describe, expect, test } from "vitest";
import { Cpu2Mode, FusError, OperatorStatus, PendingOperation } from "../../assembly/shared/codes.js";
import { generateKeyPairSync } from "node:crypto";
import { powerLoss, SeededRandom } from "../../host-sim/faults.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { SystemResetOccurred } from "../../host-sim/tiers/tier.js";
import { Session } from "../../host-sim/session.js";
import { codeOf, rig, tierNames } from "../support/tiers.js";
import type { BoardConfig } from "../../host-sim/board.js";

const withStack: BoardConfig = { family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 1, size: 0x6000 } };

/** Repeats `call` until the system reset it leads to (at most 100 times); the CPU1 run ends there. */
function untilReset(call: () => unknown): void {
  expect(() => {
    for (let attempt = 0; attempt < 100; attempt++) call();
  }).toThrow(SystemResetOccurred);
}

describe.each(tierNames)("tier %s", (tierName) => {
  test("FW_DELETE: the record survives the resets, and a fresh CPU1 finds the delete done", () => {
    const { chip, tier } = rig(tierName, withStack);
    new Session(chip, tier).ensureFus();
    expect(tier.call("fusFwDelete")).toBe(OperatorStatus.Ok);
    expect(tier.call("pendingOperation")).toBe(PendingOperation.FwDelete);
    untilReset(() => tier.call("fusWaitWhileBusy", 60_000, 20));
    // A new CPU1 run: nothing of the last one is left in the module, the record is in SRAM2a.
    expect(tier.call("pendingOperation")).toBe(PendingOperation.FwDelete);
    let status = tier.call("fusResume", 0);
    while (status === OperatorStatus.OperationInProgress) {
      try {
        tier.call("fusWaitWhileBusy", 60_000, 20);
      } catch (error) {
        if (!(error instanceof SystemResetOccurred)) throw error;
      }
      status = tier.call("fusResume", 0);
    }
    expect(status).toBe(OperatorStatus.Ok);
    expect(tier.call("pendingOperation")).toBe(PendingOperation.None);
    expect(tier.call("cpu2Mode")).toBe(Cpu2Mode.Fus);
    expect(chip.board.cpu2.stack).toBeNull();
  });

  test("a refused command leaves no record", () => {
    const { chip, tier } = rig(tierName, { family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    new Session(chip, tier).boot();
    expect(tier.call("fusStartWs")).toBe(OperatorStatus.NoStackInstalled);
    expect(tier.call("pendingOperation")).toBe(PendingOperation.None);
  });

  test("power loss scrambles SRAM2a: the record is rejected by its check word", () => {
    const { chip, tier } = rig(tierName, withStack);
    new Session(chip, tier).ensureFus();
    tier.call("fusFwDelete");
    expect(tier.call("pendingOperation")).toBe(PendingOperation.FwDelete);
    // A real power loss: SRAM2a comes back with undefined content (host-sim/faults.ts).
    powerLoss(chip, new SeededRandom(7));
    expect(() => tier.call("fusWaitWhileBusy", 60_000, 20)).toThrow(SystemResetOccurred);
    expect(tier.call("pendingOperation")).toBe(PendingOperation.None);
  });

  test("a refusal read by someone else is not lost: after the reset fusResume still names it (fus-behaviour §1.3)", () => {
    const { chip, tier, operator } = rig(tierName, { family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    new Session(chip, tier).boot();
    // An image FUS will refuse (signed with another key), sent past the operator's own check.
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const image = buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x6000, family: "wb5x", format: "legacy", stackType: 1, stKey: privateKey });
    operator.stage(image, 0x080e_e000);
    operator.setSafetyPolicy(false);
    expect(tier.call("fusFwUpgrade")).toBe(OperatorStatus.Ok);
    // The application's own wait reads FUS's answer (the error is reported only once)...
    expect(tier.call("fusWaitWhileBusy", 60_000, 20)).toBe(OperatorStatus.FusReportedError);
    chip.requestSystemReset("watchdog"); // ...and then the part resets for an unrelated reason
    expect(() => tier.call("pollEvents")).toThrow(SystemResetOccurred);
    const start = chip.clock.nowUs;
    expect(tier.call("fusResume", 0)).toBe(OperatorStatus.FusReportedError);
    expect(tier.call("fusLastError")).toBe(FusError.ImgNotAuthentic);
    expect(tier.call("pendingOperation")).toBe(PendingOperation.None);
    expect(chip.clock.nowUs - start).toBeLessThan(1_000_000); // answered at once, no wait for a reset
  });

  test("delete with nothing installed: the operator says so; FUS itself answers IMG_NOT_FOUND at once (§1.10)", () => {
    const { chip, tier, operator } = rig(tierName, { family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    const session = new Session(chip, tier);
    session.boot();
    expect(tier.call("fusFwDelete")).toBe(OperatorStatus.NoStackInstalled);
    expect(tier.call("fusFwPurge")).toBe(OperatorStatus.NoStackInstalled);
    operator.setSafetyPolicy(false);
    const start = chip.clock.nowUs;
    expect(codeOf(() => session.runLongOperation((op) => op.fwDelete()))).toBe("FUS_STATE_IMG_NOT_FOUND");
    expect(chip.clock.nowUs - start).toBeLessThan(2_000_000); // FUS's answer, not a 10 s wait for a reset
  });
});
