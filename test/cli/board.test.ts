// `fusop --board BOARD <command>` on both tiers: the info contract of DESIGN.md, a whole install
// across processes (each command is a fresh power-on of the board file), the JSON failure shape,
// and --force letting FUS's own reaction show (fus-behaviour §1.8, §1.12; cpu2-interface §5).
import { afterEach, describe, expect, test, vi } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { loadBoard } from "../../host-sim/board.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fusopOrThrow } from "../support/cli.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { tierNames } from "../support/tiers.js";
import { spawnSync } from "node:child_process";
import { projectRoot } from "../../host-sim/paths.js";

const board = (path: string, args: string[]) => fusopOrThrow(["--board", path, ...args]);
const sim = (args: string[]) => fusopOrThrow(["sim", ...args]);
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
      ok: true, mode: "fus", fusVersion: "1.2.0", stackVersion: null, sfsa: "0xF4", sfsaAddress: "0x080F4000", sbrv: "0x3D000", sbrvAddress: "0x080F4000",
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
    expect(info.output).toMatchObject({ mode: "stack", stackVersion: "1.24.0", sfsa: "0xEE", sfsaAddress: "0x080EE000", state: null, error: null, stackTypeName: "BLE full" });
  });

  test("a refusal is {ok:false,error:{code,message}} with a non-zero exit, from the built CLI (DESIGN.md)", async () => {
    const path = await newBoard(`refuse-${tier}.json`, "2.2.0");
    const cli = spawnSync("node", [join(projectRoot, "dist", "fusop.js"), "--board", path, "antirollback", "--json", "--tier", tier], { encoding: "utf8" });
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

describe("stage refuses what FUS must never see, before touching flash (fus-behaviour §3, seed §3.2-§3.3, FAQ)", () => {
  async function refusal(fus: string, image: Uint8Array, extra: string[] = []): Promise<{ code: string; flashChanged: boolean }> {
    const path = await newBoard(`gate-${Math.random().toString(36).slice(2)}.json`, fus);
    const file = join(directory, `gate-${Math.random().toString(36).slice(2)}.bin`);
    writeFileSync(file, image);
    const before = readFileSync(path, "utf8");
    let code = "NO_ERROR";
    try {
      await json(() => board(path, ["stage", file, "--json", ...extra]));
    } catch (error) {
      code = (error as { code: string }).code;
    }
    const after = loadBoard(path);
    return { code, flashChanged: JSON.stringify(after.toJSON().flash) !== JSON.stringify(JSON.parse(before).flash) };
  }

  test("an image for 2 KB-sector parts (WB1x) on a WB5x: IMAGE_FAMILY_MISMATCH", async () => {
    const wb1x = buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x6000, family: "wb1x", format: "legacy", stackType: 1 });
    expect(await refusal("2.2.0", wb1x)).toEqual({ code: "IMAGE_FAMILY_MISMATCH", flashChanged: false });
  });

  test("a new-format stack on FUS 1.2.0: STACK_NEEDS_FUS_V2", async () => {
    const stack = buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x6000, family: "wb5x", format: "new", stackType: 1 });
    expect(await refusal("1.2.0", stack)).toEqual({ code: "STACK_NEEDS_FUS_V2", flashChanged: false });
  });

  test("a FUS older than the one running: FUS_DOWNGRADE", async () => {
    const fus = buildImage({ kind: "fus", version: parseVersion("2.1.0"), size: 24_464, family: "wb5x" });
    expect(await refusal("2.2.0", fus)).toEqual({ code: "FUS_DOWNGRADE", flashChanged: false });
  });

  test("--at elsewhere than the planned address: STAGE_ADDRESS_NOT_PLANNED", async () => {
    const stack = buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x6000, family: "wb5x", format: "legacy", stackType: 1 });
    expect(await refusal("2.2.0", stack, ["--at", "0x08080000"])).toEqual({ code: "STAGE_ADDRESS_NOT_PLANNED", flashChanged: false });
  });

  test("--force stages it anyway, and FUS 1.2.0 does not recognise a new-format stack (fus-behaviour §2, GH-115)", async () => {
    const path = await newBoard("gate-force.json", "1.2.0");
    const file = join(directory, "gate-force.bin");
    writeFileSync(file, buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x6000, family: "wb5x", format: "new", stackType: 1 }));
    expect((await json(() => board(path, ["stage", file, "--at", "0x080EE000", "--force", "--json"]))).code).toBe(0);
    // Without --force the operator still refuses at FW_UPGRADE; with it, FUS shows what it does.
    await expect(board(path, ["upgrade", "--json"])).rejects.toMatchObject({ code: "STACK_NEEDS_FUS_V2" });
    await expect(board(path, ["upgrade", "--force", "--json"])).rejects.toMatchObject({ code: "FUS_STATE_IMG_NOT_FOUND" });
  });
});
