// `fusop image inspect FILE`: decodes a coprocessor image's footers with the operator's wasm module
// (the device's own code). `fusop image make ...`: writes a simulator test image in the real footer
// layout, signed with the simulator's ST key (host-sim/images/builder.ts; layout in host-sim/README.md).
import { basename } from "node:path";
import { writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import type { ImageStatus } from "../assembly/shared/image-codes.js";
import { ImageCodec, hex32, readFileTail, type DecodedImage } from "../host-sim/images/footer.js";
import { imageStatusCode, imageStatusMessage } from "../host-sim/images/messages.js";
import { buildImage, minimumImageSize, type ImageSpec } from "../host-sim/images/builder.js";
import { loadCustomerKey } from "../host-sim/images/signing.js";
import { isFamily } from "../host-sim/chip/variants.js";
import { formatVersion } from "../host-sim/versions.js";
import {
  CliError, fileError, oneOf, operandCount, optionString, parseInteger, requiredString, usageError, type CommandSpec,
} from "./command.js";
import { parseVersionOption } from "./options.js";

export function statusError(status: ImageStatus, file: string): CliError {
  return new CliError(imageStatusCode(status), imageStatusMessage(status, { file }), { file });
}

/** Reads a file's last bytes and size (the footers); a missing or unreadable file is a FILE_ error. */
export function readImageTail(file: string): { file: string; tail: Uint8Array; size: number } {
  try {
    const { tail, size } = readFileTail(file);
    return { file, tail, size };
  } catch (cause) {
    throw fileError(file, cause);
  }
}

/** Decodes an image file's footers; a file that is not a coprocessor image is refused by name. */
export function inspectImage(file: string, codec = new ImageCodec()): DecodedImage {
  const { tail, size } = readImageTail(file);
  const decoded = codec.decodeTail(tail, size);
  if (!decoded.ok) throw statusError(decoded.status, file);
  return decoded.image;
}

export function imageJson(file: string, image: DecodedImage): Record<string, unknown> {
  return {
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

const inspect: CommandSpec = {
  words: ["image", "inspect"],
  operands: "FILE",
  summary: "decode a coprocessor image's footers (kind, format, version, size, signatures)",
  options: {},
  example: "fusop image inspect stm32wb5x_BLE_Stack_full_fw.bin",
  run(context) {
    operandCount(context, 1, 1);
    const file = context.operands[0];
    return imageJson(file, inspectImage(file));
  },
  text: (result) => describe(result.file as string, result as unknown as DecodedImage),
};

const make: CommandSpec = {
  words: ["image", "make"],
  operands: "",
  summary: "build a test image in ST's footer layout, signed by the simulator's ST key (never installable on silicon)",
  options: {
    kind: { type: "string", value: "fus|stack|safeboot", help: "what the image is" },
    version: { type: "string", value: "X.Y.Z", help: "its version" },
    size: { type: "string", value: "N", help: "its size in bytes (decimal or 0x hex)" },
    family: { type: "string", value: "wb5x|wb3x|wb1x", help: "the family it is built for" },
    format: { type: "string", value: "legacy|new", help: "stack footer format (default legacy)" },
    "customer-key": { type: "string", value: "FILE", help: "also sign with this EC P-256 private key (PEM)" },
    "stack-type": { type: "string", value: "N", help: "stack type byte (stacks only)" },
    "fus-variant": { type: "string", value: "for-0.5.3|for-1.x", help: "which of the two V1.2.0 FUS binaries" },
    output: { type: "string", short: "o", value: "FILE", help: "where to write the image" },
  },
  example: "fusop image make --kind stack --version 1.24.0 --size 0x18000 --family wb5x --format new -o ble.bin",
  run(context) {
    operandCount(context, 0, 0);
    const options = context.options;
    const kind = oneOf(options, "kind", ["fus", "stack", "safeboot"] as const);
    if (kind === undefined) throw usageError("MISSING_OPTION", "--kind fus|stack|safeboot is required");
    const family = requiredString(options, "family", "wb5x|wb3x|wb1x");
    if (!isFamily(family)) throw usageError("BAD_VALUE", `--family is wb5x, wb3x or wb1x; not '${family}'`);
    const version = parseVersionOption(requiredString(options, "version", "X.Y.Z"), "--version");
    const size = parseInteger(requiredString(options, "size", "N"), "--size");
    const output = requiredString(options, "output", "FILE");
    const format = oneOf(options, "format", ["legacy", "new"] as const) ?? "legacy";
    if (optionString(options, "format") !== undefined && kind !== "stack") throw usageError("BAD_VALUE", "--format applies to stacks only");
    const fusVariant = oneOf(options, "fus-variant", ["for-0.5.3", "for-1.x"] as const);
    const stackType = optionString(options, "stack-type");
    const customerKeyFile = optionString(options, "customer-key");
    const spec: ImageSpec = {
      kind, family, version, size, format, fusVariant,
      stackType: stackType === undefined ? undefined : parseInteger(stackType, "--stack-type", 0xff),
      customerKey: customerKeyFile === undefined ? undefined : loadKey(customerKeyFile),
    };
    if (size < minimumImageSize(spec)) throw usageError("BAD_VALUE", `--size ${size} is below the ${minimumImageSize(spec)} bytes the layout needs`);
    const image = buildImage(spec);
    try {
      writeFileSync(output, image);
    } catch (cause) {
      throw fileError(output, cause, "write");
    }
    return {
      file: output, kind, family, version: formatVersion(version), size: image.length,
      format: kind === "stack" ? format : null, customerSigned: spec.customerKey !== undefined,
      sha256: createHash("sha256").update(image).digest("hex"),
    };
  },
  text: (r) => `wrote ${r.file}: ${r.kind} ${r.version}${r.kind === "stack" ? ` (${r.format})` : ""}, ${r.size} bytes, ${r.family}`,
};

function loadKey(file: string): ReturnType<typeof loadCustomerKey> {
  try {
    return loadCustomerKey(file);
  } catch (cause) {
    if ((cause as { code?: string }).code?.startsWith("E")) throw fileError(file, cause);
    throw new CliError("CUSTOMER_KEY_INVALID", `${file}: the customer signing key must be an EC P-256 private key in PEM ` +
      "(make one with: openssl ecparam -name prime256v1 -genkey -noout -out key.pem)", { file });
  }
}

export const imageCommands: CommandSpec[] = [inspect, make];
