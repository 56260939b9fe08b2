// A serial line as the PC tool uses it: bytes written out, bytes received queued and read one at
// a time or line by line with a timeout. The serial target fills it from `serialport`'s data
// events; the YMODEM sender and the loader's console client read from it; tests fill it from a pty.

export interface LinkPort {
  write(bytes: Uint8Array): Promise<void>;
}

export class LinkTimeout extends Error {
  constructor(readonly waitedMs: number) {
    super(`nothing received for ${waitedMs} ms`);
  }
}

export class ByteLink {
  private readonly queue: number[] = [];
  private head = 0;
  private waiter: (() => void) | null = null;
  private closedReason: string | null = null;

  constructor(private readonly port: LinkPort) {}

  /** Bytes that arrived from the line. */
  push(chunk: Uint8Array): void {
    for (const byte of chunk) this.queue.push(byte);
    this.wake();
  }

  /** The line went away (port closed, cable pulled): pending and later reads fail with `reason`. */
  close(reason: string): void {
    this.closedReason = reason;
    this.wake();
  }

  write(bytes: Uint8Array | string): Promise<void> {
    return this.port.write(typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes);
  }

  /** Drops whatever arrived and was not read (line noise, a reply to a request given up on). */
  discard(): void {
    this.queue.length = 0;
    this.head = 0;
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  /** The next byte, or a LinkTimeout after `timeoutMs` of silence. */
  async readByte(timeoutMs: number): Promise<number> {
    if (this.pending === 0) await this.arrival(timeoutMs);
    const byte = this.queue[this.head++];
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return byte;
  }

  /** The next byte without taking it, or a LinkTimeout after `timeoutMs` of silence. */
  async peekByte(timeoutMs: number): Promise<number> {
    if (this.pending === 0) await this.arrival(timeoutMs);
    return this.queue[this.head];
  }

  /** The next line without its CR/LF (empty lines skipped); LinkTimeout after `timeoutMs` without a byte. */
  async readLine(timeoutMs: number): Promise<string> {
    let line = "";
    for (;;) {
      const byte = await this.readByte(timeoutMs);
      if (byte === 0x0a || byte === 0x0d) {
        if (line !== "") return line;
      } else {
        line += String.fromCharCode(byte);
      }
    }
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  private arrival(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closedReason !== null) return reject(new Error(this.closedReason));
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new LinkTimeout(timeoutMs));
      }, timeoutMs);
      this.waiter = () => {
        clearTimeout(timer);
        if (this.pending > 0) resolve();
        else reject(new Error(this.closedReason ?? "the line closed"));
      };
    });
  }
}
