// The command line's conventions (README "The fusop command line"): --help on every command and
// subcommand, --version, options in any position and as --opt=value, one error format with named
// codes and documented exit codes, strict numbers, NDJSON events before the result with --json, and
// every board command checking its inputs before it touches the part (no CPU2 switch, no save).
import { describe, expect, test } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commands } from "../../cli/cli.js";
import { projectRoot } from "../../host-sim/paths.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { fusop } from "../support/cli.js";
import { helpPages, readmeTable, TABLE_END, TABLE_START } from "../support/readme-table.js";
import { tierNames } from "../support/tiers.js";

const directory = mkdtempSync(join(tmpdir(), "fusop-conventions-"));
const stackImage = () => buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x6000, family: "wb5x", format: "legacy", stackType: 1 });

async function newBoard(name: string, extra: string[] = []): Promise<string> {
  const path = join(directory, name);
  const created = await fusop(["sim", "create", path, "--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0", "--force", ...extra]);
  expect(created.code).toBe(0);
  return path;
}

describe("help and version", () => {
  test.each(commands.map((spec) => spec.words.join(" ")))("fusop %s --help exits 0 with the options, an example and the exit codes", async (words) => {
    for (const flag of ["--help", "-h"]) {
      const run = await fusop([...words.split(" "), flag]);
      expect(run.code).toBe(0);
      const text = run.out.join("\n");
      expect(text).toMatch(new RegExp(`^usage: fusop ${words}`));
      expect(text).toContain("example:\n  fusop ");
      expect(text).toContain("exit codes: 0 ok, 1 refused or failed, 2 usage error, 3 file or I/O error, 4 device not reachable");
    }
  });

  test("fusop --help, fusop help plan, and a group's --help exit 0", async () => {
    expect((await fusop(["--help"])).out.join("\n")).toContain("auth-key update FILE");
    expect((await fusop(["help", "plan"])).out[0]).toMatch(/^usage: fusop plan FILE\.\.\./);
    const group = await fusop(["user-key", "--help"]);
    expect(group.code).toBe(0);
    expect(group.out.join("\n")).toContain("usage: fusop user-key unload INDEX");
  });

  test("--version prints the package's version", async () => {
    const version = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")).version;
    expect(await fusop(["--version"])).toMatchObject({ code: 0, out: [`fusop ${version}`] });
  });

  test("the README's command table is what --help says", async () => {
    const readme = readFileSync(join(projectRoot, "README.md"), "utf8");
    let section = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END) + TABLE_END.length);
    const table = readmeTable(await helpPages());
    // `UPDATE_README=1 npx vitest run test/cli/conventions.test.ts` rewrites the table after a CLI change.
    if (process.env.UPDATE_README === "1" && section !== table) {
      writeFileSync(join(projectRoot, "README.md"), readme.replace(section, table));
      section = table;
    }
    expect(section).toBe(table);
    for (const option of ["--nvm", "--antirollback", "--antirollback-reference", "--flash-dump", "--no-start", "--range", "--svg"]) {
      expect(section).toContain(`\`${option}`);
    }
  });
});

