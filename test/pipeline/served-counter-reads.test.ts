// Tier 2 answers DWT_CYCCNT reads (the runtime's time source, read in every polling loop) in the
// unicorn addon instead of in the chip model while a read changes nothing but its value
// (host-sim/tiers/firmware-runner.ts, serveCounterReads). That must be invisible: the same
// instructions, the same virtual time to the last bit, the same memories as with every read
// going through the chip model — across flash busy times, CPU2 events falling due between reads
// and the system resets of a FUS upgrade.
import { describe, expect, test } from "vitest";
import { Board } from "../../host-sim/board.js";
import { Stm32wb } from "../../host-sim/chip/stm32wb.js";
import { ArmTier } from "../../host-sim/tiers/tier2.js";
import { Session } from "../../host-sim/session.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { expectSameBytes } from "../support/bytes.js";
import { bareWb55 } from "../support/tiers.js";

const fus = buildImage({ kind: "fus", version: parseVersion("2.2.0"), size: 24_464, family: "wb5x" });

/** FUS 1.2.0 -> 2.2.0 on tier 2: staging, FW_UPGRADE, three system resets, FUS running again. */
function upgrade(serveCounterReads: boolean) {
  const chip = new Stm32wb(new Board(bareWb55));
  const tier = new ArmTier(chip);
  tier.runner.serveCounterReads = serveCounterReads;
  const session = new Session(chip, tier);
  session.operator.stage(fus, 0x080e_e000);
  session.runLongOperation((operator) => operator.fwUpgrade());
  const state = session.operator.fusGetState();
  return { chip, tier, resets: session.resets, state };
}

describe("DWT_CYCCNT reads answered in the addon", () => {
  test("a FUS upgrade takes the same instructions, virtual time and memories either way", () => {
    const model = upgrade(false);
    const served = upgrade(true);
    expect(model.tier.runner.servedCounterReads).toBe(0);
    // The fast path did the work: tens of thousands of the polling loops' reads never reached the chip model.
    expect(served.tier.runner.servedCounterReads).toBeGreaterThan(10_000);
    expect(served.tier.instructions).toBe(model.tier.instructions);
    expect(Object.is(served.chip.clock.nowUs, model.chip.clock.nowUs), `${served.chip.clock.nowUs} against ${model.chip.clock.nowUs} µs`).toBe(true);
    expect(served.chip.dwt.readUint32(4)).toBe(model.chip.dwt.readUint32(4));
    expect(served.resets).toBe(model.resets);
    expect(served.state).toEqual(model.state);
    expectSameBytes(served.chip.board.flash, model.chip.board.flash, "flash");
    expectSameBytes(served.chip.sram1, model.chip.sram1, "SRAM1");
    expectSameBytes(served.chip.sram2a, model.chip.sram2a, "SRAM2a");
  });
});
