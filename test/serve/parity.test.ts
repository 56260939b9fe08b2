// Every board command gives the same result whichever target reaches the part: a virtual board file
// (--board, tier 1), the field loader on tier 2 behind `sim serve --pty --loader` (--port), and the
// probe firmware behind `sim serve --gdb` (--gdb). Three copies of one board run the same script
// of commands in lock step; each step's JSON result (without what names the target: tier, resets,
// port, the drawn flash map) or its error code must be equal. The script is a table over the board
// commands: a command without a step here fails the first test.
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { copyFileSync, rmSync, writeFileSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { boardCommands } from "../../cli/board-command.js";
import { Serve, createBoard, directory, file, fusImage, fusop, serveGdb, slowTests, stackImage, stopAllServes } from "./support.js";

afterAll(() => rmSync(directory, { recursive: true, force: true }));
afterEach(() => stopAllServes());

/** What names the target rather than the part. */
const TARGET_FIELDS = new Set(["ok", "tier", "resets", "port", "flashMap", "flashRegions"]);

interface Step {
  /** The command line after `fusop`, without the target. */
  argv: string[];
  /** The error code every target must give; undefined: every target must succeed. */
  refused?: string;
  /**
   * A different code over --port, where the loader cannot name it yet (assembly/loader/README.md
   * "Known gap": its preflight's refusal does not carry the image status).
   */
  portRefused?: string;
}

const appEnd = "0x08020000";
const key16 = "00112233445566778899aabbccddeeff";

/**
 * One step per board command at least (refusals included), in an order that gives each its
 * precondition: keys stored before they are loaded, an image staged before upgrade. FUS 2.2.0 on a
 * 1 MB WB55, no stack at first. Images go over the pty at its real speed: the steps that send one
 * (stage, install) are `slow` and run in `make test-slow` only.
 */
function script(): { command: string; step: Step; slow?: boolean }[] {
  const withStack = slowTests;
  const stack = file("stm32wb5x_BLE_Stack_full_fw.bin", stackImage("wb5x"));
  const olderFus = file("stm32wb5x_FUS_fw_1_2_0.bin", fusImage("1.2.0"));
  const authKey = file("pub.pem");
  writeFileSync(authKey, generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({ type: "spki", format: "pem" }));
  return [
    { command: "info", step: { argv: ["info"] } },
    { command: "state", step: { argv: ["state"] } },
    { command: "diagnose", step: { argv: ["diagnose", "--app-end", appEnd] } },
    { command: "erase", step: { argv: ["erase", "--range", "0x080C0000..0x080C2000", "--app-end", appEnd] } },
    { command: "erase", step: { argv: ["erase", "--range", "0x0800C000..0x0800D000", "--app-end", appEnd], refused: "ERASE_BELOW_APPLICATION_END" } },
    { command: "erase", step: { argv: ["erase", "--range", "0x080C0000..0x08100000", "--app-end", appEnd], refused: "ERASE_IN_SECURE_AREA" } },
    { command: "erase", step: { argv: ["erase", "--range", "0x080C0100..0x080C1000", "--app-end", appEnd], refused: "ERASE_NOT_SECTOR_ALIGNED" } },
    { command: "upgrade", step: { argv: ["upgrade"], refused: "NOTHING_STAGED" } },
    { command: "antirollback", step: { argv: ["antirollback"], refused: "ANTIROLLBACK_WITHOUT_STACK" } },
    { command: "user-key store", step: { argv: ["user-key", "store", "--type", "simple", "--key", key16] } },
    { command: "user-key store", step: { argv: ["user-key", "store", "--type", "encrypted", "--key", key16], refused: "INVALID_KEY_IV" } },
    { command: "user-key store", step: { argv: ["user-key", "store", "--type", "simple", "--key", "0011"], refused: "INVALID_KEY_SIZE" } },
    { command: "user-key load", step: { argv: ["user-key", "load", "1"] } },
    { command: "user-key unload", step: { argv: ["user-key", "unload", "1"] } },
    { command: "user-key lock", step: { argv: ["user-key", "lock", "1"] } },
    { command: "stage", step: { argv: ["stage", olderFus], refused: "FUS_DOWNGRADE", portRefused: "STAGED_IMAGE_REFUSED" }, slow: true },
    { command: "stage", step: { argv: ["stage", stack, "--at", "0x08080000"], refused: "STAGE_ADDRESS_NOT_PLANNED" }, slow: true },
    { command: "stage", step: { argv: ["stage", stack] }, slow: true },
    { command: "upgrade", step: { argv: ["upgrade"] }, slow: true },
    // Without the image steps no stack was installed: these are then refusals, as FUS would refuse them.
    { command: "start-ws", step: { argv: ["start-ws"], refused: withStack ? undefined : "NO_STACK_INSTALLED" } },
    { command: "start-fus", step: { argv: ["start-fus"] } },
    { command: "antirollback", step: { argv: ["antirollback"], refused: withStack ? undefined : "ANTIROLLBACK_WITHOUT_STACK" } },
    { command: "delete", step: { argv: ["delete"], refused: withStack ? undefined : "NO_STACK_INSTALLED" } },
    { command: "purge", step: { argv: ["purge"], refused: "NO_STACK_INSTALLED" } },
    { command: "install", step: { argv: ["install", stack, "--no-start"] }, slow: true },
    // Last: an authentication key makes FUS ask for customer-signed images from then on (fus-behaviour §1.12).
    { command: "auth-key update", step: { argv: ["auth-key", "update", authKey] } },
    { command: "auth-key lock", step: { argv: ["auth-key", "lock"] } },
  ];
}

function result(run: { stdout: string }): Record<string, unknown> {
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!);
}

