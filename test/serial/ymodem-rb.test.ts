// The PC tool's YMODEM sender (cli/targets/ymodem-send.ts) against a receiver we did not write:
// Debian lrzsz's `rb`, on one end of a socat pty pair, with the sender on the other end through
// serialport — 1024- and 128-byte blocks, a file that is not a multiple of the block size, and a
// transfer cancelled halfway (CAN CAN: rb stops and keeps no complete file).
import { afterEach, describe, expect, test } from "vitest";
import { expectSameBytes } from "../support/bytes.js";
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { sendYmodem, YmodemError } from "../../cli/targets/ymodem-send.js";
import { openLink, ptyPair, type PtyPair } from "./pty.js";
import { fileBytes } from "../loader/support.js";

let pair: PtyPair | null = null;
afterEach(() => {
  pair?.close();
  pair = null;
});

/** Starts `rb` on pty end B, in the pair's directory; resolves with its exit code and stderr. */
function receiver(pty: PtyPair): Promise<{ code: number | null; stderr: string }> {
  const fd = openSync(pty.b, "r+");
  const rb = spawn("rb", ["--ymodem", "-b", "-y"], { cwd: pty.directory, stdio: [fd, fd, "pipe"] });
  closeSync(fd);
  let stderr = "";
  rb.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("latin1")));
  return new Promise((resolve, reject) => {
    rb.on("error", reject);
    rb.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("YMODEM sender → lrzsz rb (through a pty pair)", () => {
  test.each([
    ["1024-byte blocks", 1024 as const, 70_001],
    ["128-byte blocks", 128 as const, 3_333],
  ])("%s: rb receives the file whole, under its name", async (_name, blockSize, size) => {
    pair = await ptyPair();
    const done = receiver(pair);
    const { link, close } = await openLink(pair.a);
    const data = fileBytes(size, 5);
    const progress: number[] = [];
    await sendYmodem(link, "image.bin", data, { blockSize, onProgress: (sent) => progress.push(sent) });
    await close();
    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    expectSameBytes(readFileSync(join(pair.directory, "image.bin")), data, "file rb received");
    expect(progress.at(-1)).toBe(size);
    expect(progress.length).toBe(Math.ceil(size / blockSize));
  }, 60_000);

  test("cancelled halfway (as Ctrl-C does): CAN CAN stops rb, which fails and keeps no whole file", async () => {
    pair = await ptyPair();
    const done = receiver(pair);
    const { link, close } = await openLink(pair.a);
    const data = fileBytes(200_000, 9);
    const controller = new AbortController();
    const sending = sendYmodem(link, "big.bin", data, {
      signal: controller.signal,
      onProgress: (sent) => {
        if (sent >= 20_000) controller.abort();
      },
    });
    await expect(sending).rejects.toSatisfy((error: unknown) => error instanceof YmodemError && error.code === "TRANSFER_CANCELLED");
    const run = await done;
    await close();
    expect(run.code).not.toBe(0);
    const path = join(pair.directory, "big.bin");
    if (existsSync(path)) expect(statSync(path).size).toBeLessThan(data.length);
  }, 60_000);
});
