// `fusop plan FILE...`: the upgrade plan the operator would follow, computed by the operator's own
// wasm module. The part is either read from a board (--board: the part as the operator reports it)
// or described on the command line (--family, --flash-kb, --fus, ...). Prints the steps, the flash
// map and the equivalent STM32_Programmer_CLI command lines.
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { Cpu2Mode } from "../assembly/shared/codes.js";
import { ImageStatus } from "../assembly/shared/image-codes.js";
import { ImageCodec, hex32, type FamilyName } from "../host-sim/images/footer.js";
import { imageStatusCode, imageStatusMessage } from "../host-sim/images/messages.js";
import { UpgradePlanner, refusalJson, stepJson, type ImageFile, type PartDescription, type PlanResult } from "../host-sim/images/planner.js";
import {
  CliError, fileError, hexAddress, oneOf, operandCount, optionString, parseInteger, requiredString, usageError,
  type CommandContext, type CommandSpec, type OptionSpec,
} from "./command.js";
import { drawFlashMap, openPart, optionalAddress } from "./board-command.js";
import { FLASH_BASE, flashRegions, renderFlashMapSvg, renderFlashMapText, type FlashLayout } from "./flash-map.js";
import { readImageTail } from "./image-command.js";
import { parseVersionOption } from "./options.js";
import { programmerSteps } from "./programmer-cli.js";
import { tierOption } from "./targets/tier-choice.js";

const options: Record<string, OptionSpec> = {
  board: { type: "string", value: "BOARD", help: "plan for this part as the operator reads it (instead of --family/--flash-kb/--fus)" },
  tier: tierOption("wasm"),
  family: { type: "string", value: "wb5x|wb3x|wb1x", help: "the part's family (without --board)" },
  "flash-kb": { type: "string", value: "N", help: "the part's flash size in KB (without --board)" },
  fus: { type: "string", value: "X.Y.Z", help: "the FUS version the part runs (without --board)" },
  stack: { type: "string", value: "none|FILE", help: "the stack installed now: none, or the file it came from" },
  sfsa: { type: "string", value: "N", help: "the SFSA option byte now (secure flash start sector)" },
  "app-end": { type: "string", value: "ADDR", help: "first address after the CPU1 application" },
  nvm: { type: "boolean", help: "FUS V2 keeps a 16 KB NVM section although no stack is installed" },
  antirollback: { type: "string", value: "active|activate", help: "anti-rollback is already active, or activate it after the plan" },
  "antirollback-reference": { type: "string", value: "X.Y.Z|none", help: "the anti-rollback reference version (none: activated with no stack)" },
  "flash-dump": { type: "string", value: "FILE", help: "a dump of the part's flash from 0x08000000: refuse if a stale image lies in the free range" },
  svg: { type: "string", value: "FILE", help: "also write the flash map as SVG to FILE" },
};

const offlineOnly = ["family", "flash-kb", "fus", "stack", "sfsa", "nvm", "antirollback", "antirollback-reference", "flash-dump"];

function partFrom(context: CommandContext): PartDescription {
  const values = context.options;
  const family = oneOf(values, "family", ["wb5x", "wb3x", "wb1x"] as const);
  if (family === undefined) throw usageError("MISSING_OPTION", "--family wb5x|wb3x|wb1x is required (or --board BOARD)");
  const flashKb = parseInteger(requiredString(values, "flash-kb", "N"), "--flash-kb", 1024);
  const fusVersion = requiredString(values, "fus", "X.Y.Z (the FUS version the part runs)");
  parseVersionOption(fusVersion, "--fus");
  const antirollback = oneOf(values, "antirollback", ["active", "activate"] as const);
  const reference = optionString(values, "antirollback-reference");
  if (reference !== undefined && reference !== "none") parseVersionOption(reference, "--antirollback-reference");
  const sfsa = optionString(values, "sfsa");
  return {
    family: family as FamilyName,
    flashKb,
    fusVersion,
    sfsa: sfsa === undefined ? undefined : parseInteger(sfsa, "--sfsa", 0xff),
    appEnd: optionalAddress(context, "app-end"),
    nvmSection: values.nvm === true,
    antirollback,
    antirollbackReference: reference,
  };
}

function skippedJson(result: Extract<PlanResult, { ok: true }>): Record<string, unknown>[] {
  return result.skipped.map((skip) => ({ file: skip.file, code: imageStatusCode(skip.status), message: imageStatusMessage(skip.status, { file: skip.file }) }));
}

function stagedRegions(result: Extract<PlanResult, { ok: true }>, images: ImageFile[]): FlashLayout["staged"] {
  return result.steps.filter((step) => step.file !== null && step.address !== null).map((step) => {
    const size = images.find((image) => image.file === step.file)!.size;
    return { start: step.address!, end: step.address! + size, label: `${basename(step.file!)} (${step.action})` };
  });
}

function refuse(result: Extract<PlanResult, { ok: false }>): never {
  const refusal = refusalJson(result);
  throw new CliError(refusal.code, refusal.message, refusal);
}

