// The --gdb target against `fusop sim serve BOARD --gdb PORT` (a separate process: the client blocks
// its thread while it waits for the stub), and Debian's gdb-multiarch against the same stub.
import { afterEach, describe, expect, test } from "vitest";
import { spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { projectRoot } from "../../host-sim/paths.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { fusop } from "../support/cli.js";
import { serveGdb } from "./support.js";

const directory = mkdtempSync(join(tmpdir(), "fusop-gdb-"));
const servers: ChildProcess[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) server.kill("SIGTERM");
});

async function newBoard(name: string, fus: string): Promise<string> {
  const path = join(directory, name);
  const created = await fusop(["sim", "create", path, "--family", "wb5x", "--flash-kb", "1024", "--fus", fus, "--json"]);
  expect(created.code).toBe(0);
  return path;
}

/** Starts `fusop sim serve BOARD --gdb 0` (support.ts), stopped after the test. */
async function serve(board: string): Promise<{ port: number; server: ChildProcess }> {
  const served = await serveGdb(board);
  servers.push(served.server);
  return served;
}

const partFields = ["mode", "fusVersion", "stackVersion", "stackType", "stackTypeName", "safebootVersion", "sfsa", "sfsaAddress", "sbrv", "sbrvAddress",
  "state", "error", "flashKb", "deviceId", "revisionId", "uid64"];
const pick = (result: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(partFields.map((field) => [field, result[field]]));

describe("fusop --gdb HOST:PORT", () => {
  test("info through the stub describes the part as --board does", async () => {
    const board = await newBoard("info.json", "1.2.0");
    const copy = join(directory, "info-copy.json");
    copyFileSync(board, copy);
    const { port } = await serve(board);
    const viaGdb = await fusop(["--gdb", `127.0.0.1:${port}`, "info", "--json"]);
    expect(viaGdb.result).toMatchObject({ ok: true });
    expect(viaGdb.code).toBe(0);
    const viaBoard = await fusop(["--board", copy, "info", "--json"]);
    expect(viaGdb.result.tier).toBe("gdb");
    expect(pick(viaGdb.result)).toEqual(pick(viaBoard.result));
    expect(viaGdb.result).toMatchObject({ mode: "fus", fusVersion: "1.2.0", deviceId: "0x495" });
  }, 300_000);

  test("an install through --gdb follows FUS's resets and ends with the stack running", async () => {
    const board = await newBoard("install.json", "2.2.0");
    const image = join(directory, "stack.bin");
    writeFileSync(image, buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x6000, family: "wb5x", format: "legacy", stackType: 1 }));
    const { port } = await serve(board);
    const run = await fusop(["--gdb", `127.0.0.1:${port}`, "install", image, "--json"]);
    expect(run.result).toMatchObject({ ok: true, mode: "stack", stackVersion: "1.24.0", tier: "gdb" });
    // Every FUS reset restarted CPU1 from flash; the probe was loaded again each time.
    expect(run.result.resets).toBeGreaterThanOrEqual(1);
  }, 600_000);

  test("nothing listening: DEVICE_NOT_REACHABLE, exit 4", async () => {
    const free = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const port = (probe.address() as { port: number }).port;
        probe.close(() => resolve(port));
      });
    });
    const run = await fusop(["--gdb", `127.0.0.1:${free}`, "info", "--json"]);
    expect(run.code).toBe(4);
    expect(run.result.error.code).toBe("DEVICE_NOT_REACHABLE");
  });
});

describe.skipIf(spawnSync("gdb-multiarch", ["--version"]).status !== 0)("gdb-multiarch against the stub", () => {
  test("loads the RAM probe, breaks at a function, reads memory, continues", async () => {
    const board = await newBoard("gdb.json", "1.2.0");
    const { port } = await serve(board);
    const elf = join(projectRoot, "build", "fw", "fusop-probe-ram.elf");
    const gdb = spawnSync("gdb-multiarch", ["--batch", "-nx", elf,
      "-ex", `target extended-remote 127.0.0.1:${port}`,
      "-ex", "monitor reset halt",
      "-ex", "load",
      "-ex", "set $sp = *(unsigned int *)0x20000000",
      "-ex", "set $pc = Reset_Handler",
      "-ex", "break fusop_probe_idle",
      "-ex", "continue",
      "-ex", "printf \"idle at %#x\\n\", $pc",
      "-ex", "x/2wx 0x20000000",
      // A call as fusop's --gdb target makes it: PC at an API function, LR into the idle loop.
      "-ex", "set $lr = (unsigned int)fusop_probe_idle | 1",
      "-ex", "set $pc = fusop_x_cpu2_mode",
      "-ex", "continue",
      "-ex", "printf \"returned %d at %#x\\n\", $r0, $pc",
      "-ex", "kill"], { encoding: "utf8", timeout: 120_000 });
    const output = gdb.stdout + gdb.stderr;
    const idle = /idle at (0x[0-9a-f]+)/.exec(output)?.[1];
    expect(output).toContain("Breakpoint 1, ");
    expect(output).toContain("fusop_probe_idle");
    expect(idle).toMatch(/^0x2000[0-9a-f]{4}$/);
    // The probe's vector table as loaded: initial SP at the top of SRAM1.
    expect(output).toMatch(/0x20000000 <fusop_vectors>:\s+0x20030000/);
    // fusop_x_cpu2_mode returned into the idle loop (CPU2 not booted yet: mode 0, unknown).
    expect(output).toContain(`returned 0 at ${idle}`);
  }, 180_000);
});
