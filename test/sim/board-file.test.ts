// Board files: everything that survives a reset, saved and loaded (README "Board files").
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Board, BoardFileError, saveBoard, loadBoard, serializeBoard, parseStrictInteger, type BoardFile } from "../../host-sim/board.js";
import { writeFileAtomically } from "../../host-sim/board-file.js";
import { SeededRandom } from "../../host-sim/faults.js";
import { projectRoot } from "../../host-sim/paths.js";
import { Stm32wb } from "../../host-sim/chip/stm32wb.js";
import { Operator } from "../../host-sim/operator.js";
import { createTier, tierNames } from "../support/tiers.js";
import { Cpu1Driver } from "./support/cpu1.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { expectSameBytes } from "../support/bytes.js";

describe("board files", () => {
  it("round-trips flash, option bytes and CPU2 state, including an install in flight", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 1, size: 129_460, format: "new" } });
    driver.boot();
    driver.command(0xfc58, [1, 16, ...new Array(16).fill(7)]);
    driver.enterFus();
    driver.command(0xfc5f);
    driver.stage(0x080a_0000, buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.24.1"), size: 129_460, format: "new" }));
    driver.command(0xfc54);
    driver.waitForReset(); // verified: the journal holds the image
    const board = driver.board;
    expect(board.cpu2.journal).not.toBeNull();
    const path = join(mkdtempSync(join(tmpdir(), "fusop-board-")), "b.json");
    saveBoard(path, board);
    const text = JSON.parse(readFileSync(path, "utf8"));
    expect(text).toMatchObject({ format: "fusop-board", formatVersion: 1, family: "wb5x", flashKb: 1024 });
    expect(text.cpu2.fusVersion).toBe("2.2.0 (0x02020000)");
    const loaded = loadBoard(path);
    expect(loaded.toJSON()).toEqual(board.toJSON());
    expectSameBytes(loaded.flash, board.flash);
    expectSameBytes(loaded.cpu2.journal!.image.data, board.cpu2.journal!.image.data);

    // The loaded board continues the install where the saved one stopped.
    const resumed = new Cpu1Driver(new (driver.chip.constructor as typeof import("../../host-sim/chip/stm32wb.js").Stm32wb)(loaded));
    expect(resumed.boot()).toBe(0x01);
    expect(resumed.followResets()).toBe(0x00);
    expect(loaded.cpu2.stack?.version).toBe(parseVersion("1.24.1"));
  });

  it("refuses files that are not board files, and unknown format versions", () => {
    const board = new Board({ family: "wb1x", flashKb: 320, fus: "2.2.0" });
    expect(() => Board.fromJSON({ ...board.toJSON(), format: "other" })).toThrow(/not a fusop board/);
    expect(() => Board.fromJSON({ ...board.toJSON(), formatVersion: 99 })).toThrow(/version 99/);
    expect(codeOf(() => Board.fromJSON({ ...board.toJSON(), formatVersion: 99 }))).toBe("BOARD_FORMAT_UNSUPPORTED");
    expect(codeOf(() => Board.fromJSON([1, 2]))).toBe("BOARD_NOT_FUSOP");
  });
});

const directory = mkdtempSync(join(tmpdir(), "fusop-board-file-"));

/** Every project file `file` imports, directly or through others (static imports, types included). */
function importsOf(file: string, seen = new Set<string>()): Set<string> {
  for (const [, specifier] of readFileSync(file, "utf8").matchAll(/from "(\.[^"]+)\.js"/g)) {
    const target = join(dirname(file), `${specifier}.ts`);
    if (!seen.has(target) && existsSync(target)) {
      seen.add(target);
      importsOf(target, seen);
    }
  }
  return seen;
}

describe("the board's persistent-state types live in one module", () => {
  it("board.ts does not reach chip/flash.ts, so the two no longer import each other (issue 14 item 5)", () => {
    const hostSim = join(projectRoot, "host-sim");
    const reached = importsOf(join(hostSim, "board.ts"));
    expect(reached).toContain(join(hostSim, "board-state.ts"));
    expect(reached).not.toContain(join(hostSim, "chip", "flash.ts"));
    expect(importsOf(join(hostSim, "chip", "flash.ts"))).toContain(join(hostSim, "board-state.ts"));
  });
});

/** The error a call throws: its class, code and field; a TypeError here is the bug M1 describes. */
function failure(run: () => unknown): { type: string; code?: string; field?: string; message: string } {
  try {
    run();
  } catch (error) {
    const { code, field } = error as BoardFileError;
    return { type: (error as Error).constructor.name, code, field, message: (error as Error).message };
  }
  return { type: "none", message: "" };
}

