// `fusop plan FILE... --family wb5x|wb3x|wb1x --flash-kb N --fus X.Y.Z [--stack none|FILE]
// [--sfsa N] [--app-end ADDR] [--nvm] [--antirollback active|activate] [--antirollback-reference
// X.Y.Z|none] [--flash-dump FILE] [--json]`: the upgrade plan the operator would follow, offline,
// computed by the operator's own wasm module.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { ImageStatus } from "../assembly/shared/image-codes.js";
import { ImageCodec, hex32, readFileTail, type FamilyName } from "../host-sim/images/footer.js";
import { imageStatusCode, imageStatusMessage } from "../host-sim/images/messages.js";
import { UpgradePlanner, refusalJson, stepJson, type ImageFile, type PartDescription } from "../host-sim/images/planner.js";
import { parseVersion } from "../host-sim/versions.js";
import { parseArguments, type ParsedArguments } from "./args.js";
import { emit, unreadableFile, usageError } from "./image-command.js";

const USAGE =
  "usage: fusop plan FILE... --family wb5x|wb3x|wb1x --flash-kb N --fus X.Y.Z [--stack none|FILE] [--sfsa N] " +
  "[--app-end ADDR] [--nvm] [--antirollback active|activate] [--antirollback-reference X.Y.Z|none] [--flash-dump FILE] [--json]";

const valueOptions = ["family", "flash-kb", "fus", "stack", "sfsa", "app-end", "antirollback", "antirollback-reference", "flash-dump"];
const switchOptions = ["json", "nvm"];

function parseNumber(text: string, what: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new Error(`${what} '${text}' is not a number (decimal or 0x hex)`);
  }
  return value;
}

function partFrom(parsed: ParsedArguments): PartDescription {
  const family = parsed.options.get("family");
  if (family !== "wb5x" && family !== "wb3x" && family !== "wb1x") throw new Error("--family must be wb5x, wb3x or wb1x");
  const flashKb = parsed.options.get("flash-kb");
  if (flashKb === undefined) throw new Error("--flash-kb is required");
  const fusVersion = parsed.options.get("fus");
  if (fusVersion === undefined) throw new Error("--fus X.Y.Z is required (the FUS version the part runs)");
  const antirollback = parsed.options.get("antirollback");
  if (antirollback !== undefined && antirollback !== "active" && antirollback !== "activate") {
    throw new Error("--antirollback must be active (already activated) or activate (activate after the plan)");
  }
  parseVersion(fusVersion); // refuse a malformed version here, as a usage error
  const reference = parsed.options.get("antirollback-reference");
  if (reference !== undefined && reference !== "none") parseVersion(reference);
  const sfsa = parsed.options.get("sfsa");
  const appEnd = parsed.options.get("app-end");
  return {
    family: family as FamilyName,
    flashKb: parseNumber(flashKb, "--flash-kb"),
    fusVersion,
    sfsa: sfsa === undefined ? undefined : parseNumber(sfsa, "--sfsa"),
    appEnd: appEnd === undefined ? undefined : parseNumber(appEnd, "--app-end"),
    nvmSection: parsed.switches.has("nvm"),
    antirollback: antirollback as PartDescription["antirollback"],
    antirollbackReference: reference,
  };
}

function readImage(file: string): ImageFile {
  const { tail, size } = readFileTail(file);
  return { file, tail, size };
}

export async function run(args: string[]): Promise<number> {
  const json = args.includes("--json");
  let parsed: ParsedArguments;
  try {
    parsed = parseArguments(args, valueOptions, switchOptions);
  } catch (problem) {
    return emit(json, usageError(`${(problem as Error).message}; ${USAGE}`), "");
  }
  const files = parsed.positional;
  if (files.length === 0) return emit(json, usageError(`no image given; ${USAGE}`), "");

  let part: PartDescription;
  try {
    part = partFrom(parsed);
  } catch (problem) {
    return emit(json, usageError(`${(problem as Error).message}; ${USAGE}`), "");
  }

  const images: ImageFile[] = [];
  const stackFile = parsed.options.get("stack") ?? "none";
  for (const file of stackFile === "none" ? files : [...files, stackFile]) {
    try {
      images.push(readImage(file));
    } catch (cause) {
      return emit(json, unreadableFile(file, cause), "");
    }
  }
  // The installed stack's file was read last.
  if (stackFile !== "none") part.installedStack = images.pop();

  const codec = new ImageCodec();
  const result = new UpgradePlanner(codec).plan(part, images);
  if (!result.ok) return emit(json, { ok: false, error: refusalJson(result) }, "");

  const dumpFile = parsed.options.get("flash-dump");
  if (dumpFile !== undefined) {
    let dump: Uint8Array;
    try {
      dump = readFileSync(dumpFile);
    } catch (cause) {
      return emit(json, unreadableFile(dumpFile, cause), "");
    }
    // The dump starts at the flash base; only the free range FUS would scan matters.
    const flashBase = 0x08000000;
    const start = result.freeStart - flashBase;
    const end = Math.min(dump.length, result.freeEnd - flashBase);
    if (end > start) {
      const scan = codec.scanForStaleImages(dump.subarray(start, end), result.freeStart);
      if (scan.status !== ImageStatus.Ok) {
        const staleAddress = hex32(scan.firstAddress);
        const error = {
          code: imageStatusCode(scan.status),
          message: imageStatusMessage(scan.status, { staleAddress }),
          address: staleAddress,
          magic: hex32(scan.firstMagic),
          hits: scan.hits,
        };
        return emit(json, { ok: false, error }, "");
      }
    }
  }

  const line =
    result.steps.length === 0
      ? "nothing to install"
      : result.steps
          .map((step, index) => `${index + 1}. ${step.action}${step.file ? ` ${basename(step.file)} at ${hex32(step.address ?? 0)}` : ""}`)
          .join("; ");
  return emit(
    json,
    {
      ok: true,
      steps: result.steps.map(stepJson),
      skipped: result.skipped.map((skip) => ({ file: skip.file, code: imageStatusCode(skip.status), message: imageStatusMessage(skip.status, { file: skip.file }) })),
      fusAfter: result.fusAfter,
      freeFlash: { start: hex32(result.freeStart), end: hex32(result.freeEnd) },
    },
    line,
  );
}
