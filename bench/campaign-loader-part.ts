// The field loader on a virtual part, driven in-process on virtual time: tier 1 (the loader's wasm
// module, its console line a byte queue) and tier 2 (the loader's ARM firmware on the firmware
// runner from its reset vector, its console USART1 with frame timing — the code `fusop sim serve
// --pty` runs, host-sim/serve/, without the pty and without following wall time). A YMODEM sender
// scripted on the same virtual clock sends files to it, with hooks to damage chosen blocks (a
// noisy line) and to strike at block boundaries (power loss). The fault campaign's loader flows
// (campaign-loader.ts) and the tier-2 power-loss matrix of test/serve/ run on it.
import { Board, type BoardConfig } from "../host-sim/board.js";
import { Stm32wb } from "../host-sim/chip/stm32wb.js";
import { flashLoader, LOADER_CODE_BYTES } from "../host-sim/serve/loader-board.js";
import { runStretch } from "../host-sim/serve/pty.js";
import { FirmwareRunner, type RunOutcome } from "../host-sim/tiers/firmware-runner.js";
import { WasmTier } from "../host-sim/tiers/tier1.js";
import { SystemResetOccurred, type TierName } from "../host-sim/tiers/tier.js";
import { ACK, CAN, CRC_REQUEST, EOT, NAK, frameBlock, headerBlock } from "../cli/targets/ymodem-send.js";

/** The loader's boot window on the firmware (FUSOP_BOOT_WINDOW_MS default); tier 1 is given the same. */
const BOOT_WINDOW_MS = 1000;
/** Virtual time tier 1 lets pass per loader step while its line is empty. */
const TIER1_IDLE_US = 500;
/** Virtual time passed at once while CPU1 sits stopped in the application (tier 2). */
const IDLE_STRETCH_US = 2_000;
/** The loader's answer to a command ends with its final line (README "State machine"). */
export const FINAL_LINE = /(^|\n)(OK|ERROR [A-Z_0-9]+[^\r\n]*)\r\n$/;

/** One virtual part with the loader as CPU1's firmware, on either tier. */
export abstract class LoaderPart {
  readonly chip: Stm32wb;
  /** What the loader wrote since the last take (latin1). */
  protected written = "";
  /** CPU1 starts: power-ons and system resets. */
  starts = 0;
  /**
   * The loader handed CPU1 to the application (its boot decision, or `boot`): the line is the
   * application's until the next reset. The campaign's applications stop at once (a BKPT); time
   * still passes for the rest of the chip (CPU2, FUS), whose reset restarts the loader.
   */
  inApplication = false;

  constructor(readonly tier: TierName, config: BoardConfig | Board) {
    this.chip = new Stm32wb(config instanceof Board ? config : new Board(config));
  }

  get board(): Board {
    return this.chip.board;
  }

  /** Power-on: CPU1 starts from its reset vector (the backup domain as the board keeps it). */
  abstract powerOn(): void;
  /** Bytes arriving on the loader's console RX. */
  abstract send(bytes: Uint8Array | string): void;
  /** Runs for at most `us` of virtual time; stops early once `done(what was written)` holds. */
  abstract runUntil(done: (written: string) => boolean, us: number): boolean;

  get nowUs(): number {
    return this.chip.clock.nowUs;
  }

  /** Takes everything written so far. */
  take(): string {
    const text = this.written;
    this.written = "";
    return text;
  }

  peek(): string {
    return this.written;
  }

  /** Types a console line; returns everything up to its final line, or null after `seconds` without one. */
  command(line: string, seconds = 20): string | null {
    this.take();
    this.send(`${line}\r`);
    return this.runUntil((text) => FINAL_LINE.test(text), seconds * 1e6) ? this.take() : null;
  }
}

class Tier1Part extends LoaderPart {
  private readonly cpu1: WasmTier;

  constructor(config: BoardConfig | Board) {
    super("wasm", config);
    this.cpu1 = new WasmTier(this.chip, { module: "loader" });
  }

  powerOn(): void {
    this.chip.powerCycleBackupDomain();
    this.start();
  }

  /** A CPU1 start: loaderStart as the reset vector would run it (and again after each reset in it). */
  private start(): void {
    for (let tries = 0; ; tries++) {
      this.starts++;
      this.inApplication = false;
      try {
        this.act(this.cpu1.call("loaderStart", BOOT_WINDOW_MS));
        return;
      } catch (error) {
        if (!(error instanceof SystemResetOccurred) || tries > 50) throw error;
      } finally {
        this.collect();
      }
    }
  }

