// Generates the device hal's allowlist table (build/gen/allowlist.h) from runtime-c/allowlist.json,
// the one definition that tier 1 enforces too: the address ranges, the register window (the same
// ranges as a page-indexed lookup for the hot peripherals) and the flashControl rule that decodes
// every store to FLASH_CR.
import { readFileSync, writeFileSync } from "node:fs";

const [input, output] = process.argv.slice(2);
const { ranges, registerWindow, flashControl } = JSON.parse(readFileSync(input, "utf8"));
const symbols = {
  FLASH_BASE: "FUSOP_FLASH_BASE",
  FIRMWARE_END: "FIRMWARE_END",
  FLASH_END: "(FUSOP_FLASH_BASE + FUSOP_FLASH_BYTES)",
  SRAM2A_OPEN_END: "FUSOP_SRAM2A_OPEN_END",
  SRAM2B_OPEN_END: "FUSOP_SRAM2B_OPEN_END",
};
// Bit values as runtime-c/hal.c defines them (the window bytes hold them).
const accessBits = { read: 1, write: 2, "write-below-secure": 4, "flash-control": 8 };
const accessFlags = { read: "ACCESS_READ", write: "ACCESS_WRITE", "write-below-secure": "WRITE_BELOW_SECURE", "flash-control": "FLASH_CONTROL" };
const fail = (message) => {
  throw new Error(`allowlist: ${message}`);
};
const hex = (value) => {
  if (!/^0x[0-9A-Fa-f]{1,8}$/.test(value)) fail(`'${value}' is not a hex word`);
  return `${value}u`;
};
const bound = (value) => symbols[value] ?? hex(value);
const rows = ranges.map(({ what, start, end, access }) => {
  const flags = access.map((name) => accessFlags[name] ?? fail(`unknown access '${name}'`));
  return `  {${bound(start)}, ${bound(end)}, ${flags.join(" | ")}}, /* ${what} */`;
});
// The register the rule decodes must be the one range marked flash-control.
const controlled = ranges.filter(({ access }) => access.includes("flash-control"));
if (controlled.length !== 1 || Number(controlled[0].start) !== Number(flashControl.register)) {
  fail("exactly the flashControl register must be marked flash-control");
}
if (!Number.isInteger(flashControl.pnbShift)) fail("flashControl.pnbShift must be an integer");
// The device's short paths (runtime-c/hal.c) must give the verdict the full check gives: the status
// register is the plainly writable word just before the decoded one, and the program value sets no
// refused bit and is no page erase.
const rangeAt = (address) => ranges.find(({ start, end }) => !symbols[start] && !symbols[end] && Number(start) <= address && address < Number(end));
const status = Number(flashControl.statusRegister);
const statusRange = rangeAt(status);
if (status + 4 !== Number(flashControl.register) || !statusRange || !statusRange.access.includes("write") ||
  statusRange.access.includes("write-below-secure") || Number(statusRange.end) < status + 4) {
  fail("flashControl.statusRegister must be a plainly writable word just before flashControl.register");
}
const programValue = Number(flashControl.programValue);
if ((programValue & Number(flashControl.refusedBits)) !== 0 || (programValue & Number(flashControl.pageEraseBits)) === Number(flashControl.pageEraseBits)) {
  fail("flashControl.programValue must pass the flashControl rule without a page check");
}
// The flash CPU1 programs: the one range whose stores end at the secure boundary.
const programmed = ranges.filter(({ access }) => access.includes("write-below-secure"));
if (programmed.length !== 1) fail("exactly one range may be write-below-secure");

// The register window: every range that touches it lies inside it, with numeric, word-aligned
// bounds and without the secure boundary; then a word's flags in the window are exactly what the
// ranges walk would find.
const windowStart = Number(registerWindow.start);
const windowEnd = Number(registerWindow.end);
const pageBytes = registerWindow.pageBytes;
if (!(pageBytes >= 4 && (pageBytes & (pageBytes - 1)) === 0) || (windowEnd - windowStart) % pageBytes !== 0 || windowStart % pageBytes !== 0) {
  fail("registerWindow must be whole pages of a power-of-two size");
}
if (status < windowStart || status + 8 > windowEnd) fail("flashControl.statusRegister and register must lie in the register window");
const wordFlags = new Uint8Array((windowEnd - windowStart) / 4);
for (const { what, start, end, access } of ranges) {
  if (symbols[start] || symbols[end]) continue; // symbolic bounds lie in flash or SRAM2, outside
  const [from, to] = [Number(start), Number(end)];
  if (to <= windowStart || from >= windowEnd) continue;
  if (from < windowStart || to > windowEnd) fail(`'${what}' crosses the register window`);
  if (from % 4 !== 0 || to % 4 !== 0) fail(`'${what}' is not whole words, the register window's granule`);
  if (access.includes("write-below-secure")) fail(`'${what}' needs the secure boundary; it cannot be in the register window`);
  const bits = access.reduce((sum, name) => sum | accessBits[name], 0);
  for (let word = (from - windowStart) / 4; word < (to - windowStart) / 4; word++) {
    if (wordFlags[word] !== 0) fail(`'${what}' overlaps another range`);
    wordFlags[word] = bits;
  }
}
// One byte table: per page a byte, the flags every word of the page has (so one lookup settles the
// common case: FLASH's registers are all readable), plus MIXED (0x80) when some words have more;
// after the pages, a flags byte per word from the first mixed page to the end of the last one.
const MIXED = 0x80;
const wordsPerPage = pageBytes / 4;
const pageCount = wordFlags.length / wordsPerPage;
const pageWords = (page) => wordFlags.subarray(page * wordsPerPage, (page + 1) * wordsPerPage);
const mixedPages = [...Array(pageCount).keys()].filter((page) => pageWords(page).some((value) => value !== pageWords(page)[0]));
const pages = [...Array(pageCount).keys()].map((page) =>
  pageWords(page).reduce((common, value) => common & value, 0xff) | (mixedPages.includes(page) ? MIXED : 0));