/** Refuses the plan when the dump shows a stale image footer in the free range FUS would scan. */
function checkDump(dumpFile: string, result: Extract<PlanResult, { ok: true }>, codec: ImageCodec): void {
  let dump: Uint8Array;
  try {
    dump = readFileSync(dumpFile);
  } catch (cause) {
    throw fileError(dumpFile, cause);
  }
  const start = result.freeStart - FLASH_BASE;
  const end = Math.min(dump.length, result.freeEnd - FLASH_BASE);
  if (end <= start) return;
  const scan = codec.scanForStaleImages(dump.subarray(start, end), result.freeStart);
  if (scan.status === ImageStatus.Ok) return;
  const staleAddress = hex32(scan.firstAddress);
  throw new CliError(imageStatusCode(scan.status), imageStatusMessage(scan.status, { staleAddress }),
    { address: staleAddress, magic: hex32(scan.firstMagic), hits: scan.hits });
}

export const planCommand: CommandSpec = {
  words: ["plan"],
  operands: "FILE...",
  summary: "where to stage each image and in which order (or why not), the flash map, and the STM32_Programmer_CLI lines",
  options,
  example: "fusop plan stm32wb5x_FUS_fw.bin stm32wb5x_BLE_Stack_full_fw.bin --family wb5x --flash-kb 1024 --fus 1.2.0",
  run(context) {
    operandCount(context, 1, 16);
    const boardPath = optionString(context.options, "board");
    if (boardPath !== undefined) {
      const clash = offlineOnly.find((name) => context.options[name] !== undefined);
      if (clash) throw usageError("CONFLICTING_OPTIONS", `--${clash} describes a part; with --board the part describes itself`);
    }
    const appEnd = optionalAddress(context, "app-end");
    // Every option is checked before any file is read.
    const part = boardPath === undefined ? partFrom(context) : undefined;
    const images = context.operands.map(readImageTail);
    return part === undefined ? planOnBoard(context, images, appEnd) : planOffline(context, part, images);
  },
  text: (r) => [
    ...(r.steps as { action: string; file: string | null; address: string | null; eraseEnd?: string }[]).map((step, index) =>
      `${index + 1}. ${step.action}${step.file ? ` ${basename(step.file)} at ${step.address}${step.eraseEnd ? ` (erase to ${step.eraseEnd})` : ""}` : ""}`),
    ...((r.steps as unknown[]).length === 0 ? ["nothing to install"] : []),
    ...(r.skipped as { file: string; message: string }[]).map((skip) => `skipped ${basename(skip.file)}: ${skip.message}`),
    "",
    r.flashMap as string,
    "",
    "with STM32CubeProgrammer:",
    ...(r.programmer as string[]).map((line) => `  ${line}`),
  ].join("\n"),
};

function planOffline(context: CommandContext, part: PartDescription, images: ImageFile[]): Record<string, unknown> {
  const stackFile = optionString(context.options, "stack") ?? "none";
  if (stackFile !== "none") part.installedStack = readImageTail(stackFile);
  const codec = new ImageCodec();
  const result = new UpgradePlanner(codec).plan(part, images);
  if (!result.ok) refuse(result);
  const dumpFile = optionString(context.options, "flash-dump");
  if (dumpFile !== undefined) checkDump(dumpFile, result, codec);
  const sectorBytes = part.family === "wb1x" ? 2048 : 4096;
  const map = flashRegions({
    flashKb: part.flashKb, sectorBytes,
    sfsa: part.sfsa ?? (result.freeEnd - FLASH_BASE) / sectorBytes,
    appEnd: part.appEnd,
    staged: stagedRegions(result, images),
  });
  const svg = optionString(context.options, "svg");
  if (svg !== undefined) {
    try {
      writeFileSync(svg, renderFlashMapSvg(map, `plan for ${part.family} ${part.flashKb} KB`));
    } catch (cause) {
      throw fileError(svg, cause, "write");
    }
  }
  return {
    steps: result.steps.map(stepJson),
    skipped: skippedJson(result),
    fusAfter: result.fusAfter,
    freeFlash: { start: hexAddress(result.freeStart), end: hexAddress(result.freeEnd) },
    programmer: programmerSteps(result.steps, { stackRunning: stackFile !== "none", stackInstalled: stackFile !== "none" }),
    flashRegions: map.regions.map((region) => ({ kind: region.kind, start: hexAddress(region.start), end: hexAddress(region.end), label: region.label })),
    flashMap: renderFlashMapText(map),
  };
}

/** The plan for the part the board holds, computed by the operator on it (FUS running, as on the device). */
function planOnBoard(context: CommandContext, images: ImageFile[], appEnd: number | undefined): Record<string, unknown> {
  const part = openPart(context, "wasm");
  try {
    const stackRunning = part.session.boot() === Cpu2Mode.WirelessStack;
    if (stackRunning) context.out.notice("the wireless stack runs: switching CPU2 to FUS to plan (the operator plans with FUS running)");
    part.session.ensureFus();
    const information = part.operator.deviceInformation();
    const result = new UpgradePlanner(new ImageCodec(part.session.tier)).plan({ onDevice: true, appEnd }, images);
    if (!result.ok) {
      result.context.fusVersion ??= information.fusVersion;
      refuse(result);
    }
    const drawn = drawFlashMap(part, context, stagedRegions(result, images), appEnd);
    return {
      steps: result.steps.map(stepJson),
      skipped: skippedJson(result),
      fusAfter: result.fusAfter,
      freeFlash: { start: hexAddress(result.freeStart), end: hexAddress(result.freeEnd) },
      programmer: programmerSteps(result.steps, { stackRunning, stackInstalled: information.stackVersion !== null }),
      flashRegions: drawn.regions,
      flashMap: drawn.map,
      tier: part.tier,
    };
  } finally {
    part.target.save();
  }
}
