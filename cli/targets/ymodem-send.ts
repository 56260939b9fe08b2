// A YMODEM batch sender (one file), written from the YMODEM reference (Forsberg, "XMODEM/YMODEM
// Protocol Reference", 1988): the receiver asks with `C` (CRC-16 mode); block 0 carries
// "name NUL size NUL"; data goes in 1024-byte STX blocks (or 128-byte SOH blocks) padded with SUB,
// each with its number, the complement, and CRC-16/XMODEM big-endian; EOT until ACK (a receiver
// may NAK the first); an empty block 0 ends the batch. CAN CAN from either side cancels.
import { ByteLink, LinkTimeout } from "./byte-link.js";

export const SOH = 0x01;
export const STX = 0x02;
export const EOT = 0x04;
export const ACK = 0x06;
export const NAK = 0x15;
export const CAN = 0x18;
export const CRC_REQUEST = 0x43; // 'C'
const SUB = 0x1a;
/** How long to wait for the ACK of the end-of-batch block before taking the batch as done. */
const END_OF_BATCH_WAIT_MS = 2000;

export type YmodemFailure =
  | "YMODEM_NO_RECEIVER" // no C came: nothing listens, or not in YMODEM receive
  | "YMODEM_CANCELLED_BY_RECEIVER" // CAN CAN from the receiver (it refused the file or gave up)
  | "YMODEM_TOO_MANY_RETRIES" // a block was refused or unanswered too often
  | "TRANSFER_CANCELLED"; // stopped here (Ctrl-C): CAN CAN sent

export class YmodemError extends Error {
  /** `preamble`: what the receiver printed instead of asking for the file (a console's refusal). */
  constructor(readonly code: YmodemFailure, message: string, readonly preamble = "") {
    super(message);
  }
}

export interface YmodemOptions {
  /** Data block size; the header block is 128 bytes when name and size fit, as lrzsz sends it. */
  blockSize?: 128 | 1024;
  /** Aborting sends CAN CAN and fails with TRANSFER_CANCELLED. */
  signal?: AbortSignal;
  /** After each acknowledged data block: bytes of the file the receiver has. */
  onProgress?(sent: number, total: number): void;
  /** How long to wait for the receiver's first C. */
  startTimeoutMs?: number;
  /** How long to wait for the answer to one block before sending it again. */
  replyTimeoutMs?: number;
  /** Sends of one block before giving up. */
  retries?: number;
}

