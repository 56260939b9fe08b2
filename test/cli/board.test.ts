// `fusop --board BOARD <command>` on both tiers: the info contract of DESIGN.md, a whole install
// across processes (each command is a fresh power-on of the board file), the JSON failure shape,
// and --force letting FUS's own reaction show (fus-behaviour §1.8, §1.12; cpu2-interface §5).
import { afterEach, describe, expect, test, vi } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run as board } from "../../host-sim/cli/board-command.js";
import { run as sim } from "../../host-sim/cli/sim-command.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { tierNames } from "../support/tiers.js";
import { spawnSync } from "node:child_process";
import { projectRoot } from "../../host-sim/paths.js";

const directory = mkdtempSync(join(tmpdir(), "fusop-board-cli-"));
afterEach(() => vi.restoreAllMocks());

async function json(run: () => Promise<number>): Promise<{ code: number; output: Record<string, unknown> }> {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
  const code = await run();
  vi.restoreAllMocks();
  return { code, output: JSON.parse(lines.at(-1)!) };
}

async function newBoard(name: string, fus: string): Promise<string> {
  const path = join(directory, name);
  const created = await json(() => sim(["create", path, "--family", "wb5x", "--flash-kb", "1024", "--fus", fus, "--json"]));
  expect(created.code).toBe(0);
  return path;
}

describe.each(tierNames)("tier %s", (tier) => {
  test("info on a fresh board follows the DESIGN.md contract", async () => {
    const path = await newBoard(`info-${tier}.json`, "1.2.0");
    const { code, output } = await json(() => board(path, ["info", "--json", "--tier", tier]));
    expect(code).toBe(0);
    expect(output).toMatchObject({
      ok: true, mode: "fus", fusVersion: "1.2.0", stackVersion: null, sfsa: 0xf4, sbrv: 0x3d000,
      state: "FUS_STATE_IDLE", error: "FUS_STATE_NO_ERROR",
    });
  });

  test("stage, upgrade, info: the board file carries the install from one command to the next", async () => {
    const path = await newBoard(`install-${tier}.json`, "2.2.0");
    const image = join(directory, `stack-${tier}.bin`);
    writeFileSync(image, buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x6000, family: "wb5x", format: "legacy", stackType: 1 }));
    expect((await json(() => board(path, ["stage", image, "--at", "0x080EE000", "--json", "--tier", tier]))).code).toBe(0);
    const upgraded = await json(() => board(path, ["upgrade", "--json", "--tier", tier]));
    expect(upgraded.output).toMatchObject({ ok: true, mode: "stack", stackVersion: "1.24.0" });
    expect(upgraded.output.resets).toBeGreaterThanOrEqual(1);
    const info = await json(() => board(path, ["info", "--json", "--tier", tier]));
    expect(info.output).toMatchObject({ mode: "stack", stackVersion: "1.24.0", sfsa: 0xee, state: "FUS_STATE_ERROR", error: "FUS_STATE_NOT_RUNNING" });
  });

  test("a refusal is {ok:false,error:{code,message}} with a non-zero exit, from the built CLI (DESIGN.md)", async () => {
    const path = await newBoard(`refuse-${tier}.json`, "2.2.0");
    const cli = spawnSync("node", [join(projectRoot, "dist", "host-sim", "cli", "main.js"), "--board", path, "antirollback", "--json", "--tier", tier], { encoding: "utf8" });
    expect(cli.status).toBe(1);
    const output = JSON.parse(cli.stdout.trim().split("\n").at(-1)!);
    expect(output.ok).toBe(false);
    expect(output.error.code).toBe("ANTIROLLBACK_WITHOUT_STACK");
    expect(output.error.message).toContain("install a stack first");
  });
});

test("--force: anti-rollback with no stack goes to FUS, which then refuses every stack for good (fus-behaviour §1.12)", async () => {
  const path = await newBoard("force.json", "2.2.0");
  expect((await json(() => board(path, ["antirollback", "--force", "--json"]))).output).toMatchObject({ ok: true });
  const image = join(directory, "stack-force.bin");
  writeFileSync(image, buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x6000, family: "wb5x", format: "legacy", stackType: 1 }));
  await json(() => board(path, ["stage", image, "--at", "0x080EE000", "--json"]));
  await expect(board(path, ["upgrade", "--json"])).rejects.toMatchObject({ code: "FUS_STATE_FW_ROLLBACK_ERROR" });
});
