// `fusop image make --kind fus|stack|safeboot --version X.Y.Z --size N [--format legacy|new]
// --family wb5x|wb3x|wb1x [--customer-key FILE] [--stack-type N] [--fus-variant for-0.5.3|for-1.x]
// [--json] -o FILE`: writes a simulator test image in the real footer layout, signed with the
// simulator's ST key (host-sim/images/builder.ts; layout in host-sim/README.md).
import { writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { buildImage, minimumImageSize, type ImageSpec } from "../host-sim/images/builder.js";
import { loadCustomerKey } from "../host-sim/images/signing.js";
import { isFamily } from "../host-sim/chip/variants.js";
import { parseVersion, formatVersion } from "../host-sim/versions.js";
import { parseArguments, UsageError } from "./args.js";

const usage = "usage: fusop image make --kind fus|stack|safeboot --version X.Y.Z --size N [--format legacy|new] " +
  "--family wb5x|wb3x|wb1x [--customer-key FILE] [--stack-type N] [--fus-variant for-0.5.3|for-1.x] [--json] -o FILE";

function integer(text: string, what: string): number {
  const value = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) throw new UsageError(`${what}: '${text}' is not a whole number`);
  return value;
}

function required(options: Map<string, string>, name: string): string {
  const value = options.get(name);
  if (value === undefined) throw new UsageError(`--${name} is required\n${usage}`);
  return value;
}

/** `args` are the words after `fusop image make`. */
export async function run(args: string[]): Promise<number> {
  const argv = args.map((word) => (word === "-o" ? "--output" : word));
  const parsed = parseArguments(argv, ["kind", "version", "size", "format", "family", "customer-key", "stack-type", "fus-variant", "output"], ["json"]);
  const options = parsed.options;
  const json = parsed.switches.has("json");
  if (parsed.positional.length > 0) throw new UsageError(`unexpected '${parsed.positional[0]}'\n${usage}`);
  const kind = required(options, "kind");
  if (kind !== "fus" && kind !== "stack" && kind !== "safeboot") throw new UsageError(`--kind is fus, stack or safeboot, not '${kind}'`);
  const family = required(options, "family");
  if (!isFamily(family)) throw new UsageError(`--family is wb5x, wb3x or wb1x, not '${family}'`);
  let version: number;
  try {
    version = parseVersion(required(options, "version"));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const size = integer(required(options, "size"), "--size");
  const output = required(options, "output");
  const format = options.get("format") ?? "legacy";
  if (format !== "legacy" && format !== "new") throw new UsageError(`--format is legacy or new, not '${format}'`);
  if (options.has("format") && kind !== "stack") throw new UsageError("--format applies to stacks only");
  const fusVariant = options.get("fus-variant");
  if (fusVariant !== undefined && fusVariant !== "for-0.5.3" && fusVariant !== "for-1.x") throw new UsageError("--fus-variant is for-0.5.3 or for-1.x");
  const spec: ImageSpec = {
    kind, family, version, size, format,
    stackType: options.has("stack-type") ? integer(options.get("stack-type")!, "--stack-type") & 0xff : undefined,
    fusVariant,
    customerKey: options.has("customer-key") ? loadCustomerKey(options.get("customer-key")!) : undefined,
  };
  if (size < minimumImageSize(spec)) throw new UsageError(`--size ${size} is below the ${minimumImageSize(spec)} bytes the layout needs`);
  const image = buildImage(spec);
  writeFileSync(output, image);
  const result = {
    ok: true, file: output, kind, family, version: formatVersion(version), size: image.length,
    format: kind === "stack" ? format : null, customerSigned: spec.customerKey !== undefined,
    sha256: createHash("sha256").update(image).digest("hex"),
  };
  if (json) console.log(JSON.stringify(result));
  else console.log(`wrote ${output}: ${kind} ${result.version}${kind === "stack" ? ` (${format})` : ""}, ${image.length} bytes, ${family}`);
  return 0;
}
