// Fuzz targets as code: the footer decoder and the upgrade planner (the operator's wasm, tier 1,
// with a sample compared against tier 2, the probe firmware in unicorn), the board-file loader, and
// the field loader's console and YMODEM receive (bench/fuzz-loader.ts).
// Every input is a pure function of (seed, index), so any finding replays from its index alone;
// `make fuzz` (bench/fuzz-main.ts) runs a million per target, `make test` a seeded few thousand
// (test/fuzz/).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Board, BoardFileError, serializeBoard, boardFromBytes } from "../host-sim/board.js";
import { Stm32wb } from "../host-sim/chip/stm32wb.js";
import { deviceVariant, FUS_VERSIONS, type Family } from "../host-sim/chip/variants.js";
import { SeededRandom } from "../host-sim/faults.js";
import { ImageCodec, type DecodeResult, type FamilyName } from "../host-sim/images/footer.js";
import { UpgradePlanner, type ImageFile, type PartDescription, type PlanResult } from "../host-sim/images/planner.js";
import { buildImage } from "../host-sim/images/builder.js";
import { projectRoot } from "../host-sim/paths.js";
import { WasmTier } from "../host-sim/tiers/tier1.js";
import { ArmTier } from "../host-sim/tiers/tier2.js";
import type { TierName } from "../host-sim/tiers/tier.js";
import { parseVersion } from "../host-sim/versions.js";
import { LoaderHang, consoleInput, type ConsoleInput, runConsoleInput, runYmodemInput, ymodemInput, type LoaderVerdict } from "./fuzz-loader.js";

export type TargetName = "footer" | "planner" | "board" | "console" | "ymodem";
export const TARGETS: TargetName[] = ["footer", "planner", "board", "console", "ymodem"];

/** What one target found over a range of inputs. */
export interface FuzzCounts {
  inputs: number;
  /** Inputs the code under test accepted (decoded, planned, loaded). */
  accepted: number;
  /** Exceptions that are not the code's own answer: wasm traps, device faults, TypeErrors. */
  traps: number;
  /** Inputs that ran past the watchdog (bench/fuzz-main.ts only). */
  hangs: number;
  /** Invariant violations by name. */
  violations: Record<string, number>;
  /** The first few findings, with the index that replays each. */
  findings: string[];
}

export function emptyCounts(): FuzzCounts {
  return { inputs: 0, accepted: 0, traps: 0, hangs: 0, violations: {}, findings: [] };
}

export function addCounts(into: FuzzCounts, from: FuzzCounts): void {
  into.inputs += from.inputs;
  into.accepted += from.accepted;
  into.traps += from.traps;
  into.hangs += from.hangs;
  for (const [name, count] of Object.entries(from.violations)) into.violations[name] = (into.violations[name] ?? 0) + count;
  for (const finding of from.findings) if (into.findings.length < 12) into.findings.push(finding);
}

export function violationTotal(counts: FuzzCounts): number {
  return Object.values(counts.violations).reduce((sum, count) => sum + count, 0);
}

function record(counts: FuzzCounts, kind: string, index: number, detail: string): void {
  if (kind === "trap") counts.traps++;
  else counts.violations[kind] = (counts.violations[kind] ?? 0) + 1;
  if (counts.findings.length < 12) counts.findings.push(`#${index} ${kind}: ${detail}`);
}

/** The generator of input `index`: independent of every other input. */
function inputRandom(seed: number, index: number): SeededRandom {
  return new SeededRandom((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0);
}

function below(random: SeededRandom, n: number): number {
  return Math.floor(random.next() * n);
}

function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return items[below(random, items.length)];
}