function codeOf(run: () => unknown): string | undefined {
  return failure(run).code;
}

/** A saved board (WB5x with a stack and an install in flight) as plain JSON, to be damaged by a test. */
function savedJson(): BoardFile & Record<string, unknown> {
  const board = new Board({ family: "wb5x", flashKb: 512, fus: "2.2.0", stack: { version: "1.23.0", type: 1, size: 0x6000 } });
  const image = buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.24.0"), size: 0x3000 });
  board.cpu2.journal = {
    operation: "stack", phase: "install", target: 0x0807_0000, previousSecureStart: 0x0807_a000, nvmMigration: null,
    image: { start: 0x0806_0000, size: image.length, version: parseVersion("1.24.0"), stackType: 1, format: "legacy", data: image },
  };
  board.cpu2.userKeys.push({ index: 1, type: 1, key: "00".repeat(16) });
  return JSON.parse(serializeBoard(board));
}

/** `savedJson()` with `change` applied to a copy. */
function damaged(change: (file: any) => void): unknown {
  const file = savedJson();
  change(file);
  return file;
}

describe("board files: schema check on load (M1)", () => {
  it("the unchanged saved board loads and round-trips byte for byte", () => {
    const file = savedJson();
    expect(JSON.parse(serializeBoard(Board.fromJSON(file)))).toEqual(file);
  });

  it.each([
    ["optionBytes.sbrv", (f: any) => (f.optionBytes.sbrv = "abc"), /0 to 262143/],
    ["optionBytes.sfsa", (f: any) => (f.optionBytes.sfsa = 300), /0 to 255/],
    ["optionBytes.sfsa", (f: any) => (f.optionBytes.sfsa = 1.5), /integer/],
    ["optionBytes.fsd", (f: any) => (f.optionBytes.fsd = "no"), /true or false/],
    ["optionBytes.optr", (f: any) => delete f.optionBytes.optr, /present/],
    ["optionBytes.extra", (f: any) => (f.optionBytes.extra = 1), /absent/],
    ["family", (f: any) => (f.family = "wb9x"), /wb5x/],
    ["flashKb", (f: any) => (f.flashKb = 300), /1024, 640, 512, 256/],
    ["uid64", (f: any) => (f.uid64 = 12), /hex string/],
    ["cpu2.fusVersion", (f: any) => (f.cpu2.fusVersion = "abc"), /X\.Y\.Z/],
    ["cpu2.safebootVersion", (f: any) => (f.cpu2.safebootVersion = "2.0.1 (0x01000000)"), /matches/],
    ["cpu2.stack.start", (f: any) => (f.cpu2.stack.start = "0b101"), /hex string/],
    ["cpu2.stack.start", (f: any) => (f.cpu2.stack.start = "1e3"), /hex string/],
    ["cpu2.stack.start", (f: any) => (f.cpu2.stack.start = "0x08070800"), /sector address/],
    ["cpu2.stack.start", (f: any) => (f.cpu2.stack.start = "0x20000000"), /sector address/],
    ["cpu2.stack.format", (f: any) => (f.cpu2.stack.format = "newest"), /"legacy", "new"/],
    ["cpu2.antirollback.reference", (f: any) => (f.cpu2.antirollback.reference = "0x1ffffffff"), /32-bit/],
    ["cpu2.userKeys[0].key", (f: any) => (f.cpu2.userKeys[0].key = "zz"), /hex text/],
    ["cpu2.userKeys", (f: any) => (f.cpu2.userKeys = {}), /array/],
    ["cpu2.report.state", (f: any) => (f.cpu2.report = { state: -1, error: 0 }), /0 to 255/],
    ["flash.sectorBytes", (f: any) => (f.flash.sectorBytes = 2048), /4096/],
    ["flash.sectors[\"0x08100000\"] (address)", (f: any) => (f.flash.sectors["0x08100000"] = "AAAA"), /sector address/],
  ])("%s: a bad value is BOARD_FIELD_INVALID naming the field and what it must be", (field, change, expected) => {
    const result = failure(() => Board.fromJSON(damaged(change)));
    expect(result).toMatchObject({ type: "BoardFileError", code: "BOARD_FIELD_INVALID", field });
    expect(result.message).toMatch(expected);
  });

  it("a flash sector whose base64 is damaged or short is refused", () => {
    const key = (f: any) => Object.keys(f.flash.sectors)[0];
    expect(codeOf(() => Board.fromJSON(damaged((f) => (f.flash.sectors[key(f)] = "!!!!"))))).toBe("BOARD_FIELD_INVALID");
    expect(failure(() => Board.fromJSON(damaged((f) => (f.flash.sectors[key(f)] = "AAAA"))))).toMatchObject({ code: "BOARD_FIELD_INVALID" });
  });

  it.each([
    ["cpu2.journal", (f: any) => (f.cpu2.journal = 5)],
    ["cpu2.journal.image", (f: any) => delete f.cpu2.journal.image],
    ["cpu2.journal.image.data", (f: any) => (f.cpu2.journal.image.data = 12)],
    ["cpu2.journal.image.data", (f: any) => (f.cpu2.journal.image.data = "AAAA")],
    ["cpu2.journal.phase", (f: any) => (f.cpu2.journal.phase = "relocate")],
    ["cpu2.journal.target", (f: any) => (f.cpu2.journal.target = null)],
    ["cpu2.journal.nvmMigration", (f: any) => (f.cpu2.journal.nvmMigration = [])],
    ["cpu2.journal.image.version", (f: any) => (f.cpu2.journal.image.version = "1e3")],
  ])("a hand-edited journal (%s) is BOARD_JOURNAL_INVALID, never a TypeError", (field, change) => {
    expect(failure(() => Board.fromJSON(damaged(change)))).toMatchObject({ type: "BoardFileError", code: "BOARD_JOURNAL_INVALID", field });
  });

  it("a binary file, an empty file and broken JSON are named errors that do not echo the content", () => {
    const binary = join(directory, "binary.json");
    const garbage = new Uint8Array(600);
    new SeededRandom(7).fill(garbage);
    garbage.set(Buffer.from("\u0007\u001b[2J"), 10);
    writeFileSync(binary, garbage);
    const notText = failure(() => loadBoard(binary));
    expect(notText).toMatchObject({ code: "BOARD_NOT_TEXT" });
    expect(notText.message).toMatch(/^[\x20-\x7e]*$/);
    expect(notText.message).toContain("600 bytes");

    const empty = join(directory, "empty.json");
    writeFileSync(empty, "");
    expect(failure(() => loadBoard(empty))).toMatchObject({ code: "BOARD_EMPTY" });

    const broken = join(directory, "broken.json");
    writeFileSync(broken, '{"format": "fusop-board", "secret-looking-content": ');
    const notJson = failure(() => loadBoard(broken));
    expect(notJson.code).toBe("BOARD_NOT_JSON");
    expect(notJson.message).not.toContain("secret-looking-content");

    expect(failure(() => loadBoard(join(directory, "missing.json")))).toMatchObject({ code: "BOARD_UNREADABLE" });
  });

  it("a bad field read from a file names the file too", () => {
    const path = join(directory, "bad-sfsa.json");
    writeFileSync(path, JSON.stringify(damaged((f) => (f.optionBytes.sfsa = 300))));
    const result = failure(() => loadBoard(path));
    expect(result).toMatchObject({ code: "BOARD_FIELD_INVALID", field: "optionBytes.sfsa" });
    expect(result.message.startsWith(`${path}: `)).toBe(true);
  });

  it("numbers are decimal or 0x hex only", () => {
    expect(["0x1F", "31", "0", "0x0"].map(parseStrictInteger)).toEqual([31, 31, 0, 0]);
    expect(["0b101", "1e3", "0o7", "+5", " 5", "5.0", "", "0x", "-1", "0x1_0", "99999999999999999999"].map(parseStrictInteger))
      .toEqual(new Array(11).fill(null));
  });
});

