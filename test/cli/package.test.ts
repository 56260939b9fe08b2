// The packed tool as a user installs it: `npm pack`, then `npm install -g --prefix` of the tarball
// (offline: nothing must be fetched; the optional serialport, needed by --port only, comes along
// when npm's cache has it), then the installed `fusop` runs on a
// fixture and a virtual board on tier 1, says what to install for tier 2, falls back to tier 1 where
// tier 2 is only the default, and the programmatic API answers through the package's exports.
import { beforeAll, describe, expect, test } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../../host-sim/paths.js";
import { materialiseImage } from "../image/support.js";

const directory = mkdtempSync(join(tmpdir(), "fusop-package-"));
const prefix = join(directory, "prefix");
const fusopBin = join(prefix, "bin", "fusop");
const installed = join(prefix, "lib", "node_modules", "fusop");

/** The environment without whatever npm (npx vitest) put there: the install must not depend on it. */
const environment = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")));

function fusop(args: string[]) {
  const run = spawnSync(fusopBin, args, { encoding: "utf8", cwd: directory, env: environment });
  return { code: run.status, out: run.stdout.trim(), err: run.stderr.trim() };
}

const fixture = (name: string) => materialiseImage(directory, name);

beforeAll(() => {
  const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", directory], { cwd: projectRoot, encoding: "utf8", env: environment, stdio: ["ignore", "pipe", "ignore"] }));
  const tarball = join(directory, packed[0].filename);
  execFileSync("npm", ["install", "-g", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", tarball], { env: environment, stdio: "ignore" });
}, 120_000);

describe("the installed package", () => {
  test("has no runtime dependencies but the optional serialport, and no build inputs", () => {
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.optionalDependencies).toEqual({ serialport: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect(manifest.private).toBeUndefined();
    const files = execFileSync("find", [".", "-type", "f"], { cwd: installed, encoding: "utf8" }).split("\n").filter(Boolean).sort();
    expect(files).toContain("./dist/fusop.js");
    expect(files).toContain("./build/fusop.tier1.wasm");
    expect(files.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))).toEqual([]);
  });

  test("fusop --version", () => {
    const version = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")).version;
    expect(fusop(["--version"])).toMatchObject({ code: 0, out: `fusop ${version}` });
  });

  test("image inspect on ST's FUS binary (fixture)", () => {
    const run = fusop(["image", "inspect", fixture("stm32wb5x_FUS_fw.bin"), "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ ok: true, kind: "fus", version: "2.2.0" });
  });

  test("plan, sim create and board commands on tier 1", () => {
    const fus = fixture("stm32wb5x_FUS_fw.bin");
    expect(JSON.parse(fusop(["plan", fus, "--family", "wb5x", "--flash-kb", "1024", "--fus", "1.2.0", "--json"]).out)).toMatchObject({ ok: true, steps: [{ action: "install-fus" }] });
    const board = join(directory, "part.json");
    expect(fusop(["sim", "create", board, "--family", "wb5x", "--flash-kb", "1024", "--fus", "1.2.0"]).code).toBe(0);
    const info = fusop(["info", "--board", board, "--tier", "wasm", "--json"]);
    expect(info.code).toBe(0);
    expect(JSON.parse(info.out.split("\n").at(-1)!)).toMatchObject({ ok: true, mode: "fus", fusVersion: "1.2.0", tier: "wasm" });
    expect(fusop(["start-fus", "--board", board, "--tier", "wasm"]).code).toBe(0);
  });

  test("--tier arm without the addon says what to install; demo falls back to tier 1 with one notice", () => {
    const board = join(directory, "arm.json");
    fusop(["sim", "create", board, "--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0"]);
    const arm = fusop(["info", "--board", board, "--tier", "arm"]);
    expect(arm.code).toBe(1);
    expect(arm.err).toMatch(/^fusop: error TIER2_UNAVAILABLE: --tier arm: the unicorn addon is not built; .*apt-get install libunicorn-dev.*node-gyp rebuild/);
    const demo = fusop(["demo"]);
    expect(demo.code).toBe(0);
    const notices = demo.err.split("\n").filter((line) => line.startsWith("fusop: tier 2 is not available"));
    expect(notices).toHaveLength(1);
    expect(demo.err).toContain("operator: the wasm module in V8 (tier 1)");
    expect(demo.err).toContain("final state: wireless stack running; FUS 2.2.0; stack 1.24.0");
  });

  test("--port loads the optional serialport where it was installed, and is a named error saying what to install where it was not", () => {
    // Whether npm brought serialport along depends on its cache (the install is offline).
    const hasSerialport = existsSync(join(installed, "node_modules", "serialport"));
    const run = fusop(["info", "--port", join(directory, "no-such-tty"), "--json"]);
    if (hasSerialport) {
      expect(run.code).toBe(4);
      expect(JSON.parse(run.out)).toMatchObject({ ok: false, error: { code: "DEVICE_NOT_REACHABLE" } });
    } else {
      expect(run.code).toBe(1);
      expect(JSON.parse(run.out)).toMatchObject({ ok: false, error: { code: "SERIALPORT_MISSING", message: expect.stringContaining("npm install -g serialport") } });
    }
  });

  test("the programmatic API through the package's exports", () => {
    const script = `import("fusop").then((fusop) => fusop.inspect(${JSON.stringify(fixture("stm32wb5x_FUS_fw.bin"))})).then((r) => console.log(JSON.stringify(r)))`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: join(prefix, "lib"), encoding: "utf8", env: environment });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, exitCode: 0, result: { kind: "fus", version: "2.2.0" }, events: [] });
    expect(readFileSync(join(installed, "dist", "types", "cli", "api.d.ts"), "utf8")).toContain("export declare function install(");
  });
});
