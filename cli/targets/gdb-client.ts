// A GDB remote-protocol client for a debug probe's GDB server (OpenOCD, pyOCD, st-util, or
// `fusop sim serve --gdb`): packets and acks, memory, registers, breakpoints, continue, interrupt,
// `monitor` commands. The operator's host side is synchronous (host-sim/operator.ts calls one
// function after the other), so the socket lives in a worker thread that only moves bytes; this
// thread blocks on it with Atomics.wait and speaks the protocol itself (host-sim/serve/rsp-packet.ts).
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import {
  INTERRUPT, RspDecoder, escapeBinary, frame, fromHex, registerFromHex, registerHex, toHex, type RspItem,
} from "../../host-sim/serve/rsp-packet.js";

/** The socket side: connect, write, and read what arrived (or wait for it up to a timeout). */
const SOCKET_WORKER = `
const { workerData } = require("node:worker_threads");
const net = require("node:net");
const { port, signal } = workerData;
const flag = new Int32Array(signal);
let socket = null;
let received = [];
let waiting = null;
let closed = null;
let id = 0;
function answer(message, to = id) {
  port.postMessage({ ...message, id: to });
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
function flush() {
  if (!waiting) return;
  if (received.length === 0 && closed === null) return;
  clearTimeout(waiting.timer);
  const to = waiting.id;
  waiting = null;
  const data = Buffer.concat(received);
  received = [];
  answer({ data, closed: data.length === 0 ? closed : null }, to);
}
port.on("message", (request) => {
  id = request.id;
  if (request.op === "connect") {
    socket = net.connect({ host: request.host, port: request.port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => { socket.destroy(); answer({ error: "ETIMEDOUT" }); }, request.timeoutMs);
    socket.once("connect", () => { clearTimeout(timer); answer({ ok: true }); });
    const connectId = id;
    socket.once("error", (error) => { clearTimeout(timer); closed = error.code || error.message; answer({ error: closed }, connectId); flush(); });
    socket.on("data", (chunk) => { received.push(chunk); flush(); });
    socket.on("close", () => { closed = closed || "closed"; flush(); });
  } else if (request.op === "write") {
    socket.write(Buffer.from(request.data));
    answer({ ok: true });
  } else if (request.op === "read") {
    const readId = id;
    waiting = { id: readId, timer: setTimeout(() => { waiting = null; answer({ data: Buffer.alloc(0), closed: null }, readId); }, request.timeoutMs) };
    flush();
  } else if (request.op === "close") {
    if (socket) socket.destroy();
    answer({ ok: true });
    port.close();
  }
});
`;

/** Nothing (or something that is not a GDB server) answers: DEVICE_NOT_REACHABLE in the CLI. */
export class GdbUnreachable extends Error {
  readonly code = "DEVICE_NOT_REACHABLE";
}

/** The server answered a request with an error (`Enn`) or not at all. */
export class GdbError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface StopReply {
  signal: number;
  raw: string;
}

/** FUSOP_GDB_TRACE=1 prints the packets on stderr. */
const TRACE = process.env.FUSOP_GDB_TRACE === "1";
/** How long one answer may take before the server counts as gone (a running call has its own limit). */
const ANSWER_TIMEOUT_MS = 10_000;

export class GdbClient {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly decoder = new RspDecoder();
  private readonly items: RspItem[] = [];
  private sequence = 0;
  /** Largest packet the server takes (qSupported PacketSize). */
  packetSize = 0x400;