describe("usage errors exit 2 in one format", () => {
  const cases: [string, string[], string][] = [
    ["no command", [], "USAGE_NO_COMMAND"],
    ["an unknown command", ["flash"], "USAGE_UNKNOWN_COMMAND"],
    ["an unknown subcommand", ["image", "eat", "x.bin"], "USAGE_UNKNOWN_COMMAND"],
    ["an unknown option", ["image", "inspect", "x.bin", "--colour"], "USAGE_UNKNOWN_OPTION"],
    ["a value option without its value", ["plan", "x.bin", "--family"], "USAGE_BAD_OPTION_VALUE"],
    ["a missing operand", ["image", "inspect"], "USAGE_MISSING_OPERAND"],
    ["an extra operand", ["sim", "show", "a.json", "b.json"], "USAGE_EXTRA_OPERAND"],
    ["a missing required option", ["plan", "x.bin", "--flash-kb", "1024", "--fus", "2.2.0"], "USAGE_MISSING_OPTION"],
    ["a malformed version", ["plan", "x.bin", "--family", "wb5x", "--flash-kb", "1024", "--fus", "two"], "USAGE_BAD_VERSION"],
    ["a value outside its choices", ["plan", "x.bin", "--family", "wb9x", "--flash-kb", "1024", "--fus", "2.2.0"], "USAGE_BAD_VALUE"],
  ];
  test.each(cases)("%s", async (_name, argv, code) => {
    const plain = await fusop(argv);
    expect(plain.code).toBe(2);
    expect(plain.out).toEqual([]);
    expect(plain.err).toHaveLength(1);
    expect(plain.err[0]).toMatch(new RegExp(`^fusop: error ${code}: \\S`));
    const json = await fusop([...argv, "--json"]);
    expect(json.code).toBe(2);
    expect(json.err).toEqual([]);
    expect(json.result).toMatchObject({ ok: false, error: { code, message: expect.any(String) } });
  });

  // Strict numbers (issue 12 M1): decimal or 0x hex only, everywhere a number is read.
  const numberPlaces: [string, (text: string) => string[]][] = [
    ["plan --flash-kb", (n) => ["plan", "x.bin", "--family", "wb5x", "--flash-kb", n, "--fus", "2.2.0"]],
    ["plan --app-end", (n) => ["plan", "x.bin", "--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0", "--app-end", n]],
    ["sim create --flash-kb", (n) => ["sim", "create", join(directory, "never.json"), "--family", "wb5x", "--flash-kb", n, "--fus", "2.2.0"]],
    ["image make --size", (n) => ["image", "make", "--kind", "fus", "--version", "2.2.0", "--family", "wb5x", "--size", n, "-o", join(directory, "never.bin")]],
    ["stage --at", (n) => ["stage", "x.bin", "--board", "b.json", "--at", n]],
    ["erase --range", (n) => ["erase", "--board", "b.json", "--app-end", "0x08020000", "--range", `${n}..0x080D0000`]],
    ["user-key load INDEX", (n) => ["user-key", "load", n, "--board", "b.json"]],
  ];
  const badNumbers = ["0b101", "1e3", "0x", "12abc", "-5", "", " 12", "0x1g"];
  test.each(numberPlaces)("%s refuses 0b101, 1e3, 0x, 12abc, -5 with USAGE_BAD_NUMBER", async (_place, argv) => {
    for (const text of badNumbers) {
      const run = await fusop([...argv(text), "--json"]);
      expect({ text, code: run.code, error: run.result.error.code }).toEqual({ text, code: 2, error: "USAGE_BAD_NUMBER" });
    }
  });

  test("numbers too large for their field are refused by name", async () => {
    const run = await fusop(["user-key", "load", "256", "--board", "b.json", "--json"]);
    expect(run).toMatchObject({ code: 2, result: { error: { code: "USAGE_NUMBER_TOO_LARGE" } } });
  });
});

describe("file errors exit 3 with a named code", () => {
  test("a missing image is FILE_NOT_FOUND, not ENOENT", async () => {
    const run = await fusop(["image", "inspect", join(directory, "missing.bin"), "--json"]);
    expect(run).toMatchObject({ code: 3, result: { ok: false, error: { code: "FILE_NOT_FOUND" } } });
    const board = await newBoard("missing-image.json");
    const stage = await fusop(["stage", join(directory, "missing.bin"), "--board", board]);
    expect(stage.code).toBe(3);
    expect(stage.err.at(-1)).toMatch(/^fusop: error FILE_NOT_FOUND: cannot read '.*missing\.bin': no such file; check the path$/);
  });

  test("a binary file passed as a board is BOARD_NOT_TEXT, and its bytes are not echoed", async () => {
    const binary = join(directory, "not-a-board.bin");
    writeFileSync(binary, Uint8Array.from({ length: 512 }, (_, index) => (index * 37) & 0xff));
    const run = await fusop(["info", "--board", binary]);
    expect(run.code).toBe(3);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(/^fusop: error BOARD_NOT_TEXT: .*not-a-board\.bin is not a board file: it holds binary data/);
    expect(run.err[0]).toMatch(/^[\x20-\x7e]*$/);
  });
});

describe("options in any position", () => {
  test("fusop info --board B, fusop --board B info and --board=B agree", async () => {
    const board = await newBoard("positions.json");
    const after = await fusop(["info", "--board", board, "--json"]);
    const before = await fusop(["--board", board, "--json", "info"]);
    const equals = await fusop(["--json", `--board=${board}`, "--tier=wasm", "info"]);
    expect(after.code).toBe(0);
    expect(before.result).toEqual(after.result);
    expect(equals.result).toEqual(after.result);
  });

  test("--family=wb5x works like --family wb5x", async () => {
    const path = join(directory, "equals.json");
    expect((await fusop(["sim", "create", path, "--family=wb5x", "--flash-kb=512", "--fus=2.2.0", "--json"])).result).toMatchObject({ ok: true, flashKb: 512 });
  });
});

