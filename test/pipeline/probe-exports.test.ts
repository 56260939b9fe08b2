// The RAM probe (the --gdb target's firmware) keeps the exports the PC calls through it, listed in
// runtime-c/probe-exports.json: every name the host's code calls the operator module by (the
// operator, session, image decoder, footer scan and planner of host-sim/, the CLI's targets) must be
// in the list, and the linked RAM probe holds exactly the listed wrappers; tier 2's flash probe
// holds them all. Install, upgrade and delete keep their checks on the part: the preflight and the
// refusals are inside the exports (the refusals through --gdb: test/serve/parity.test.ts).
import { describe, expect, test } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { buildDirectory, probeElfPath, projectRoot } from "../../host-sim/paths.js";
import { parseElf } from "../../host-sim/tiers/elf.js";

const api = JSON.parse(readFileSync(join(buildDirectory, "gen", "fusop_api.json"), "utf8")) as Record<string, { symbol: string }>;
const { exports: listed, offlinePlanOnly } = JSON.parse(readFileSync(join(projectRoot, "runtime-c", "probe-exports.json"), "utf8")) as { exports: string[]; offlinePlanOnly: string[] };

/** Every export name the host's TypeScript calls (`call("name"` literals, the image exports' type), with the files calling it. */
function hostCalls(): Map<string, Set<string>> {
  const callers = new Map<string, Set<string>>();
  const add = (name: string, file: string) => callers.set(name, (callers.get(name) ?? new Set()).add(file));
  for (const directory of ["cli", "host-sim"]) {
    for (const file of readdirSync(join(projectRoot, directory), { recursive: true, encoding: "utf8" })) {
      if (!file.endsWith(".ts")) continue;
      const source = readFileSync(join(projectRoot, directory, file), "utf8");
      for (const [, name] of source.matchAll(/\bcall\("(\w+)"/g)) add(name, `${directory}/${file}`);
      const imageExports = /export type ImageExport =([^;]*);/.exec(source);
      for (const [, name] of imageExports?.[1].matchAll(/"(\w+)"/g) ?? []) add(name, `${directory}/${file}`);
    }
  }
  return callers;
}

/** The planner's branch for a part described by hand (host-sim/images/planner.ts), without the part's own description. */
function offlinePlanBranch(): string {
  const source = readFileSync(join(projectRoot, "host-sim", "images", "planner.ts"), "utf8");
  const branch = /\n    \} else \{\n([\s\S]*?)\n    \}\n/.exec(source.slice(source.indexOf("if (onDevice) {")));
  if (!branch) throw new Error("planner.ts: the offline branch of plan() moved; update this test");
  return branch[1];
}

/** The C API wrappers (fusop_x_*) an ELF holds, by export name. */
function wrappersIn(elf: string): string[] {
  const symbols = parseElf(readFileSync(elf)).symbols;
  return Object.keys(api).filter((name) => symbols.has(api[name].symbol));
}

describe("the RAM probe's exports (runtime-c/probe-exports.json)", () => {
  test("every export the PC's code calls is listed, and every listed name is one the module exports", () => {
    const calls = hostCalls();
    expect(calls.size).toBeGreaterThan(100);
    expect([...calls.keys()].filter((name) => !listed.includes(name) && !offlinePlanOnly.includes(name))).toEqual([]);
    expect(listed.filter((name) => !(name in api))).toEqual([]);
  });

  test("the unlisted planner setters are called only where plan() describes a part by hand (never on a part)", () => {
    const branch = offlinePlanBranch();
    for (const name of offlinePlanOnly) {
      expect([name, [...(hostCalls().get(name) ?? [])].filter((file) => !/^host-sim\/images\/(planner|footer)\.ts$/.test(file))]).toEqual([name, []]);
      const inPlanner = readFileSync(join(projectRoot, "host-sim", "images", "planner.ts"), "utf8").split(`call("${name}"`).length - 1;
      expect([name, branch.split(`call("${name}"`).length - 1]).toEqual([name, inPlanner]);
    }
    expect(branch).toContain('call("planSetDevice"');
  });

  test("the RAM probe links exactly the listed wrappers; tier 2's flash probe links every export", () => {
    expect(wrappersIn(join(buildDirectory, "fw", "fusop-probe-ram.elf")).sort()).toEqual([...listed].sort());
    expect(wrappersIn(probeElfPath).sort()).toEqual(Object.keys(api).sort());
    expect(listed.length).toBeLessThan(Object.keys(api).length);
  });
});
