// Fuzz targets for the field loader (assembly/loader/, build/fusop-loader.tier1.wasm) on tier 1:
// `console` feeds it mutated console lines, `ymodem` a YMODEM sender that corrupts its own stream.
// Each input runs on a fresh virtual board (a loader rig costs about a millisecond), so no state
// leaks between inputs and any finding replays from (seed, index) alone.
import { Board, type BoardConfig } from "../host-sim/board.js";
import { Stm32wb } from "../host-sim/chip/stm32wb.js";
import { SeededRandom } from "../host-sim/faults.js";
import { WasmTier } from "../host-sim/tiers/tier1.js";
import { SystemResetOccurred } from "../host-sim/tiers/tier.js";
import { ACK, CAN, CRC_REQUEST, EOT, NAK, frameBlock } from "../cli/targets/ymodem-send.js";

/** What a loader input reports back to bench/fuzz-targets.ts. */
export interface LoaderVerdict {
  accepted: boolean;
  /** How the input ended: OK, an error code, or what else (for the generator's coverage). */
  outcome: string;
  /** Broken invariants, each with a detail for the finding. */
  violations: { kind: string; detail: string }[];
}

/** Application slot and journal page (assembly/loader/transfer.ts, journal.ts, README "Flash layout"). */
const APPLICATION_START = 0x0800_c000;
const JOURNAL_PAGE = 0x0800_b000;
/** Loader steps one input may take before it counts as a hang (each step reads at most 256 bytes). */
const STEP_LIMIT = 20_000;
const RESET_LIMIT = 20;

class Hang extends Error {}

/** A loader on a fresh board, driven as the C main loop drives it (loaderStart, then loaderStep). */
class FuzzRig {
  readonly chip: Stm32wb;
  readonly tier: WasmTier;
  steps = 0;
  resets = 0;
  constructor(config: BoardConfig) {
    this.chip = new Stm32wb(new Board(config));
    this.tier = new WasmTier(this.chip, { module: "loader" });
    this.tier.call("loaderStart", 1000);
  }

  /** Runs steps until the line is drained; a system reset restarts the loader as its reset vector would. */
  run(): void {
    for (;;) {
      try {
        do {
          if (++this.steps > STEP_LIMIT) throw new Hang(`more than ${STEP_LIMIT} loader steps`);
          this.tier.call("loaderStep");
        } while (this.tier.uart.pending > 0);
        return;
      } catch (error) {
        if (!(error instanceof SystemResetOccurred)) throw error;
        if (++this.resets > RESET_LIMIT) throw new Hang(`more than ${RESET_LIMIT} resets`);
        this.restart();
      }
    }
  }

  private restart(): void {
    for (;;) {
      try {
        this.tier.call("loaderStart", 1000);
        return;
      } catch (error) {
        if (!(error instanceof SystemResetOccurred)) throw error;
        if (++this.resets > RESET_LIMIT) throw new Hang(`more than ${RESET_LIMIT} resets`);
      }
    }
  }

  exchange(bytes: Uint8Array | string): Uint8Array {
    this.tier.uart.send(bytes);
    this.run();
    return this.tier.uart.take();
  }

  wait(us: number): Uint8Array {
    this.chip.clock.advanceBy(us);
    this.run();
    return this.tier.uart.take();
  }

  /** What survives a power cycle and changes the part: flash, option bytes, CPU2's persistent state. */
  partState(): string {
    const { backup: _backup, ...state } = this.chip.board.toJSON();
    return JSON.stringify(state);
  }

