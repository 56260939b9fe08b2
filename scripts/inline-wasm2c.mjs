// Marks wasm2c's linear-memory load/store helpers always_inline in the generated C. They are
// `static inline` functions holding the bounds check (MEMCHECK) and one memcpy; at -Os gcc keeps
// them out of line and every access to linear memory becomes a call. Inlined, each access is the
// same bounds check and a plain load or store. The check itself is left exactly as wasm2c wrote it;
// this script fails when the helpers it expects are missing or no longer carry it (another wabt).
import { readFileSync, writeFileSync } from "node:fs";

const [path] = process.argv.slice(2);
const text = readFileSync(path, "utf8");
const helper = /(#define DEFINE_(?:LOAD|STORE)\(name, [^)]*\)\s*\\\n\s*)static inline (\w+) name\(/g;
let count = 0;
const shaped = text.replace(helper, (_match, head, type) => {
  count++;
  return `${head}static inline __attribute__((always_inline)) ${type} name(`;
});
const helpers = [...shaped.matchAll(/#define DEFINE_(?:LOAD|STORE)\([^]*?\n\n/g)].map((m) => m[0]);
if (count < 2 || helpers.some((body) => !body.includes("MEMCHECK(mem, addr, t1)"))) {
  console.error(`inline-wasm2c: ${path}: wasm2c's DEFINE_LOAD/DEFINE_STORE helpers with MEMCHECK not found (${count} matched)`);
  process.exit(1);
}
writeFileSync(path, shaped);
