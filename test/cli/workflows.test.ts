// The workflows a user runs from the command line, on both tiers: `install` (plan from the part,
// stage, FW_UPGRADE through its resets, the version read back, the stack started —
// fus-behaviour §1.7, §1.8), `erase --range` of staging flash only (never below the application
// end, never at or above SFSA: cpu2-interface §2), `diagnose` finding a leftover image footer
// (fus-behaviour §1.4, ST's FAQ trap), and `plan` with the STM32_Programmer_CLI lines.
import { describe, expect, test } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBoard } from "../../host-sim/board.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { fusop } from "../support/cli.js";
import { tierNames } from "../support/tiers.js";

const directory = mkdtempSync(join(tmpdir(), "fusop-workflows-"));

function imageFile(name: string, image: Uint8Array): string {
  const path = join(directory, name);
  writeFileSync(path, image);
  return path;
}

const smallStack = () => buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x6000, family: "wb5x", format: "legacy", stackType: 1 });
const fus220 = () => buildImage({ kind: "fus", version: parseVersion("2.2.0"), size: 24_464, family: "wb5x" });

async function newBoard(name: string, fus: string): Promise<string> {
  const path = join(directory, name);
  expect((await fusop(["sim", "create", path, "--family", "wb5x", "--flash-kb", "1024", "--fus", fus, "--force"])).code).toBe(0);
  return path;
}

describe.each(tierNames)("tier %s", (tier) => {
  test("install: stage, FW_UPGRADE, the version read back, the stack started", async () => {
    const board = await newBoard(`install-${tier}.json`, "2.2.0");
    const stack = imageFile(`install-${tier}.bin`, smallStack());
    const run = await fusop(["install", stack, "--board", board, "--tier", tier, "--json"]);
    expect(run.code).toBe(0);
    expect(run.result).toMatchObject({
      ok: true, mode: "stack", stackVersion: "1.24.0", fusVersion: "2.2.0", skipped: [],
      installed: [{ file: stack, kind: "stack", version: "1.24.0", address: "0x080EE000" }],
    });
    // The board says the same as the operator read back.
    const saved = loadBoard(board);
    expect(saved.cpu2.stack).toMatchObject({ start: 0x080ee000, version: parseVersion("1.24.0") });
    expect(saved.optionBytes.sfsa).toBe(0xee);
  });

  test("install --no-start after a FUS update leaves FUS running; without it the stack is started (fus-behaviour §1.8)", async () => {
    const stack = imageFile(`no-start-stack-${tier}.bin`, smallStack());
    const path = join(directory, `no-start-${tier}.json`);
    expect((await fusop(["sim", "create", path, "--family", "wb5x", "--flash-kb", "1024", "--fus", "1.2.0", "--stack", stack, "--force"])).code).toBe(0);
    const fus = imageFile(`stm32wb5x_FUS_fw-${tier}.bin`, fus220());
    const run = await fusop(["install", fus, "--no-start", "--board", path, "--tier", tier, "--json"]);
    expect(run.result).toMatchObject({ ok: true, mode: "fus", fusVersion: "2.2.0", stackVersion: "1.24.0" });
    // Nothing left to install: the same FUS is skipped, and the stack is started.
    const again = await fusop(["install", fus, "--board", path, "--tier", tier, "--json"]);
    expect(again.result).toMatchObject({ ok: true, installed: [], skipped: [fus], mode: "stack", stackVersion: "1.24.0" });
  });

  test("erase: refuses below the application end, at or above SFSA, off sector bounds; erases a leftover that diagnose reports", async () => {
    const board = await newBoard(`erase-${tier}.json`, "2.2.0");
    const stack = imageFile(`erase-${tier}.bin`, smallStack());
    // A leftover: an image staged by hand (--force) and never installed.
    expect((await fusop(["stage", stack, "--at", "0x080C0000", "--force", "--board", board, "--tier", tier])).code).toBe(0);
    const before = await fusop(["diagnose", "--board", board, "--tier", tier, "--json"]);
    expect(before.result.imageFooters.length).toBeGreaterThan(0);
    const footer = Number(before.result.imageFooters[0].address);
    expect(footer).toBeGreaterThanOrEqual(0x080c0000);
    expect(footer).toBeLessThan(0x080c6000);
    expect(before.result.advice).toContain("fusop erase --range");

    const refusals: [string[], string][] = [
      [["--range", "0x08010000..0x08020000", "--app-end", "0x08020000"], "ERASE_BELOW_APPLICATION_END"],
      [["--range", "0x080F0000..0x080F5000", "--app-end", "0x08020000"], "ERASE_IN_SECURE_AREA"],
      [["--range", "0x080C0800..0x080C6000", "--app-end", "0x08020000"], "ERASE_NOT_SECTOR_ALIGNED"],
    ];
    for (const [options, code] of refusals) {
      const refused = await fusop(["erase", ...options, "--board", board, "--tier", tier, "--json"]);
      expect({ exit: refused.code, code: refused.result.error.code }).toEqual({ exit: 1, code });
    }
    expect((await fusop(["diagnose", "--board", board, "--tier", tier, "--json"])).result.imageFooters.length).toBeGreaterThan(0);

    const erased = await fusop(["erase", "--range", "0x080C0000..0x080C6000", "--app-end", "0x08020000", "--board", board, "--tier", tier, "--json"]);
    expect(erased.result).toMatchObject({ ok: true, erased: { start: "0x080C0000", end: "0x080C6000" }, sectors: 6 });
    const after = await fusop(["diagnose", "--board", board, "--tier", tier, "--json"]);
    expect(after.result).toMatchObject({ diagnosis: "HEALTHY", imageFooters: [] });
    expect(loadBoard(board).flash.subarray(0xc0000, 0xc6000).every((byte) => byte === 0xff)).toBe(true);
  });
});

