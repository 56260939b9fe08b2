// The virtual board target: a board file (host-sim/board.ts) opened as an STM32WB with the operator
// on tier 1 (wasm) or tier 2 (the ARM firmware). Board commands (cli/board-command.ts) drive any
// target through its Session; serial and debug-probe targets sit beside this one.
import { loadBoard, saveBoard, type Board } from "../../host-sim/board.js";
import { Stm32wb } from "../../host-sim/chip/stm32wb.js";
import { WasmTier } from "../../host-sim/tiers/tier1.js";
import { ArmTier } from "../../host-sim/tiers/tier2.js";
import type { TierName } from "../../host-sim/tiers/tier.js";
import { Session, type SessionEvent } from "../../host-sim/session.js";

export interface VirtualBoardTarget {
  readonly board: Board;
  readonly session: Session;
  /** Writes back what survives on a real part: flash, option bytes, CPU2's own state. */
  save(): void;
}

export function openVirtualBoard(path: string, tierName: TierName, onEvent: (event: SessionEvent) => void): VirtualBoardTarget {
  const board = loadBoard(path);
  const chip = new Stm32wb(board);
  const tier = tierName === "arm" ? new ArmTier(chip) : new WasmTier(chip);
  const session = new Session(chip, tier, onEvent);
  return { board, session, save: () => saveBoard(path, board) };
}
