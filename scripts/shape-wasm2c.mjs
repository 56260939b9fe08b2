// Shapes wasm2c's linear-memory load/store helpers in the generated C for the device, where the
// module's memory is one fixed buffer (runtime-c/wasm_rt_device.c: fusop_linear_memory, exactly
// FUSOP_LINEAR_BYTES, set by wasm_rt_allocate_memory and never grown: scripts/check-wasm.mjs
// refuses memory.grow, and the module has one memory).
// - always_inline: the helpers are `static inline` functions holding the bounds check (MEMCHECK)
//   and one memcpy; at -Os gcc keeps them out of line and every access becomes a call.
// - the bounds check compares against FUSOP_LINEAR_BYTES and the access uses fusop_linear_memory:
//   the values mem->size and mem->data always hold, as constants instead of two loads per access.
//   Every access is still checked, against the same bound.
// Fails when the generated text it expects is missing (another wabt version).
import { readFileSync, writeFileSync } from "node:fs";

const [path] = process.argv.slice(2);
let text = readFileSync(path, "utf8");
const fail = (message) => {
  console.error(`shape-wasm2c: ${path}: ${message}`);
  process.exit(1);
};
function replaceExactly(from, to, times) {
  const count = text.split(from).length - 1;
  if (count !== times) fail(`expected ${times} of '${from.trim().split("\n")[0]}', found ${count}`);
  text = text.replaceAll(from, to);
}

replaceExactly("  static inline t3 name(", "  static inline __attribute__((always_inline)) t3 name(", 2);
replaceExactly("  static inline void name(", "  static inline __attribute__((always_inline)) void name(", 2);
replaceExactly("#define MEMCHECK(mem, a, t) RANGE_CHECK(mem, a, sizeof(t))",
  "#define MEMCHECK(mem, a, t) DEVICE_RANGE_CHECK(a, sizeof(t))", 1);
replaceExactly("wasm_rt_memcpy(&result, &mem->data[addr], sizeof(t1));",
  "wasm_rt_memcpy(&result, &fusop_linear_memory[addr], sizeof(t1));", 1);
replaceExactly("wasm_rt_memcpy(&mem->data[addr], &wrapped, sizeof(t1));",
  "wasm_rt_memcpy(&fusop_linear_memory[addr], &wrapped, sizeof(t1));", 1);
replaceExactly('#include "fusop.h"\n', `#include "fusop.h"

/* The device's linear memory (runtime-c/wasm_rt_device.c), fixed: see scripts/shape-wasm2c.mjs. */
extern uint8_t fusop_linear_memory[FUSOP_LINEAR_BYTES];
#define DEVICE_RANGE_CHECK(offset, len)                      \\
  if (UNLIKELY(offset + (uint64_t)len > FUSOP_LINEAR_BYTES)) \\
    TRAP(OOB);
`, 1);
writeFileSync(path, text);
