// The GDB remote serial protocol's framing (GDB manual, "Remote Protocol" E.1 Overview): packets
// `$data#cc` with cc the modulo-256 sum of data in two hex digits, acknowledged by `+` (or `-` to
// ask again); 0x03 outside a packet is an interrupt request. In binary data (X, qXfer answers) `#`,
// `$`, `}` and `*` are sent as `}` followed by the byte XOR 0x20. Used by both ends: the stub in
// host-sim/serve/gdb-stub.ts and fusop's client in cli/targets/gdb-client.ts.

export const INTERRUPT = 0x03;

export type RspItem =
  | { kind: "packet"; data: Buffer }
  | { kind: "ack" }
  | { kind: "nack" }
  | { kind: "interrupt" }
  /** A packet whose checksum did not match: the receiver answers `-`. */
  | { kind: "corrupt" };

function checksum(data: Buffer): number {
  let sum = 0;
  for (const byte of data) sum = (sum + byte) & 0xff;
  return sum;
}

/** One packet on the wire, `$data#cc`; `data` must already be escaped where binary. */
export function frame(data: Buffer | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data, "latin1") : data;
  return Buffer.concat([Buffer.from("$"), body, Buffer.from(`#${checksum(body).toString(16).padStart(2, "0")}`)]);
}

/** Binary data escaped for a packet body. */
export function escapeBinary(data: Uint8Array): Buffer {
  const out: number[] = [];
  for (const byte of data) {
    if (byte === 0x23 || byte === 0x24 || byte === 0x7d || byte === 0x2a) out.push(0x7d, byte ^ 0x20);
    else out.push(byte);
  }
  return Buffer.from(out);
}

export function unescapeBinary(data: Uint8Array): Buffer {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) out.push(data[i] === 0x7d && i + 1 < data.length ? data[++i] ^ 0x20 : data[i]);
  return Buffer.from(out);
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

export function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  return new Uint8Array(Buffer.from(text, "hex"));
}

/** A 32-bit register value as GDB sends it for ARM: four bytes, little-endian, in hex. */
export function registerHex(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value >>> 0);
  return bytes.toString("hex");
}

export function registerFromHex(text: string): number | null {
  const bytes = fromHex(text);
  if (!bytes || bytes.length !== 4) return null;
  return Buffer.from(bytes).readUInt32LE(0);
}

/** Splits an incoming byte stream into acks, interrupts and packets (checksums checked). */
export class RspDecoder {
  private pending = Buffer.alloc(0);

  push(chunk: Buffer): RspItem[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const items: RspItem[] = [];
    for (;;) {
      if (this.pending.length === 0) break;
      const first = this.pending[0];
      if (first === 0x2b || first === 0x2d || first === INTERRUPT) {
        items.push({ kind: first === 0x2b ? "ack" : first === 0x2d ? "nack" : "interrupt" });
        this.pending = this.pending.subarray(1);
        continue;
      }
      if (first !== 0x24) {
        this.pending = this.pending.subarray(1); // noise between packets
        continue;
      }
      const end = this.pending.indexOf(0x23);
      if (end < 0 || this.pending.length < end + 3) break;
      const data = Buffer.from(this.pending.subarray(1, end));
      const sent = parseInt(this.pending.subarray(end + 1, end + 3).toString("latin1"), 16);
      this.pending = this.pending.subarray(end + 3);
      items.push(sent === checksum(data) ? { kind: "packet", data } : { kind: "corrupt" });
    }
    return items;
  }
}