test("erase on a 512 KB WB5x (whose SFSA lies beyond its flash end) stops at the flash end", async () => {
  const path = join(directory, "erase-512.json");
  expect((await fusop(["sim", "create", path, "--family", "wb5x", "--flash-kb", "512", "--fus", "2.2.0"])).code).toBe(0);
  const beyond = await fusop(["erase", "--range", "0x08070000..0x08090000", "--board", path, "--json"]);
  expect(beyond.result.error.code).toBe("ERASE_BEYOND_FLASH");
  expect((await fusop(["erase", "--range", "0x08070000..0x08080000", "--board", path, "--json"])).result).toMatchObject({ ok: true, sectors: 16 });
});

test.each(tierNames)("install on tier %s takes a part from FUS 1.2.0 to FUS 2.2.0 and a running stack in one command", async (tier) => {
  const board = await newBoard(`install-both-${tier}.json`, "1.2.0");
  const fus = imageFile("stm32wb5x_FUS_fw.bin", fus220());
  const stack = imageFile("stack-both.bin", smallStack());
  const run = await fusop(["install", stack, fus, "--board", board, "--tier", tier, "--json"]);
  expect(run.result).toMatchObject({
    ok: true, mode: "stack", fusVersion: "2.2.0", stackVersion: "1.24.0",
    installed: [expect.objectContaining({ kind: "fus", version: "2.2.0" }), expect.objectContaining({ kind: "stack", version: "1.24.0" })],
  });
});

describe("plan", () => {
  test("prints the STM32_Programmer_CLI lines for each step", async () => {
    const fus = imageFile("stm32wb5x_FUS_fw.bin", fus220());
    const stack = imageFile("plan-stack.bin", smallStack());
    const run = await fusop(["plan", fus, stack, "--family", "wb5x", "--flash-kb", "1024", "--fus", "1.2.0", "--json"]);
    expect(run.code).toBe(0);
    const steps = run.result.steps as { file: string; address: string }[];
    expect(run.result.programmer).toEqual([
      `STM32_Programmer_CLI -c port=swd mode=UR -fwupgrade ${fus} ${steps[0].address} firstinstall=0`,
      `STM32_Programmer_CLI -c port=swd mode=UR -fwupgrade ${stack} ${steps[1].address} firstinstall=1`,
      "STM32_Programmer_CLI -c port=swd mode=UR -startwirelessstack",
    ]);
    const text = await fusop(["plan", fus, stack, "--family", "wb5x", "--flash-kb", "1024", "--fus", "1.2.0"]);
    expect(text.out.join("\n")).toContain("with STM32CubeProgrammer:\n  STM32_Programmer_CLI -c port=swd mode=UR -fwupgrade");
  });

  test("plan --board reads the part; with a stack running it starts with -startfus and updates with firstinstall=0", async () => {
    const board = await newBoard("plan-board.json", "2.2.0");
    const stack = imageFile("plan-board.bin", smallStack());
    expect((await fusop(["install", stack, "--board", board])).code).toBe(0);
    const newer = imageFile("plan-newer.bin", buildImage({ kind: "stack", version: parseVersion("1.25.0"), size: 0x6000, family: "wb5x", format: "legacy", stackType: 1 }));
    const run = await fusop(["plan", newer, "--board", board, "--json"]);
    expect(run.code).toBe(0);
    expect(run.result.programmer[0]).toBe("STM32_Programmer_CLI -c port=swd mode=UR -startfus");
    expect(run.result.programmer[1]).toMatch(/-fwupgrade .*plan-newer\.bin 0x080[0-9A-F]{5} firstinstall=0$/);
    expect((await fusop(["plan", newer, "--board", board, "--family", "wb5x"])).code).toBe(2);
  });
});

test("sim create reads its image strictly too: a missing stack file is FILE_NOT_FOUND (exit 3)", async () => {
  const run = await fusop(["sim", "create", join(directory, "x.json"), "--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0", "--stack", join(directory, "nope.bin"), "--json"]);
  expect(run).toMatchObject({ code: 3, result: { error: { code: "FILE_NOT_FOUND" } } });
  expect(() => readFileSync(join(directory, "x.json"))).toThrow();
});

test.each(tierNames)("fusop demo on tier %s: FUS 1.2.0 -> 2.2.0, then the BLE stack, running (the install loop of fusop install)", async (tier) => {
  const run = await fusop(["demo", "--tier", tier, "--json"]);
  expect(run.code).toBe(0);
  expect(run.result).toMatchObject({ ok: true, tier, fusVersion: "2.2.0", stackVersion: "1.24.0" });
  const events = run.out.slice(0, -1).map((line) => JSON.parse(line).event);
  expect(events.filter((event) => event === "upgrade")).toHaveLength(2);
  expect(events).toContain("demo");
});
