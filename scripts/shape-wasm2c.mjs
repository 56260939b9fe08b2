// Shapes wasm2c's linear-memory load/store helpers in the generated C for the device, where the
// module's memory is one fixed buffer (runtime-c/wasm_rt_device.c: fusop_linear_memory, exactly
// FUSOP_LINEAR_BYTES, set by wasm_rt_allocate_memory and never grown: scripts/check-wasm.mjs
// refuses memory.grow, and the module has one memory).
// - always_inline: the helpers are `static inline` functions holding the bounds check (MEMCHECK)
//   and one memcpy; at -Os gcc keeps them out of line and every access becomes a call.
// - the bounds check compares against FUSOP_LINEAR_BYTES and the access uses fusop_linear_memory:
//   the values mem->size and mem->data always hold, as constants instead of two loads per access.
//   Every access is still checked, against the same bound.
// - the module's data segments become one packed image (packDataSegments below): wasm2c emits one
//   array and one LOAD_DATA per segment, and asc one segment per static object (133 in the
//   loader), so the initialiser was a copy call per segment and the arrays held the UTF-16 string
//   literals' zero bytes and the object headers' zero words. The span they cover is still checked
//   against the memory's size before it is written, once, as LOAD_DATA checks each segment.
// - init_globals: the globals that start at 0 are cleared with one memset of the instance's block
//   of globals instead of a store each (asc's globals nearly all start at 0).
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
packDataSegments();
clearGlobalsAtOnce();
writeFileSync(path, text);

/**
 * Data segments as one stream of tokens, unpacked into the zeroed memory by unpack_data:
 *   0x00-0x7f  n = token + 1 literal bytes follow
 *   0x80-0xbf  n = token - 0x7f zero bytes (skipped: wasm_rt_allocate_memory has cleared the memory)
 *   0xc0-0xff  n = token - 0xbf bytes follow, each followed by a zero byte in memory (UTF-16 ASCII)
 * The cheapest token sequence is chosen exactly (shortest path over the image), then unpacked
 * here and compared with the image before it is written.
 */