describe("board files: saved crash-safely, only when something changed (C1)", () => {
  it("loading and saving an unchanged board does not rewrite the file; a change does, by rename", () => {
    const path = join(directory, "unchanged.json");
    const board = new Board({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    expect(saveBoard(path, board)).toBe(true);
    const before = statSync(path);
    const loaded = loadBoard(path);
    expect(saveBoard(path, loaded)).toBe(false);
    expect(statSync(path)).toMatchObject({ ino: before.ino, mtimeMs: before.mtimeMs });
    loaded.optionBytes.sbrv = 0x3d800;
    expect(saveBoard(path, loaded)).toBe(true);
    // A new inode: the new contents arrived by rename, not by rewriting the old file in place.
    expect(statSync(path).ino).not.toBe(before.ino);
    expect(saveBoard(path, loaded)).toBe(false);
    expect(loadBoard(path).optionBytes.sbrv).toBe(0x3d800);
  });

  it("a board reached through a symbolic link stays a link to a file with its permissions", () => {
    const target = join(directory, "real-board.json");
    const link = join(directory, "linked-board.json");
    saveBoard(target, new Board({ family: "wb5x", flashKb: 512, fus: "2.2.0" }));
    chmodSync(target, 0o600);
    symlinkSync(target, link);
    const board = loadBoard(link);
    board.optionBytes.optr = 0x3fff_e1ab;
    expect(saveBoard(link, board)).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(loadBoard(target).optionBytes.optr).toBe(0x3fff_e1ab);
  });

  it.each(tierNames)("tier %s: reading the part (boot, identify, device information, FUS state) changes nothing, so nothing is rewritten", (tier) => {
    const path = join(directory, `read-only-${tier}.json`);
    saveBoard(path, new Board({ family: "wb5x", flashKb: 1024, fus: "2.2.0" }));
    const readPart = (): boolean => {
      const board = loadBoard(path);
      const operator = new Operator(createTier(tier, new Stm32wb(board)));
      operator.bootCpu2();
      operator.identify();
      expect(operator.deviceInformation().fusVersion).toBe("2.2.0");
      expect(operator.fusGetState().stateName).toBe("FUS_STATE_IDLE");
      return saveBoard(path, board);
    };
    // Tier 2 programs the probe firmware into CPU1 flash on its first run, as a debug probe does:
    // that is a change and is saved. From then on reading the part changes nothing.
    expect(readPart()).toBe(tier === "arm");
    const before = statSync(path);
    expect(readPart()).toBe(false);
    expect(statSync(path)).toMatchObject({ ino: before.ino, mtimeMs: before.mtimeMs });
  });

  it("a save that dies after writing the temporary file leaves the old board intact and no temporary file", () => {
    const path = join(directory, "interrupted.json");
    saveBoard(path, new Board({ family: "wb1x", flashKb: 320, fus: "2.2.0" }));
    const old = readFileSync(path, "utf8");
    const changed = loadBoard(path);
    changed.flash.fill(0x00, 0, 0x800);
    const result = failure(() => writeFileAtomically(path, serializeBoard(changed), {
      beforeRename: (temporary) => {
        // The new bytes are complete in the temporary file; the crash comes before the rename.
        expect(readFileSync(temporary, "utf8")).toBe(serializeBoard(changed));
        throw new Error("simulated crash");
      },
    }));
    expect(result).toMatchObject({ code: "BOARD_UNWRITABLE" });
    expect(readFileSync(path, "utf8")).toBe(old);
    expect(readdirSync(directory).filter((name) => name.includes("interrupted.json."))).toEqual([]);
    expect(codeOf(() => saveBoard(join(directory, "no-such-directory", "b.json"), changed))).toBe("BOARD_UNWRITABLE");
  });

  it("a process killed while it saves a big board leaves a board that loads, old or new, never a torn one", async () => {
    const path = join(directory, "killed.json");
    const boardModule = join(projectRoot, "dist", "host-sim", "board.js");
    expect(existsSync(boardModule), "make all builds dist/").toBe(true);
    // Two 1 MB boards of random flash (about 1.4 MB of JSON each), saved in turn as fast as possible.
    const child = `
      const { Board, saveBoard } = await import(${JSON.stringify(boardModule)});
      const boards = [1, 2].map((seed) => {
        const board = new Board({ family: "wb5x", flashKb: 1024, fus: "2.2.0" });
        for (let i = 0; i < board.flash.length; i++) board.flash[i] = (Math.imul(i + seed, 2654435761) >>> 13) & 0xff;
        board.optionBytes.sbrv = seed;
        return board;
      });
      saveBoard(process.argv[1], boards[0]);
      process.stdout.write("ready\\n");
      for (let i = 0; ; i++) saveBoard(process.argv[1], boards[i % 2]);`;
    const delays = [0, 3, 7, 13, 29, 61];
    const seen = new Set<number>();
    for (const delay of delays) {
      await new Promise<void>((resolve, reject) => {
        const process = spawn("node", ["--input-type=module", "-e", child, path], { stdio: ["ignore", "pipe", "inherit"] });
        process.stdout.once("data", () => setTimeout(() => process.kill("SIGKILL"), delay));
        process.once("exit", (code, signal) => (signal === "SIGKILL" ? resolve() : reject(new Error(`child ended with ${code}`))));
      });
      const board = loadBoard(path);
      expect([1, 2]).toContain(board.optionBytes.sbrv);
      expect(board.flash[12345]).toBe((Math.imul(12345 + board.optionBytes.sbrv, 2654435761) >>> 13) & 0xff);
      seen.add(board.optionBytes.sbrv);
    }
    console.log(`killed ${delays.length} saving processes; every board loaded (versions seen: ${[...seen].join(", ")})`);
  });
});