function word(random: SeededRandom): number {
  return Math.floor(random.next() * 0x1_0000_0000) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Footer inputs: the real tails of test/fixtures/copro-footers, mutated, and footers built from
// random fields (fus-behaviour §4: image footer, then signature blocks).

interface RealTail {
  name: string;
  family: FamilyName;
  tail: Uint8Array;
  size: number;
}

function loadRealTails(): RealTail[] {
  const directory = join(projectRoot, "test", "fixtures", "copro-footers");
  const index = JSON.parse(readFileSync(join(directory, "index.json"), "utf8")) as { entries: { file: string; original_name: string; family: string; size: number }[] };
  return index.entries.map((entry) => ({
    name: entry.original_name,
    family: entry.family.slice("STM32".length).toLowerCase() as FamilyName,
    tail: new Uint8Array(readFileSync(join(directory, entry.file))),
    size: entry.size,
  }));
}

let realTailCache: RealTail[] | null = null;
export function realTails(): RealTail[] {
  return (realTailCache ??= loadRealTails());
}

/** Words a footer field may hold that steer the decoder: magics, reserved words, edge values. */
const INTERESTING_WORDS = [
  0x32279221, 0x23372991, 0xb10c8b99, 0x927a6741, 0x42769811, 0xd3a12c5e, 0xe2b51d4a, 0x12341234, 0xabcdabcd,
  0x22110045, 0xffffffff, 0x00000000, 0x01020000, 0x80000000, 0x7fffffff, 0x00000001, 0x000000ff, 0x00000100,
];
const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x04, 0x10, 0x3f, 0x40, 0x57, 0x7f, 0x80, 0xfe, 0xff];

/** A file size: the real one mostly, else near it, a word, near 4 GiB, or tiny. */
function mutatedSize(random: SeededRandom, size: number, tailLength: number): number {
  switch (below(random, 9)) {
    case 0: return (size + 4 * (below(random, 2048) - 1024)) >>> 0;
    case 1: return word(random) & ~3;
    case 2: return (0xffff_f000 + below(random, 0x1000) * 4) >>> 0;
    case 6: return (0x1_0000_0000 - 4 * (1 + below(random, 0x400))) >>> 0; // where ceil(size / sector) overflows u32
    case 3: return below(random, tailLength + 16);
    case 4: return word(random);
    default: return size;
  }
}

function mutateTail(random: SeededRandom, source: Uint8Array): Uint8Array {
  let tail: Uint8Array = source.slice();
  const view = () => new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  for (let count = 1 + below(random, 4); count > 0; count--) {
    switch (below(random, 9)) {
      case 0: tail[below(random, tail.length)] ^= 1 << below(random, 8); break;
      case 7:
      case 8: {
        // A field of the image footer, found where it sits before one or two signature blocks (§4.3).
        const footer = tail.length - 84 * (1 + below(random, 2)) - 20;
        if (footer < 0) break;
        const field = below(random, 5);
        if (field === 0) tail[footer + 8] = pick(random, [0, 1, 1, 1, 2, 3, 5, 6, 12, 31, 32, 64, 127, 128, 200, 255]);
        else if (field === 1) tail[footer + 9] = pick(random, [0xff, 0x00, 0x01, 0x02, 0x04, 0x08, 0x10]);
        else if (field === 2) tail[footer + 10 + below(random, 2)] = pick(random, INTERESTING_BYTES);
        else view().setUint32(footer + (field === 3 ? 12 : 16 * below(random, 2)), pick(random, INTERESTING_WORDS), true);
        break;
      }
      case 1: tail[below(random, tail.length)] = pick(random, INTERESTING_BYTES); break;
      case 2: {
        // A word in the last 300 bytes, where the footers live, aligned as the decoder reads them.
        const offset = tail.length - 4 * (1 + below(random, Math.min(75, tail.length >> 2)));
        if (offset >= 0) view().setUint32(offset, random.next() < 0.7 ? pick(random, INTERESTING_WORDS) : word(random), true);
        break;
      }
      case 3: tail = tail.slice(below(random, tail.length)); break; // a shorter tail
      case 4: {
        // Another 84-byte signature block's worth of bytes appended or removed at the end.
        if (random.next() < 0.5 && tail.length > 84) tail = tail.slice(0, tail.length - 84);
        else if (tail.length >= 84) {
          const longer = new Uint8Array(tail.length + 84);
          longer.set(tail);
          longer.set(tail.subarray(tail.length - 84), tail.length);
          tail = longer.slice(Math.max(0, longer.length - 512));
        }
        break;
      }
      case 5: tail[tail.length - 1 - below(random, Math.min(tail.length, 120))] = random.next() * 256; break;
      default: tail[tail.length - 1 - below(random, Math.min(tail.length, 200))] ^= 0xff;
    }
    if (tail.length === 0) tail = new Uint8Array(1);
  }
  return tail;
}

