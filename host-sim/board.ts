// A virtual board: everything of one STM32WB that survives a reset and a power loss (flash, option
// bytes, CPU2's own non-volatile state). The chip model (host-sim/chip/stm32wb.ts) runs on top of
// one. Boards are saved as JSON board files (format in host-sim/README.md, "Board files").
import { readFileSync, writeFileSync } from "node:fs";
import {
  deviceVariant, defaultOptionBytes, fusVersionUnavailable, isFamily, nvmSectionStart, sectorsFor,
  NVM_SECTION_BYTES, type DeviceVariant, type Family,
} from "./chip/variants.js";
import type { OptionBytes } from "./chip/flash.js";
import { parseVersion, formatVersion } from "./versions.js";

export type StackFormat = "legacy" | "new";

export interface InstalledStack {
  /** Version word (cpu2-interface §3.4). */
  version: number;
  /** Stack type byte (cpu2-interface §3.4 "info stack"). */
  type: number;
  /** First flash address of the installed stack. */
  start: number;
  /** Size in bytes of the image it was installed from. */
  size: number;
  /** Legacy (magic 0x23372991) or new format (0xB10C8B99, needs the NVM section; fus-behaviour §2). */
  format: StackFormat;
}

export interface UserKey {
  index: number;
  /** 1 simple, 2 master, 3 encrypted with the master key (cpu2-interface §5.6). */
  type: number;
  /** Key bytes, hex. */
  key: string;
  /** 12-byte IV of an encrypted key, hex. */
  iv?: string;
}

/** What FUS verified and is installing, kept in its UFB across the resets of an install (fus-behaviour §1.7). */
export interface InstallJournal {
  operation: "stack" | "fus" | "safeboot";
  /** Next phase to run when FUS (or the temporary FUS copy) boots. */
  phase: string;
  image: {
    start: number;
    size: number;
    version: number;
    /** Stack type byte (stacks only). */
    stackType: number;
    format: StackFormat | null;
    /** The verified image: an interrupted phase runs again from it (README "install journal"). */
    data: Uint8Array;
  };
  /** Stack: final start. FUS: where the temporary copy runs from. Safeboot: final start. */
  target: number;
  /** The secure boundary before the install. */
  previousSecureStart: number;
  /** BLE NVM data FUSv2 moves out of a legacy stack into the new NVM section (seed §4.7.2). */
  nvmMigration: Uint8Array | null;
}

/** CPU2's own non-volatile state: what FUS keeps in its secure flash (UFB, CKS, secure option bytes). */
export interface Cpu2PersistentState {
  fusVersion: number;
  safebootVersion: number;
  stack: InstalledStack | null;
  /** FUSv2's 16 KB BLE NVM data section, once created by a new-format stack (fus-behaviour §2). */
  nvmSection: { start: number; bytes: number } | null;
  /** ACTIVATE_ANTIROLLBACK: irreversible; reference 0xFFFFFFFF when activated with no stack (§1.12). */
  antirollback: { active: boolean; reference: number };
  /** Customer authentication key for the double signature: raw P-256 public key X‖Y, hex (README). */
  authKey: { key: string | null; locked: boolean };
  /** User keys stored by FUS (customer key storage). */
  userKeys: UserKey[];
  /** Install in flight across resets. */
  journal: InstallJournal | null;
  /** What the next FUS_GET_STATE reports once (state, error), then FUS is idle (fus-behaviour §1.8). */
  report: { state: number; error: number } | null;
  /** CPU2 never speaks again: FUS V1.0.1 on a non-5xG part, Safeboot forced with FUS < V1.1.0. */
  locked: string | null;
}

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

export const BOARD_FILE_FORMAT = "fusop-board";
export const BOARD_FILE_VERSION = 1;

