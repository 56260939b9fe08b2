// Writes a binary file as a C array: `node scripts/bytes-to-c.mjs FILE NAME` prints
// `const unsigned char NAME[] = {...}; const unsigned long NAME_size = N;` (the example application's
// built-in image).
import { readFileSync } from "node:fs";

const [file, name] = process.argv.slice(2);
if (!file || !/^[A-Za-z_]\w*$/.test(name ?? "")) throw new Error("usage: node scripts/bytes-to-c.mjs FILE C_NAME");
const bytes = readFileSync(file);
const lines = [];
for (let offset = 0; offset < bytes.length; offset += 16) {
  lines.push("  " + [...bytes.subarray(offset, offset + 16)].map((b) => `0x${b.toString(16).padStart(2, "0")}`).join(", ") + ",");
}
process.stdout.write(`/* Generated from ${file.split("/").pop()} by scripts/bytes-to-c.mjs. */\n` +
  `const unsigned char ${name}[${bytes.length}] = {\n${lines.join("\n")}\n};\n` +
  `const unsigned long ${name}_size = ${bytes.length}u;\n`);
