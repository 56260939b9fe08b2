// The operator's own journal of a long operation (assembly/fus/journal.ts, resume.ts): it lives in
// SRAM2a, so it survives the system resets FUS causes but not power loss; after each CPU1 start
// fusResume tells where the operation stands (fus-behaviour §1.7, §1.8, §1.15).
import { describe, expect, test } from "vitest";
import { Cpu2Mode, OperatorStatus, PendingOperation } from "../../assembly/shared/codes.js";
import { SystemResetOccurred } from "../../host-sim/tiers/tier.js";
import { Session } from "../../host-sim/session.js";
import { rig, tierNames } from "../support/tiers.js";
import type { BoardConfig } from "../../host-sim/board.js";

const withStack: BoardConfig = { family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 1, size: 0x6000 } };

/** Repeats `call` until the system reset it leads to; the CPU1 run ends there. */
function untilReset(call: () => unknown): void {
  expect(() => {
    for (;;) call();
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
    // Flip one bit of the record's state word, as undefined power-on content would.
    const sharedAreaEnd = 0x2003_0540 + 1340; // EVENT_POOL + EVENT_POOL_SIZE (mailbox/layout.ts)
    const journal = (sharedAreaEnd + 15) & ~15; // OPERATION_JOURNAL
    chip.bus.write(journal + 4, 4, chip.bus.read(journal + 4, 4) ^ 0x100);
    expect(tier.call("pendingOperation")).toBe(PendingOperation.None);
  });
});