export class Board {
  readonly variant: DeviceVariant;
  readonly flash: Uint8Array;
  readonly optionBytes: OptionBytes;
  readonly cpu2: Cpu2PersistentState;
  readonly uid64: bigint;
  /** RTC backup registers BKP0R..BKP19R (backup domain: kept through system resets). */
  readonly backupRegisters: number[] = new Array<number>(20).fill(0);
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
    for (let offset = 0; offset < this.flash.length; offset += variant.sectorBytes) {
      const sector = this.flash.subarray(offset, offset + variant.sectorBytes);
      if (sector.some((b) => b !== 0xff)) sectors[hex(variant.flashBase + offset)] = Buffer.from(sector).toString("base64");
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

  static fromJSON(file: BoardFile): Board {
    if (file?.format !== BOARD_FILE_FORMAT) throw new Error("not a fusop board file");
    if (file.formatVersion !== BOARD_FILE_VERSION) throw new Error(`board file format version ${file.formatVersion} is not supported (expected ${BOARD_FILE_VERSION})`);
    if (!isFamily(file.family)) throw new Error(`board file: unknown family '${file.family}'`);
    const c = file.cpu2;
    // Build a bare board of the right kind, then put the saved state in place.
    const board = new Board({ family: file.family, flashKb: file.flashKb, fus: "2.2.0", uid64: BigInt(file.uid64) });
    Object.assign(board.optionBytes, file.optionBytes);
    const state = board.cpu2;
    state.fusVersion = parseVersionText(c.fusVersion);
    state.safebootVersion = parseVersionText(c.safebootVersion);
    state.stack = c.stack && { ...c.stack, version: parseVersionText(c.stack.version), start: Number(c.stack.start) };
    state.nvmSection = c.nvmSection && { start: Number(c.nvmSection.start), bytes: c.nvmSection.bytes };
    state.antirollback = { active: c.antirollback.active, reference: Number(c.antirollback.reference) >>> 0 };
    state.authKey = { ...c.authKey };
    state.userKeys = c.userKeys.map((k) => ({ ...k }));
    state.journal = c.journal && {
      ...c.journal, target: Number(c.journal.target), previousSecureStart: Number(c.journal.previousSecureStart),
      image: { ...c.journal.image, start: Number(c.journal.image.start), version: Number(c.journal.image.version) >>> 0,
        data: new Uint8Array(Buffer.from(c.journal.image.data, "base64")) },
      nvmMigration: c.journal.nvmMigration === null ? null : new Uint8Array(Buffer.from(c.journal.nvmMigration, "base64")),
    };
    state.report = c.report && { ...c.report };
    state.locked = c.locked;
    if (file.backup) {
      board.vbatKept = file.backup.vbatKept === true;
      file.backup.registers.forEach((value, i) => { if (i < board.backupRegisters.length) board.backupRegisters[i] = Number(value) >>> 0; });
    }
    board.flash.fill(0xff);
    if (file.flash.sectorBytes !== board.variant.sectorBytes) throw new Error("board file: sector size does not match the family");
    for (const [address, data] of Object.entries(file.flash.sectors)) {
      const bytes = Buffer.from(data, "base64");
      const offset = board.offsetOf(Number(address));
      if (offset < 0 || offset + bytes.length > board.flash.length) throw new Error(`board file: flash sector ${address} outside the part`);
      board.flash.set(bytes, offset);
    }
    return board;
  }
}

/** The JSON board file (README "Board files"). Addresses and version words are "0x…" strings. */
export interface BoardFile {
  format: string;
  formatVersion: number;
  family: string;
  flashKb: number;
  uid64: string;
  optionBytes: OptionBytes;
  cpu2: {
    fusVersion: string;
    safebootVersion: string;
    stack: (Omit<InstalledStack, "version" | "start"> & { version: string; start: string }) | null;
    nvmSection: { start: string; bytes: number } | null;
    antirollback: { active: boolean; reference: string };
    authKey: { key: string | null; locked: boolean };
    userKeys: UserKey[];
    journal: (Omit<InstallJournal, "target" | "previousSecureStart" | "image" | "nvmMigration"> & {
      target: string; previousSecureStart: string; nvmMigration: string | null;
      image: Omit<InstallJournal["image"], "start" | "version" | "data"> & { start: string; version: string; data: string };
    }) | null;
    report: { state: number; error: number } | null;
    locked: string | null;
  };
  flash: { sectorBytes: number; sectors: Record<string, string> };
  /** Backup domain (absent in older files: all zero, VBAT not kept). */
  backup?: { vbatKept: boolean; registers: string[] };
}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, "0")}`;
}

/** Version words are kept whole ("1.24.0 (0x01180003)") so the build nibbles survive a save. */
function versionText(word: number): string {
  return `${formatVersion(word)} (${hex(word)})`;
}

function parseVersionText(text: string): number {
  const word = /\((0x[0-9a-f]+)\)/i.exec(text);
  return word ? Number(word[1]) >>> 0 : parseVersion(text);
}

export function saveBoard(path: string, board: Board): void {
  writeFileSync(path, JSON.stringify(board.toJSON(), null, 1) + "\n");
}

export function loadBoard(path: string): Board {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw Object.assign(new Error(`cannot read board file ${path}: ${(error as Error).message}`), { code: "BOARD_UNREADABLE" });
  }
  try {
    return Board.fromJSON(JSON.parse(text) as BoardFile);
  } catch (error) {
    throw Object.assign(new Error(`${path}: ${(error as Error).message}`), { code: "BOARD_INVALID" });
  }
}