  /** The application record of the loader's journal: valid and its size (journal.ts record layout). */
  applicationRecord(): { valid: boolean; size: number } {
    const page = this.chip.board.flash.subarray(JOURNAL_PAGE - 0x0800_0000, JOURNAL_PAGE - 0x0800_0000 + 4096);
    const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
    let valid = false;
    let size = 0;
    for (let offset = 0; offset + 8 <= page.length; offset += 8) {
      const payload = view.getUint32(offset, true);
      const tagged = view.getUint32(offset + 4, true);
      const tag = tagged >>> 24;
      const check = ((~payload ^ (payload >>> 8) ^ Math.imul(tag, 0x010101)) & 0xff_ffff) >>> 0;
      if ((tagged & 0xff_ffff) !== check) continue; // erased or torn: not a record
      if (tag === 1) valid = false;
      if (tag === 2) {
        valid = true;
        size = payload;
      }
    }
    return { valid, size };
  }
}

function below(random: SeededRandom, n: number): number {
  return Math.floor(random.next() * n);
}

function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return items[below(random, items.length)];
}

const BOARDS: BoardConfig[] = [
  { family: "wb5x", flashKb: 1024, fus: "1.2.0" },
  { family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 0x01, size: 0x20000 } },
  { family: "wb1x", flashKb: 320, fus: "1.2.0" },
];

// ---------------------------------------------------------------------------------------------
// console: lines of known commands with random arguments, random bytes, overlong lines, line-end
// mixes, backspaces. The model below is the console's line editor (console.ts `typed`): it says
// which bytes end a line, what the line holds, and so how many final lines the loader owes.

/** Commands that change nothing on the part (json only the console's mode). */
const HARMLESS = ["help", "info", "state", "json"];
/** Commands that may change the part or ask for a reset; `app`/`install` belong to the ymodem target. */
const PART_CHANGING = ["start-fus", "start-ws", "delete", "purge", "reset", "boot"];
const TRANSFERS = ["app", "install"];
const LINE_ENDS = ["\r", "\n", "\r\n", "\r\n", "\n\r"];

function randomArgument(random: SeededRandom): string {
  return pick(random, ["on", "off", "ON", "1", "x", "--force", "0x0800c000", "on off", "", "help", "\x01", "\x7f", "é"]);
}

function randomBytes(random: SeededRandom, length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) text += String.fromCharCode(random.next() < 0.6 ? 0x20 + below(random, 0x5f) : below(random, 256));
  return text;
}

export interface ConsoleInput {
  board: BoardConfig;
  /** Bytes as latin1 text. */
  text: string;
}

export function consoleInput(random: SeededRandom): ConsoleInput {
  const changing = random.next() < 0.12;
  let text = "";
  for (let count = 1 + below(random, 6); count > 0; count--) {
    let line: string;
    switch (below(random, 9)) {
      case 0: line = `json ${pick(random, ["on", "off"])}`; break;
      case 1: line = randomBytes(random, below(random, 40)); break;
      case 2: line = `${pick(random, HARMLESS)} ${"x".repeat(60 + below(random, 100))}`; break;
      case 3: {
        const command = pick(random, HARMLESS);
        const cut = below(random, command.length + 1);
        line = `${command.slice(0, cut)}${"zq".slice(0, below(random, 3))}${"\b".repeat(below(random, 3))}${command.slice(cut)}`;
        break;
      }
      case 4: line = pick(random, HARMLESS).toUpperCase(); break;
      case 5: line = `${" ".repeat(below(random, 3))}${pick(random, HARMLESS)}${" ".repeat(below(random, 3))}`; break;
      case 6: {
        const command = pick(random, HARMLESS);
        const at = below(random, command.length);
        line = `${command.slice(0, at)}${String.fromCharCode(below(random, 256))}${command.slice(at)}`;
        break;
      }
      default: line = `${pick(random, HARMLESS)} ${randomArgument(random)}`;
    }
    if (changing && random.next() < 0.4) line = `${pick(random, PART_CHANGING)}${random.next() < 0.3 ? ` ${randomArgument(random)}` : ""}`;
    text += line + (random.next() < 0.9 ? pick(random, LINE_ENDS) : "");
  }
  return { board: pick(random, BOARDS), text };
}

interface LineModel {
  /** The line's printable bytes, as the console keeps them. */
  line: string;
  overflow: boolean;
}