/** A tail built from random fields: filler, image footer, one to three signature blocks. */
function structuredTail(random: SeededRandom): { tail: Uint8Array; size: number } {
  const blocks = below(random, 4);
  const length = 20 + 84 * blocks + below(random, 64) * 4;
  const tail = new Uint8Array(length);
  random.fill(tail);
  const view = new DataView(tail.buffer);
  let end = length;
  for (let block = 0; block < blocks; block++) {
    end -= 84;
    const footer = end + 64;
    view.setUint32(footer, random.next() < 0.9 ? 0x12341234 : word(random), true);
    view.setUint32(footer + 4, random.next() < 0.9 ? 0xabcdabcd : word(random), true);
    tail[footer + 8] = random.next() < 0.9 ? 64 : below(random, 256);
    view.setUint32(footer + 16, random.next() < 0.8 ? pick(random, [0xd3a12c5e, 0xe2b51d4a]) : word(random), true);
  }
  end -= 20;
  if (end >= 0) {
    const sectorCounts = [1, 2, 6, 24, 30, 31, 62, 64, 100, 127, 128, 200, 255, 0];
    view.setUint32(end, random.next() < 0.5 ? pick(random, [0, 0x01, 0x10, 0x1000, 0x2000]) : word(random), true); // info1
    view.setUint32(end + 4, random.next() < 0.7 ? 0xabcdabcd : word(random), true);
    tail[end + 8] = pick(random, sectorCounts);
    tail[end + 9] = pick(random, [0xff, 0x02, 0x04, 0x08, 0x00]);
    view.setUint32(end + 12, random.next() < 0.8 ? ((below(random, 3) << 24) | (below(random, 30) << 16) | (below(random, 4) << 8)) >>> 0 : word(random), true);
    view.setUint32(end + 16, pick(random, INTERESTING_WORDS), true);
  }
  const sectors = tail[Math.max(0, end) + 8] || 1;
  const size = random.next() < 0.7 ? (sectors * pick(random, [2048, 4096]) - 4 * below(random, 512)) >>> 0 : mutatedSize(random, sectors * 4096, length);
  return { tail, size };
}

export interface FooterInput {
  tail: Uint8Array;
  size: number;
}

export function footerInput(seed: number, index: number): FooterInput {
  const random = inputRandom(seed, index);
  if (random.next() < 0.25) return structuredTail(random);
  const base = pick(random, realTails());
  const mutate = random.next() < 0.9;
  const tail = mutate ? mutateTail(random, base.tail) : base.tail;
  const size = random.next() < 0.6 ? base.size : mutatedSize(random, base.size, tail.length);
  return { tail, size: Math.max(size, 0) >>> 0 };
}

/** The decoder's invariants on an accepted image (fus-behaviour §4.3). */
function footerViolations(input: FooterInput, result: DecodeResult): string[] {
  if (!result.ok) return [];
  const image = result.image;
  const found: string[] = [];
  // An accepted image fits its file: the sectors it is staged in hold the whole file.
  if (image.stagingSectors * image.sectorBytes < input.size) found.push("accepted image larger than its sectors");
  if (image.sectors === 0 || image.stagingSectors < image.sectors) found.push("sector counts inconsistent");
  if (input.size < Math.min(input.tail.length, 256) || input.size % 4 !== 0) found.push("accepted a file shorter than its footers or not word-sized");
  return found;
}

// ---------------------------------------------------------------------------------------------
// Planner inputs: a part as `fusop plan` describes it and one to three images (real tails, some
// mutated, some with other sizes), with hostile --app-end and --sfsa values among realistic ones.

const PARTS: { family: FamilyName; flashKb: number }[] = [
  { family: "wb5x", flashKb: 1024 }, { family: "wb5x", flashKb: 640 }, { family: "wb5x", flashKb: 512 },
  { family: "wb5x", flashKb: 256 }, { family: "wb3x", flashKb: 512 }, { family: "wb3x", flashKb: 256 },
  { family: "wb1x", flashKb: 320 },
];

export interface PlannerInput {
  part: PartDescription;
  images: ImageFile[];
}

