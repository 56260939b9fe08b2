// The board file on disk (host-sim/README.md "Board files"): the schema check that turns parsed
// JSON into board state, and the crash-safe write. Every bad input is a BoardFileError with a
// stable code, naming the field and what it must be; nothing here echoes binary content.
//
// Codes: BOARD_UNREADABLE (cannot read), BOARD_EMPTY (0 bytes), BOARD_NOT_TEXT (binary),
// BOARD_NOT_JSON, BOARD_NOT_FUSOP (no "format": "fusop-board"), BOARD_FORMAT_UNSUPPORTED
// (formatVersion), BOARD_FIELD_INVALID (a field), BOARD_JOURNAL_INVALID (a field of cpu2.journal),
// BOARD_UNWRITABLE (the save failed; the previous file is intact).
import { closeSync, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { deviceVariant, isFamily, type DeviceVariant, type Family } from "./chip/variants.js";
import type { Cpu2PersistentState, InstallJournal, InstallOperation, OptionBytes, StackFormat, UserKey } from "./board-state.js";
import { formatVersion } from "./versions.js";

export const BOARD_FILE_FORMAT = "fusop-board";
export const BOARD_FILE_VERSION = 1;

export class BoardFileError extends Error {
  constructor(readonly code: string, message: string, readonly field?: string) {
    super(message);
  }

  /** The same error, its message prefixed with the file it came from. */
  inFile(path: string): BoardFileError {
    return new BoardFileError(this.code, `${path}: ${this.message}`, this.field);
  }
}

/**
 * A non-negative integer written in decimal or 0x-hex, nothing else (no "0b101", "1e3", "0o7",
 * "+5", " 5", "5.0"); null when `text` is not one or is beyond 2^53.
 */
export function parseStrictInteger(text: string): number | null {
  if (/^0x[0-9a-f]+$/i.test(text)) {
    const value = parseInt(text.slice(2), 16);
    return Number.isSafeInteger(value) ? value : null;
  }
  if (/^[0-9]+$/.test(text)) {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : null;
  }
  return null;
}

export function hex(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, "0")}`;
}

/** Version words are kept whole ("1.24.0 (0x01180003)") so the build nibbles survive a save. */
export function versionText(word: number): string {
  return `${formatVersion(word)} (${hex(word)})`;
}

/** The file's bytes as text; a binary file or an empty one is refused by name, its content never shown. */
export function decodeBoardText(path: string, bytes: Uint8Array): string {
  if (bytes.length === 0) {
    throw new BoardFileError("BOARD_EMPTY", `${path} is empty (0 bytes): not a board file; create one with \`fusop sim create\``);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    text = "\0";
  }
  // JSON text has no control characters outside strings' escapes; NUL marks a binary file.
  if (/[\0-\x08\x0e-\x1f]/.test(text)) {
    throw new BoardFileError("BOARD_NOT_TEXT", `${path} is not a board file: it holds binary data (${bytes.length} bytes), not JSON text; create one with \`fusop sim create\``);
  }
  return text;
}

