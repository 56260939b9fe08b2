// The virtual board target: a board file (host-sim/board.ts) opened as an STM32WB with the operator
// on tier 1 (wasm) or tier 2 (the ARM firmware). Board commands (cli/board-command.ts) drive any
// target through its Session; serial and debug-probe targets sit beside this one.
import { loadBoard, saveBoard, type Board } from "../../host-sim/board.js";
import { Stm32wb } from "../../host-sim/chip/stm32wb.js";
import { WasmTier } from "../../host-sim/tiers/tier1.js";
import { ArmTier } from "../../host-sim/tiers/tier2.js";
import type { ResetCounting, TierName } from "../../host-sim/tiers/tier.js";
import type { DeviceVariant } from "../../host-sim/chip/variants.js";
import { Session, type SessionEvent } from "../../host-sim/session.js";
import { CliError, EXIT, fileError } from "../command.js";

/**
 * Loads a board file. A missing file is a FILE_ error; a file that is not a board (a binary passed by
 * mistake, a truncated save) is named without echoing its bytes.
 */
export function readBoard(path: string): Board {
  try {
    return loadBoard(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = (error as Error).message;
    const systemCode = /\b(E[A-Z]{3,})\b/.exec(message)?.[1];
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) throw fileError(path, error);
    if (code === "BOARD_UNREADABLE" && systemCode) throw fileError(path, { code: systemCode });
    // The board module's own named checks (binary or not JSON, a field out of range, an unknown
    // format version: host-sim/board-file.ts), never the file's bytes.
    throw new CliError(typeof code === "string" && code.startsWith("BOARD_") ? code : "BOARD_FILE_INVALID",
      message.includes(path) ? printable(message) : `'${path}': ${printable(message)}`, { file: path }, EXIT.file);
  }
}

export function firstErasedSector(board: Board): number {
  const { sectorBytes, flashBase, flashKb } = board.variant;
  for (let offset = 0; offset < flashKb * 1024; offset += sectorBytes) {
    if (board.flash.subarray(offset, offset + sectorBytes).every((byte) => byte === 0xff)) return flashBase + offset;
  }
  return flashBase + flashKb * 1024;
}

/** A message with anything unprintable replaced, cut to one line. */
function printable(text: string): string {
  const line = text.split("\n")[0].replace(/[^\x20-\x7e]/g, "?");
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/** A part the board commands drive: a virtual board, or a real one behind a debug probe (gdb-board.ts). */
export interface PartTarget {
  /** What names the part in messages and drawings: the board file, or HOST:PORT. */
  readonly label: string;
  readonly session: Session<ResetCounting>;
  readonly variant: Pick<DeviceVariant, "flashBase" | "flashKb" | "sectorBytes">;
  /** Regions only a simulated part knows (the stack's extent, its NVM section); absent on a real one. */
  cpu2Regions?(): { stack?: { start: number; end: number; type: number }; nvm?: { start: number; end: number } };
  /** Writes back what survives on a real part: flash, option bytes, CPU2's own state. */
  save(): void;
  /** CPU1's view of its flash [start, end) (below SFSA, where CPU1 may read on silicon). */
  readFlash(start: number, end: number): Uint8Array;
  /**
   * First address after the CPU1 application: the first erased sector from the flash base (tier 2
   * programs the probe firmware there; a board only used on tier 1 has none, so this is the base).
   */
  applicationEnd(): number;
}

export interface VirtualBoardTarget extends PartTarget {
  readonly board: Board;
  readonly session: Session;
}

export function openVirtualBoard(path: string, tierName: TierName, onEvent: (event: SessionEvent) => void): VirtualBoardTarget {
  const board = readBoard(path);
  return virtualBoardTarget(board, tierName, onEvent, () => saveBoard(path, board), path);
}

/** A board held in memory (the demo's); `save` decides where, if anywhere, it goes. */
export function virtualBoardTarget(board: Board, tierName: TierName, onEvent: (event: SessionEvent) => void, save: () => void, path?: string): VirtualBoardTarget {
  const chip = new Stm32wb(board);
  const tier = tierName === "arm" ? new ArmTier(chip) : new WasmTier(chip);
  const session = new Session(chip, tier, onEvent);
  return {
    board, session, save, label: path ?? "board", variant: board.variant,
    cpu2Regions: () => ({
      stack: board.cpu2.stack ? { start: board.cpu2.stack.start, end: board.cpu2.stack.start + board.cpu2.stack.size, type: board.cpu2.stack.type } : undefined,
      nvm: board.cpu2.nvmSection ? { start: board.cpu2.nvmSection.start, end: board.cpu2.nvmSection.start + board.cpu2.nvmSection.bytes } : undefined,
    }),
    readFlash: (start, end) => board.flash.slice(board.offsetOf(start), board.offsetOf(end)),
    applicationEnd: () => firstErasedSector(board),
  };
}