function plannerImage(random: SeededRandom, family: FamilyName): ImageFile {
  const tails = realTails();
  const sameFamily = tails.filter((tail) => (tail.family === "wb1x") === (family === "wb1x"));
  const base = random.next() < 0.85 ? pick(random, sameFamily) : pick(random, tails);
  const tail = random.next() < 0.15 ? mutateTail(random, base.tail) : base.tail;
  const size = random.next() < 0.8 ? base.size : mutatedSize(random, base.size, tail.length);
  return { file: base.name, tail, size };
}

export function plannerInput(seed: number, index: number): PlannerInput {
  const random = inputRandom(seed, index);
  const { family, flashKb } = pick(random, PARTS);
  const variant = deviceVariant(family as Family, flashKb);
  const sectors = Math.floor(variant.arrayBytes / variant.sectorBytes);
  const part: PartDescription = { family, flashKb, fusVersion: pick(random, FUS_VERSIONS.filter((v) => family !== "wb1x" || parseVersion(v) >= parseVersion("1.2.0"))) };
  const sfsaDraw = below(random, 6);
  if (sfsaDraw === 1) part.sfsa = sectors - 12 - below(random, 100);
  else if (sfsaDraw === 2) part.sfsa = below(random, 256);
  else if (sfsaDraw === 3) part.sfsa = word(random);
  if (random.next() < 0.3) part.nvmSection = true;
  const appEndDraw = below(random, 7);
  if (appEndDraw === 1 || appEndDraw === 2) part.appEnd = variant.flashBase + below(random, flashKb / 4) * 0x1000;
  else if (appEndDraw === 3) part.appEnd = (0xffff_0000 + below(random, 0x10000)) >>> 0;
  else if (appEndDraw === 4) part.appEnd = word(random);
  else if (appEndDraw === 5) part.appEnd = variant.flashBase + below(random, flashKb * 1024);
  const antirollback = below(random, 5);
  if (antirollback === 1) part.antirollback = "activate";
  else if (antirollback === 2) {
    part.antirollback = "active";
    part.antirollbackReference = random.next() < 0.3 ? "none" : `1.${below(random, 30)}.${below(random, 3)}`;
  }
  if (random.next() < 0.3) {
    const stacks = realTails().filter((tail) => tail.name.includes("BLE") || tail.name.includes("Thread") || tail.name.includes("Zigbee") || tail.name.includes("Mac"));
    const stack = pick(random, stacks);
    part.installedStack = { file: stack.name, tail: stack.tail, size: stack.size };
  }
  const images: ImageFile[] = [];
  for (let count = 1 + below(random, 3); count > 0; count--) images.push(plannerImage(random, family));
  return { part, images };
}

/** The planner's invariants (issue: never below --app-end, beyond flash end, at/above SFSA, or on the first sector). */
function planViolations(input: PlannerInput, result: PlanResult): string[] {
  if (!result.ok) return [];
  const variant = deviceVariant(input.part.family as Family, input.part.flashKb);
  const found = new Set<string>();
  const sfsa = input.part.sfsa ?? 0;
  const secureStart = variant.flashBase + sfsa * variant.sectorBytes;
  for (const step of result.steps) {
    if (step.address === null) continue;
    const size = input.images.find((image) => image.file === step.file)?.size ?? 0;
    const end = step.address + size;
    if (input.part.appEnd && step.address < input.part.appEnd) found.add("plan below --app-end");
    if (step.address < variant.flashBase + variant.sectorBytes) found.add("plan on the first flash sector");
    if (end > variant.flashTop) found.add("plan beyond the end of flash");
    if (sfsa > 0 && end > secureStart) found.add("plan at/above SFSA");
    if (step.eraseEnd !== null && step.eraseEnd < end) found.add("erase range shorter than the image");
  }
  return [...found];
}

// ---------------------------------------------------------------------------------------------
// Board-file inputs: a saved board with an install in flight, changed field by field (wrong
// types, hostile numbers, missing and extra keys) or byte by byte (broken JSON, binary).