/** A value shown in a message: short, printable, JSON-quoted. */
function shown(value: unknown): string {
  if (value === undefined) return "missing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  if (!/^[\x20-\x7e]*$/.test(text)) return `a ${typeof value} with non-printable characters`;
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

type Json = unknown;

/** Reads fields under a path; `code` is what a bad field is reported as. */
class FieldReader {
  constructor(private readonly code: "BOARD_FIELD_INVALID" | "BOARD_JOURNAL_INVALID") {}

  fail(field: string, value: Json, expected: string): never {
    throw new BoardFileError(this.code, `board file field ${field} is ${shown(value)}; it must be ${expected}`, field);
  }

  /** An object with exactly these keys (optional ones may be absent); unknown keys are refused. */
  object(field: string, value: Json, required: string[], optional: string[] = []): Record<string, Json> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) this.fail(field, value, "an object");
    const record = value as Record<string, Json>;
    for (const key of required) if (!(key in record)) this.fail(`${field}.${key}`, undefined, "present");
    for (const key of Object.keys(record)) {
      if (!required.includes(key) && !optional.includes(key)) this.fail(`${field}.${key}`, record[key], `absent (not a field of ${field})`);
    }
    return record;
  }

  integer(field: string, value: Json, min: number, max: number): number {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, value, `an integer from ${min} to ${max}${max > 0xffff ? ` (0x${max.toString(16)})` : ""}`);
    }
    return value;
  }

  boolean(field: string, value: Json): boolean {
    if (typeof value !== "boolean") this.fail(field, value, "true or false");
    return value;
  }

  string(field: string, value: Json): string {
    if (typeof value !== "string") this.fail(field, value, "a string");
    return value;
  }

  oneOf<T extends string>(field: string, value: Json, choices: readonly T[]): T {
    if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) this.fail(field, value, `one of ${choices.map((c) => `"${c}"`).join(", ")}`);
    return value as T;
  }

  /** A 32-bit word written "0x…" (or decimal) in a string. */
  word(field: string, value: Json): number {
    const parsed = typeof value === "string" ? parseStrictInteger(value) : null;
    if (parsed === null || parsed > 0xffff_ffff) this.fail(field, value, 'a 32-bit value as a "0x…" hex string');
    return parsed;
  }

  /** A flash address of the part, inside its array, optionally on a sector boundary. */
  address(field: string, value: Json, variant: DeviceVariant, sectorAligned: boolean): number {
    const address = this.word(field, value);
    const end = variant.flashBase + variant.arrayBytes;
    if (address < variant.flashBase || address >= end || (sectorAligned && (address - variant.flashBase) % variant.sectorBytes !== 0)) {
      this.fail(field, value, `a${sectorAligned ? ` ${variant.sectorBytes}-byte sector` : "n"} address from ${hex(variant.flashBase)} below ${hex(end)}`);
    }
    return address;
  }

  /** "X.Y.Z (0xWORD)" as saved, or "X.Y.Z"; the word's top bytes must say X.Y.Z. */
  version(field: string, value: Json): number {
    const match = typeof value === "string" ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?: \((0x[0-9a-fA-F]{8})\))?$/.exec(value) : null;
    const parts = match ? match.slice(1, 4).map(Number) : [];
    if (!match || parts.some((part) => part > 255)) this.fail(field, value, 'a version "X.Y.Z (0xWORD)" (each part 0-255)');
    const word = match[4] ? parseInt(match[4].slice(2), 16) >>> 0 : ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8)) >>> 0;
    if (formatVersion(word) !== parts.join(".")) this.fail(field, value, `a version whose word matches X.Y.Z (${match[4]} is ${formatVersion(word)})`);
    return word;
  }

  base64(field: string, value: Json, bytes?: number): Uint8Array {
    if (typeof value !== "string" || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) this.fail(field, value, "base64 text");
    const decoded = new Uint8Array(Buffer.from(value, "base64"));
    if (bytes !== undefined && decoded.length !== bytes) this.fail(field, `${decoded.length} bytes`, `${bytes} bytes of base64`);
    return decoded;
  }

  hexBytes(field: string, value: Json, allowed: number[]): string {
    if (typeof value !== "string" || !/^([0-9a-fA-F]{2})*$/.test(value) || !allowed.includes(value.length / 2)) {
      this.fail(field, value, `hex text of ${allowed.join(" or ")} bytes`);
    }
    return value;
  }

  nullable<T>(value: Json, read: (value: Json) => T): T | null {
    return value === null ? null : read(value);
  }
}

/** Board state read from a file, checked field by field. */
export interface SavedBoard {
  family: Family;
  flashKb: number;
  uid64: bigint;
  optionBytes: OptionBytes;
  cpu2: Cpu2PersistentState;
  /** Non-erased sectors: byte offset in the flash array, and the sector's bytes. */
  sectors: { offset: number; bytes: Uint8Array }[];
  /** The RTC backup domain (absent in older files: registers zero, VBAT not kept). */
  backup: { vbatKept: boolean; registers: number[] };
}

