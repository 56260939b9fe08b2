// Interoperability with a sender we did not write: Debian's lrzsz `sb` (installed by
// .ci/install-deps) sends a file through pipes to the loader running on tier 1. A small adapter
// passes sb's bytes to the loader's console line and the loader's replies back to sb.
import { describe, expect, test } from "vitest";
import { expectSameBytes } from "../support/bytes.js";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APPLICATION_START, C, LoaderRig, fileBytes } from "./support.js";

interface SbRun {
  exitCode: number | null;
  stderr: string;
  /** Everything the loader wrote during the transfer; its final lines come last. */
  after: string;
}

/**
 * Runs `sb ARGS FILE` against the loader after `app`; resolves when sb has exited. `noise`: offsets
 * in sb's byte stream whose byte the line flips on the way (a noisy line); `interruptAt`: once sb
 * has sent that many bytes it gets SIGINT, as from the operator's Ctrl-C.
 */
function sendWithSb(rig: LoaderRig, file: Uint8Array, args: string[], noise: number[] = [], interruptAt = Infinity): Promise<SbRun> {
  const directory = mkdtempSync(join(tmpdir(), "fusop-sb-"));
  const path = join(directory, "app.bin");
  writeFileSync(path, file);
  const answer = rig.exchange("app\r");
  expect(answer.at(-1)).toBe(C);
  return new Promise((resolve, reject) => {
    const sb = spawn("sb", [...args, path], { cwd: directory, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    let after = "";
    sb.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("latin1")));
    let offset = 0;
    sb.stdout.on("data", (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk);
      for (const at of noise) if (at >= offset && at < offset + bytes.length) bytes[at - offset] ^= 0x5a;
      offset += bytes.length;
      if (offset >= interruptAt && sb.exitCode === null) {
        interruptAt = Infinity;
        sb.kill("SIGINT");
      }
      const reply = rig.exchange(bytes);
      if (reply.length > 0 && !sb.stdin.destroyed) sb.stdin.write(reply);
      after += new TextDecoder("latin1").decode(reply);
    });
    sb.on("error", reject);
    sb.on("close", (exitCode) => {
      rmSync(directory, { recursive: true, force: true });
      resolve({ exitCode, stderr, after });
    });
    sb.stdin.on("error", () => {}); // sb may exit before our last bytes reach it
    sb.stdin.write(Uint8Array.of(C)); // the loader's first request, sent before sb was listening
  });
}

describe("lrzsz sb → loader (tier 1)", () => {
  test.each([
    ["128-byte blocks", [] as string[], 3000],
    ["1024-byte blocks (-k)", ["-k"], 5000],
  ])("sb with %s: the file arrives whole in the application slot and the loader says OK", async (_name, args, size) => {
    const rig = new LoaderRig();
    rig.text();
    const file = fileBytes(size, 11);
    const run = await sendWithSb(rig, file, args);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.after).toMatch(new RegExp(`received-bytes ${size}\\r\\nOK\\r\\n$`));
    expectSameBytes(rig.flash(APPLICATION_START, size), file, "application slot");
  }, 30_000);

  test("a noisy line: damaged blocks are NAKed, sb sends them again, the file still arrives whole", async () => {
    const rig = new LoaderRig();
    rig.text();
    const file = fileBytes(4000, 13);
    // Inside the header block, inside the first data block, and a block's CRC further on.
    const run = await sendWithSb(rig, file, ["-k"], [40, 133 + 500, 133 + 1029 + 1028]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.after).toMatch(/received-bytes 4000\r\nOK\r\n$/);
    expect(run.after).toContain("\x15"); // at least one NAK went to sb
    expectSameBytes(rig.flash(APPLICATION_START, 4000), file, "application slot");
  }, 30_000);

  test("sb interrupted (Ctrl-C): its cancel sequence ends the transfer with TRANSFER_CANCELLED and the slot erased", async () => {
    const rig = new LoaderRig();
    rig.text();
    const run = await sendWithSb(rig, fileBytes(20_000, 17), ["-k"], [], 4000);
    expect(run.exitCode).not.toBe(0);
    expect(run.after).toMatch(/ERROR TRANSFER_CANCELLED app: /);
    expect(rig.flash(APPLICATION_START, 20_000).every((byte) => byte === 0xff)).toBe(true);
  }, 30_000);

  test("the loader cancels (file larger than the flash it may write): sb stops with an error", async () => {
    const rig = new LoaderRig();
    rig.text();
    const run = await sendWithSb(rig, new Uint8Array(1024 * 1024), ["-k"]);
    expect(run.exitCode).not.toBe(0);
    expect(run.after).toMatch(/ERROR IMAGE_TOO_LARGE app: /);
  }, 30_000);
});
