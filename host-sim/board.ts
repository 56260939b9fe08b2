// A virtual board: everything of one STM32WB that survives a reset and a power loss (flash, option
// bytes, CPU2's own non-volatile state). The chip model (host-sim/chip/stm32wb.ts) runs on top of
// one. Boards are saved as JSON board files (format in host-sim/README.md, "Board files").
import { readFileSync } from "node:fs";
import {
  deviceVariant, defaultOptionBytes, fusVersionUnavailable, nvmSectionStart, sectorsFor,
  NVM_SECTION_BYTES, type DeviceVariant, type Family,
} from "./chip/variants.js";
import type {
  BoardFile, BoardState, Cpu2PersistentState, InstalledStack, OptionBytes, StackFormat,
} from "./board-state.js";
import { parseVersion, formatVersion } from "./versions.js";
import {
  BoardFileError, decodeBoardText, readBoardFile, writeFileAtomically, hex, versionText, BOARD_FILE_FORMAT, BOARD_FILE_VERSION,
  BACKUP_REGISTER_COUNT,
} from "./board-file.js";

export type {
  BoardFile, BoardState, Cpu2PersistentState, InstallJournal, InstalledStack, OptionBytes, StackFormat, UserKey,
} from "./board-state.js";
export { BoardFileError, parseStrictInteger, BOARD_FILE_FORMAT, BOARD_FILE_VERSION } from "./board-file.js";

export interface BoardConfig {
  family: Family;
  flashKb: number;
  fus: string;
  stack?: { version: string; type: number; size: number; format?: StackFormat; image?: Uint8Array } | null;
  /** FUSv2 NVM section present with no stack (after deleting a new-format stack). */
  nvmSection?: boolean;
  /** Safeboot version; by default the one that goes with the FUS (README "Safeboot versions"). */
  safeboot?: string;
  /** Anti-rollback activated (with the installed stack, if any, as reference). */
  antirollback?: boolean;
  /** SFSA/SBRV override, e.g. to model corrupted option bytes. */
  optionBytes?: Partial<OptionBytes>;
  uid64?: bigint;
  /** VBAT stays powered: the backup registers survive a power loss (README "What survives what"). */
  vbatKept?: boolean;
}

/** Safeboot that comes with a FUS [choice]: 1.0.0 before V1.1.0, V2.0.0 for V1.1.x/V1.2.0, V2.0.1 for FUSv2. */
export function defaultSafebootVersion(fusVersion: number): number {
  if (fusVersion >= parseVersion("2.0.0")) return parseVersion("2.0.1");
  if (fusVersion >= parseVersion("1.1.0")) return parseVersion("2.0.0");
  return parseVersion("1.0.0");
}


export class Board implements BoardState {
  readonly variant: DeviceVariant;
  readonly flash: Uint8Array;
  readonly optionBytes: OptionBytes;
  readonly cpu2: Cpu2PersistentState;
  readonly uid64: bigint;
  /** RTC backup registers BKP0R..BKP19R (backup domain: kept through system resets). */
  readonly backupRegisters: number[] = new Array<number>(BACKUP_REGISTER_COUNT).fill(0);
  /** VBAT kept: the backup domain survives a power loss too. */
  vbatKept: boolean;

