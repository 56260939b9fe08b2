// Locates the project's build outputs whether running from sources (vitest) or from dist/ (CLI).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findProjectRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, "package.json"))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error("fusop: cannot find the project root (package.json)");
    directory = parent;
  }
  return directory;
}

export const projectRoot = findProjectRoot();
export const buildDirectory = join(projectRoot, "build");
export const tier1WasmPath = join(buildDirectory, "fusop.tier1.wasm");
export const deviceWasmPath = join(buildDirectory, "fusop.wasm");
export const probeElfPath = join(buildDirectory, "fw", "fusop-probe.elf");
export const unicornAddonPath = join(projectRoot, "host-sim", "native", "build", "Release", "fusop_unicorn.node");
/** Bytes of linear memory the device gives the module. */
export { DEVICE_LINEAR_BYTES as deviceLinearBytes } from "../assembly/shared/device.js";
