// Shapes wasm2c's linear-memory load/store helpers in the generated C for the device, where the
// module's memory is one fixed buffer (runtime-c/wasm_rt_device.c: fusop_linear_memory, exactly
// FUSOP_LINEAR_BYTES, set by wasm_rt_allocate_memory and never grown: scripts/check-wasm.mjs
// refuses memory.grow, and the module has one memory).
// - always_inline: the helpers are `static inline` functions holding the bounds check (MEMCHECK)
//   and one memcpy; at -Os gcc keeps them out of line and every access becomes a call.
// - the bounds check compares against FUSOP_LINEAR_BYTES and the access uses fusop_linear_memory:
//   the values mem->size and mem->data always hold, as constants instead of two loads per access.
//   Every access is still checked, against the same bound, written as offset > bytes - len
//   (the same test as offset + len > bytes: len is at most 8): gcc then compares the 32-bit
//   address with one constant where the sum took a 64-bit add and compare.
// - the module's data segments become one packed image (packDataSegments below): wasm2c emits one
//   array and one LOAD_DATA per segment, and asc one segment per static object (133 in the
//   loader), so the initialiser was a copy call per segment and the arrays held the UTF-16 string
//   literals' zero bytes and the object headers' zero words; packed, zero runs, UTF-16 text and
//   repeated words take a token each (5,413 bytes of the loader's data in 1,801). The span is checked
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
#define DEVICE_RANGE_CHECK(offset, len)                              \\
  if (UNLIKELY((offset) > (uint64_t)FUSOP_LINEAR_BYTES - (len))) \\
    TRAP(OOB);
`, 1);

/**
 * Data segments as one stream of tokens, unpacked into the zeroed memory by unpack_data:
 *   0x00-0x3f  n = token + 1 literal bytes follow
 *   0x40-0x7f  n = token - 0x3f zero bytes (skipped: wasm_rt_allocate_memory has cleared the memory)
 *   0xc0-0xff  n = token - 0xbf bytes follow, each followed by a zero byte in memory (UTF-16 ASCII)
 *   0x80-0xbf  n = token - 0x7c bytes (4..67) copied from d bytes back in what is already unpacked;
 *              d follows, 2 bytes little-endian (the error names share words, texts share words)
 * The cheapest token sequence is chosen exactly (shortest path over the image), then unpacked
 * here and compared with the image before it is written.
 */
const TOKEN_LITERAL = 0x00;
const TOKEN_ZEROS = 0x40;
const TOKEN_COPY = 0x80;
const TOKEN_WIDE = 0xc0;
const RUN_MAX = 64;
const COPY_MIN = 4;
const COPY_MAX = COPY_MIN + 63;

/** The shortest token sequence for `image` (cost[i]: bytes that encode image[i..]). */
function pack(image) {
  const n = image.length;
  const cost = new Array(n + 1).fill(Infinity);
  const step = new Array(n);
  cost[n] = 0;
  // Earlier positions by their first COPY_MIN bytes, the nearest 64 of each (zero runs repeat).
  const earlier = new Map();
  const key = (i) => image[i] | (image[i + 1] << 8) | (image[i + 2] << 16) | (image[i + 3] * 2 ** 24);
  for (let i = 0; i + COPY_MIN <= n; i++) {
    const list = earlier.get(key(i)) ?? [];
    list.push(i);
    earlier.set(key(i), list);
  }
  for (let i = n - 1; i >= 0; i--) {
    const consider = (token, count, size, next, distance = 0) => {
      if (size + cost[next] < cost[i]) [cost[i], step[i]] = [size + cost[next], { token, count, next, distance }];
    };
    for (let count = 1; count <= RUN_MAX && i + count <= n; count++) consider(TOKEN_LITERAL, count, 1 + count, i + count);
    for (let count = 1; count <= RUN_MAX && i + count <= n && image[i + count - 1] === 0; count++) consider(TOKEN_ZEROS, count, 1, i + count);
    for (let count = 1; count <= RUN_MAX && i + 2 * count <= n && image[i + 2 * count - 1] === 0; count++) consider(TOKEN_WIDE, count, 1 + count, i + 2 * count);
    if (i + COPY_MIN > n) continue;
    const candidates = (earlier.get(key(i)) ?? []).filter((j) => j < i && i - j <= 0xffff);
    for (const j of candidates.slice(-64)) {
      let length = 0;
      while (i + length < n && length < COPY_MAX && image[j + length] === image[i + length]) length++;
      for (let count = COPY_MIN; count <= length; count++) consider(TOKEN_COPY, count, 3, i + count, i - j);
    }
  }
  const packed = [];
  for (let i = 0; i < n; i = step[i].next) {
    const { token, count, distance } = step[i];
    if (token === TOKEN_LITERAL) packed.push(TOKEN_LITERAL + count - 1, ...image.subarray(i, i + count));
    else if (token === TOKEN_ZEROS) packed.push(TOKEN_ZEROS + count - 1);
    else if (token === TOKEN_COPY) packed.push(TOKEN_COPY + count - COPY_MIN, distance & 0xff, distance >> 8);
    else packed.push(TOKEN_WIDE + count - 1, ...[...image.subarray(i, i + 2 * count)].filter((_, k) => k % 2 === 0));
  }
  return packed;
}

function unpack(packed, length) {
  const out = new Uint8Array(length);
  let at = 0;
  for (let p = 0; p < packed.length; ) {
    const token = packed[p++];
    if (token < TOKEN_ZEROS) for (let k = 0; k <= token - TOKEN_LITERAL; k++) out[at++] = packed[p++];
    else if (token < TOKEN_COPY) at += token - TOKEN_ZEROS + 1;
    else if (token < TOKEN_WIDE) {
      const distance = packed[p] | (packed[p + 1] << 8);
      p += 2;
      if (distance === 0 || distance > at) fail("a copy token reaches before the image");
      for (let k = 0; k < token - TOKEN_COPY + COPY_MIN; k++, at++) out[at] = out[at - distance];
    } else for (let k = 0; k <= token - TOKEN_WIDE; k++, at += 2) out[at] = packed[p++];
    if (at > length) fail("packed data runs past the image");
  }
  return out;
}

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

  const packed = pack(image);
  const unpacked = unpack(packed, image.length);
  if (!unpacked.every((value, index) => value === image[index])) fail("packed data does not unpack to the segments");
  const n = image.length;

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
    if (token < ${TOKEN_ZEROS}u) {
      for (u32 n = token + 1; n > 0; n--) *out++ = *in++;
    } else if (token < ${TOKEN_COPY}u) {
      out += token - ${TOKEN_ZEROS - 1}u;
    } else if (token < ${TOKEN_WIDE}u) {
      const u8* from = out - (in[0] | (u32)in[1] << 8);
      in += 2;
      for (u32 n = token - ${TOKEN_COPY - COPY_MIN}u; n > 0; n--) *out++ = *from++;
    } else {
      for (u32 n = token - ${TOKEN_WIDE - 1}u; n > 0; n--, out += 2) *out = *in++;
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

packDataSegments();
clearGlobalsAtOnce();
writeFileSync(path, text);