  private collect(): void {
    for (const byte of this.cpu1.uart.take()) this.written += String.fromCharCode(byte);
  }

  /** LoaderAction 1 (reset): a system reset, as the C main's SYSRESETREQ; 2: the application's turn. */
  private act(action: number): void {
    if (action === 1) this.chip.requestSystemReset("loader reset command");
    if (action === 2) this.inApplication = true;
  }

  send(bytes: Uint8Array | string): void {
    this.cpu1.uart.send(bytes);
  }

  runUntil(done: (written: string) => boolean, us: number): boolean {
    const end = this.nowUs + us;
    while (!done(this.written)) {
      if (this.nowUs >= end) return false;
      const idle = this.cpu1.uart.pending === 0 || this.inApplication;
      try {
        // A pending reset strikes at the step's first hal access (tier1.ts applies it).
        if (!this.inApplication || this.chip.resetPending !== null) this.act(this.cpu1.call("loaderStep"));
      } catch (error) {
        if (!(error instanceof SystemResetOccurred)) throw error;
        this.collect();
        this.start();
        continue;
      }
      this.collect();
      if (idle) this.chip.clock.advanceBy(TIER1_IDLE_US);
    }
    return true;
  }
}

/** How the tier-2 part runs (loaderPart). */
export interface Tier2PartOptions {
  /** Program the loader's ELF first (as `sim serve --loader`); false: the board has it already. Default true. */
  programLoader?: boolean;
  /** The loader build to program (a console option's build, assembly/loader/README.md "Console line"); default: the part's. */
  loaderElf?: string;
  /**
   * Virtual µs CPU1 runs between looks at what it wrote: the host answers at most this late.
   * Default: the serve loop's stretch (host-sim/serve/pty.ts); a line-rate measurement wants less.
   */
  answerWithinUs?: number;
}

export class Tier2Part extends LoaderPart {
  private readonly runner: FirmwareRunner;
  private readonly answerWithinUs: number | undefined;
  /** How the application the loader started last ended (its BKPT or semihosting exit), if it did. */
  applicationExit: Extract<RunOutcome, { kind: "exit" }> | null = null;

  constructor(config: BoardConfig | Board, { programLoader = true, answerWithinUs, loaderElf }: Tier2PartOptions = {}) {
    super("arm", config);
    this.answerWithinUs = answerWithinUs;
    if (programLoader) flashLoader(this.board, loaderElf);
    this.runner = new FirmwareRunner(this.chip, LOADER_CODE_BYTES);
    this.chip.usart1.onTransmit = (byte) => (this.written += String.fromCharCode(byte));
  }

  /** CPU1 executed instructions, over every start. */
  get instructions(): number {
    return this.runner.instructions;
  }

  powerOn(): void {
    this.chip.powerCycleBackupDomain();
    this.runner.start();
    this.starts++;
    this.inApplication = false;
  }

  send(bytes: Uint8Array | string): void {
    this.chip.usart1.receive(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);
  }

  runUntil(done: (written: string) => boolean, us: number): boolean {
    const end = this.nowUs + us;
    while (!done(this.written)) {
      if (this.nowUs >= end) return false;
      if (this.inApplication) {
        // The application stopped; the rest of the chip goes on until a reset restarts CPU1.
        this.chip.clock.advanceBy(Math.min(IDLE_STRETCH_US, end - this.nowUs));
        if (this.chip.resetPending === null) continue;
        this.chip.applySystemReset();
        this.powerOnAfterReset();
        continue;
      }
      const outcome = runStretch(this.chip, this.runner, end, this.answerWithinUs);
      if (outcome.kind === "reset") this.starts++;
      else if (outcome.kind === "exit") {
        this.inApplication = true;
        this.applicationExit = outcome;
      }
    }
    return true;
  }

  private powerOnAfterReset(): void {
    this.runner.start();
    this.starts++;
    this.inApplication = false;
  }

  discard(): void {
    this.runner.discard();
  }
}

/**
 * A part with the loader: on tier 2 the loader's ELF is programmed first (as `sim serve --loader`
 * does) unless `programLoader` is false (a board that has it already). Not yet powered on.
 */
export function loaderPart(tier: TierName, config: BoardConfig | Board, programLoader = true): LoaderPart {
  return tier === "wasm" ? new Tier1Part(config) : new Tier2Part(config, { programLoader });
}

/** Ends CPU1's emulation on tier 2 (frees unicorn's memory); nothing to do on tier 1. */
export function discardPart(part: LoaderPart): void {
  if (part instanceof Tier2Part) part.discard();
}

