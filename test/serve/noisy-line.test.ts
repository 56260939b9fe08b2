// A noisy line between lrzsz `sb` and the field loader on tier 2 (`fusop sim serve --pty`): a byte
// relay (support.ts sbThroughNoisyLine) damages chosen YMODEM frames on their way — a data byte
// flipped, a CRC byte flipped, a byte dropped. The loader answers a damaged block NAK (a CRC or
// complement that does not match; a short block when its character timeout runs out), sb sends it
// again, and the install ends OK with the image's exact bytes where FUS installed it. A line so bad
// that one block exceeds the loader's retry limit (BLOCK_RETRIES, assembly/loader/ymodem.ts) ends
// with TRANSFER_TOO_MANY_ERRORS, the staging space erased, FUS and the installed stack kept, and
// the loader answering. Facts: CRC-16/XMODEM and NAK on a damaged block (YMODEM, README
// "YMODEM"); flash writes only while CPU2 runs FUS (cpu2-interface §4.5); the install address
// from the footer (fus-behaviour §1.6).
import { afterAll, describe, expect, test } from "vitest";
import { rmSync } from "node:fs";
import { loadBoard } from "../../host-sim/board.js";
import { Serve, Terminal, createBoard, directory, expectStackKept, file, sbThroughNoisyLine, shown, stackImage, stagingClean, stopAllServes, type LineNoise } from "./support.js";

afterAll(async () => {
  await stopAllServes();
  rmSync(directory, { recursive: true, force: true });
});

/** A copy of `frame` with byte `at` inverted. */
function flipped(frame: Uint8Array, at: number): Uint8Array {
  const copy = frame.slice();
  copy[at] ^= 0xff;
  return copy;
}

/** Frames 1 + 2 header bytes + data: a data byte sits at 3 + i, the CRC in the last two bytes. */
const DATA = 3;

describe("sim serve --pty: a noisy line between sb and the loader", () => {
  test("damaged blocks 2 (a data byte), 5 (the CRC) and 7 (a byte dropped) are NAKed and sent again; the stack installs with the image's exact bytes", async () => {
    const board = createBoard("--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0");
    const image = stackImage("wb5x", 0x2000);
    const serve = new Serve(board, "--loader");
    await serve.ready();
    const terminal = new Terminal(serve.link);
    terminal.type("install");
    await terminal.until(/C$/, 30); // the loader asks for the batch header
    await terminal.close();
    const damaged: string[] = [];
    const noise: LineNoise = (frame, block, attempt) => {
      if (attempt > 1) return frame;
      if (block === 2) return damaged.push("2: data byte"), flipped(frame, DATA + 100);
      if (block === 5) return damaged.push("5: CRC"), flipped(frame, frame.length - 1);
      if (block === 7) return damaged.push("7: byte dropped"), Uint8Array.of(...frame.subarray(0, 500), ...frame.subarray(501));
      return frame;
    };
    const run = await sbThroughNoisyLine(serve.link, file("stack.bin", image), noise);
    expect(damaged).toEqual(["2: data byte", "5: CRC", "7: byte dropped"]);
    expect(run.sb.code, run.sb.stderr).toBe(0);
    // Three NAKs (0x15) reached sb, one per damaged block; then the install's outcome after FUS's resets.
    expect([...run.text].filter((c) => c === "\x15").length).toBeGreaterThanOrEqual(3);
    expect(run.text).toMatch(/received-bytes 8192\r\n[\s\S]*fus 2\.2\.0\r\nstack 1\.24\.0\r\nOK\r\n$/);
    expect((await serve.stop()).code).toBe(0);

    // Read back from the saved board: the installed stack is the file, byte for byte.
    const saved = loadBoard(board);
    const stack = saved.cpu2.stack!;
    expect(shown(board).stack?.version).toBe("1.24.0");
    expect(Buffer.from(saved.flash.subarray(saved.offsetOf(stack.start), saved.offsetOf(stack.start) + image.length)).equals(Buffer.from(image))).toBe(true);
  }, 180_000);

  test("block 3 damaged every time it is sent: the loader gives up with TRANSFER_TOO_MANY_ERRORS; staging space erased, FUS and the stack kept, the loader answers", async () => {
    const installed = file("installed.bin", stackImage("wb5x"));
    const board = createBoard("--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0", "--stack", installed);
    const serve = new Serve(board, "--loader");
    await serve.ready();
    let terminal = new Terminal(serve.link);
    try {
      await terminal.banner();
      // CPU1 writes flash only while CPU2 runs FUS (cpu2-interface §4.5): the stack makes way first.
      expect(await terminal.command("start-fus", 30)).toMatch(/OK\r\n$/);
      terminal.take();
      terminal.type("install");
      await terminal.until(/C$/, 30);
      await terminal.close();
      let sends = 0;
      const noise: LineNoise = (frame, block) => (block === 3 ? (sends++, flipped(frame, DATA + 7)) : frame);
      const run = await sbThroughNoisyLine(serve.link, file("update.bin", stackImage("wb5x", 0x4000)), noise);
      expect(run.sb.code).not.toBe(0); // sb was cancelled (CAN CAN) by the loader
      // BLOCK_RETRIES (10) damaged copies tolerated, the 11th cancels: sb never got to its own limit.
      expect(sends).toBe(11);
      expect(run.text).toMatch(/(^|\r\n|\x18)ERROR TRANSFER_TOO_MANY_ERRORS install: [^\r]*\r\n$/);

      terminal = new Terminal(serve.link);
    } catch (error) {
      await terminal.close();
      throw error;
    }
    await expectStackKept(serve, terminal);
    expect(stagingClean(board)).toBe(true);
  }, 180_000);
});
