// CPU2's side of the shared SRAM2a tables (cpu2-interface §3, §4.2, §4.3): what a CPU2 firmware
// reads and writes, at the addresses CPU1's tables point to.
import { SRAM1_BASE, SRAM2A_BASE, SRAM2B_BASE, type Cpu2Host } from "./host.js";

export const SYSTEM_CHANNEL = 2;
export const RELEASE_CHANNEL = 4;
const PACKET_TYPE_SYSTEM_RESPONSE = 0x11; // [obs] ST-COMM-1 (§3.10)
const PACKET_TYPE_SYSTEM_EVENT = 0x12; // tl.h value; the byte real CPU2 writes is not verified (§3.10)
const EVENT_CODE_COMMAND_COMPLETE = 0x0e;
const EVENT_CODE_VENDOR = 0xff;
const NUM_COMMAND_PACKETS = 0xff; // what FUS answers [obs] (§3.12)

export interface SystemCommand {
  opcode: number;
  parameters: Uint8Array;
}

export class Cpu2Mailbox {
  constructor(private readonly host: Cpu2Host) {}

  private view(address: number, length: number): { bytes: Uint8Array; offset: number } {
    const regions = [
      { base: SRAM2A_BASE, bytes: this.host.sram2a },
      { base: SRAM2B_BASE, bytes: this.host.sram2b },
      { base: SRAM1_BASE, bytes: this.host.sram1 },
    ];
    for (const region of regions) {
      if (address >= region.base && address + length <= region.base + region.bytes.length) {
        return { bytes: region.bytes, offset: address - region.base };
      }
    }
    throw new Cpu2MemoryFault(address);
  }

  read32(address: number): number {
    const { bytes, offset } = this.view(address, 4);
    return new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset, true);
  }

  write32(address: number, value: number): void {
    const { bytes, offset } = this.view(address, 4);
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(offset, value >>> 0, true);
  }

  readBytes(address: number, length: number): Uint8Array {
    const { bytes, offset } = this.view(address, length);
    return bytes.slice(offset, offset + length);
  }

  writeBytes(address: number, data: Uint8Array): void {
    const { bytes, offset } = this.view(address, data.length);
    bytes.set(data, offset);
  }

  /** Reference table address: 0x20030000 + IPCCDBA*4, shci.c's unit (§1.7; only 0 is in use). */
  referenceTable(): number {
    return SRAM2A_BASE + this.host.board.optionBytes.ipccdba * 4;
  }

  deviceInfoTable(): number {
    return this.read32(this.referenceTable() + 0x00);
  }

  private systemTable(): number {
    return this.read32(this.referenceTable() + 0x0c);
  }

  commandBuffer(): number {
    return this.read32(this.systemTable() + 0x00);
  }

  systemEventQueue(): number {
    return this.read32(this.systemTable() + 0x04);
  }

  private memoryManagerTable(): number {
    return this.read32(this.referenceTable() + 0x10);
  }

  spareSystemEventBuffer(): number {
    return this.read32(this.memoryManagerTable() + 0x04);
  }

  freeBufferQueue(): number {
    return this.read32(this.memoryManagerTable() + 0x10);
  }

  /** Whether CPU1 filled in the tables a firmware needs before C2BOOT (§4.1 steps 5-7). */
  tablesPresent(): boolean {
    try {
      return this.deviceInfoTable() !== 0 && this.systemTable() !== 0 && this.commandBuffer() !== 0 &&
        this.systemEventQueue() !== 0;
    } catch (error) {
      if (error instanceof Cpu2MemoryFault) return false;
      throw error;
    }
  }

  /** The command CPU1 wrote at buffer + 8 (§3.11). */
  readCommand(): SystemCommand {
    const buffer = this.commandBuffer();
    const header = this.readBytes(buffer + 8, 4);
    const opcode = header[1] | (header[2] << 8);
    return { opcode, parameters: this.readBytes(buffer + 12, header[3]) };
  }

  /** Writes the command-complete at buffer + 0 and frees channel 2 (§3.13, §4.2 steps 5-6). */
  respond(opcode: number, returnParameters: number[]): void {
    const response = [
      PACKET_TYPE_SYSTEM_RESPONSE, EVENT_CODE_COMMAND_COMPLETE, 3 + returnParameters.length,
      NUM_COMMAND_PACKETS, opcode & 0xff, opcode >> 8, ...returnParameters,
    ];
    this.writeBytes(this.commandBuffer(), Uint8Array.from(response));
    this.host.ipcc.cpu2Clear(SYSTEM_CHANNEL);
  }

  /**
   * Builds a system event in `buffer` and appends it to the system queue, then raises channel 2
   * C2->C1 (§3.12, §3.14, §4.3). The flag is set again even when it is still up, so an event
   * appended while CPU1 drains is never stranded (§8.5).
   */
  postEvent(buffer: number, subevent: number, payload: number[]): void {
    const body = [subevent & 0xff, subevent >> 8, ...payload];
    this.writeBytes(buffer + 8, Uint8Array.from([PACKET_TYPE_SYSTEM_EVENT, EVENT_CODE_VENDOR, body.length, ...body]));
    const head = this.systemEventQueue();
    const tail = this.read32(head + 4);
    this.write32(buffer + 0, head);
    this.write32(buffer + 4, tail);
    this.write32(tail + 0, buffer);
    this.write32(head + 4, buffer);
    this.host.ipcc.cpu2Post(SYSTEM_CHANNEL);
  }

  /** Takes every buffer CPU1 released out of the free-buffer queue (§4.3 step 7). */
  takeReleasedBuffers(): number[] {
    const head = this.freeBufferQueue();
    const taken: number[] = [];
    let node = this.read32(head);
    while (node !== head && taken.length < 64) {
      taken.push(node);
      node = this.read32(node);
    }
    this.write32(head + 0, head);
    this.write32(head + 4, head);
    return taken;
  }
}

export class Cpu2MemoryFault extends Error {
  constructor(readonly address: number) {
    super(`CPU2 followed a pointer outside SRAM: 0x${address.toString(16)}`);
  }
}
