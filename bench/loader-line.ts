// The field loader firmware on tier 2 with its console line driven on the virtual clock (for the bench
// and the tests): no pty and no wall time, so a measurement or a test sees exactly what the firmware
// does at the line's rate. Bytes sent reach USART1 one frame apart (host-sim/chip/usart.ts: an
// unread byte overruns); the scripted
// YMODEM sender answers in no time (the YMODEM framing of cli/targets/ymodem-send.ts).
import { Board, type BoardConfig } from "../host-sim/board.js";
import { Stm32wb } from "../host-sim/chip/stm32wb.js";
import { FirmwareRunner, type RunOutcome } from "../host-sim/tiers/firmware-runner.js";
import { flashLoader, LOADER_CODE_BYTES } from "../host-sim/serve/loader-board.js";
import { ACK, CRC_REQUEST, EOT, NAK, frameBlock, headerBlock } from "../cli/targets/ymodem-send.js";

const USART1_BRR = 0x4001_380c;
/**
 * How long the loader runs between looks at the line, in virtual µs: the scripted sender answers
 * at most this late (0.5 % of a 1029-byte block's 11 ms at 921600 baud).
 */
const STEP_US = 50;

export class LoaderOnVirtualLine {
  readonly chip: Stm32wb;
  readonly runner: FirmwareRunner;
  /** Bytes the loader sent and the host has not taken yet. */
  readonly line: number[] = [];

  constructor(config: BoardConfig) {
    const board = new Board(config);
    flashLoader(board);
    this.chip = new Stm32wb(board);
    this.runner = new FirmwareRunner(this.chip, LOADER_CODE_BYTES);
    this.chip.usart1.onTransmit = (byte) => this.line.push(byte);
    this.runner.start();
  }

  /** Runs the loader for `us` of virtual time; anything but running on (an exit, a reset) is returned. */
  runFor(us: number): RunOutcome {
    const { chip } = this;
    return this.runner.run({ budget: Math.ceil((us * chip.rcc.hclkHz()) / 1e6), deadlineUs: chip.clock.nowUs + us });
  }

  private runOn(us: number): void {
    const outcome = this.runFor(us);
    if (outcome.kind !== "budget") throw new Error(`the loader stopped (${outcome.kind}) while the line waited for it`);
  }

  /** Runs until the loader sent one of `wanted`; takes the line up to it and returns it. */
  awaitByte(wanted: number[], limitUs: number): number {
    const end = this.chip.clock.nowUs + limitUs;
    for (;;) {
      const index = this.line.findIndex((byte) => wanted.includes(byte));
      if (index >= 0) return this.line.splice(0, index + 1)[index];
      if (this.chip.clock.nowUs > end) throw new Error(`no answer from the loader within ${limitUs} µs (line: ${JSON.stringify(this.text())})`);
      this.runOn(STEP_US);
    }
  }

  /** Runs until the text the loader sent ends with `suffix`; returns and takes it. */
  awaitText(suffix: string, limitUs: number): string {
    const end = this.chip.clock.nowUs + limitUs;
    while (!this.text().endsWith(suffix)) {
      if (this.chip.clock.nowUs > end) throw new Error(`the loader did not print ${JSON.stringify(suffix)} within ${limitUs} µs (line: ${JSON.stringify(this.text())})`);
      this.runOn(STEP_US);
    }
    return this.line.splice(0).map((byte) => String.fromCharCode(byte)).join("");
  }

  text(): string {
    return String.fromCharCode(...this.line);
  }

  type(text: string): void {
    this.chip.usart1.receive(new TextEncoder().encode(text));
  }

  /**
   * The line at another speed: USART1's BRR as FUSOP_CONSOLE_BAUD = `baud` sets it at the loader's
   * clock (16x oversampling, rounded), written where the loader wrote its own.
   */
  setBaud(baud: number): void {
    this.chip.bus.write(USART1_BRR, 4, Math.round(this.chip.rcc.hclkHz() / baud));
  }

  /**
   * Sends `data` as file `name` in 1024-byte YMODEM blocks once the loader asked with C; returns
   * the virtual µs from the first data block sent to the last one acknowledged and the blocks the
   * loader refused (NAK) and got again.
   */
  sendYmodem(name: string, data: Uint8Array): { dataUs: number; repeats: number } {
    this.awaitByte([CRC_REQUEST], 2e6);
    this.chip.usart1.receive(headerBlock({ name, size: data.length }));
    this.awaitByte([ACK], 1e6);
    this.awaitByte([CRC_REQUEST], 1e6);
    const startUs = this.chip.clock.nowUs;
    let repeats = 0;
    for (let offset = 0, block = 1; offset < data.length;) {
      this.chip.usart1.receive(frameBlock(block, data.subarray(offset, offset + 1024), 1024));
      if (this.awaitByte([ACK, NAK], 5e6) === NAK) {
        repeats++;
        continue;
      }
      offset += 1024;
      block++;
    }
    const dataUs = this.chip.clock.nowUs - startUs;
    this.chip.usart1.receive([EOT]); // the first EOT is answered NAK, the repeated one ACK
    this.awaitByte([NAK, ACK], 1e6);
    this.chip.usart1.receive([EOT]);
    this.awaitByte([ACK], 1e6);
    this.awaitByte([CRC_REQUEST], 1e6);
    this.chip.usart1.receive(headerBlock(null)); // end of the batch
    this.awaitByte([ACK], 1e6);
    return { dataUs, repeats };
  }
}

/**
 * An application image the loader takes and boots: its vector table (initial SP in SRAM1, reset
 * handler at 0x0800C101, Thumb) and at 0x0800C100 `movs r0, #42; bkpt #0`, padded with 0xA5 to
 * `bytes`. On tier 2 the BKPT ends the firmware with exit code 42.
 */
export function exitingApplication(bytes: number): Uint8Array {
  const image = new Uint8Array(bytes).fill(0xa5);
  const view = new DataView(image.buffer);
  view.setUint32(0, 0x2003_0000, true);
  view.setUint32(4, 0x0800_c101, true);
  view.setUint16(0x100, 0x202a, true);
  view.setUint16(0x102, 0xbe00, true);
  return image;
}