function packDataSegments() {
  const arrays = new Map();
  for (const match of text.matchAll(/\nstatic const u8 (data_segment_data_w2c_d\d+)\[\] = \{\n([^}]*)\n\};\n/g)) {
    arrays.set(match[1], Uint8Array.from(match[2].split(",").map((item) => item.trim()).filter(Boolean).map(Number)));
  }
  const loads = [...text.matchAll(/  LOAD_DATA\(instance->w2c_memory, (\d+)u, (data_segment_data_w2c_d\d+), (\d+)\);\n/g)];
  if (loads.length !== arrays.size) fail(`expected a LOAD_DATA for each of the ${arrays.size} data segments, found ${loads.length}`);
  if (loads.length === 0) return;
  const segments = loads.map(([, offset, name, length]) => {
    const bytes = arrays.get(name);
    if (!bytes || bytes.length !== Number(length)) fail(`data segment ${name}: ${bytes?.length} bytes, LOAD_DATA says ${length}`);
    return { offset: Number(offset), bytes };
  }).sort((a, b) => a.offset - b.offset);
  const start = segments[0].offset;
  const image = new Uint8Array(Math.max(...segments.map((s) => s.offset + s.bytes.length)) - start);
  for (const segment of segments) image.set(segment.bytes, segment.offset - start); // later segments win, as wasm's order

  // Shortest encoding: cost[i] = bytes to encode image[i..].
  const n = image.length;
  const cost = new Array(n + 1).fill(Infinity);
  const step = new Array(n);
  cost[n] = 0;
  for (let i = n - 1; i >= 0; i--) {
    const consider = (kind, count, size, next) => {
      if (size + cost[next] < cost[i]) [cost[i], step[i]] = [size + cost[next], { kind, count, next }];
    };
    for (let count = 1; count <= 128 && i + count <= n; count++) consider("literal", count, 1 + count, i + count);
    for (let count = 1; count <= 64 && i + count <= n && image[i + count - 1] === 0; count++) consider("zeros", count, 1, i + count);
    for (let count = 1; count <= 64 && i + 2 * count <= n && image[i + 2 * count - 1] === 0; count++) consider("wide", count, 1 + count, i + 2 * count);
  }
  const packed = [];
  for (let i = 0; i < n; i = step[i].next) {
    const { kind, count } = step[i];
    if (kind === "literal") packed.push(count - 1, ...image.subarray(i, i + count));
    else if (kind === "zeros") packed.push(0x7f + count);
    else packed.push(0xbf + count, ...[...image.subarray(i, i + 2 * count)].filter((_, k) => k % 2 === 0));
  }
  const unpacked = new Uint8Array(n);
  for (let p = 0, out = 0; p < packed.length; ) {
    const token = packed[p++];
    if (token < 0x80) for (let k = 0; k <= token; k++) unpacked[out++] = packed[p++];
    else if (token < 0xc0) out += token - 0x7f;
    else for (let k = 0; k < token - 0xbf; k++, out += 2) unpacked[out] = packed[p++];
  }
  if (!unpacked.every((value, index) => value === image[index])) fail("packed data does not unpack to the segments");

  for (const match of text.matchAll(/\nstatic const u8 data_segment_data_w2c_d\d+\[\] = \{\n[^}]*\n\};\n/g)) text = text.replace(match[0], "");
  const rows = [];
  for (let i = 0; i < packed.length; i += 16) rows.push("  " + packed.slice(i, i + 16).map((value) => `0x${value.toString(16).padStart(2, "0")},`).join(" "));
  const firstLoad = loads[0][0];
  for (const [line] of loads) text = text.replace(line, line === firstLoad ? `  LOAD_PACKED_DATA(instance->w2c_memory, ${start}u, ${n}u);\n` : "");
  replaceExactly("\nstatic void init_memories(", `
/* The data segments, ${segments.length} of them over ${n} bytes from ${start}, packed (${packed.length} bytes):
 * scripts/shape-wasm2c.mjs packDataSegments. */
static const u8 packed_data[] = {
${rows.join("\n")}
};

static void unpack_data(u8* out, const u8* in, const u8* end) {
  while (in < end) {
    u32 token = *in++;
    if (token < 0x80) {
      for (u32 n = token + 1; n > 0; n--) *out++ = *in++;
    } else if (token < 0xc0) {
      out += token - 0x7f;
    } else {
      for (u32 n = token - 0xbf; n > 0; n--, out += 2) *out = *in++;
    }
  }
}

/* Checked as LOAD_DATA checks a segment; the memory has just been cleared, so zeros are skipped. */
#define LOAD_PACKED_DATA(m, o, s)  \\
  do {                             \\
    RANGE_CHECK((&m), o, s);       \\
    unpack_data(&(m.data[o]), packed_data, packed_data + sizeof packed_data); \\
  } while (0)

static void init_memories(`, 1);
  if (!/static void init_memories\(Z_fusop_instance_t\* instance\) \{\n  wasm_rt_allocate_memory\(&instance->w2c_memory, 1, 1\);\n  LOAD_PACKED_DATA\(/.test(text)) {
    fail("init_memories must clear the memory (wasm_rt_allocate_memory) right before the packed data is unpacked");
  }
}

/** init_globals: one memset over the instance's globals, then the ones that do not start at 0. */
function clearGlobalsAtOnce() {
  const body = /\nstatic void init_globals\(Z_fusop_instance_t\* instance\) \{\n((?:  [^\n]*\n)*)\}\n/.exec(text);
  if (!body) fail("init_globals not found");
  const assignments = body[1].split("\n").filter(Boolean);
  if (assignments.length === 0) return;
  const header = readFileSync(path.replace(/\.c$/, ".h"), "utf8");
  const fields = /typedef struct Z_fusop_instance_t \{\n  struct Z_hal_instance_t\* Z_hal_instance;\n((?:  [uf](?:32|64) w2c_g\d+;\n)+)/.exec(header);
  if (!fields) fail("the instance's globals are not one block after Z_hal_instance in the header");
  const globals = [...fields[1].matchAll(/w2c_g(\d+);/g)].map((m) => Number(m[1]));
  if (globals.some((index, position) => index !== position)) fail("the instance's globals are not in order");
  const kept = assignments.filter((line) => {
    const match = /^  instance->w2c_g(\d+) = (.*);$/.exec(line);
    if (!match) fail(`unexpected line in init_globals: ${line}`);
    return !/^(0u|0ull|0)$/.test(match[2]);
  });
  const last = globals.length - 1;
  text = text.replace(body[0], `\nstatic void init_globals(Z_fusop_instance_t* instance) {
  /* All ${globals.length} globals cleared at once, then those that start elsewhere (scripts/shape-wasm2c.mjs). */
  memset(&instance->w2c_g0, 0, (size_t)((char*)(&instance->w2c_g${last} + 1) - (char*)&instance->w2c_g0));
${kept.map((line) => line + "\n").join("")}}
`);
}
