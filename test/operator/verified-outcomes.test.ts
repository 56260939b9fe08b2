// Outcomes verified, not inferred (issue 12 F1, F2): after the resets and power losses of a long
// operation, fusResume compares the device information (stack present and its version, FUS and
// Safeboot versions; cpu2-interface §3.3, §3.4) with what the recorded operation was to achieve,
// and answers done, not applied (ResumeFinding says why) or failed. Both tiers, through the
// session every board command uses.
import { describe, expect, test } from "vitest";
import { Cpu2Mode, OperatorStatus, PendingOperation, ResumeFinding } from "../../assembly/shared/codes.js";
import { ImageKind } from "../../assembly/shared/image-codes.js";
import { FaultInjector, type FaultAction } from "../../host-sim/faults.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { OperatorError } from "../../host-sim/operator.js";
import { Session } from "../../host-sim/session.js";
import { parseVersion } from "../../host-sim/versions.js";
import { rig, tierNames } from "../support/tiers.js";
import type { BoardConfig } from "../../host-sim/board.js";

const withStack: BoardConfig = { family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.23.0", type: 1, size: 0x6000 } };
const newer = buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x6000, family: "wb5x", format: "legacy", stackType: 1 });

function failure(run: () => unknown): OperatorError {
  try {
    run();
  } catch (error) {
    if (error instanceof OperatorError) return error;
    throw error;
  }
  throw new Error("expected the operation to be reported as not done");
}

describe.each(tierNames)("tier %s", (tierName) => {
  describe.each(["reset", "power-loss"] as FaultAction[])("%s", (action) => {
    test.each(["delete", "purge"] as const)("F1: a fault during FW_%s is not reported done while the stack is still registered", (command) => {
      const { chip, tier, operator } = rig(tierName, withStack);
      const session = new Session(chip, tier);
      session.ensureFus();
      // The second flash operation CPU2 starts: the stack is partly erased when the fault strikes.
      new FaultInjector({ at: [{ step: 2, action }], kinds: ["cpu2-flash"] }).attach(chip);
      const send = command === "delete" ? () => session.runLongOperation((op) => op.fwDelete()) : () => session.runLongOperation((op) => op.fwPurge());
      const error = failure(send);
      // Today's CPU2 model of an interrupted delete: the stack stays registered.
      expect(chip.board.cpu2.stack).not.toBeNull();
      expect(error.code).toBe("OPERATION_NOT_APPLIED");
      expect(error.message).toMatch(/STACK_STILL_INSTALLED.*1\.23\.0 is still registered.*do not start it/);
      expect(operator.deviceInformation().stackVersion).toBe("1.23.0");
      // The way out the message names works: the delete again, uninterrupted.
      new FaultInjector({}).attach(chip);
      const done = command === "delete" ? session.runLongOperation((op) => op.fwDelete()) : session.runLongOperation((op) => op.fwPurge());
      expect(done.mode).toBe(Cpu2Mode.Fus);
      expect(chip.board.cpu2.stack).toBeNull();
      expect(operator.deviceInformation().stackVersion).toBeNull();
    });

    test("F2: a fault before FUS commits to FW_UPGRADE is not applied, with the versions; the retry installs", () => {
      const { chip, tier, operator } = rig(tierName, withStack);
      const session = new Session(chip, tier);
      session.ensureFus();
      operator.stage(newer, chip.board.cpu2.stack!.start - 0x1000 - newer.length);
      // Step 1 of the FUS phases: the verify before the first reset (fus-behaviour §1.7).
      new FaultInjector({ at: [{ step: 1, action }], kinds: ["phase"] }).attach(chip);
      const error = failure(() => session.runLongOperation((op) => op.fwUpgrade()));
      expect(error.code).toBe("OPERATION_NOT_APPLIED");
      expect(error.message).toMatch(/STACK_VERSION_DIFFERS.*installed stack is 1\.23\.0, the image was 1\.24\.0/);
      expect(chip.board.cpu2.stack!.version).toBe(parseVersion("1.23.0"));
      const done = session.runLongOperation((op) => op.fwUpgrade());
      expect(done.mode).toBe(Cpu2Mode.WirelessStack);
      expect(operator.deviceInformation().stackVersion).toBe("1.24.0");
    });
  });

  test("fusResume compares what a restored record was to install with the device information", () => {
    const { chip, tier } = rig(tierName, withStack);
    new Session(chip, tier).ensureFus();
    const installed = parseVersion("1.23.0");
    // As after power loss: the caller gives back what it sent (its own storage survived).
    tier.call("fusRestoreOperation", PendingOperation.FwUpgrade, ImageKind.Stack, parseVersion("1.24.0"));
    expect(tier.call("fusResume", 0)).toBe(OperatorStatus.OperationNotApplied);
    expect(tier.call("fusResumeFinding")).toBe(ResumeFinding.StackVersionDiffers);
    expect(tier.call("fusResumeFoundVersion")).toBe(installed);
    expect(tier.call("pendingOperation")).toBe(PendingOperation.None);
    // The version installed is the image's: done (the build byte does not count, §3.4).
    tier.call("fusRestoreOperation", PendingOperation.FwUpgrade, ImageKind.Stack, installed | 0x07);
    expect(tier.call("fusResume", 0)).toBe(OperatorStatus.Ok);
    expect(tier.call("fusResumeFinding")).toBe(ResumeFinding.None);
    // FUS upgrade: FUS 2.2.0 runs, 2.3.0 was sent.
    tier.call("fusRestoreOperation", PendingOperation.FwUpgrade, ImageKind.Fus, parseVersion("2.3.0"));
    expect(tier.call("fusResume", 0)).toBe(OperatorStatus.OperationNotApplied);
    expect(tier.call("fusResumeFinding")).toBe(ResumeFinding.FusVersionDiffers);
    // START_WS recorded, yet FUS still runs after the reset: the stack did not start.
    tier.call("fusRestoreOperation", PendingOperation.StartWirelessStack, 0, 0);
    expect(tier.call("fusResume", 0)).toBe(OperatorStatus.OperationNotApplied);
    expect(tier.call("fusResumeFinding")).toBe(ResumeFinding.StackNotStarted);
    // A delete recorded while the stack is still registered.
    tier.call("fusRestoreOperation", PendingOperation.FwDelete, 0, 0);
    expect(tier.call("fusResume", 0)).toBe(OperatorStatus.OperationNotApplied);
    expect([tier.call("fusResumeFinding"), tier.call("fusResumeFoundVersion")]).toEqual([ResumeFinding.StackStillInstalled, installed]);
  });
});