const firstMixedWord = mixedPages.length ? mixedPages[0] * wordsPerPage : 0;
const words = mixedPages.length ? [...wordFlags.subarray(firstMixedWord, (mixedPages.at(-1) + 1) * wordsPerPage)] : [];
if (words.length > 1024) fail("the register window's mixed pages span more than 1024 words; narrow the window");
const pageShift = Math.log2(pageBytes);

// The device's short path for a word store (runtime-c/hal.c fusop_hal_write32) numbers the window's
// words from its start: below the first word of FLASH_SR's page a page's byte settles the store;
// from there up only FLASH_SR, and FLASH_CR with programValue, pass. Proof that it never allows what
// the full check refuses: every word of the window, with the program value, zero, each single bit,
// the program value with each other bit, and all ones, against the word's flags and the
// flashControl rule (a value the rule passes only after a page check does not count as allowed).
// Addresses off the window's words need no case: the hal numbers a word by its offset rotated
// right by 2, so a misaligned address or one outside the window gets a number at or beyond the
// window's word count, which is neither below statusPageWord nor FLASH_SR's or FLASH_CR's (both in
// the window, checked above).
const statusWord = (status - windowStart) / 4;
const statusPageWord = statusWord - (statusWord % wordsPerPage);
const refusedBits = Number(flashControl.refusedBits);
const pageEraseBits = Number(flashControl.pageEraseBits);
const fullAllowsStore = (word, value) => {
  if (wordFlags[word] & accessBits["flash-control"]) {
    return (value & refusedBits) === 0 && (value & pageEraseBits) !== pageEraseBits;
  }
  return (wordFlags[word] & accessBits.write) !== 0;
};
const shortPathAllowsStore = (word, value) => word < statusPageWord
  ? (pages[Math.floor(word / wordsPerPage)] & accessBits.write) !== 0
  : word === statusWord || (word === statusWord + 1 && value === programValue);
const probeValues = [programValue, 0, 0xffffffff];
for (let bit = 0; bit < 32; bit++) probeValues.push((1 << bit) >>> 0, (programValue | (1 << bit)) >>> 0);
for (let word = 0; word < wordFlags.length; word++) {
  for (const value of probeValues) {
    if (shortPathAllowsStore(word, value) && !fullAllowsStore(word, value)) {
      fail(`the short store path would allow 0x${value.toString(16)} at 0x${(windowStart + 4 * word).toString(16)}, which the table refuses`);
    }
  }
}

writeFileSync(output, ["/* Generated by scripts/gen-allowlist.mjs from runtime-c/allowlist.json. */",
  "static const allowed_range_t allowlist[] = {", ...rows, "};",
  `#define REGISTER_WINDOW_START ${hex(registerWindow.start)}`,
  `#define REGISTER_WINDOW_BYTES 0x${(windowEnd - windowStart).toString(16)}u`,
  `#define REGISTER_WINDOW_PAGE_SHIFT ${pageShift}u`,
  "/* Per page: the flags all its words have, | REGISTER_WINDOW_MIXED when some have more: then word w",
  " * of the window (offset / 4) has its flags at REGISTER_WINDOW_WORDS_AT + w - REGISTER_WINDOW_FIRST_MIXED_WORD. */",
  `#define REGISTER_WINDOW_MIXED 0x${MIXED.toString(16)}u`,
  `#define REGISTER_WINDOW_WORDS_AT ${pages.length}u`,
  `#define REGISTER_WINDOW_FIRST_MIXED_WORD ${firstMixedWord}u`,
  `static const uint8_t register_window[] = {${[...pages, ...words].join(", ")}};`,
  `#define FLASH_CONTROL_REGISTER ${hex(flashControl.register)}`,
  `#define FLASH_CONTROL_REFUSED_BITS ${hex(flashControl.refusedBits)}`,
  `#define FLASH_CONTROL_PAGE_ERASE_BITS ${hex(flashControl.pageEraseBits)}`,
  `#define FLASH_CONTROL_PNB_SHIFT ${flashControl.pnbShift}u`,
  `#define FLASH_CONTROL_PNB_MASK ${hex(flashControl.pnbMask)}`,
  `#define FLASH_STATUS_REGISTER ${hex(flashControl.statusRegister)}`,
  "/* FLASH_SR and the first word of its page, as window word numbers (offset / 4): fusop_hal_write32's short path. */",
  `#define FLASH_STATUS_WORD 0x${statusWord.toString(16)}u`,
  `#define FLASH_STATUS_PAGE_WORD 0x${statusPageWord.toString(16)}u`,
  `#define FLASH_CONTROL_PROGRAM ${hex(flashControl.programValue)}`,
  `#define PROGRAM_RANGE_START ${bound(programmed[0].start)}`,
  `#define PROGRAM_RANGE_END ${bound(programmed[0].end)}`,
  ""].join("\n"));
