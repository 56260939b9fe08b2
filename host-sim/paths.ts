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
/** The field loader's module (assembly/loader/index.ts, runtime-c/loader.mk), instrumented for tier 1. */
export const loaderTier1WasmPath = join(buildDirectory, "fusop-loader.tier1.wasm");
/** The STM32WB55xG probe firmware (the main build; also what the benchmarks measure). */
export const probeElfPath = join(buildDirectory, "fw", "fusop-probe.elf");

/**
 * The probe firmware built for a family (Makefile VARIANT_PROBE): WB5x parts run the WB55xG build,
 * WB3x the WB35xE build (32 KB SRAM1, 512 KB flash), WB1x the WB15CC build (2 KB sectors, 12 KB SRAM1).
 */
export function probeElfPathFor(family: "wb5x" | "wb3x" | "wb1x"): string {
  if (family === "wb3x") return join(buildDirectory, "fw", "stm32wb35xe", "fusop-probe.elf");
  if (family === "wb1x") return join(buildDirectory, "fw", "stm32wb15cc", "fusop-probe.elf");
  return probeElfPath;
}
/**
 * The field loader firmware built for a part (runtime-c/loader.mk): the probe's variants, and the
 * WB55xE build for 512 KB WB5x parts (its hal bounds flash at 512 KB); other WB5x sizes run the
 * WB55xG build, whose bound is the larger one.
 */
export function loaderElfPathFor(family: "wb5x" | "wb3x" | "wb1x", flashKb?: number): string {
  return loaderBuildElfPath(family === "wb3x" ? "stm32wb35xe" : family === "wb1x" ? "stm32wb15cc" : flashKb === 512 ? "stm32wb55xe" : "stm32wb55xg");
}
/** The loader ELF of one build of runtime-c/loader.mk by its directory: a part's, or a console option's (e.g. stm32wb55xg-921600). */
export function loaderBuildElfPath(build: string): string {
  return join(buildDirectory, "fw", build, "fusop-loader.elf");
}
export const unicornAddonPath = join(projectRoot, "host-sim", "native", "build", "Release", "fusop_unicorn.node");
/** Bytes of linear memory the device gives the module. */
export { DEVICE_LINEAR_BYTES as deviceLinearBytes } from "../assembly/shared/device.js";
/** Bytes of linear memory the device gives the loader module. */
export { LOADER_LINEAR_BYTES as loaderLinearBytes } from "../assembly/loader/device.js";