  constructor(config: BoardConfig) {
    this.vbatKept = config.vbatKept === true;
    this.variant = deviceVariant(config.family, config.flashKb);
    const variant = this.variant;
    this.flash = new Uint8Array(variant.arrayBytes).fill(0xff);
    this.uid64 = config.uid64 ?? 0x0080_e115_0000_1234n;
    const unavailable = fusVersionUnavailable(variant, config.fus);
    if (unavailable) throw new Error(unavailable);
    const fusVersion = parseVersion(config.fus);
    let stack: InstalledStack | null = null;
    let nvm = config.nvmSection === true;
    if (config.stack) {
      const format = config.stack.format ?? "legacy";
      if (format === "new") {
        if (fusVersion < parseVersion("2.0.0")) throw new Error("new-format stacks need FUS 2.0.0 or later (\"FUS_v2 only\")");
        nvm = true;
      }
      const sectors = sectorsFor(variant, config.stack.size);
      // Where FUS puts a first install: T − n·S, or T − 16 KB − n·S for the new format (fus-behaviour §6.2).
      const top = format === "new" ? nvmSectionStart(variant) : variant.installTop;
      const start = top - sectors * variant.sectorBytes;
      if (start < variant.flashBase + variant.sectorBytes) throw new Error(`a ${config.stack.size}-byte stack does not fit this part`);
      stack = { version: parseVersion(config.stack.version), type: config.stack.type, start, size: config.stack.size, format };
      this.fillInstalled(start, config.stack.size, config.stack.image);
    }
    if (nvm && fusVersion < parseVersion("2.0.0")) throw new Error("the NVM section exists only with FUS 2.0.0 or later");
    this.cpu2 = {
      fusVersion,
      safebootVersion: config.safeboot ? parseVersion(config.safeboot) : defaultSafebootVersion(fusVersion),
      stack,
      nvmSection: nvm ? { start: nvmSectionStart(variant), bytes: NVM_SECTION_BYTES } : null,
      antirollback: { active: config.antirollback === true, reference: config.antirollback ? stack?.version ?? 0xffff_ffff : 0 },
      authKey: { key: null, locked: false },
      userKeys: [],
      journal: null,
      report: null,
      locked: null,
    };
    // A part with a stack runs it after reset; a bare part runs FUS (fus-behaviour §1.6 table).
    const { sfsa, sbrv } = defaultOptionBytes(variant, { fusVersion, stackStart: stack?.start ?? null, nvmSection: nvm }, true);
    this.optionBytes = {
      sfsa, fsd: false, dds: false, sbrv, c2opt: true, ...variant.secureSram, ipccdba: 0, optr: 0x3fff_e1aa,
      ...config.optionBytes,
    };
  }

  /** The installed (decrypted) stack as the model keeps it: the image bytes, or a fill pattern. */
  private fillInstalled(start: number, size: number, image?: Uint8Array): void {
    const offset = start - this.variant.flashBase;
    if (image) this.flash.set(image.subarray(0, size), offset);
    else for (let i = 0; i < size; i++) this.flash[offset + i] = (i * 131 + 7) & 0xff;
  }

  /**
   * Sets SFSA/SBRV to what FUS programs for the present situation (fus-behaviour §1.6): the secure
   * area from the stack, the NVM section or FUS; the boot on the stack (`runStack`) or on FUS.
   */
  applyDefaultOptionBytes(runStack: boolean): void {
    const state = this.cpu2;
    const ob = defaultOptionBytes(this.variant,
      { fusVersion: state.fusVersion, stackStart: state.stack?.start ?? null, nvmSection: state.nvmSection !== null }, runStack);
    this.optionBytes.sfsa = ob.sfsa;
    this.optionBytes.sbrv = ob.sbrv;
  }

  /** Byte offset in `flash` of an address. */
  offsetOf(address: number): number {
    return address - this.variant.flashBase;
  }

