// Refusals of the field loader on tier 2 behind `fusop sim serve --pty`, with lrzsz `sb` sending
// through the pty (support.ts): each ends with its code and leaves FUS and the installed stack as
// they were. Facts: the footer's magic and the install address (fus-behaviour §1.4, §1.6), the
// upgrade policy's downgrade refusal (fus-behaviour §3.2), another family's image (§4.3), flash
// writes only while CPU2 runs FUS (cpu2-interface §4.5).
import { afterAll, describe, expect, test } from "vitest";
import { rmSync } from "node:fs";
import { Serve, Terminal, createBoard, slowTests, stopAllServes, directory, expectStackKept, file, fusImage, sendThroughPty, stackImage } from "./support.js";

afterAll(async () => {
  await stopAllServes();
  rmSync(directory, { recursive: true, force: true });
});

describe.runIf(slowTests)("sim serve --pty: refusals through the pty", () => {
  test("refusals through the pty, each by its code, with FUS and the installed stack kept: damaged footer, another family, FUS downgrade, a file cut short, sb cancelled", async () => {
    const installed = file("stack.bin", stackImage("wb5x"));
    const board = createBoard("--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0", "--stack", installed);
    const serve = new Serve(board, "--loader");
    await serve.ready();
    let terminal = new Terminal(serve.link);
    const refused = async (name: string, bytes: Uint8Array, options: { interruptAfterSectors?: number } = {}): Promise<string> => {
      const sent = await sendThroughPty(serve, terminal, "install", file(name, bytes), options);
      terminal = sent.terminal;
      return sent.text;
    };
    try {
      await terminal.banner();
      // CPU1 writes flash only while CPU2 runs FUS (cpu2-interface §4.5): the stack makes way first.
      expect(await terminal.command("start-fus", 30)).toMatch(/OK\r\n$/);

      const damaged = stackImage("wb5x", 0x2000);
      damaged[damaged.length - 4] ^= 0xff; // the footer's magic word (fus-behaviour §1.4)
      expect(await refused("damaged.bin", damaged)).toMatch(/(^|\r\n)ERROR NO_IMAGE_STAGED install: [^\r]*\r\n$/);
      expect(await refused("wb1x-stack.bin", stackImage("wb1x", 0x2000))).toMatch(/(^|\r\n)ERROR STAGED_IMAGE_REFUSED install: [^\r]*\r\n$/);
      expect(await refused("fus-1.2.0.bin", fusImage("1.2.0"))).toMatch(/(^|\r\n)ERROR STAGED_IMAGE_REFUSED install: [^\r]*\r\n$/);
      // Cut short: its footer (at the end) never arrived, so no image is found where it lies.
      expect(await refused("cut.bin", stackImage("wb5x", 0x4000).subarray(0, 0x2000))).toMatch(/(^|\r\n)ERROR NO_IMAGE_STAGED install: [^\r]*\r\n$/);
      expect(await refused("cancelled.bin", stackImage("wb5x", 0x10000), { interruptAfterSectors: 40 })).toMatch(/ERROR TRANSFER_CANCELLED [^\r]*\r\n$/);
    } catch (error) {
      await terminal.close();
      throw error;
    }
    // Nothing installed was lost; the stack starts again.
    await expectStackKept(serve, terminal);
  }, 180_000);
});