describe.each(tierNames)("tier %s: inputs are checked before the part is touched (issue 12 B1)", (tier) => {
  /** A board with a stack running: any switch to FUS or save would change the file. */
  async function stackBoard(name: string): Promise<string> {
    const stack = join(directory, `running-${tier}.bin`);
    writeFileSync(stack, stackImage());
    return newBoard(`${name}-${tier}.json`, ["--stack", stack]);
  }

  const empty = join(directory, "empty.bin");
  const notAnImage = join(directory, "junk.bin");
  const cases: [string, (board: string) => string[], string, number][] = [
    ["stage an empty file", (b) => ["stage", empty, "--board", b], "FILE_EMPTY", 3],
    ["stage a missing file", (b) => ["stage", join(directory, "nope.bin"), "--board", b], "FILE_NOT_FOUND", 3],
    ["stage a file that is no image", (b) => ["stage", notAnImage, "--board", b], "IMAGE_NOT_SIGNED", 1],
    ["stage with a malformed --at", (b) => ["stage", notAnImage, "--at", "0b1", "--board", b], "USAGE_BAD_NUMBER", 2],
    ["auth-key update with a missing key file", (b) => ["auth-key", "update", join(directory, "nope.key"), "--board", b], "FILE_NOT_FOUND", 3],
    ["auth-key update with a key file of the wrong format", (b) => ["auth-key", "update", notAnImage, "--board", b], "AUTH_KEY_FORMAT", 1],
    ["upgrade with nothing staged", (b) => ["upgrade", "--board", b], "NOTHING_STAGED", 1],
    ["user-key store with a malformed key", (b) => ["user-key", "store", "--type", "simple", "--key", "xyz", "--board", b], "USAGE_BAD_HEX", 2],
    ["install a file that is no image", (b) => ["install", notAnImage, "--board", b], "IMAGE_NOT_SIGNED", 1],
    ["erase with a malformed range", (b) => ["erase", "--range", "0x080C0000-0x080D0000", "--board", b], "USAGE_BAD_RANGE", 2],
  ];
  test.each(cases)("%s: refused by name, the board file is left as it was and the stack keeps running", async (name, argv, code, exit) => {
    writeFileSync(empty, new Uint8Array(0));
    writeFileSync(notAnImage, new Uint8Array(4096).fill(0x5a));
    const board = await stackBoard(name.replace(/\W+/g, "-"));
    const before = readFileSync(board, "utf8");
    const run = await fusop([...argv(board), "--tier", tier, "--json"]);
    expect({ code: run.code, error: run.result.error.code }).toEqual({ code: exit, error: code });
    expect(run.out.filter((line) => line.includes('"event"'))).toEqual([]);
    expect(readFileSync(board, "utf8")).toBe(before);
    expect((await fusop(["state", "--board", board, "--tier", tier, "--json"])).result).toMatchObject({ mode: "stack" });
  });
});

describe("events stream before the result", () => {
  test("--json: NDJSON events on stdout, then the result; also on failure", async () => {
    const board = await newBoard("events.json");
    const image = join(directory, "events-stack.bin");
    writeFileSync(image, stackImage());
    const done = await fusop(["install", image, "--board", board, "--json"]);
    expect(done.code).toBe(0);
    const lines = done.out.map((line) => JSON.parse(line));
    expect(lines.at(-1)).toMatchObject({ ok: true, stackVersion: "1.24.0" });
    const events = lines.slice(0, -1);
    expect(events.length).toBeGreaterThan(3);
    for (const event of events) expect(event).toHaveProperty("event");
    expect(events.map((event) => event.event)).toEqual(expect.arrayContaining(["boot", "stage", "upgrade", "reset", "state"]));
    expect(done.err).toEqual([]);

    // Anti-rollback with the stack installed is allowed; staging an older stack afterwards is refused.
    const failed = await fusop(["delete", "--board", board, "--json"]);
    expect(failed.code).toBe(0);
    const again = await fusop(["delete", "--board", board, "--json"]);
    const againLines = again.out.map((line) => JSON.parse(line));
    expect(again.code).toBe(1);
    expect(againLines.at(-1)).toMatchObject({ ok: false, error: { code: "NO_STACK_INSTALLED" } });
    expect(againLines.slice(0, -1).map((event) => event.event)).toContain("boot");
  });

  test("without --json, progress goes to stderr and the result to stdout", async () => {
    const board = await newBoard("plain.json");
    const run = await fusop(["start-fus", "--board", board]);
    expect(run.code).toBe(0);
    expect(run.err).toContain("CPU2 ready: FUS");
    expect(run.out.join("\n")).toContain("mode: fus");
  });
});
