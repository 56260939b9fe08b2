// A virtual board with the field loader in CPU1's flash, as a programmer leaves it: the sectors the
// loader's ELF covers are erased and programmed (STM32CubeProgrammer and st-flash erase the sectors
// a file touches, nothing else), so the loader's journal page and the application slot above it keep
// what they held. The loader built for the board's part is build/fw/<variant>/fusop-loader.elf
// (host-sim/paths.ts loaderElfPathFor); another build (console options) may be named instead.
import { readFileSync } from "node:fs";
import type { Board } from "../board.js";
import { loaderElfPathFor } from "../paths.js";
import { firmwareChunks, programChunks } from "../tiers/firmware-image.js";

/**
 * Bytes from the flash base that hold the loader's code (assembly/loader/README.md "Flash layout":
 * 0x08000000–0x0800AFFF; its journal page starts at 0x0800B000). Tier 2 maps them as plain
 * read-only memory; everything above goes through the FLASH model, which the loader programs.
 */
export const LOADER_CODE_BYTES = 0xb000;

export class LoaderImageError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Programs the loader built for the board's part (or `elfPath`) into its flash; returns the ELF's path. */
export function flashLoader(board: Board, elfPath = loaderElfPathFor(board.variant.family, board.variant.flashKb)): string {
  let file: Uint8Array;
  try {
    file = new Uint8Array(readFileSync(elfPath));
  } catch {
    throw new LoaderImageError("LOADER_NOT_BUILT", `${elfPath} is missing: build the loader firmware first (make)`);
  }
  const chunks = firmwareChunks(file, elfPath);
  const { flashBase, sectorBytes } = board.variant;
  const end = Math.max(...chunks.map(({ address, data }) => address + data.length)) - flashBase;
  if (end > LOADER_CODE_BYTES) {
    throw new LoaderImageError("LOADER_TOO_LARGE", `${elfPath} reaches 0x${(flashBase + end).toString(16)}, into the loader's journal page`);
  }
  board.flash.fill(0xff, 0, Math.ceil(end / sectorBytes) * sectorBytes);
  programChunks(board, chunks);
  return elfPath;
}
