// A minimal CPU1 for CPU2-model tests: it does, through the chip's bus, what CPU1 code does on the
// mailbox (cpu2-interface §4.1–§4.3): lays out the SRAM2a tables, sets C2BOOT, posts system
// commands on IPCC channel 2 and reads the responses and events. The operator itself is tested
// elsewhere; this driver lets the FUS model be checked command by command, resets included.
import { Stm32wb, SRAM2A_BASE } from "../../../host-sim/chip/stm32wb.js";
import { Board, type BoardConfig } from "../../../host-sim/board.js";

const RCC_AHB3ENR = 0x5800_0050;
const PWR_CR4 = 0x5800_040c;
const IPCC_C1SCR = 0x5800_0c08;
const IPCC_C1TOC2SR = 0x5800_0c0c;
const IPCC_C2TOC1SR = 0x5800_0c1c;
const SYSTEM_CHANNEL_BIT = 1 << 1;

// SRAM2a layout of this driver (any layout CPU1 points to works).
const REFERENCE_TABLE = SRAM2A_BASE;
export const DEVICE_INFO_TABLE = SRAM2A_BASE + 0x28;
const SYSTEM_TABLE = SRAM2A_BASE + 0x60;
const MEMORY_MANAGER_TABLE = SRAM2A_BASE + 0x68;
const SYSTEM_QUEUE = SRAM2A_BASE + 0x88;
const FREE_QUEUE = SRAM2A_BASE + 0x90;
const COMMAND_BUFFER = SRAM2A_BASE + 0xa0;
const SPARE_EVENT_BUFFER = SRAM2A_BASE + 0x1b0;

export interface Cpu2Event {
  subevent: number;
  payload: number[];
}

export interface Response {
  status: number;
  parameters: number[];
}

/** The part reset while the driver waited: `reason` says who asked. */
export class ResetHappened extends Error {
  constructor(readonly reason: string) {
    super(`system reset: ${reason}`);
  }
}

export class Cpu1Driver {
  readonly events: Cpu2Event[] = [];
  readonly resets: string[] = [];

  constructor(readonly chip: Stm32wb) {}

  static on(config: BoardConfig): Cpu1Driver {
    return new Cpu1Driver(new Stm32wb(new Board(config)));
  }

  get board(): Board {
    return this.chip.board;
  }

  read32(address: number): number {
    return this.chip.bus.read(address, 4);
  }

  write32(address: number, value: number): void {
    this.chip.bus.write(address, 4, value);
  }

  private layOutTables(): void {
    const w = (address: number, value: number) => this.write32(address, value);
    for (let offset = 0; offset < 0x28; offset += 4) w(REFERENCE_TABLE + offset, 0);
    w(REFERENCE_TABLE + 0x00, DEVICE_INFO_TABLE);
    w(REFERENCE_TABLE + 0x0c, SYSTEM_TABLE);
    w(REFERENCE_TABLE + 0x10, MEMORY_MANAGER_TABLE);
    w(SYSTEM_TABLE + 0, COMMAND_BUFFER);
    w(SYSTEM_TABLE + 4, SYSTEM_QUEUE);
    w(SYSTEM_QUEUE + 0, SYSTEM_QUEUE);
    w(SYSTEM_QUEUE + 4, SYSTEM_QUEUE);
    w(FREE_QUEUE + 0, FREE_QUEUE);
    w(FREE_QUEUE + 4, FREE_QUEUE);
    w(MEMORY_MANAGER_TABLE + 0x04, SPARE_EVENT_BUFFER);
    w(MEMORY_MANAGER_TABLE + 0x10, FREE_QUEUE);
  }

  /** Applies a pending system reset, as the tier does when CPU1 notices it. */
  private applyPendingReset(): void {
    const reason = this.chip.resetPending;
    if (reason === null) return;
    this.resets.push(reason);
    this.chip.applySystemReset();
    throw new ResetHappened(reason);
  }

  /** Lets virtual time pass in small slices, stopping at a system reset. */
  run(us: number, sliceUs = 500): void {
    const end = this.chip.clock.nowUs + us;
    while (this.chip.clock.nowUs < end) {
      this.chip.clock.advanceTo(Math.min(end, this.chip.clock.nowUs + sliceUs));
      this.applyPendingReset();
    }
  }

  /** Waits for the next system reset (throws if none comes within `maxUs`). */
  waitForReset(maxUs = 60_000_000): string {
    try {
      this.run(maxUs, 2_000);
    } catch (error) {
      if (error instanceof ResetHappened) return error.reason;
      throw error;
    }
    throw new Error(`no system reset within ${maxUs} µs`);
  }