  toJSON(): BoardFile {
    const variant = this.variant;
    const sectors: Record<string, string> = {};
    const erased = Buffer.alloc(variant.sectorBytes, 0xff);
    for (let offset = 0; offset < this.flash.length; offset += variant.sectorBytes) {
      const sector = Buffer.from(this.flash.buffer, this.flash.byteOffset + offset, variant.sectorBytes);
      if (!sector.equals(erased)) sectors[hex(variant.flashBase + offset)] = sector.toString("base64");
    }
    const c = this.cpu2;
    return {
      format: BOARD_FILE_FORMAT,
      formatVersion: BOARD_FILE_VERSION,
      family: variant.family,
      flashKb: variant.flashKb,
      uid64: `0x${this.uid64.toString(16).padStart(16, "0")}`,
      optionBytes: { ...this.optionBytes },
      cpu2: {
        fusVersion: versionText(c.fusVersion),
        safebootVersion: versionText(c.safebootVersion),
        stack: c.stack && { ...c.stack, version: versionText(c.stack.version), start: hex(c.stack.start) },
        nvmSection: c.nvmSection && { start: hex(c.nvmSection.start), bytes: c.nvmSection.bytes },
        antirollback: { active: c.antirollback.active, reference: hex(c.antirollback.reference) },
        authKey: { ...c.authKey },
        userKeys: c.userKeys.map((k) => ({ ...k })),
        journal: c.journal && {
          ...c.journal, target: hex(c.journal.target), previousSecureStart: hex(c.journal.previousSecureStart),
          image: { ...c.journal.image, start: hex(c.journal.image.start), version: hex(c.journal.image.version),
            data: Buffer.from(c.journal.image.data).toString("base64") },
          nvmMigration: c.journal.nvmMigration && Buffer.from(c.journal.nvmMigration).toString("base64"),
        },
        report: c.report && { ...c.report },
        locked: c.locked,
      },
      flash: { sectorBytes: variant.sectorBytes, sectors },
      backup: { vbatKept: this.vbatKept, registers: this.backupRegisters.map(hex) },
    };
  }

  /**
   * A board from a parsed board file, every field checked first: a bad field is a BoardFileError
   * naming the field and what it must be (board-file.ts), never a TypeError.
   */
  static fromJSON(file: unknown): Board {
    const saved = readBoardFile(file);
    // Build a bare board of the right kind, then put the saved state in place.
    const board = new Board({ family: saved.family, flashKb: saved.flashKb, fus: "2.2.0", uid64: saved.uid64 });
    Object.assign(board.optionBytes, saved.optionBytes);
    Object.assign(board.cpu2, saved.cpu2);
    for (const { offset, bytes } of saved.sectors) board.flash.set(bytes, offset);
    board.vbatKept = saved.backup.vbatKept;
    board.backupRegisters.splice(0, board.backupRegisters.length, ...saved.backup.registers);
    return board;
  }
}

/** The exact bytes a board is saved as: the same state always gives the same text. */
export function serializeBoard(board: Board): string {
  return JSON.stringify(board.toJSON(), null, 1) + "\n";
}

/** What each board was last loaded from or saved to, byte for byte: the test for "nothing changed". */
const onDisk = new WeakMap<Board, { path: string; text: string }>();

/**
 * Saves a board crash-safely (board-file.ts: temporary file, fsync, rename, directory fsync), unless
 * the file already holds exactly these bytes because the board was loaded from (or saved to) this
 * path and nothing changed since. Returns whether the file was written.
 */
export function saveBoard(path: string, board: Board): boolean {
  const text = serializeBoard(board);
  const known = onDisk.get(board);
  if (known && known.path === path && known.text === text) return false;
  writeFileAtomically(path, text);
  onDisk.set(board, { path, text });
  return true;
}

/** Loads a board file; every failure is a BoardFileError with a stable code (board-file.ts). */
export function loadBoard(path: string): Board {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new BoardFileError("BOARD_UNREADABLE", `cannot read board file ${path}: ${(error as Error).message}`);
  }
  return boardFromBytes(bytes, path);
}

/** A board from a board file's bytes (`name` for messages); remembered as on disk at `name`. */
export function boardFromBytes(bytes: Uint8Array, name: string): Board {
  const text = decodeBoardText(name, bytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the text; say where it breaks instead of echoing the file.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new BoardFileError("BOARD_NOT_JSON", `${name} is not a board file: not valid JSON${position ? ` (syntax error at byte ${position})` : ""}; create one with \`fusop sim create\``);
  }
  try {
    const board = Board.fromJSON(parsed);
    onDisk.set(board, { path: name, text });
    return board;
  } catch (error) {
    if (error instanceof BoardFileError) throw error.inFile(name);
    throw error;
  }
}