/** RTC_BKP0R..BKP19R (RM0434 RTC/TAMP backup registers). */
export const BACKUP_REGISTER_COUNT = 20;

const FLASH_KB_BY_FAMILY: Record<Family, number[]> = { wb5x: [1024, 640, 512, 256], wb3x: [512, 256], wb1x: [320] };
const STACK_FORMATS: readonly StackFormat[] = ["legacy", "new"];
const PHASES: Record<InstallOperation, readonly string[]> = { stack: ["install"], safeboot: ["install"], fus: ["decrypt", "relocate"] };

function readOptionBytes(r: FieldReader, value: Json): OptionBytes {
  const ob = r.object("optionBytes", value, ["sfsa", "fsd", "dds", "sbrv", "c2opt", "sbrsa", "brsd", "snbrsa", "nbrsd", "ipccdba", "optr"]);
  // Field widths of SFR, SRRVR and IPCCBR (cpu2-interface §1.7).
  return {
    sfsa: r.integer("optionBytes.sfsa", ob.sfsa, 0, 0xff),
    fsd: r.boolean("optionBytes.fsd", ob.fsd),
    dds: r.boolean("optionBytes.dds", ob.dds),
    sbrv: r.integer("optionBytes.sbrv", ob.sbrv, 0, 0x3ffff),
    c2opt: r.boolean("optionBytes.c2opt", ob.c2opt),
    sbrsa: r.integer("optionBytes.sbrsa", ob.sbrsa, 0, 0x1f),
    brsd: r.boolean("optionBytes.brsd", ob.brsd),
    snbrsa: r.integer("optionBytes.snbrsa", ob.snbrsa, 0, 0x1f),
    nbrsd: r.boolean("optionBytes.nbrsd", ob.nbrsd),
    ipccdba: r.integer("optionBytes.ipccdba", ob.ipccdba, 0, 0x3fff),
    optr: r.integer("optionBytes.optr", ob.optr, 0, 0xffff_ffff),
  };
}

function readJournal(value: Json, variant: DeviceVariant): InstallJournal {
  const r: FieldReader = new FieldReader("BOARD_JOURNAL_INVALID");
  const j = r.object("cpu2.journal", value, ["operation", "phase", "image", "target", "previousSecureStart", "nvmMigration"]);
  const operation = r.oneOf("cpu2.journal.operation", j.operation, ["stack", "fus", "safeboot"] as const);
  const image = r.object("cpu2.journal.image", j.image, ["start", "size", "version", "stackType", "format", "data"]);
  const size = r.integer("cpu2.journal.image.size", image.size, 1, variant.arrayBytes);
  return {
    operation,
    phase: r.oneOf("cpu2.journal.phase", j.phase, PHASES[operation]),
    image: {
      start: r.address("cpu2.journal.image.start", image.start, variant, true),
      size,
      version: r.word("cpu2.journal.image.version", image.version),
      stackType: r.integer("cpu2.journal.image.stackType", image.stackType, 0, 0xff),
      format: r.nullable(image.format, (format) => r.oneOf("cpu2.journal.image.format", format, STACK_FORMATS)),
      data: r.base64("cpu2.journal.image.data", image.data, size),
    },
    target: r.address("cpu2.journal.target", j.target, variant, true),
    previousSecureStart: r.address("cpu2.journal.previousSecureStart", j.previousSecureStart, variant, true),
    nvmMigration: r.nullable(j.nvmMigration, (data) => r.base64("cpu2.journal.nvmMigration", data, variant.sectorBytes)),
  };
}