  /** Boots CPU2 and returns the READY payload (0x01 FUS, 0x00 stack), or null when CPU2 stays silent. */
  boot(maxUs = 100_000): number | null {
    this.layOutTables();
    this.write32(RCC_AHB3ENR, this.read32(RCC_AHB3ENR) | (1 << 20));
    this.write32(PWR_CR4, this.read32(PWR_CR4) | (1 << 15));
    const end = this.chip.clock.nowUs + maxUs;
    while (this.chip.clock.nowUs < end) {
      this.run(100, 100);
      if (this.read32(IPCC_C2TOC1SR) & SYSTEM_CHANNEL_BIT) {
        const ready = this.drainEvents().find((event) => event.subevent === 0x9200);
        if (ready) return ready.payload[0];
      }
    }
    return null;
  }

  /**
   * Leaves a running stack for FUS: two GET_STATE, the reset they cause, boot again
   * (cpu2-interface §5.5). Returns the READY payload after the reset.
   */
  enterFus(): number | null {
    this.getState();
    this.getState();
    this.waitForReset();
    return this.boot();
  }

  /** Takes every event off the system queue and acknowledges channel 2 (§4.3). */
  drainEvents(): Cpu2Event[] {
    const taken: Cpu2Event[] = [];
    let node = this.read32(SYSTEM_QUEUE);
    while (node !== SYSTEM_QUEUE) {
      const next = this.read32(node);
      const length = this.chip.bus.read(node + 10, 1);
      const body = Array.from(this.chip.bus.readBytes(node + 11, length));
      taken.push({ subevent: body[0] | (body[1] << 8), payload: body.slice(2) });
      node = next;
    }
    this.write32(SYSTEM_QUEUE, SYSTEM_QUEUE);
    this.write32(SYSTEM_QUEUE + 4, SYSTEM_QUEUE);
    this.write32(IPCC_C1SCR, SYSTEM_CHANNEL_BIT);
    this.events.push(...taken);
    return taken;
  }

  /** Sends one system command and waits for its response (§4.2). */
  command(opcode: number, parameters: number[] = [], maxUs = 1_000_000): Response {
    const packet = [0x10, opcode & 0xff, opcode >> 8, parameters.length, ...parameters];
    this.chip.bus.writeBytes(COMMAND_BUFFER + 8, Uint8Array.from(packet.concat(new Array((4 - (packet.length % 4)) % 4).fill(0))));
    this.write32(IPCC_C1SCR, SYSTEM_CHANNEL_BIT << 16);
    const end = this.chip.clock.nowUs + maxUs;
    while (this.read32(IPCC_C1TOC2SR) & SYSTEM_CHANNEL_BIT) {
      if (this.chip.clock.nowUs >= end) throw new Error(`no response to 0x${opcode.toString(16)} within ${maxUs} µs`);
      this.run(50, 50);
    }
    const length = this.chip.bus.read(COMMAND_BUFFER + 2, 1);
    const response = Array.from(this.chip.bus.readBytes(COMMAND_BUFFER, 3 + length));
    if (response[1] !== 0x0e || (response[4] | (response[5] << 8)) !== opcode) throw new Error("malformed response");
    return { status: response[6], parameters: response.slice(7) };
  }

  /** FUS_GET_STATE: [state, error]. */
  getState(): [number, number] {
    const response = this.command(0xfc52);
    return [response.status, response.parameters[0]];
  }

  /**
   * Follows FUS through an operation that resets the part: after each reset CPU1 boots CPU2 again,
   * until the firmware that comes up has nothing left to do. Returns the last READY payload.
   */
  followResets(maxResets = 8): number | null {
    let ready: number | null = null;
    for (let i = 0; i < maxResets; i++) {
      this.waitForReset();
      ready = this.boot();
      if (ready !== 0x01 || this.board.cpu2.journal === null) return ready;
    }
    throw new Error(`still installing after ${maxResets} resets`);
  }

  /** Writes an image into flash the way a loader does: unlock, erase its pages, program, lock. */
  stage(address: number, image: Uint8Array): void {
    const flashRegs = 0x5800_4000;
    const sector = this.board.variant.sectorBytes;
    this.write32(flashRegs + 0x08, 0x4567_0123);
    this.write32(flashRegs + 0x08, 0xcdef_89ab);
    const firstPage = (address - 0x0800_0000) / sector;
    for (let page = firstPage; page < firstPage + Math.ceil(image.length / sector); page++) {
      this.write32(flashRegs + 0x14, (1 << 1) | (page << 3));
      this.write32(flashRegs + 0x14, (1 << 1) | (page << 3) | (1 << 16));
      this.run(25_000, 25_000);
    }
    this.write32(flashRegs + 0x14, 1); // PG
    const padded = new Uint8Array(Math.ceil(image.length / 8) * 8).fill(0xff);
    padded.set(image);
    const view = new DataView(padded.buffer);
    for (let offset = 0; offset < padded.length; offset += 8) {
      this.write32(address + offset, view.getUint32(offset, true));
      this.write32(address + offset + 4, view.getUint32(offset + 4, true));
    }
    this.run(100, 100);
    this.write32(flashRegs + 0x14, 1 << 31); // LOCK
    const status = this.read32(flashRegs + 0x10);
    if (status & 0x3fa) throw new Error(`flash error while staging: SR=0x${status.toString(16)}`);
  }
}