/** A result as the part reports it: without what names the target. */
function comparable(run: { status: number; stdout: string; stderr: string }): Record<string, unknown> {
  const value = result(run);
  if (value.ok === false) return { refusedWith: (value.error as { code: string }).code, exit: run.status };
  return Object.fromEntries(Object.entries(value).filter(([key]) => !TARGET_FIELDS.has(key)));
}

describe("board commands: --board, --port and --gdb agree", () => {
  test("every board command has a parity step", () => {
    const covered = new Set(script().map((entry) => entry.command));
    const commands = boardCommands.map((spec) => spec.words.join(" "));
    expect(commands.filter((command) => !covered.has(command))).toEqual([]);
  });

  test(`each step gives the same result or the same refusal on all three targets${slowTests ? "" : " (steps sending images: make test-slow)"}`, async () => {
    const original = createBoard("--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0");
    // The loader's firmware goes into the board's flash when it is served: serve it once, so that
    // all three copies hold the same flash.
    const first = new Serve(original, "--loader");
    await first.ready();
    await first.stop();
    const boardCopy = file("board-copy.json");
    const gdbCopy = file("gdb-copy.json");
    copyFileSync(original, boardCopy);
    copyFileSync(original, gdbCopy);
    const serve = new Serve(original, "--loader");
    await serve.ready();
    const { port, server } = await serveGdb(gdbCopy);
    try {
      for (const { command, step, slow } of script()) {
        if (slow && !slowTests) continue;
        const viaBoard = fusop(...step.argv, "--board", boardCopy, "--json");
        const viaPort = fusop(...step.argv, "--port", serve.link, "--json");
        const viaGdb = fusop(...step.argv, "--gdb", `127.0.0.1:${port}`, "--json");
        const label = `${command}: ${step.argv.join(" ")}`;
        const expected = comparable(viaBoard);
        if (step.refused === undefined) expect(expected, `${label} on --board: ${viaBoard.stdout}`).not.toHaveProperty("refusedWith");
        else expect(expected, label).toMatchObject({ refusedWith: step.refused });
        const expectedOnPort = step.portRefused === undefined ? expected : { ...expected, refusedWith: step.portRefused };
        expect(comparable(viaPort), `${label} over --port: ${viaPort.stdout}`).toEqual(expectedOnPort);
        expect(comparable(viaGdb), `${label} over --gdb: ${viaGdb.stderr}`).toEqual(expected);
      }
    } finally {
      server.kill("SIGTERM");
    }
  }, 1_800_000);
});
