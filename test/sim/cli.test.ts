// `fusop image make` writes signed test images with the footers of fus-behaviour §4; `fusop sim
// create|show` writes a board file with the option bytes a part leaves the factory with
// (fus-behaviour §1.1, §1.6) and shows CPU2's state; the operator then reads the board back.
import { describe, expect, it, vi, afterEach } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { fusopOrThrow } from "../support/cli.js";
import { loadBoard } from "../../host-sim/board.js";
import { Stm32wb } from "../../host-sim/chip/stm32wb.js";
import { WasmTier } from "../../host-sim/tiers/tier1.js";
import { Operator } from "../../host-sim/operator.js";
import { Cpu2Mode } from "../../assembly/shared/codes.js";
import { parseVersion } from "../../host-sim/versions.js";

const imageMake = (args: string[]) => fusopOrThrow(["image", "make", ...args]);
const sim = (args: string[]) => fusopOrThrow(["sim", ...args]);
const directory = mkdtempSync(join(tmpdir(), "fusop-sim-cli-"));

function captured(): { lines: string[] } {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
  return { lines };
}

afterEach(() => vi.restoreAllMocks());

describe("fusop image make", () => {
  it("writes a signed image with the footer fields asked for, and reports it as JSON", async () => {
    const out = join(directory, "stack.bin");
    const { lines } = captured();
    expect(await imageMake(["--kind", "stack", "--version", "1.24.0", "--size", "129460", "--format", "new", "--family", "wb5x", "--json", "-o", out])).toBe(0);
    const result = JSON.parse(lines[0]);
    expect(result).toMatchObject({ ok: true, kind: "stack", version: "1.24.0", size: 129_460, format: "new" });
    const image = readFileSync(out);
    expect(image.readUInt32LE(image.length - 88)).toBe(0xb10c_8b99);
  });

  it("adds a customer signature from a PEM key", async () => {
    const pem = join(directory, "customer.pem");
    writeFileSync(pem, generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "pkcs8", format: "pem" }));
    const out = join(directory, "signed.bin");
    captured();
    expect(await imageMake(["--kind", "fus", "--version", "2.2.0", "--size", "24552", "--family", "wb1x", "--customer-key", pem, "-o", out])).toBe(0);
    const image = readFileSync(out);
    expect(image.readUInt32LE(image.length - 4)).toBe(0xe2b5_1d4a);
  });

  it("refuses a bad kind, a too small size and a missing output with usage errors (exit 2)", async () => {
    await expect(imageMake(["--kind", "app", "--version", "1.0.0", "--size", "1000", "--family", "wb5x", "-o", "x"])).rejects.toMatchObject({ code: expect.stringMatching(/^USAGE_/), exit: 2 });
    await expect(imageMake(["--kind", "stack", "--version", "1.0.0", "--size", "50", "--family", "wb5x", "-o", "x"])).rejects.toMatchObject({ code: expect.stringMatching(/^USAGE_/), exit: 2 });
    await expect(imageMake(["--kind", "stack", "--version", "1.0.0", "--size", "5000", "--family", "wb5x"])).rejects.toMatchObject({ code: expect.stringMatching(/^USAGE_/), exit: 2 });
  });
});

describe("fusop sim create / show", () => {
  it("creates a bare board; the operator (tier 1) finds FUS with the factory option bytes", async () => {
    const path = join(directory, "bare.json");
    captured();
    expect(await sim(["create", path, "--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0"])).toBe(0);
    const board = loadBoard(path);
    expect(board.optionBytes).toMatchObject({ sfsa: 0xf4, sbrv: 0x3d000 });
    const operator = new Operator(new WasmTier(new Stm32wb(board)));
    expect(operator.bootCpu2()).toBe(Cpu2Mode.Fus);
    expect(operator.deviceInformation()).toMatchObject({ fusVersion: "2.2.0", stackVersion: null });
    expect(operator.fusGetState()).toMatchObject({ state: 0, error: 0 });
  });

  it("creates a board with a stack from an image file; the stack runs and reports its version", async () => {
    const image = join(directory, "ble.bin");
    captured();
    await imageMake(["--kind", "stack", "--version", "1.24.0", "--size", "129460", "--format", "new", "--family", "wb5x", "--stack-type", "1", "-o", image]);
    const path = join(directory, "stack.json");
    expect(await sim(["create", path, "--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0", "--stack", image])).toBe(0);
    const board = loadBoard(path);
    expect(board.cpu2.stack).toMatchObject({ start: 0x080d_0000, format: "new", type: 1, version: parseVersion("1.24.0") });
    expect(board.optionBytes).toMatchObject({ sfsa: 0xd0, sbrv: 0x34000 });
    const operator = new Operator(new WasmTier(new Stm32wb(board)));
    expect(operator.bootCpu2()).toBe(Cpu2Mode.WirelessStack);
    expect(operator.deviceInformation()).toMatchObject({ layout: "stack", stackVersion: "1.24.0" });
  });

  it("refuses a new-format stack on FUS 1.2.0, an existing file without --force, and an impossible part", async () => {
    const image = join(directory, "ble.bin");
    const path = join(directory, "refused.json");
    await expect(sim(["create", path, "--family", "wb5x", "--flash-kb", "1024", "--fus", "1.2.0", "--stack", image])).rejects.toMatchObject({ code: "STACK_REFUSED" });
    captured();
    await sim(["create", path, "--family", "wb1x", "--flash-kb", "320", "--fus", "2.2.0"]);
    await expect(sim(["create", path, "--family", "wb1x", "--flash-kb", "320", "--fus", "2.2.0"])).rejects.toMatchObject({ code: "BOARD_EXISTS" });
    await expect(sim(["create", path, "--force", "--family", "wb5x", "--flash-kb", "512", "--fus", "1.0.1"])).rejects.toMatchObject({ code: "BOARD_INVALID" });
  });

  it("show prints CPU2's own state as JSON", async () => {
    const path = join(directory, "show.json");
    const { lines } = captured();
    await sim(["create", path, "--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0", "--antirollback", "--nvm-section"]);
    await sim(["show", path, "--json"]);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({
      ok: true, sfsa: "0xF0", sfsaAddress: "0x080F0000", nvmSection: { start: "0x080F0000", bytes: 16384 }, antirollback: { active: true },
    });
  });
});