let boardTextCache: string | null = null;
function savedBoardText(): string {
  if (boardTextCache) return boardTextCache;
  const board = new Board({ family: "wb1x", flashKb: 320, fus: "2.2.0", stack: { version: "1.23.0", type: 1, size: 0x1800 } });
  const image = buildImage({ kind: "stack", family: "wb1x", version: parseVersion("1.24.0"), size: 0x1000 });
  board.cpu2.journal = {
    operation: "stack", phase: "install", target: 0x0804_0000, previousSecureStart: 0x0804_4800, nvmMigration: new Uint8Array(2048).fill(0x5a),
    image: { start: 0x0803_0000, size: image.length, version: parseVersion("1.24.0"), stackType: 1, format: "legacy", data: image },
  };
  board.cpu2.authKey.key = "ab".repeat(64);
  board.cpu2.report = { state: 0xff, error: 0x11 };
  return (boardTextCache = serializeBoard(board));
}

const HOSTILE_VALUES: unknown[] = [
  null, true, false, 0, -1, 1.5, 300, 0x1_0000_0000, 1e300, Number.MAX_SAFE_INTEGER, "", "abc", "0b101", "1e3", "0x",
  "0x08000000", "0xffffffffff", "2.2.0", "2.2.0 (0x01000000)", "300.1.1", "legacy", "new", "install", "relocate",
  "AAAA", "!!!!", [], [1], {}, { a: 1 }, "\u0000\u001b[2J", "toString", "__proto__",
];

/**
 * Sets an own, enumerable key: `container[key] = ...` with the key "__proto__" would instead replace
 * the prototype (an array then has no iterator), and JSON.stringify would drop the key.
 */
function setOwn(container: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
}

function mutateJson(random: SeededRandom, value: unknown, depth: number): unknown {
  if (typeof value !== "object" || value === null) return random.next() < 0.5 ? pick(random, HOSTILE_VALUES) : value;
  const container = (Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) }) as Record<string, unknown>;
  const keys = Object.keys(container);
  const action = below(random, 10);
  if (keys.length === 0 || action === 0) setOwn(container, pick(random, ["extra", "__proto__", "constructor", "0", "flash"]), pick(random, HOSTILE_VALUES));
  else if (action === 1) delete container[pick(random, keys)];
  else if (action === 2 || depth > 5) setOwn(container, pick(random, keys), pick(random, HOSTILE_VALUES));
  else {
    const key = pick(random, keys);
    setOwn(container, key, mutateJson(random, container[key], depth + 1));
  }
  return container;
}

let savedBoardValue: unknown = null;

export function boardInput(seed: number, index: number): Uint8Array {
  const random = inputRandom(seed, index);
  const text = savedBoardText();
  const draw = random.next();
  if (draw < 0.7) {
    // mutateJson copies what it changes, so the parsed board is shared by every input.
    let value: unknown = (savedBoardValue ??= JSON.parse(text));
    for (let count = 1 + below(random, 3); count > 0; count--) value = mutateJson(random, value, 0);
    return Buffer.from(JSON.stringify(value));
  }
  const bytes = Buffer.from(text);
  if (draw < 0.9) {
    for (let count = 1 + below(random, 4); count > 0; count--) bytes[below(random, bytes.length)] = pick(random, [0x22, 0x7b, 0x7d, 0x2c, 0x30, 0x00, 0xff, 0x5b, 0x3a]);
    return bytes;
  }
  return bytes.subarray(0, below(random, bytes.length));
}

// ---------------------------------------------------------------------------------------------

/** The operator's image code on one tier, attached to a virtual WB55 (as tests/image/tiers.test.ts). */
export function imageCodecOn(tier: TierName): ImageCodec {
  const chip = new Stm32wb(new Board({ family: "wb5x", flashKb: 1024, fus: "1.2.0" }));
  return new ImageCodec(tier === "wasm" ? new WasmTier(chip) : new ArmTier(chip));
}

/** What a target answers for an input, as comparable text (for tier-1/tier-2 comparison). */
export function footerAnswer(codec: ImageCodec, input: FooterInput): string {
  return JSON.stringify(codec.decodeTail(input.tail, input.size));
}

export function planAnswer(codec: ImageCodec, input: PlannerInput): string {
  return JSON.stringify(new UpgradePlanner(codec).plan(input.part, input.images));
}

