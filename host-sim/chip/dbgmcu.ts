// DBGMCU: the identification code (device id 11:0, revision 31:16; cpu2-interface §6.2).
import type { Peripheral } from "./bus.js";

export const DBGMCU_BASE = 0xe004_2000;
export const DBGMCU_SIZE = 0x1000;

const IDCODE = 0x00;

export class Dbgmcu implements Peripheral {
  readonly name = "DBGMCU";

  constructor(private readonly deviceId: number, private readonly revisionId: number) {}

  readUint32(offset: number): number {
    switch (offset) {
      case IDCODE: return ((this.revisionId << 16) | (this.deviceId & 0xfff)) >>> 0;
      default: return 0;
    }
  }

  writeUint32(): void {
    // IDCODE is read-only; the debug configuration registers are not modelled.
  }
}
