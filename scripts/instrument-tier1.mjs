// Tier 1 runs the device module in V8, where linear memory is a whole 64 KiB page. To catch any
// touch beyond the device's few KiB, binaryen's instrument-memory pass routes every load and store
// address through an import (env.load_ptr / env.store_ptr) that the tier-1 runner checks. Values
// pass through unchanged, so the instrumented module computes exactly what the device module does.
import { readFileSync, writeFileSync } from "node:fs";
import binaryen from "binaryen";

const [input, output] = process.argv.slice(2);
const module = binaryen.readBinary(readFileSync(input));
module.setFeatures(binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.SignExt |
  binaryen.Features.NontrappingFPToInt);
module.runPasses(["instrument-memory"]);
if (!module.validate()) {
  console.error("instrument-tier1: instrumented module does not validate");
  process.exit(1);
}
writeFileSync(output, module.emitBinary());