function readCpu2(r: FieldReader, value: Json, variant: DeviceVariant): Cpu2PersistentState {
  const c = r.object("cpu2", value, ["fusVersion", "safebootVersion", "stack", "nvmSection", "antirollback", "authKey", "userKeys", "journal", "report", "locked"]);
  const antirollback = r.object("cpu2.antirollback", c.antirollback, ["active", "reference"]);
  const authKey = r.object("cpu2.authKey", c.authKey, ["key", "locked"]);
  if (!Array.isArray(c.userKeys)) r.fail("cpu2.userKeys", c.userKeys, "an array");
  return {
    fusVersion: r.version("cpu2.fusVersion", c.fusVersion),
    safebootVersion: r.version("cpu2.safebootVersion", c.safebootVersion),
    stack: r.nullable(c.stack, (value) => {
      const stack = r.object("cpu2.stack", value, ["version", "type", "start", "size", "format"]);
      return {
        version: r.version("cpu2.stack.version", stack.version),
        type: r.integer("cpu2.stack.type", stack.type, 0, 0xff),
        start: r.address("cpu2.stack.start", stack.start, variant, true),
        size: r.integer("cpu2.stack.size", stack.size, 1, variant.arrayBytes),
        format: r.oneOf("cpu2.stack.format", stack.format, STACK_FORMATS),
      };
    }),
    nvmSection: r.nullable(c.nvmSection, (value) => {
      const nvm = r.object("cpu2.nvmSection", value, ["start", "bytes"]);
      return { start: r.address("cpu2.nvmSection.start", nvm.start, variant, true), bytes: r.integer("cpu2.nvmSection.bytes", nvm.bytes, 1, variant.arrayBytes) };
    }),
    antirollback: { active: r.boolean("cpu2.antirollback.active", antirollback.active), reference: r.word("cpu2.antirollback.reference", antirollback.reference) },
    // The authentication key is 1 to 64 bytes (cpu2-interface §5.6).
    authKey: {
      key: r.nullable(authKey.key, (key) => r.hexBytes("cpu2.authKey.key", key, Array.from({ length: 64 }, (_, i) => i + 1))),
      locked: r.boolean("cpu2.authKey.locked", authKey.locked),
    },
    userKeys: (c.userKeys as Json[]).map((value, index): UserKey => {
      const field = `cpu2.userKeys[${index}]`;
      const key = r.object(field, value, ["index", "type", "key"], ["iv"]);
      return {
        index: r.integer(`${field}.index`, key.index, 0, 0xff),
        type: r.integer(`${field}.type`, key.type, 1, 3),
        key: r.hexBytes(`${field}.key`, key.key, [16, 32]),
        ...("iv" in key ? { iv: r.hexBytes(`${field}.iv`, key.iv, [12]) } : {}),
      };
    }),
    journal: c.journal === null ? null : readJournal(c.journal, variant),
    report: r.nullable(c.report, (value) => {
      const report = r.object("cpu2.report", value, ["state", "error"]);
      return { state: r.integer("cpu2.report.state", report.state, 0, 0xff), error: r.integer("cpu2.report.error", report.error, 0, 0xff) };
    }),
    locked: r.nullable(c.locked, (value) => r.string("cpu2.locked", value)),
  };
}