  private constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(SOCKET_WORKER, { eval: true, workerData: { port: port2, signal: this.flag.buffer }, transferList: [port2] });
    this.worker.unref();
  }

  /** Connects to HOST:PORT and asks what the server supports. */
  static connect(host: string, port: number, timeoutMs = 5_000): GdbClient {
    const client = new GdbClient();
    const answer = client.request({ op: "connect", host, port, timeoutMs }, timeoutMs + 1_000) as { ok?: boolean; error?: string };
    if (!answer.ok) {
      client.close();
      throw new GdbUnreachable(`nothing answers as a GDB server at ${host}:${port} (${answer.error ?? "no answer"})`);
    }
    try {
      const supported = client.command("qSupported:swbreak+;hwbreak+");
      const size = /PacketSize=([0-9a-fA-F]+)/.exec(supported)?.[1];
      if (size) client.packetSize = parseInt(size, 16);
    } catch (error) {
      client.close();
      if (error instanceof GdbError) throw new GdbUnreachable(`${host}:${port} accepts connections but does not speak the GDB remote protocol (${error.message})`);
      throw error;
    }
    return client;
  }

  /** One request to the socket worker and its answer (answers to earlier requests, late or unasked, are dropped). */
  private request(message: Record<string, unknown>, timeoutMs: number): Record<string, unknown> {
    const id = ++this.sequence;
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ ...message, id });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const received = receiveMessageOnPort(this.port);
      if (received) {
        const answer = received.message as Record<string, unknown>;
        if (answer.id === id) return answer;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new GdbUnreachable("the connection to the GDB server stopped answering");
      Atomics.wait(this.flag, 0, 0, left);
      Atomics.store(this.flag, 0, 0);
    }
  }

  private write(data: Buffer): void {
    if (TRACE) process.stderr.write(`gdb> ${data.toString("latin1").slice(0, 80)}\n`);
    this.request({ op: "write", data }, ANSWER_TIMEOUT_MS);
  }

  /** The next item from the server, waiting up to `timeoutMs`; null on timeout. */
  private next(timeoutMs: number): RspItem | null {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) return null;
      const answer = this.request({ op: "read", timeoutMs: left }, left + 1_000) as { data: Uint8Array; closed: string | null };
      if (answer.closed) throw new GdbUnreachable(`the GDB server closed the connection (${answer.closed})`);
      if (TRACE) process.stderr.write(`gdb< ${Buffer.from(answer.data).toString("latin1").slice(0, 80)}\n`);
      this.items.push(...this.decoder.push(Buffer.from(answer.data)));
    }
    return this.items.shift()!;
  }

  /** Sends a packet until it is acknowledged. */
  send(data: Buffer | string): void {
    for (let attempt = 0; attempt < 3; attempt++) {
      this.write(frame(data));
      const item = this.next(ANSWER_TIMEOUT_MS);
      if (item === null) throw new GdbUnreachable("the GDB server did not acknowledge a packet");
      if (item.kind === "ack") return;
      if (item.kind === "packet") this.items.unshift(item); // ack mode off on the server: the answer came at once
      if (item.kind !== "nack") return;
    }
    throw new GdbError("GDB_PACKET_REJECTED", "the GDB server rejected a packet three times");
  }

  /** The next packet from the server (console output `O...` is skipped), acknowledged. */
  receive(timeoutMs = ANSWER_TIMEOUT_MS): string | null {
    for (;;) {
      const item = this.next(timeoutMs);
      if (item === null) return null;
      if (item.kind === "corrupt") {
        this.write(Buffer.from("-"));
        continue;
      }
      if (item.kind !== "packet") continue;
      this.write(Buffer.from("+"));
      const text = item.data.toString("latin1");
      if (text.startsWith("O") && text !== "OK" && /^O[0-9a-fA-F]+$/.test(text)) continue;
      return text;
    }
  }

  /** A request and its answer; `Enn` answers throw. */
  command(data: Buffer | string, what = typeof data === "string" ? data.split(/[,:]/)[0] : "packet"): string {
    this.send(data);
    const answer = this.receive();
    if (answer === null) throw new GdbUnreachable(`the GDB server did not answer ${what}`);
    if (/^E[0-9a-fA-F]{2}$/.test(answer)) throw new GdbError("GDB_REQUEST_FAILED", `the GDB server refused ${what} (${answer})`);
    return answer;
  }

  /** Reads target memory in packets the server takes. */
  readMemory(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    const chunk = Math.max(4, Math.floor((this.packetSize - 8) / 2)) & ~3;
    for (let done = 0; done < length;) {
      const size = Math.min(chunk, length - done);
      const answer = this.command(`m${(address + done).toString(16)},${size.toString(16)}`, `a read of ${size} bytes at 0x${(address + done).toString(16)}`);
      const bytes = fromHex(answer);
      if (!bytes || bytes.length === 0) throw new GdbError("GDB_REQUEST_FAILED", `unreadable answer to a memory read at 0x${(address + done).toString(16)}`);
      out.set(bytes.subarray(0, size), done);
      done += bytes.length;
    }
    return out;
  }

  readWord(address: number): number {
    return new DataView(this.readMemory(address, 4).buffer).getUint32(0, true);
  }

  /** Writes target memory: binary X packets, hex M for what escaping would make too long. */
  writeMemory(address: number, data: Uint8Array): void {
    const chunk = Math.max(4, Math.floor((this.packetSize - 32) / 2));
    for (let done = 0; done < data.length;) {
      const size = Math.min(chunk, data.length - done);
      const part = data.subarray(done, done + size);
      const at = (address + done).toString(16);
      const binary = escapeBinary(part);
      const packet = binary.length + 24 <= this.packetSize
        ? Buffer.concat([Buffer.from(`X${at},${size.toString(16)}:`), binary])
        : `M${at},${size.toString(16)}:${toHex(part)}`;
      const answer = this.command(packet, `a write of ${size} bytes at 0x${at}`);
      if (answer !== "OK") throw new GdbError("GDB_REQUEST_FAILED", `the GDB server answered '${answer}' to a write at 0x${at}`);
      done += size;
    }
  }

  writeWord(address: number, value: number): void {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, value >>> 0, true);
    this.writeMemory(address, bytes);
  }

  readRegister(number: number): number {
    const value = registerFromHex(this.command(`p${number.toString(16)}`));
    if (value === null) throw new GdbError("GDB_REQUEST_FAILED", `unreadable answer for register ${number}`);
    return value;
  }

  writeRegister(number: number, value: number): void {
    this.command(`P${number.toString(16)}=${registerHex(value)}`);
  }

  /** A software breakpoint (Z0): the probe runs from SRAM, which a Cortex-M4 FPB cannot cover (ARMv7-M C1.11). */
  setBreakpoint(address: number): void {
    this.command(`Z0,${address.toString(16)},2`, "a breakpoint");
  }

  clearBreakpoint(address: number): void {
    this.command(`z0,${address.toString(16)},2`, "a breakpoint");
  }

  /** Where the core stands now (`?`). */
  status(): StopReply {
    return parseStop(this.command("?"));
  }

  /**
   * Continues and waits for the core to stop; after `timeoutMs` it interrupts (0x03) and waits for
   * that stop. Returns the stop reply.
   */
  continueAndWait(timeoutMs: number): StopReply {
    this.send("c");
    let answer = this.receive(timeoutMs);
    if (answer === null) {
      this.write(Buffer.of(INTERRUPT));
      answer = this.receive();
      if (answer === null) throw new GdbUnreachable("the GDB server did not stop the core when interrupted");
      return { ...parseStop(answer), signal: -1 };
    }
    return parseStop(answer);
  }

  /** A `monitor` command (qRcmd); returns what the server printed. */
  monitor(command: string): string {
    this.send(`qRcmd,${toHex(Buffer.from(command))}`);
    let output = "";
    for (;;) {
      const item = this.next(ANSWER_TIMEOUT_MS);
      if (item === null) throw new GdbUnreachable(`the GDB server did not answer 'monitor ${command}'`);
      if (item.kind !== "packet") continue;
      this.write(Buffer.from("+"));
      const text = item.data.toString("latin1");
      if (text === "OK") return output;
      if (/^E[0-9a-fA-F]{2}$/.test(text)) throw new GdbError("GDB_MONITOR_FAILED", `monitor ${command}: ${text}`);
      if (text === "") throw new GdbError("GDB_MONITOR_UNSUPPORTED", `the GDB server has no monitor command '${command}'`);
      const hex = text.startsWith("O") ? text.slice(1) : text;
      output += Buffer.from(fromHex(hex) ?? new Uint8Array()).toString("latin1");
      if (!text.startsWith("O")) return output;
    }
  }

  close(): void {
    try {
      this.request({ op: "close" }, 2_000);
    } catch {
      // already gone
    }
    void this.worker.terminate();
  }
}

function parseStop(text: string): StopReply {
  const match = /^[ST]([0-9a-fA-F]{2})/.exec(text);
  if (!match) throw new GdbError("GDB_UNEXPECTED_ANSWER", `expected a stop reply, got '${text.slice(0, 40)}'`);
  return { signal: parseInt(match[1], 16), raw: text };
}