/** Work done on a part (for sizing): CPU1 instructions on tier 2, virtual µs on tier 1. */
export function partWork(part: LoaderPart): number {
  return part instanceof Tier2Part ? part.instructions : part.nowUs;
}

/** What the sender does at one point of the transfer. */
export interface SendHooks {
  /**
   * The frame for `block` (0: header, 1..n: data; `attempt` from 1) as the line delivers it: a
   * changed copy damages it on the way (a noisy line). Default: unchanged.
   */
  line?(frame: Uint8Array, block: number, attempt: number): Uint8Array;
  /** After the receiver acknowledged `block` (header 0, data 1..n, n+1 the file's EOT): true stops the sender here. */
  acknowledged?(block: number): boolean;
  /** Checked before each frame: true stops the sender (the line went dead: a power loss). */
  stop?(): boolean;
}

export type SendResult =
  | { kind: "sent" }
  /** The hook stopped the sender after `block` was acknowledged. */
  | { kind: "stopped"; block: number }
  /** The receiver cancelled (CAN CAN) at `block`. */
  | { kind: "cancelled"; block: number }
  /** `block` unanswered or refused `retries` times. */
  | { kind: "gave-up"; block: number };

/** How long the sender waits for an answer to one block before sending it again (lrzsz: 10 s). */
const REPLY_TIMEOUT_US = 10_000_000;
const SENDER_RETRIES = 10;

/**
 * Sends one file as a YMODEM batch after the receiver's first C (already on the line), 1024-byte
 * blocks with the tail in a 128-byte block when it fits (as lrzsz -k), on the part's virtual
 * clock. The receiver's replies are taken from what the loader writes.
 */
export function sendFile(part: LoaderPart, name: string, data: Uint8Array, hooks: SendHooks = {}): SendResult {
  type Reply = "ack" | "nak" | "crc" | "cancel" | "timeout";
  let consumed = 0;
  let lastWasCan = false;
  const nextReply = (): Reply => {
    let reply: Reply = "timeout";
    part.runUntil((text) => {
      for (; consumed < text.length; consumed++) {
        const byte = text.charCodeAt(consumed);
        const wasCan = lastWasCan;
        lastWasCan = byte === CAN;
        if (byte === CAN && wasCan) reply = "cancel";
        else if (byte === ACK) reply = "ack";
        else if (byte === NAK) reply = "nak";
        else if (byte === CRC_REQUEST) reply = "crc";
        else continue;
        consumed++;
        return true;
      }
      return false;
    }, REPLY_TIMEOUT_US);
    return reply;
  };
  /** Sends `frame` until acknowledged; the result when the transfer ends here. */
  const deliver = (frame: Uint8Array, block: number): SendResult | null => {
    for (let attempt = 1; attempt <= SENDER_RETRIES; attempt++) {
      if (hooks.stop?.()) return { kind: "stopped", block: block - 1 };
      part.send(hooks.line ? hooks.line(frame, block, attempt) : frame);
      let reply = nextReply();
      while (reply === "crc") reply = nextReply(); // a late C of the previous step
      if (reply === "ack") return hooks.acknowledged?.(block) ? { kind: "stopped", block } : null;
      if (reply === "cancel") return { kind: "cancelled", block };
    }
    return { kind: "gave-up", block };
  };
  const awaitC = (block: number): SendResult | null => {
    const reply = nextReply();
    if (reply === "crc") return null;
    return reply === "cancel" ? { kind: "cancelled", block } : reply === "ack" || reply === "nak" ? awaitC(block) : { kind: "gave-up", block };
  };
  part.take();
  let ended = deliver(headerBlock({ name, size: data.length }), 0) ?? awaitC(0);
  let number = 1;
  for (let offset = 0; !ended && offset < data.length; number++) {
    const size = data.length - offset <= 128 ? 128 : 1024;
    ended = deliver(frameBlock(number, data.subarray(offset, offset + size), size), number);
    offset += size;
  }
  if (ended) return ended;
  // EOT: the first is answered NAK, the next ACK (README "YMODEM").
  ended = deliver(Uint8Array.of(EOT), number) ?? awaitC(number);
  if (ended) return ended;
  part.send(headerBlock(null));
  const reply = nextReply();
  return reply === "cancel" ? { kind: "cancelled", block: number + 1 } : { kind: "sent" };
}

/** Blocks `sendFile` sends for `bytes` (data only), as numbered by it. */
export function dataBlocks(bytes: number): number {
  const whole = Math.floor(bytes / 1024);
  const tail = bytes - whole * 1024;
  return whole + (tail === 0 ? 0 : 1);
}
