// Applications that link the fusop library, run on tier 2 with `fusop sim run` (the built CLI):
// the example application (runtime-c/examples/app_update.c, linked without LTO) takes a board
// from stack 1.24.0 to 1.24.1 through its resets, staging while the stack runs (cpu2-interface
// §4.5); a firmware that boots CPU2 the ST way first (test/firmware/st_tl.c, §4.1) has the library
// attach to its tables (§3.1, §3.5) and then uses the system channel again itself.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot, buildDirectory } from "../../host-sim/paths.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { loadBoard } from "../../host-sim/board.js";

const cli = join(projectRoot, "dist", "fusop.js");
const directory = mkdtempSync(join(tmpdir(), "fusop-library-"));

function fusop(...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: "latin1" });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A WB55 1 MB board, FUS 2.2.0, running BLE stack 1.24.0 (64 KB image). */
function boardWithStack(name: string): string {
  const stack = join(directory, `${name}-stack.bin`);
  writeFileSync(stack, buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x10000, family: "wb5x", format: "legacy", stackType: 1 }));
  const path = join(directory, `${name}.json`);
  expect(fusop("sim", "create", path, "--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0", "--stack", stack).status).toBe(0);
  return path;
}

interface RunReport {
  ok: boolean;
  exitCode: number;
  resets: string[];
  serial: { name: string; text: string }[];
  stackDisturbances: { atUs: number; what: string }[];
}

function run(firmware: string, board: string): { report: RunReport; usart1: string } {
  const { stdout } = fusop("sim", "run", firmware, "--board", board, "--timeout-ms", "60000", "--json");
  // Events (system resets...) come first as NDJSON lines; the result is the last line.
  const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as RunReport;
  return { report, usart1: report.serial.find((port) => port.name === "USART1")!.text };
}

describe("applications linking libfusop, through fusop sim run", () => {
  it("the example application stages while the stack runs, installs through the resets and ends with the new stack running", () => {
    const board = boardWithStack("example");
    const { report, usart1 } = run(join(buildDirectory, "fw", "examples", "app_update.elf"), board);
    expect(report).toMatchObject({ ok: true, exitCode: 0, stackDisturbances: [] });
    expect(usart1).toMatch(/CPU2 runs the stack 0x01180000\r\nstaged at 0x[0-9a-f]{8} while the stack runs\r\ninstall: leaving the stack for FUS/);
    expect(usart1).toMatch(/CPU2 runs FUS 0x02020000\r\ninstall: FW_UPGRADE/);
    expect(usart1).toMatch(/CPU2 runs the stack 0x01180100\r\nstack running, up to date\r\n$/);
    // Into FUS, then FUS's own resets (fus-behaviour §1.7): CPU1 came through each of them.
    expect(report.resets.length).toBeGreaterThanOrEqual(3);
    expect((usart1.match(/app: 64 MHz/g) ?? []).length).toBe(report.resets.length + 1);
    const cpu2 = loadBoard(board).cpu2;
    expect(cpu2.stack?.version).toBe(parseVersion("1.24.1"));
  });

  it("a fault inside fusop: the default hook saves it in .noinit and resets; the next start reads it (fusop.h)", () => {
    const path = join(directory, "bare.json");
    expect(fusop("sim", "create", path, "--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0").status).toBe(0);
    const { report, usart1 } = run(join(buildDirectory, "test-firmware", "fault-hook.elf"), path);
    expect(report).toMatchObject({ ok: true, exitCode: 0 });
    expect(report.resets).toHaveLength(1);
    expect(usart1).toBe("fault inside fusop\r\nsaved fault 0x02 at 0x40000000\r\n");
  });

  it("after ST's own CPU2 boot the library attaches, stages while the stack runs, gives the channel back and installs through the resets", () => {
    const board = boardWithStack("st-boot");
    const { report, usart1 } = run(join(buildDirectory, "test-firmware", "fusop-after-st-boot.elf"), board);
    expect(report).toMatchObject({ ok: true, exitCode: 0, stackDisturbances: [] });
    expect(usart1).toMatch(/^application: READY payload 0x00\r\n.*fusop_resume \(attach\) 0x00\r\n.*stack 0x01180000\r\n/s);
    expect(usart1).toContain("application: own command status 0x00\r\nfusop_resume (attach again) 0x00\r\n");
    // After the stack's reset into FUS: ST's boot again (READY 0x01), fusop attaches to FUS.
    expect(usart1).toContain("application: READY payload 0x01\r\n");
    expect(usart1).toMatch(/FUS 0x02020000\r\n/);
    expect(usart1).toMatch(/stack 0x01180100\r\nnew stack running\r\n$/);
    expect(report.resets.length).toBeGreaterThanOrEqual(3);
    // The image really went where fusop said, while the stack ran (FUS moved it up since).
    expect(/staged at (0x[0-9a-f]{8})/.test(usart1)).toBe(true);
    expect(loadBoard(board).cpu2.stack?.version).toBe(parseVersion("1.24.1"));
  });
});
