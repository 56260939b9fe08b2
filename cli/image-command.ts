// `fusop image inspect FILE [--json]`: decodes a coprocessor image's footers with the operator's
// wasm module (the device's own code) and prints kind, format, version, size and signatures.
import { basename } from "node:path";
import { ImageStatus } from "../assembly/shared/image-codes.js";
import { ImageCodec, hex32, readFileTail, type DecodedImage } from "../host-sim/images/footer.js";
import { imageStatusCode, imageStatusMessage } from "../host-sim/images/messages.js";
import { parseArguments } from "./args.js";

export interface CommandError {
  code: string;
  message: string;
  [detail: string]: unknown;
}

/** Prints a result as JSON or as one line, and returns the exit code (0 ok, 1 refused, 2 usage). */
export function emit(json: boolean, result: { ok: true; [field: string]: unknown } | { ok: false; error: CommandError }, line: string): number {
  if (json) {
    console.log(JSON.stringify(result));
  } else if (result.ok) {
    console.log(line);
  } else {
    console.error(`fusop: ${result.error.code}: ${result.error.message}`);
  }
  if (result.ok) return 0;
  return result.error.code === "USAGE" ? 2 : 1;
}

export function usageError(message: string): { ok: false; error: CommandError } {
  return { ok: false, error: { code: "USAGE", message } };
}

export function unreadableFile(file: string, cause: unknown): { ok: false; error: CommandError } {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return { ok: false, error: { code: "FILE_UNREADABLE", message: `cannot read '${file}' (${reason}): check the path` } };
}

export function imageJson(file: string, image: DecodedImage): { ok: true; [field: string]: unknown } {
  return {
    ok: true,
    file,
    kind: image.kind,
    format: image.format,
    version: image.version,
    versionWord: hex32(image.versionWord),
    sectors: image.sectors,
    sectorBytes: image.sectorBytes,
    families: image.families,
    signatures: image.signatures,
    size: image.size,
    magic: hex32(image.magic),
    sram2aNonSecureKb: image.sram2aNonSecureKb,
    sram2bNonSecureKb: image.sram2bNonSecureKb,
    nvmBytes: image.nvmBytes,
    safebootV2: image.safebootV2,
  };
}

function describe(file: string, image: DecodedImage): string {
  const what =
    image.kind === "stack" ? `wireless stack (${image.format} format)` : image.kind === "fus" ? "FUS" : image.safebootV2 ? "Safeboot (FUS V2 only)" : "Safeboot";
  const signed = image.signatures.map((name) => (name === "st" ? "ST" : "customer")).join(" + ");
  return `${basename(file)}: ${what} V${image.version}, ${image.sectors} × ${image.sectorBytes / 1024} KB sectors (${image.families.join("/")}), signed by ${signed}`;
}

const USAGE = "usage: fusop image inspect FILE [--json]";

export async function run(args: string[]): Promise<number> {
  const json = args.includes("--json");
  let words: string[];
  try {
    words = parseArguments(args, [], ["json"]).positional;
  } catch (problem) {
    return emit(json, usageError(`${(problem as Error).message}; ${USAGE}`), "");
  }
  if (words[0] === "inspect") words.shift();
  if (words.length !== 1) return emit(json, usageError(USAGE), "");
  const file = words[0];

  let tail: Uint8Array;
  let size: number;
  try {
    ({ tail, size } = readFileTail(file));
  } catch (cause) {
    return emit(json, unreadableFile(file, cause), "");
  }
  const decoded = new ImageCodec().decodeTail(tail, size);
  if (!decoded.ok) {
    return emit(json, { ok: false, error: statusError(decoded.status, file) }, "");
  }
  return emit(json, imageJson(file, decoded.image), describe(file, decoded.image));
}

export function statusError(status: ImageStatus, file: string): CommandError {
  return { code: imageStatusCode(status), message: imageStatusMessage(status, { file }), file };
}