/** A trap: anything thrown that is not the code's own answer (a wasm trap, a device fault, a TypeError). */
function describeThrown(error: unknown): string {
  const thrown = error as { constructor?: { name?: string }; code?: unknown; message?: unknown };
  return `${thrown?.constructor?.name ?? typeof error}${typeof thrown?.code === "string" ? ` ${thrown.code}` : ""}: ${String(thrown?.message ?? error).slice(0, 120)}`;
}

/**
 * Runs inputs [from, to) of a target on tier 1 and counts. `onInput` is told each index before it
 * runs (the watchdog of bench/fuzz-main.ts uses it to name an input that hangs).
 */
/** The console target's input at (seed, index), as runTarget makes it. */
export function loaderConsoleInput(seed: number, index: number): ConsoleInput {
  return consoleInput(inputRandom(seed, index));
}

export function runTarget(target: TargetName, seed: number, from: number, to: number, onInput: (index: number) => void = () => {}): FuzzCounts {
  const counts = emptyCounts();
  const codec = target === "footer" || target === "planner" ? imageCodecOn("wasm") : null;
  const planner = codec ? new UpgradePlanner(codec) : null;
  for (let index = from; index < to; index++) {
    onInput(index);
    counts.inputs++;
    try {
      if (target === "footer") {
        const input = footerInput(seed, index);
        const result = codec!.decodeTail(input.tail, input.size);
        if (result.ok) counts.accepted++;
        for (const violation of footerViolations(input, result)) record(counts, violation, index, `size ${input.size}, tail ${input.tail.length} bytes`);
      } else if (target === "planner") {
        const input = plannerInput(seed, index);
        const result = planner!.plan(input.part, input.images);
        if (result.ok) counts.accepted++;
        for (const violation of planViolations(input, result)) {
          record(counts, violation, index, `${JSON.stringify({ ...input.part, installedStack: input.part.installedStack?.file })} ${input.images.map((image) => `${image.file}:${image.size}`).join(",")}`);
        }
      } else if (target === "console" || target === "ymodem") {
        let verdict: LoaderVerdict;
        try {
          verdict = target === "console" ? runConsoleInput(loaderConsoleInput(seed, index)) : runYmodemInput(ymodemInput(inputRandom(seed, index)));
        } catch (error) {
          if (!(error instanceof LoaderHang)) throw error;
          counts.hangs++;
          if (counts.findings.length < 12) counts.findings.push(`#${index} hang: ${error.message}`);
          continue;
        }
        if (verdict.accepted) counts.accepted++;
        for (const violation of verdict.violations) record(counts, violation.kind, index, violation.detail);
      } else {
        const bytes = boardInput(seed, index);
        let board: Board;
        try {
          board = boardFromBytes(bytes, "fuzzed.json");
        } catch (error) {
          if (error instanceof BoardFileError && /^BOARD_[A-Z_]+$/.test(error.code)) continue;
          throw error;
        }
        counts.accepted++;
        // A board that loads saves to a file that loads to the same board.
        const text = serializeBoard(board);
        if (serializeBoard(boardFromBytes(Buffer.from(text), "again.json")) !== text) record(counts, "board does not round-trip", index, "save(load(x)) differs");
      }
    } catch (error) {
      record(counts, "trap", index, describeThrown(error));
    }
  }
  return counts;
}

/**
 * Tier-1 / tier-2 agreement on a sample: every `every`-th input of [0, count) decoded or planned on
 * both tiers. Returns how many were compared and which disagreed (or trapped on one side only).
 */
export function compareTiers(target: "footer" | "planner", seed: number, count: number, every: number): { compared: number; disagreements: string[] } {
  const wasm = imageCodecOn("wasm");
  const arm = imageCodecOn("arm");
  const disagreements: string[] = [];
  let compared = 0;
  const answer = (codec: ImageCodec, index: number): string => {
    try {
      return target === "footer" ? footerAnswer(codec, footerInput(seed, index)) : planAnswer(codec, plannerInput(seed, index));
    } catch (error) {
      return `threw ${describeThrown(error)}`;
    }
  };
  for (let index = 0; index < count; index += every) {
    compared++;
    const one = answer(wasm, index);
    const two = answer(arm, index);
    if (one !== two) disagreements.push(`#${index}: tier 1 ${one.slice(0, 200)} / tier 2 ${two.slice(0, 200)}`);
  }
  return { compared, disagreements };
}
