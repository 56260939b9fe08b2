// Power loss on tier 2 while lrzsz `sb` sends an image through `fusop sim serve --pty`: the serve
// ends (SIGTERM saves the board as the power went: flash kept, SRAM gone) after sb counted a given
// number of 128-byte sectors, or just after sb's last block (the loader then plans and places the
// image); a new serve powers the part on. Each ends as assembly/loader/README.md "Power-loss
// safety" says: the journal's interrupted transfer is erased, FUS runs as before, the loader answers.
import { afterAll, describe, expect, test } from "vitest";
import { rmSync } from "node:fs";
import { loadBoard } from "../../host-sim/board.js";
import { Serve, Terminal, createBoard, directory, file, sb, shown, stackImage, slowTests, stopAllServes } from "./support.js";

afterAll(async () => {
  await stopAllServes();
  rmSync(directory, { recursive: true, force: true });
});

describe.runIf(slowTests)("sim serve --pty: power loss during an install through the pty", () => {
  // 8 KiB image: 64 sectors of 128 bytes (sb -k sends 1 KiB blocks, 8 sectors each).
  test.each([
    ["after the header and the first data block", 16],
    ["in the middle of the image", 40],
    ["after the last block, while the loader places the image", 64],
  ])("power lost %s: the transfer is erased at the next power-on, FUS and the loader answer", async (_when, sectors) => {
    const board = createBoard("--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0");
    const first = new Serve(board, "--loader");
    await first.ready();
    const terminal = new Terminal(first.link);
    terminal.type("install");
    await terminal.until(/C$/, 30);
    await terminal.close();
    let stopped: Promise<unknown> | undefined;
    await sb(first.link, file("stack.bin", stackImage("wb5x", 0x2000)), ["-k"], sectors, (child) => {
      stopped = first.stop();
      child.kill("SIGINT"); // the line is gone: sb gives up
    });
    await stopped;

    const second = new Serve(board);
    await second.ready();
    const console = new Terminal(second.link);
    try {
      // The power-on banner comes before anyone opened the line; ask for the state.
      expect(await console.command("info", 30)).toMatch(/cpu2 fus\r\nfus 2\.2\.0\r\n[\s\S]*stack none\r\nOK\r\n$/);
    } finally {
      await console.close();
    }
    expect((await second.stop()).code).toBe(0);
    const saved = shown(board);
    expect(saved.fusVersion).toBe("2.2.0");
    expect(saved.stack).toBeNull();
    // Nothing is left between the application slot (0x0800C000) and the secure area for FUS to find.
    const { flash, optionBytes } = loadBoard(board);
    expect(flash.subarray(0xc000, optionBytes.sfsa * 4096).every((byte) => byte === 0xff)).toBe(true);
  }, 120_000);
});
