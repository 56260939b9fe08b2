// `fusop --port LINK` (cli/targets/serial-board.ts) against the field loader on tier 2 behind
// `fusop sim serve BOARD --pty LINK --loader`, through the built CLI as a user runs it: the part
// described as `--board` describes it, an install of FUS and a BLE stack that ends with the stack
// running (FUS's resets: fus-behaviour §1.7; install address from the footer: §1.6), a Ctrl-C that
// cancels the transfer (CAN CAN) and leaves the part at its console, and the named errors.
import { afterAll, describe, expect, test } from "vitest";
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { projectRoot } from "../../host-sim/paths.js";
import { Serve, createBoard, directory, file, fusop } from "../serve/support.js";
import { ptyPair } from "./pty.js";

afterAll(() => rmSync(directory, { recursive: true, force: true }));

const fusImage = (version: string): Uint8Array => buildImage({ kind: "fus", version: parseVersion(version), size: 24_464, family: "wb5x" });
const stackImage = (): Uint8Array => buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x6000, family: "wb5x", format: "legacy", stackType: 0x01 });

function result(run: { stdout: string }): Record<string, unknown> {
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!);
}

/** The part description of `info` (DESIGN.md's contract): what a target reads from the part. */
const PART_FIELDS = ["mode", "fusVersion", "stackVersion", "stackType", "stackTypeName", "safebootVersion", "sfsa", "sfsaAddress",
  "sbrv", "sbrvAddress", "state", "error", "flashKb", "deviceId", "revisionId", "uid64"];

function part(info: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(PART_FIELDS.map((key) => [key, info[key]]));
}

async function served<T>(board: string, body: (serve: Serve) => Promise<T>): Promise<T> {
  const serve = new Serve(board, "--loader");
  await serve.ready();
  try {
    return await body(serve);
  } finally {
    const stopped = await serve.stop();
    expect(stopped.code, stopped.stderr).toBe(0);
  }
}

describe("fusop --port against the loader behind sim serve --pty (tier 2)", () => {
  test("info --json through the port describes the part as --board does; install FUS then a BLE stack ends with the stack running", async () => {
    const board = createBoard("--family", "wb5x", "--flash-kb", "1024", "--fus", "1.2.0");
    const direct = fusop("--board", board, "info", "--json");
    expect(direct.status, direct.stderr).toBe(0);
    await served(board, async (serve) => {
      const viaPort = fusop("--port", serve.link, "info", "--json");
      expect(viaPort.status, viaPort.stderr).toBe(0);
      expect(part(result(viaPort))).toEqual(part(result(direct)));
      expect(result(viaPort)).toMatchObject({ ok: true, mode: "fus", fusVersion: "1.2.0", stackVersion: null, state: "FUS_STATE_IDLE" });

      const install = fusop("--port", serve.link, "install", file("stm32wb5x_FUS_fw.bin", fusImage("2.2.0")),
        file("stm32wb5x_BLE_Stack_full_fw.bin", stackImage()), "--json");
      expect(install.status, install.stdout + install.stderr).toBe(0);
      const events = install.stdout.trim().split("\n").map((line) => JSON.parse(line));
      const progress = events.filter((event) => event.event === "progress");
      expect(progress.at(-1)).toMatchObject({ bytes: 24_576, total: 24_576, percent: 100 });
      expect(result(install)).toMatchObject({ ok: true, mode: "stack", fusVersion: "2.2.0", stackVersion: "1.24.0",
        installed: [{ kind: "fus", version: "2.2.0" }, { kind: "stack", version: "1.24.0" }] });

      const after = fusop("--port", serve.link, "info", "--json");
      expect(result(after)).toMatchObject({ mode: "stack", stackVersion: "1.24.0", stackTypeName: "BLE full", state: null });
    });
    // What the served part did is in the board file, read as a board.
    const saved = fusop("--board", board, "info", "--json");
    expect(result(saved)).toMatchObject({ mode: "stack", fusVersion: "2.2.0", stackVersion: "1.24.0" });
  }, 240_000);

  test("Ctrl-C during an install: CAN CAN ends the transfer, nothing is installed, the part answers the next command", async () => {
    const board = createBoard("--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0");
    await served(board, async (serve) => {
      const image = file("stm32wb5x_BLE_Stack_full_fw.bin", stackImage());
      const child = spawn(process.execPath, [join(projectRoot, "dist", "fusop.js"), "--port", serve.link, "install", image, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let interrupted = false;
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (!interrupted && /"event":"progress"[^\n]*"percent":(2[5-9]|[3-9]\d)/.test(stdout)) {
          interrupted = true;
          child.kill("SIGINT");
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
      expect(interrupted).toBe(true);
      expect(code).toBe(1);
      expect(result({ stdout })).toMatchObject({ ok: false, error: { code: "TRANSFER_CANCELLED", loaderAnswer: "TRANSFER_CANCELLED" } });
      const after = fusop("--port", serve.link, "info", "--json");
      expect(after.status, after.stderr).toBe(0);
      expect(result(after)).toMatchObject({ mode: "fus", stackVersion: null });
    });
  }, 240_000);

  test("--force (the safety policy off, simulator boards only) is NOT_SUPPORTED_ON_PORT, before the port is opened", () => {
    const run = fusop("--port", "/dev/null-no-such-port", "delete", "--force", "--json");
    expect(run.status).toBe(1);
    expect(result(run)).toMatchObject({ ok: false, error: { code: "NOT_SUPPORTED_ON_PORT" } });
  });

  test("nothing answers on the line (no loader behind it): DEVICE_NOT_REACHABLE, exit 4; no such port: the same", async () => {
    const pair = await ptyPair();
    try {
      const silent = fusop("--port", pair.a, "info", "--json");
      expect(silent.status).toBe(4);
      expect(result(silent)).toMatchObject({ ok: false, error: { code: "DEVICE_NOT_REACHABLE" } });
    } finally {
      pair.close();
    }
    const missing = fusop("--port", join(directory, "no-such-tty"), "info", "--json");
    expect(missing.status).toBe(4);
    expect(result(missing)).toMatchObject({ ok: false, error: { code: "DEVICE_NOT_REACHABLE" } });
  }, 60_000);
});
