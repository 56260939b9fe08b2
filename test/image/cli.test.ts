// `fusop image inspect` and `fusop plan` as scripts see them: JSON contracts of DESIGN.md, exit codes,
// and one-line messages. Files are rebuilt at their real size around the real 256-byte tails.
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { runCli } from "../../cli/cli.js";
import { allImageStatusCodes } from "../../host-sim/images/messages.js";
import { footerIndex, materialiseImage, realTail } from "./support.js";

const directory = mkdtempSync(join(tmpdir(), "fusop-image-cli-"));

function materialise(originalName: string, family = "STM32WB5x"): string {
  return materialiseImage(directory, originalName, family);
}

async function capture(command: (args: string[]) => Promise<number>, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((line: string) => void out.push(line));
  const error = vi.spyOn(console, "error").mockImplementation((line: string) => void err.push(line));
  try {
    const code = await command(args);
    return { code, out, err };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const runImage = (args: string[]) => runCli(["image", ...args]);
const runPlan = (args: string[]) => runCli(["plan", ...args]);

let files: Record<string, string>;
beforeAll(() => {
  files = {
    fus053: materialise("stm32wb5x_FUS_fw_for_fus_0_5_3.bin"),
    fus120: materialise("stm32wb5x_FUS_fw_1_2_0.bin"),
    fus220: materialise("stm32wb5x_FUS_fw.bin"),
    bleFull: materialise("stm32wb5x_BLE_Stack_full_fw.bin"),
    hciLayer: materialise("stm32wb5x_BLE_HCILayer_fw.bin"),
    threadDynamic: materialise("stm32wb5x_BLE_Thread_dynamic_fw.bin"),
    wb1xSafeboot: materialise("stm32wb1x_Safeboot_fw.bin", "STM32WB1x"),
  };
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("fusop image inspect (DESIGN.md interfaces; fus-behaviour §4)", () => {
  test("--json gives kind, format, version, sectors, signatures", async () => {
    const { code, out } = await capture(runImage, ["inspect", files.bleFull, "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out[0])).toMatchObject({
      ok: true,
      kind: "stack",
      format: "new",
      version: "1.24.0",
      sectors: 32,
      signatures: ["st"],
    });
  });

  test("FUS V1.2.0's blank version word reads as 1.2.0; FUS has format null", async () => {
    const { out } = await capture(runImage, ["inspect", files.fus120, "--json"]);
    expect(JSON.parse(out[0])).toMatchObject({ ok: true, kind: "fus", format: null, version: "1.2.0", versionWord: "0xFFFFFFFF", sectors: 6 });
  });

  test("WB1x Safeboot V2.0.1: 3 sectors of 2 KB", async () => {
    const { out } = await capture(runImage, ["inspect", files.wb1xSafeboot, "--json"]);
    expect(JSON.parse(out[0])).toMatchObject({ kind: "safeboot", version: "2.0.1", sectors: 3, sectorBytes: 2048, families: ["wb1x"] });
  });

  test("one line without --json", async () => {
    const { code, out } = await capture(runImage, ["inspect", files.hciLayer]);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/stm32wb5x_BLE_HCILayer_fw\.bin: wireless stack \(legacy format\) V1\.24\.0, 19 × 4 KB sectors/);
  });

  test("a file that is no image: named error, exit 1", async () => {
    const junk = join(directory, "junk.bin");
    writeFileSync(junk, new Uint8Array(4096).map((_, index) => (index * 7) & 0xff));
    const { code, out } = await capture(runImage, ["inspect", junk, "--json"]);
    expect(code).toBe(1);
    expect(JSON.parse(out[0])).toMatchObject({ ok: false, error: { code: "IMAGE_NOT_SIGNED" } });
    const plain = await capture(runImage, ["inspect", junk]);
    expect(plain.err[0]).toMatch(/^fusop: error IMAGE_NOT_SIGNED: /);
  });

  test("missing file and bad usage", async () => {
    const missing = await capture(runImage, ["inspect", join(directory, "nope.bin"), "--json"]);
    expect(JSON.parse(missing.out[0]).error.code).toBe("FILE_NOT_FOUND");
    expect((await capture(runImage, ["inspect", "--json"])).code).toBe(2);
  });
});

describe("fusop plan (DESIGN.md interfaces; seed §3.3, fus-behaviour §5, §6)", () => {
  test("V0.5.3 part, whole release folder: chain and addresses", async () => {
    const { code, out } = await capture(runPlan, [
      files.fus053, files.fus120, files.fus220, files.bleFull,
      "--family", "wb5x", "--flash-kb", "1024", "--fus", "0.5.3", "--stack", "none", "--json",
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(out[0]);
    expect(result.ok).toBe(true);
    expect(result.steps.map((step: { action: string; file: string; address: string }) => [step.action, step.file, step.address])).toEqual([
      ["install-fus", files.fus053, "0x080EC000"],
      ["install-fus", files.fus220, "0x080EE000"],
      ["install-stack", files.bleFull, "0x080D0000"],
    ]);
    expect(result.skipped).toEqual([expect.objectContaining({ file: files.fus120, code: "FUS_SUPERSEDED" })]);
  });

  test("refusal: JSON error with stable code and a message saying the way out", async () => {
    const { code, out } = await capture(runPlan, [files.fus120, "--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0", "--json"]);
    expect(code).toBe(1);
    const result = JSON.parse(out[0]);
    expect(result).toMatchObject({ ok: false, error: { code: "FUS_DOWNGRADE" } });
    expect(result.error.message).toMatch(/older than the running V2\.2\.0/);
  });

  test("not fitting on a 512 KB part: missing bytes in the error, counted above CPU1's 28 KB boot reserve", async () => {
    const { out } = await capture(runPlan, [files.threadDynamic, "--family", "wb5x", "--flash-kb", "512", "--fus", "2.2.0", "--json"]);
    const result = JSON.parse(out[0]);
    expect(result.error.code).toBe("IMAGE_DOES_NOT_FIT");
    // The image would start 0xB000 below the flash base; without --app-end 0x7000 more are kept.
    expect(result.error.missingBytes).toBe(0xb000 + 0x7000);
    expect(result.error.message).toMatch(/73728 bytes \(72 KB\) are missing/);
    expect(result.error.message).toMatch(/flash below 0x08007000 is kept for CPU1's boot code; pass --app-end/);
  });

  test("--stack FILE and --app-end: a stack over an installed one, below the application's end", async () => {
    const { out } = await capture(runPlan, [
      files.hciLayer, "--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0", "--stack", files.bleFull, "--app-end", "0x08020000", "--json",
    ]);
    const result = JSON.parse(out[0]);
    // one free sector below BLE_Stack_full at 0x080D0000, 19 sectors (seed §3.2)
    expect(result.steps).toEqual([
      expect.objectContaining({ action: "install-stack", address: "0x080BC000", eraseEnd: "0x080D0000" }),
    ]);
    expect(result.freeFlash).toEqual({ start: "0x08020000", end: "0x080D0000" });
  });

  test("--flash-dump with a stale FUS footer in free flash is refused (fus-behaviour §1.4)", async () => {
    const dump = new Uint8Array(0x100000).fill(0xff);
    const tail = footerIndex.find((entry) => entry.original_name === "stm32wb5x_FUS_fw_1_2_0.bin")!;
    dump.set(realTail(tail), 0x0ec000 + tail.size - 256);
    const dumpPath = join(directory, "flash.bin");
    writeFileSync(dumpPath, dump);
    const { code, out } = await capture(runPlan, [
      files.bleFull, "--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0", "--flash-dump", dumpPath, "--json",
    ]);
    expect(code).toBe(1);
    expect(JSON.parse(out[0]).error).toMatchObject({ code: "STALE_IMAGE_IN_FLASH", address: "0x080F1F54", magic: "0x32279221" });
  });

  test("usage errors exit 2", async () => {
    expect((await capture(runPlan, [files.bleFull, "--flash-kb", "1024", "--fus", "2.2.0", "--json"])).code).toBe(2);
    expect((await capture(runPlan, [files.bleFull, "--family", "wb5x", "--flash-kb", "1024", "--fus", "two", "--json"])).code).toBe(2);
    expect((await capture(runPlan, ["--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0"])).code).toBe(2);
  });

  test("every refusal code is a distinct stable name", () => {
    const codes = allImageStatusCodes();
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });
});
