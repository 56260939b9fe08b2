// The field loader firmware on tier 2 (build/fw/stm32wb55xg/fusop-loader.elf on the firmware runner)
// behind `fusop sim serve --pty`, with Debian's lrzsz `sb` as the sender through the pty — the
// issue's "from a terminal" path. Virtual time follows wall time there, so these tests take as long
// as the transfers do at the line's speed (a few seconds each). Facts relied on: the FUS upgrade
// resets (fus-behaviour §1.7), the upgrade policy's refusals (fus-behaviour §1.4, §3.2, §4.3), and
// the install address from the footer (fus-behaviour §1.6).
import { afterAll, describe, expect, test } from "vitest";
import { rmSync } from "node:fs";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { Serve, Terminal, createBoard, directory, file, fusop, sendThroughPty } from "./support.js";

afterAll(() => rmSync(directory, { recursive: true, force: true }));

const fusImage = (version: string): Uint8Array =>
  buildImage({ kind: "fus", version: parseVersion(version), size: 24_464, family: "wb5x" });
const stackImage = (family: "wb5x" | "wb1x", size = 0x6000): Uint8Array =>
  buildImage({ kind: "stack", version: parseVersion("1.24.0"), size, family, format: "legacy", stackType: 0x01 });

/** What `sim show` reads back from a saved board. */
function shown(board: string): { fusVersion: string; stack: { version: string } | null } {
  const show = fusop("sim", "show", board, "--json");
  expect(show.status, show.stderr).toBe(0);
  return JSON.parse(show.stdout.trim().split("\n").at(-1)!);
}

describe("sim serve --pty: the loader on tier 2 with lrzsz sb through the pty", () => {
  test("from a fresh part: FUS 1.2.0 -> 2.2.0, then a BLE stack that ends running; each install ends in OK and the board is saved", async () => {
    const board = createBoard("--family", "wb5x", "--flash-kb", "1024", "--fus", "1.2.0");
    const serve = new Serve(board, "--loader");
    await serve.ready();
    let terminal = new Terminal(serve.link);
    try {
      expect(await terminal.command("info")).toMatch(/fus 1\.2\.0\r\n[\s\S]*stack none\r\nOK\r\n$/);

      const fus = await sendThroughPty(serve, terminal, "install", file("stm32wb5x_FUS_fw.bin", fusImage("2.2.0")));
      terminal = fus.terminal;
      expect(fus.sb.code, fus.sb.stderr).toBe(0);
      // The outcome comes after FUS's resets, unasked, with the versions read back.
      expect(fus.text).toContain("resume install");
      expect(fus.text).toMatch(/fus 2\.2\.0\r\nstack none\r\nOK\r\n$/);

      const stack = await sendThroughPty(serve, terminal, "install", file("stm32wb5x_BLE_Stack_full_fw.bin", stackImage("wb5x")));
      terminal = stack.terminal;
      expect(stack.sb.code, stack.sb.stderr).toBe(0);
      expect(stack.text).toMatch(/stack 1\.24\.0\r\nOK\r\n$/);

      // The install ends with the new stack running (start-ws would answer STACK_RUNNING).
      expect(await terminal.command("info")).toMatch(/cpu2 stack\r\n[\s\S]*OK\r\n$/);
    } finally {
      await terminal.close();
    }
    const stopped = await serve.stop("SIGINT");
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toContain("system reset");
    const saved = shown(board);
    expect(saved.fusVersion).toBe("2.2.0");
    expect(saved.stack?.version).toBe("1.24.0");
  }, 180_000);
});
