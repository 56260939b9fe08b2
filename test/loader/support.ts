// The field loader on tier 1 (build/fusop-loader.tier1.wasm) with its console line as a byte queue,
// and a YMODEM sender scripted block by block, framing its blocks with the PC tool's sender
// (cli/targets/ymodem-send.ts, written from the YMODEM reference, independent of the loader's
// assembly/loader/ymodem.ts; checked against lrzsz rb in test/serial/).
import { Board, type BoardConfig } from "../../host-sim/board.js";
import { Stm32wb } from "../../host-sim/chip/stm32wb.js";
import { WasmTier } from "../../host-sim/tiers/tier1.js";
import { SystemResetOccurred } from "../../host-sim/tiers/tier.js";
import { ACK, CRC_REQUEST as C, EOT, NAK, frameBlock } from "../../cli/targets/ymodem-send.js";

export { SOH, STX, EOT, ACK, NAK, CAN, CRC_REQUEST as C, crc16 } from "../../cli/targets/ymodem-send.js";

/** Application slot start (assembly/loader/transfer.ts, README "Flash layout"). */
export const APPLICATION_START = 0x0800_c000;

export class LoaderRig {
  readonly chip: Stm32wb;
  readonly tier: WasmTier;
  /** LoaderAction values steps returned (1 reset, 2 boot application). */
  readonly actions: number[] = [];

  /** `bootWindowMs`: what the firmware's FUSOP_BOOT_WINDOW_MS would be. */
  constructor(config: BoardConfig = { family: "wb5x", flashKb: 1024, fus: "1.2.0" }, readonly bootWindowMs = 1000) {
    this.chip = new Stm32wb(new Board(config));
    this.tier = new WasmTier(this.chip, { module: "loader" });
    this.start();
  }

  /** A CPU1 start: the loader's start, whose LoaderAction is recorded like a step's. */
  start(): void {
    const action = this.tier.call("loaderStart", this.bootWindowMs);
    if (action !== 0) this.actions.push(action);
  }

  /** Runs loader steps until the line is drained and one more step found nothing to do. */
  run(): void {
    do {
      const action = this.tier.call("loaderStep");
      if (action !== 0) this.actions.push(action);
    } while (this.tier.uart.pending > 0);
  }

  /** Sends bytes, runs the loader, returns what it wrote. */
  exchange(bytes: Uint8Array | string): Uint8Array {
    this.tier.uart.send(bytes);
    this.run();
    return this.tier.uart.take();
  }

  /** Sends a console line (CR), returns the answer as text. */
  command(line: string): string {
    return new TextDecoder().decode(this.exchange(`${line}\r`));
  }

  /** Types a console line and runs the loader, leaving its answer on the line (for throughResets). */
  type(line: string): void {
    this.tier.uart.send(`${line}\r`);
    this.run();
  }

  /** Lets virtual time pass, runs a step, returns what the loader wrote. */
  wait(us: number): Uint8Array {
    this.chip.clock.advanceBy(us);
    this.run();
    return this.tier.uart.take();
  }

  text(): string {
    return new TextDecoder().decode(this.tier.uart.take());
  }

  flash(address: number, length: number): Uint8Array {
    return this.chip.bus.readBytes(address, length);
  }
}

/** One block: SOH/STX, number, complement, data padded with 0x1A (SUB), CRC big-endian. */
export function block(number: number, data: Uint8Array, size: 128 | 1024 = data.length > 128 ? 1024 : 128): Uint8Array {
  return frameBlock(number, data, size);
}

/** Block 0: "name\0size rest\0", zero-padded (lrzsz also sends mtime in octal, mode, serial, ...). */
export function headerBlock(name: string, size: number | null, rest = "", blockSize: 128 | 1024 = 128): Uint8Array {
  const text = name === "" ? "" : `${name}\0${size ?? ""}${rest}\0`;
  return frameBlock(0, new TextEncoder().encode(text), blockSize, 0);
}

/** A file's bytes, deterministic and without long runs of one value. */
export function fileBytes(length: number, seed = 1): Uint8Array {
  const data = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    data[i] = state >>> 24;
  }
  return data;
}

export function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

/**
 * Sends one file as a well-behaved YMODEM sender would, after the receiver's first C: header,
 * blocks of `blockSize`, EOT twice, end of batch. Checks every reply; returns the loader's text
 * after the end of the batch (its final lines).
 */
export function sendFile(rig: LoaderRig, name: string, data: Uint8Array, blockSize: 128 | 1024 = 1024): string {
  const expectReply = (got: Uint8Array, want: number[], what: string) => {
    if (got.length < want.length || want.some((byte, i) => got[i] !== byte)) {
      throw new Error(`${what}: receiver answered [${[...got.subarray(0, 8)]}], expected [${want}]`);
    }
  };
  expectReply(rig.exchange(headerBlock(name, data.length)), [ACK, C], "header");
  for (let offset = 0, number = 1; offset < data.length; offset += blockSize, number++) {
    expectReply(rig.exchange(block(number, data.subarray(offset, offset + blockSize), blockSize)), [ACK], `block ${number}`);
  }
  expectReply(rig.exchange(bytes(EOT)), [NAK], "first EOT");
  expectReply(rig.exchange(bytes(EOT)), [ACK, C], "second EOT");
  const end = rig.exchange(headerBlock("", null));
  expectReply(end, [ACK], "end of batch");
  return new TextDecoder().decode(end.subarray(1));
}

/**
 * Runs `action`; each system reset it ends in restarts the loader (loaderStart, as the device's
 * reset vector would), again and again until a start runs to its end. Returns everything the
 * loader wrote, and how many resets there were.
 */
export function throughResets(rig: LoaderRig, action: () => unknown, maxResets = 20): { text: string; resets: number } {
  let text = "";
  let resets = 0;
  let step: () => unknown = action;
  for (;;) {
    try {
      step();
      text += rig.text();
      return { text, resets };
    } catch (error) {
      if (!(error instanceof SystemResetOccurred)) throw error;
      text += rig.text();
      if (++resets > maxResets) throw new Error(`more than ${maxResets} resets:\n${text}`);
      step = () => rig.start();
    }
  }
}