/** The words of a line as console.ts reads them (separated by spaces). */
function words(line: string): string[] {
  return line.split(" ").filter((word) => word !== "");
}

/** One final line: `OK`, `ERROR <CODE> <message>`, or in JSON mode an object with "ok". */
function isFinal(line: string, json: boolean): boolean {
  if (!json) return line === "OK" || /^ERROR [A-Z][A-Z0-9_]* /.test(line);
  try {
    const value = JSON.parse(line) as Record<string, unknown>;
    return typeof value === "object" && value !== null && typeof value.ok === "boolean";
  } catch {
    return false;
  }
}

export function runConsoleInput(input: ConsoleInput): LoaderVerdict {
  const violations: LoaderVerdict["violations"] = [];
  const rig = new FuzzRig(input.board);
  rig.exchange("\r\n"); // the key that keeps the loader in its boot window; its lines are not checked
  const before = rig.partState();
  const model: LineModel = { line: "", overflow: false };
  let json = false;
  let lastWasCr = false;
  let commandLines = 0;
  let changingWord = false;
  // Fed segment by segment: every segment ends where the console ends a line, so each answer is
  // read against the line that caused it.
  let segment = "";
  for (let i = 0; i < input.text.length; i++) {
    const byte = input.text.charCodeAt(i) & 0xff;
    segment += String.fromCharCode(byte);
    if (byte === 0x0a && lastWasCr) {
      lastWasCr = false;
      continue;
    }
    lastWasCr = byte === 0x0d;
    if (byte === 0x08 || byte === 0x7f) {
      model.line = model.line.slice(0, -1);
      continue;
    }
    if (byte !== 0x0d && byte !== 0x0a) {
      if (byte >= 0x20 && byte <= 0x7e) {
        if (model.line.length === 64) model.overflow = true;
        else model.line += String.fromCharCode(byte);
      }
      continue;
    }
    // A line ends: what the loader owes for it.
    const line = model.line;
    const overflow = model.overflow;
    model.line = "";
    model.overflow = false;
    const lineWords = words(line);
    if (!overflow && lineWords.length > 0 && TRANSFERS.includes(lineWords[0])) break; // a transfer takes the line: not this target's
    if (!overflow && lineWords.length > 0 && PART_CHANGING.includes(lineWords[0])) changingWord = true;
    const owed = overflow || lineWords.length > 0 ? 1 : 0; // a line of spaces runs nothing, as an empty one
    commandLines += owed;
    const echoJson = json;
    if (!overflow && lineWords[0] === "json" && lineWords.length === 2 && (lineWords[1] === "on" || lineWords[1] === "off")) json = lineWords[1] === "on";
    const resets = rig.resets;
    const answer = Buffer.from(rig.exchange(Buffer.from(segment, "latin1"))).toString("latin1");
    segment = "";
    let lines = answer.split("\r\n");
    if (rig.resets !== resets) {
      // The command reset the part (start-fus, delete, ...): what was on the line is gone with the
      // reset and the loader starts again with no CR seen (its line editor is RAM); the console's
      // mode is kept through the reset (a backup register, assembly/loader/request.ts).
      lastWasCr = false;
    } else if (!echoJson) lines = lines.slice(1); // the echo of the typed line, ended by the loader's newline
    lines = lines.filter((text) => text !== "");
    if (json && lines.some((text) => isFinal(text, false))) {
      violations.push({ kind: "console: json mode lost (a final line in text)", detail: `${JSON.stringify(line)} answered ${JSON.stringify(answer.slice(0, 160))}` });
      break;
    }
    const finals = lines.filter((text) => isFinal(text, json));
    if (finals.length !== owed || (owed === 1 && lines.at(-1) !== finals[0])) {
      violations.push({ kind: "console: not exactly one final line per command line", detail: `${JSON.stringify(line)} answered ${JSON.stringify(answer.slice(0, 160))}` });
      break;
    }
    if (json && lines.some((text) => !isFinal(text, true) && !isJsonObject(text))) {
      violations.push({ kind: "console: a line that is not JSON in json mode", detail: `${JSON.stringify(line)} answered ${JSON.stringify(answer.slice(0, 160))}` });
      break;
    }
  }
  if (segment !== "") rig.exchange(Buffer.from(segment, "latin1")); // an unended line: nothing owed
  if (!changingWord && rig.partState() !== before) {
    violations.push({ kind: "console: the part changed without a command that changes it", detail: JSON.stringify(input.text.slice(0, 120)) });
  }
  return { accepted: commandLines > 0, outcome: changingWord ? "changing" : "harmless", violations };
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// ymodem: `app`, then a sender that reacts to the loader's replies as a real one does (resend on
// NAK or C, next block on ACK, a second EOT after the first is NAKed) but damages what it sends:
// flipped bits, dropped and doubled bytes, wrong block numbers and complements, bad CRCs, blocks
// cut short, stray CAN and EOT, silence, a header announcing more than the slot holds.

export interface YmodemInput {
  board: BoardConfig;
  file: Uint8Array;
  /** The size the header announces (the file's, or one larger than any slot). */
  announced: number;
  /** Block size of each data block. */
  blockSizes: (128 | 1024)[];
  /** Probability that one transmission is damaged. */
  damage: number;
  random: SeededRandom;
}

export function ymodemInput(random: SeededRandom): YmodemInput {
  const file = new Uint8Array(1 + below(random, random.next() < 0.8 ? 3000 : 9000));
  random.fill(file);
  const blockSizes: (128 | 1024)[] = [];
  const mostly: 128 | 1024 = random.next() < 0.5 ? 128 : 1024;
  for (let offset = 0; offset < file.length;) {
    const size: 128 | 1024 = random.next() < 0.8 ? mostly : mostly === 128 ? 1024 : 128;
    blockSizes.push(size);
    offset += size;
  }
  const announced = random.next() < 0.06 ? pick(random, [0x10_0000, 0x7fff_ffff, 4_000_000_000, 0x0f_4000]) : file.length;
  const damage = pick(random, [0, 0.05, 0.15, 0.3, 0.6]);
  return { board: pick(random, [BOARDS[0], BOARDS[0], BOARDS[2]]), file, announced, blockSizes, damage, random };
}

type Damage = "flip" | "drop" | "double" | "number" | "complement" | "crc" | "truncate" | "can" | "eot" | "silence" | "cancel";
const DAMAGES: Damage[] = ["flip", "drop", "double", "number", "complement", "crc", "truncate", "can", "eot", "silence", "cancel"];

function damaged(random: SeededRandom, packet: Uint8Array, kind: Damage): Uint8Array {
  const copy = packet.slice();
  const at = below(random, packet.length);
  switch (kind) {
    case "flip": copy[at] ^= 1 << below(random, 8); return copy;
    case "drop": return Uint8Array.from([...packet.subarray(0, at), ...packet.subarray(at + 1)]);
    case "double": return Uint8Array.from([...packet.subarray(0, at + 1), ...packet.subarray(at)]);
    case "number": if (copy.length > 3) copy[1] = (copy[1] + 1 + below(random, 254)) & 0xff; return copy;
    case "complement": if (copy.length > 3) copy[2] ^= 1 + below(random, 255); return copy;
    case "crc": copy[copy.length - 1] ^= 1 + below(random, 255); return copy;
    case "truncate": return packet.subarray(0, at);
    case "can": return Uint8Array.from([CAN, ...packet]);
    case "eot": return Uint8Array.from([EOT, ...packet]);
    default: return packet;
  }
}

/** The final line, after the receiver's last reply byte (ACK, NAK, CAN or C): `OK` or `ERROR <CODE> ...`. */
const FINAL = /(?:^|[\x00-\x1f]|C)(OK|ERROR ([A-Z][A-Z0-9_]*) [^\r\n]*)\r\n/;

export function runYmodemInput(input: YmodemInput): LoaderVerdict {
  const { random, file } = input;
  const violations: LoaderVerdict["violations"] = [];
  const rig = new FuzzRig(input.board);
  rig.exchange("\r\n");
  let text = "";
  const start = rig.exchange("app\r");
  text += Buffer.from(start).toString("latin1");
  const packets: Uint8Array[] = [frameBlock(0, new TextEncoder().encode(`app.bin\0${input.announced} 14704523342 100644\0`), 128, 0)];
  let offset = 0;
  input.blockSizes.forEach((size, i) => {
    packets.push(frameBlock((i + 1) & 0xff, file.subarray(offset, offset + size), size));
    offset += size;
  });
  packets.push(Uint8Array.of(EOT), Uint8Array.of(EOT), frameBlock(0, new Uint8Array(0), 128, 0));
  let next = 0;
  let sent = 0;
  let ended = start.at(-1) !== CRC_REQUEST;
  while (!ended && next < packets.length) {
    if (++sent > 400) {
      violations.push({ kind: "ymodem: transfer neither ends nor progresses", detail: `packet ${next} of ${packets.length}` });
      break;
    }
    let packet = packets[next];
    let kind: Damage | null = null;
    if (random.next() < input.damage) {
      kind = pick(random, DAMAGES);
      packet = damaged(random, packet, kind);
    }
    let reply: Uint8Array;
    if (kind === "silence") reply = rig.wait(1_000_000 * (1 + below(random, 4)));
    else if (kind === "cancel") reply = rig.exchange(Uint8Array.of(CAN, CAN));
    else reply = rig.exchange(packet);
    // Nothing back: the receiver waits for the rest of a block; time passes until it asks again.
    for (let waits = 0; reply.length === 0 && waits < 25; waits++) reply = rig.wait(1_100_000);
    const replyText = Buffer.from(reply).toString("latin1");
    text += replyText;
    if (FINAL.test(text)) ended = true;
    else if (kind === null && (reply.includes(ACK) || (packets[next].length === 1 && next === packets.length - 3 && reply.includes(NAK)))) next++;
    else if (reply.length === 0) {
      violations.push({ kind: "ymodem: the receiver went silent", detail: `packet ${next} after ${JSON.stringify(text.slice(-120))}` });
      break;
    }
    // A damaged packet is sent again undamaged whatever the answer (the first EOT is answered
    // NAK by the reference's handshake); a block ACKed twice is the receiver's to ignore.
  }
  const final = FINAL.exec(text);
  const record = rig.applicationRecord();
  const slot = rig.chip.board.flash.subarray(APPLICATION_START - 0x0800_0000, APPLICATION_START - 0x0800_0000 + file.length);
  if (!final) {
    if (violations.length === 0) violations.push({ kind: "ymodem: no final line", detail: JSON.stringify(text.slice(-160)) });
  } else if (final[1] === "OK") {
    const exact = input.announced === file.length && Buffer.compare(slot, file) === 0;
    if (!exact) violations.push({ kind: "ymodem: OK but the slot does not hold the file", detail: `${file.length} bytes announced as ${input.announced}` });
    if (!record.valid || record.size !== file.length) violations.push({ kind: "ymodem: OK but the application is not recorded valid", detail: JSON.stringify(record) });
  } else if (record.valid) {
    violations.push({ kind: "ymodem: failed transfer left an application marked valid", detail: `${final[1]}` });
  } else if (!slot.every((byte) => byte === 0xff)) {
    violations.push({ kind: "ymodem: failed transfer left bytes in the slot", detail: `${final[1]}` });
  }
  if (record.valid && (record.size !== file.length || Buffer.compare(slot, file) !== 0)) {
    violations.push({ kind: "ymodem: a half-written application marked valid", detail: JSON.stringify(record) });
  }
  return { accepted: final?.[1] === "OK", outcome: final ? (final[2] ?? "OK") : "none", violations };
}

export { Hang as LoaderHang };
