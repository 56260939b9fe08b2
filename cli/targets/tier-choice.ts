// Which tier runs the operator. Tier 1 (the wasm module in Node) ships in the package; tier 2 (the
// ARM firmware on unicorn) needs the native addon, built on the user's machine. A command that
// defaults to tier 2 falls back to tier 1 with a one-line notice; asking for tier 2 explicitly
// without the addon is an error that says what to install.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { probeElfPathFor, projectRoot, unicornAddonPath } from "../../host-sim/paths.js";
import type { TierName } from "../../host-sim/tiers/tier.js";
import { CliError, oneOf, type OptionSpec, type OptionValues, type Output } from "../command.js";

export const tierOption = (defaultTier: TierName): OptionSpec => ({
  type: "string",
  value: "wasm|arm",
  help: `operator tier: wasm (tier 1, the wasm module) or arm (tier 2, the ARM firmware on unicorn); default ${defaultTier}`,
});

/** Why tier 2 cannot run here, or null when it can. */
export function tier2Missing(family: "wb5x" | "wb3x" | "wb1x" = "wb5x"): string | null {
  const elf = probeElfPathFor(family);
  if (!existsSync(elf)) return `the ARM probe firmware ${elf} is missing (build it from a fusop clone: make firmware)`;
  if (!existsSync(unicornAddonPath)) return "the unicorn addon is not built";
  try {
    createRequire(import.meta.url)(unicornAddonPath);
    return null;
  } catch (error) {
    return `the unicorn addon does not load (${(error as Error).message.split("\n")[0]})`;
  }
}

export function tier2InstallHint(): string {
  return "install the unicorn library and a C++ toolchain (Debian: apt-get install libunicorn-dev g++ make python3), then build the addon: " +
    `cd ${projectRoot} && npm install --no-save node-addon-api@8.9.2 node-gyp@11.4.2 && cd ${join("host-sim", "native")} && npx node-gyp rebuild ` +
    "(add --nodedir=/usr to build offline against Debian's Node headers)";
}

export function chooseTier(options: OptionValues, defaultTier: TierName, out: Output, family?: "wb5x" | "wb3x" | "wb1x"): TierName {
  const asked = oneOf(options, "tier", ["wasm", "arm"] as const);
  const wanted = asked ?? defaultTier;
  if (wanted === "wasm") return "wasm";
  const missing = tier2Missing(family);
  if (missing === null) return "arm";
  if (asked === "arm") throw new CliError("TIER2_UNAVAILABLE", `--tier arm: ${missing}; ${tier2InstallHint()}`);
  out.notice(`tier 2 is not available (${missing}); running on tier 1 (wasm). For tier 2: ${tier2InstallHint()}`);
  return "wasm";
}
