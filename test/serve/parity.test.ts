// Every board command gives the same result whichever target reaches the part: a virtual board file
// (--board, tier 1), the field loader on tier 2 behind `sim serve --pty --loader` (--port), and the
// probe firmware behind `sim serve --gdb` (--gdb). Three copies of one board run the same script
// of commands in lock step; each step's JSON result (without what names the target: tier, resets,
// port, the drawn flash map) or its error code must be equal. The script is a table over the board
// commands: a command without a step here fails the first test.
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { copyFileSync, rmSync } from "node:fs";
import { boardCommands } from "../../cli/board-command.js";
import { Serve, createBoard, directory, file, fusop, serveGdb, slowTests, stopAllServes } from "./support.js";
import { comparable, expectParity, paritySteps } from "./parity-steps.js";

function result(run: { status: number; stdout: string }): Record<string, unknown> {
  return comparable(run.status, JSON.parse(run.stdout.trim().split("\n").at(-1)!));
}

afterAll(() => rmSync(directory, { recursive: true, force: true }));
afterEach(() => stopAllServes());

describe("board commands: --board, --port and --gdb agree", () => {
  test("every board command has a parity step", () => {
    const covered = new Set(paritySteps(true).map((entry) => entry.command));
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
      for (const { command, step, slow } of paritySteps(slowTests)) {
        if (slow && !slowTests) continue;
        const viaBoard = fusop(...step.argv, "--board", boardCopy, "--json");
        const viaPort = fusop(...step.argv, "--port", serve.link, "--json");
        const viaGdb = fusop(...step.argv, "--gdb", `127.0.0.1:${port}`, "--json");
        expectParity(`${command}: ${step.argv.join(" ")}`, step, result(viaBoard), { port: result(viaPort), gdb: result(viaGdb) });
      }
    } finally {
      server.kill("SIGTERM");
    }
  }, 1_800_000);
});