/** CRC-16/XMODEM: polynomial 0x1021, initial 0, no reflection. */
export function crc16(data: Uint8Array): number {
  let crc = 0;
  for (const byte of data) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** One framed block: SOH/STX, number, complement, `payload` padded with `fill`, CRC. */
export function frameBlock(number: number, payload: Uint8Array, size: 128 | 1024, fill = SUB): Uint8Array {
  const frame = new Uint8Array(3 + size + 2);
  frame[0] = size === 128 ? SOH : STX;
  frame[1] = number & 0xff;
  frame[2] = ~number & 0xff;
  const data = frame.subarray(3, 3 + size);
  data.fill(fill);
  data.set(payload.subarray(0, size));
  const crc = crc16(data);
  frame[3 + size] = crc >> 8;
  frame[4 + size] = crc & 0xff;
  return frame;
}

/** Block 0 of a file: "name NUL size NUL", zero-padded; of the end of a batch: all zero. */
export function headerBlock(file: { name: string; size: number } | null): Uint8Array {
  const text = file === null ? new Uint8Array(0) : new TextEncoder().encode(`${file.name}\0${file.size}\0`);
  return frameBlock(0, text, text.length <= 128 ? 128 : 1024, 0);
}

type Reply = "ack" | "nak" | "crc" | "cancel" | "timeout";

class Sender {
  private lastWasCan = false;

  constructor(private readonly link: ByteLink, private readonly options: Required<Omit<YmodemOptions, "signal" | "onProgress">> & YmodemOptions) {}

  private checkAbort(): void {
    if (this.options.signal?.aborted) throw new YmodemError("TRANSFER_CANCELLED", "transfer cancelled (interrupted); the receiver was sent CAN CAN");
  }

  /** The next byte from the line, or null at `until`; checks for an abort at least every 100 ms. */
  private async nextByte(until: number): Promise<number | null> {
    for (;;) {
      this.checkAbort();
      const left = until - Date.now();
      if (left <= 0) return null;
      try {
        return await this.link.readByte(Math.min(left, 100));
      } catch (error) {
        if (!(error instanceof LinkTimeout)) throw error;
      }
    }
  }

  /** The receiver's next meaningful byte within `timeoutMs`; anything else on the line is skipped. */
  private async reply(timeoutMs: number): Promise<Reply> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const byte = await this.nextByte(until);
      if (byte === null) return "timeout";
      if (byte === CAN) {
        if (this.lastWasCan) return "cancel";
        this.lastWasCan = true;
        continue;
      }
      this.lastWasCan = false;
      if (byte === ACK) return "ack";
      if (byte === NAK) return "nak";
      if (byte === CRC_REQUEST) return "crc";
    }
  }

  /** Waits for the receiver's C; returns the text it printed before (a console's lines). */
  async awaitRequest(timeoutMs: number): Promise<string> {
    const until = Date.now() + timeoutMs;
    let text = "";
    for (;;) {
      const byte = await this.nextByte(until);
      if (byte === null) throw new YmodemError("YMODEM_NO_RECEIVER", `no YMODEM receiver answered within ${timeoutMs} ms (no C on the line)`, text);
      if (byte === CAN && this.lastWasCan) throw new YmodemError("YMODEM_CANCELLED_BY_RECEIVER", "the receiver cancelled (CAN CAN) before the transfer");
      this.lastWasCan = byte === CAN;
      // A C that starts a line is the request; a C inside a console line is text.
      if (byte === CRC_REQUEST && (text === "" || text.endsWith("\n"))) return text;
      text += String.fromCharCode(byte);
      // A console that refuses to receive says so in a final line instead of asking.
      if (byte === 0x0a && /(^|\n)(ERROR |\{"ok":false)[^\n]*\r?\n$/.test(text)) {
        throw new YmodemError("YMODEM_NO_RECEIVER", "the receiver refused to start the transfer", text);
      }
    }
  }

  /** Sends `frame` until the receiver ACKs it; `what` names it in errors. */
  async sendBlock(frame: Uint8Array, what: string): Promise<void> {
    for (let attempt = 1; attempt <= this.options.retries; attempt++) {
      this.checkAbort();
      await this.link.write(frame);
      const answer = await this.reply(this.options.replyTimeoutMs);
      if (answer === "ack") return;
      if (answer === "cancel") throw new YmodemError("YMODEM_CANCELLED_BY_RECEIVER", `the receiver cancelled the transfer (CAN CAN) at ${what}`);
    }
    throw new YmodemError("YMODEM_TOO_MANY_RETRIES", `${what} was not acknowledged after ${this.options.retries} tries`);
  }

  async endOfFile(): Promise<void> {
    for (let attempt = 1; attempt <= this.options.retries; attempt++) {
      this.checkAbort();
      await this.link.write(Uint8Array.of(EOT));
      const answer = await this.reply(this.options.replyTimeoutMs);
      if (answer === "ack") return;
      if (answer === "cancel") throw new YmodemError("YMODEM_CANCELLED_BY_RECEIVER", "the receiver cancelled the transfer (CAN CAN) at the end of the file");
    }
    throw new YmodemError("YMODEM_TOO_MANY_RETRIES", `EOT was not acknowledged after ${this.options.retries} tries`);
  }

  /**
   * The empty block 0. The file is the receiver's already (its EOT was acknowledged); a receiver
   * that exits without acknowledging this block (lrzsz rb may close the line first) is not a failure.
   */
  async endOfBatch(): Promise<void> {
    this.checkAbort();
    await this.link.write(headerBlock(null));
    const answer = await this.reply(Math.min(this.options.replyTimeoutMs, END_OF_BATCH_WAIT_MS)).catch(() => "timeout" as const);
    if (answer === "cancel") throw new YmodemError("YMODEM_CANCELLED_BY_RECEIVER", "the receiver cancelled (CAN CAN) at the end of the batch");
  }

  async awaitNext(): Promise<void> {
    const answer = await this.reply(this.options.replyTimeoutMs);
    if (answer === "crc") return;
    if (answer === "cancel") throw new YmodemError("YMODEM_CANCELLED_BY_RECEIVER", "the receiver cancelled the transfer (CAN CAN)");
    if (answer === "timeout") throw new YmodemError("YMODEM_TOO_MANY_RETRIES", "the receiver did not ask for the next block (no C)");
    // An ACK or NAK here is a duplicate answer to the previous block; the C still follows.
    return this.awaitNext();
  }
}

