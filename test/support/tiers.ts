// Runs a suite on both tiers: the operator as wasm in V8 (tier 1) and as the ARM firmware in
// unicorn (tier 2), against the same chip model.
import { Board, type BoardConfig } from "../../host-sim/board.js";
import { Stm32wb } from "../../host-sim/chip/stm32wb.js";
import { WasmTier } from "../../host-sim/tiers/tier1.js";
import { ArmTier } from "../../host-sim/tiers/tier2.js";
import type { OperatorTier, TierName } from "../../host-sim/tiers/tier.js";
import { Operator } from "../../host-sim/operator.js";

export const tierNames: TierName[] = ["wasm", "arm"];

export function createTier(name: TierName, chip: Stm32wb): OperatorTier {
  return name === "wasm" ? new WasmTier(chip) : new ArmTier(chip);
}

export interface Rig {
  chip: Stm32wb;
  tier: OperatorTier;
  operator: Operator;
}

export function rig(name: TierName, config: BoardConfig): Rig {
  const chip = new Stm32wb(new Board(config));
  const tier = createTier(name, chip);
  return { chip, tier, operator: new Operator(tier) };
}

/** A WB55 (1 MB) with FUS 1.2.0 and nothing else, as it leaves the factory after a FUS update. */
export const bareWb55: BoardConfig = { family: "wb5x", flashKb: 1024, fus: "1.2.0" };

/** A WB55 (1 MB) running the BLE full stack 1.24.0 (0x20000 bytes, type 0x01). */
export const wb55WithStack: BoardConfig = {
  family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 0x01, size: 0x20000 },
};

/** The stable error code a call fails with, or NO_ERROR. */
export function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return "NO_ERROR";
}
