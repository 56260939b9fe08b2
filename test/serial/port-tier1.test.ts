// `fusop --port` (in process) against the field loader on tier 1 bridged to a pty pair: the same
// console and YMODEM path as on tier 2 (port-target.test.ts), with the loader's wasm module. The
// part description equals `--board B info` for a board of the same configuration, and an install of
// FUS 2.2.0 and a BLE stack ends with the stack running (fus-behaviour §1.6, §1.7).
import { afterAll, describe, expect, test } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { fusop } from "../support/cli.js";
import { LoaderRig } from "../loader/support.js";
import { Tier1Bridge } from "./tier1-bridge.js";

const directory = mkdtempSync(join(tmpdir(), "fusop-port-tier1-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const PART_FIELDS = ["mode", "fusVersion", "stackVersion", "stackType", "stackTypeName", "safebootVersion", "sfsa", "sfsaAddress",
  "sbrv", "sbrvAddress", "state", "error", "flashKb", "deviceId", "revisionId", "uid64"];
const part = (info: Record<string, unknown>) => Object.fromEntries(PART_FIELDS.map((key) => [key, info[key]]));

describe("fusop --port against the loader on tier 1 through a pty", () => {
  test("info equals --board's part description; install FUS then a BLE stack ends with the stack running", async () => {
    const board = join(directory, "b.json");
    expect((await fusop(["sim", "create", board, "--family", "wb5x", "--flash-kb", "1024", "--fus", "1.2.0", "--json"])).code).toBe(0);
    const direct = await fusop(["--board", board, "info", "--json", "--tier", "wasm"]);
    expect(direct.code).toBe(0);

    const bridge = await Tier1Bridge.open(new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "1.2.0" }, 0));
    try {
      const info = await fusop(["--port", bridge.link, "info", "--json"]);
      expect(info.code, JSON.stringify(info.result)).toBe(0);
      expect(part(info.result)).toEqual(part(direct.result));

      const fus = join(directory, "stm32wb5x_FUS_fw.bin");
      writeFileSync(fus, buildImage({ kind: "fus", version: parseVersion("2.2.0"), size: 24_464, family: "wb5x" }));
      const stack = join(directory, "stm32wb5x_BLE_Stack_full_fw.bin");
      writeFileSync(stack, buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x6000, family: "wb5x", format: "legacy", stackType: 0x01 }));
      const install = await fusop(["--port", bridge.link, "install", fus, stack, "--json"]);
      expect(install.code, JSON.stringify(install.result)).toBe(0);
      expect(install.result).toMatchObject({ mode: "stack", fusVersion: "2.2.0", stackVersion: "1.24.0" });
      expect(bridge.resets).toBeGreaterThanOrEqual(2); // FUS resets the part during its upgrade (fus-behaviour §1.7)
      // The virtual part itself, not only what the loader said: the stack is installed, of the image's version.
      expect(bridge.rig.chip.board.cpu2.stack?.version).toBe(parseVersion("1.24.0"));
    } finally {
      await bridge.close();
    }
  }, 120_000);
});