/**
 * Sends one file as a YMODEM batch. Resolves when the receiver acknowledged the end of the batch,
 * with the text the receiver printed before its first C. On abort (options.signal) sends CAN CAN
 * so the receiver stops at once, and fails with TRANSFER_CANCELLED.
 */
export async function sendYmodem(link: ByteLink, name: string, data: Uint8Array, options: YmodemOptions = {}): Promise<{ preamble: string }> {
  const settings = { blockSize: 1024 as const, startTimeoutMs: 30_000, replyTimeoutMs: 10_000, retries: 10, ...options };
  const sender = new Sender(link, settings);
  try {
    const preamble = await sender.awaitRequest(settings.startTimeoutMs);
    await sender.sendBlock(headerBlock({ name, size: data.length }), "the header block");
    await sender.awaitNext();
    let number = 1;
    for (let offset = 0; offset < data.length; offset += settings.blockSize, number++) {
      // The tail goes in a 128-byte block when it fits one, as lrzsz sends it: fewer padding bytes.
      const size = settings.blockSize === 1024 && data.length - offset <= 128 ? 128 : settings.blockSize;
      await sender.sendBlock(frameBlock(number, data.subarray(offset, offset + size), size), `block ${number}`);
      settings.onProgress?.(Math.min(offset + size, data.length), data.length);
    }
    await sender.endOfFile();
    await sender.awaitNext();
    await sender.endOfBatch();
    return { preamble };
  } catch (error) {
    if (error instanceof YmodemError && error.code === "TRANSFER_CANCELLED") await cancelTransfer(link);
    throw error;
  }
}

/**
 * Cancels a transfer: CAN CAN (eight, as lrzsz sends, so that one lost still leaves two), sent when
 * the receiver listens for a block — it may miss bytes while it programs flash, so the line is let
 * go quiet first — and again while it still answers like a receiver (ACK, NAK, C) rather than
 * ending. Whatever else it prints after (a console's final line) is left on the link.
 */
export async function cancelTransfer(link: ByteLink): Promise<void> {
  for (let attempt = 0; attempt < CANCEL_TRIES; attempt++) {
    await dropUntilQuiet(link, CANCEL_QUIET_MS, CANCEL_LIMIT_MS);
    await link.write(new Uint8Array(8).fill(CAN));
    let next: number;
    try {
      next = await link.peekByte(CANCEL_QUIET_MS * 3);
    } catch (error) {
      if (error instanceof LinkTimeout) return; // silence: the receiver stopped
      throw error;
    }
    if (next !== ACK && next !== NAK && next !== CRC_REQUEST && next !== CAN) return;
  }
}

const CANCEL_TRIES = 5;
/** Silence after which a receiver is taken to wait for the next block. */
const CANCEL_QUIET_MS = 300;
const CANCEL_LIMIT_MS = 5000;

async function dropUntilQuiet(link: ByteLink, silenceMs: number, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    try {
      const byte = await link.peekByte(silenceMs);
      if (byte !== ACK && byte !== NAK && byte !== CRC_REQUEST && byte !== CAN) return; // text: the receiver ended
      await link.readByte(0);
    } catch (error) {
      if (error instanceof LinkTimeout) return;
      throw error;
    }
  }
}