/** Checks a parsed board file field by field and returns its state. */
export function readBoardFile(value: Json): SavedBoard {
  if (typeof value !== "object" || value === null || (value as { format?: unknown }).format !== BOARD_FILE_FORMAT) {
    throw new BoardFileError("BOARD_NOT_FUSOP", `not a fusop board file (no "format": "${BOARD_FILE_FORMAT}")`);
  }
  const file = value as Record<string, Json>;
  if (file.formatVersion !== BOARD_FILE_VERSION) {
    throw new BoardFileError("BOARD_FORMAT_UNSUPPORTED", `board file format version ${shown(file.formatVersion)} is not supported (expected ${BOARD_FILE_VERSION})`, "formatVersion");
  }
  const r: FieldReader = new FieldReader("BOARD_FIELD_INVALID");
  r.object("board file", file, ["format", "formatVersion", "family", "flashKb", "uid64", "optionBytes", "cpu2", "flash"], ["backup"]);
  const family = file.family;
  if (typeof family !== "string" || !isFamily(family)) r.fail("family", family, '"wb5x", "wb3x" or "wb1x"');
  const flashKb = file.flashKb;
  if (typeof flashKb !== "number" || !FLASH_KB_BY_FAMILY[family].includes(flashKb)) {
    r.fail("flashKb", flashKb, `one of ${FLASH_KB_BY_FAMILY[family].join(", ")} for ${family}`);
  }
  const variant = deviceVariant(family, flashKb);
  const uid64 = file.uid64;
  if (typeof uid64 !== "string" || !/^0x[0-9a-fA-F]{1,16}$/.test(uid64)) r.fail("uid64", uid64, 'a 64-bit value as a "0x…" hex string');
  const optionBytes = readOptionBytes(r, file.optionBytes);
  const cpu2 = readCpu2(r, file.cpu2, variant);
  const flash = r.object("flash", file.flash, ["sectorBytes", "sectors"]);
  if (flash.sectorBytes !== variant.sectorBytes) r.fail("flash.sectorBytes", flash.sectorBytes, `${variant.sectorBytes} (the sector size of ${family})`);
  const sectorRecord = r.object("flash.sectors", flash.sectors, [], Object.keys(flash.sectors ?? {}));
  const seen = new Set<number>();
  const sectors = Object.entries(sectorRecord).map(([key, data]) => {
    const field = `flash.sectors[${shown(key)}]`;
    const address = r.address(`${field} (address)`, key, variant, true);
    if (seen.has(address)) r.fail(`${field} (address)`, key, "listed once");
    seen.add(address);
    return { offset: address - variant.flashBase, bytes: r.base64(field, data, variant.sectorBytes) };
  });
  const backup = { vbatKept: false, registers: new Array<number>(BACKUP_REGISTER_COUNT).fill(0) };
  if (file.backup !== undefined) {
    const saved = r.object("backup", file.backup, ["vbatKept", "registers"]);
    backup.vbatKept = r.boolean("backup.vbatKept", saved.vbatKept);
    if (!Array.isArray(saved.registers) || saved.registers.length !== BACKUP_REGISTER_COUNT) {
      r.fail("backup.registers", saved.registers, `a list of ${BACKUP_REGISTER_COUNT} "0x…" words`);
    }
    saved.registers.forEach((value, index) => { backup.registers[index] = r.word(`backup.registers[${index}]`, value); });
  }
  return { family, flashKb, uid64: BigInt(uid64), optionBytes, cpu2, sectors, backup };
}

let temporaryCount = 0;

/** Test hook: runs between writing the temporary file and renaming it (simulates a crash there). */
export interface AtomicWriteHooks {
  beforeRename?: (temporaryPath: string) => void;
}

/**
 * Replaces `path` with `text` so that a crash at any moment leaves either the old file or the new
 * one, never a mix or an empty file: write a temporary file in the same directory, fsync it, rename
 * it over `path` (atomic on POSIX file systems), fsync the directory so the rename itself is durable.
 * A failure removes the temporary file and leaves `path` as it was.
 */
export function writeFileAtomically(requestedPath: string, text: string, hooks: AtomicWriteHooks = {}): void {
  // A board reached through a symbolic link is replaced where it lives, keeping the link and the
  // file's permissions.
  let path = requestedPath;
  let mode = 0o644;
  try {
    path = realpathSync(requestedPath);
    mode = statSync(path).mode & 0o777;
  } catch {
    // A new file.
  }
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${++temporaryCount}.tmp`);
  try {
    const descriptor = openSync(temporary, "wx", mode);
    try {
      const bytes = Buffer.from(text, "utf8");
      let written = 0;
      while (written < bytes.length) written += writeSync(descriptor, bytes, written, bytes.length - written);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    hooks.beforeRename?.(temporary);
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Never created, or already renamed.
    }
    throw new BoardFileError("BOARD_UNWRITABLE", `cannot save board file ${requestedPath}: ${(error as Error).message}; the previous file is unchanged`);
  }
  syncDirectory(directory);
}

function syncDirectory(directory: string): void {
  let descriptor: number;
  try {
    descriptor = openSync(directory, "r");
  } catch {
    return; // Some platforms cannot open a directory; the rename is still atomic.
  }
  try {
    fsyncSync(descriptor);
  } catch {
    // fsync on a directory is refused on some file systems; nothing more can be done.
  } finally {
    closeSync(descriptor);
  }
}
