// The wireless-stack firmware model (cpu2-interface §3.2, §5.5, §6): what a loader meets while a
// stack runs on CPU2.
import type { Cpu2, Cpu2Firmware } from "./cpu2.js";
import type { SystemCommand } from "./mailbox.js";
import type { InstalledStack } from "../board.js";
import { writeStackLayout } from "./device-info.js";
import { sbrvFor } from "../chip/variants.js";
import { FusError, ShciStatus } from "../../assembly/shared/codes.js";

const READY_SUBEVENT = 0x9200;
const READY_STACK_RUNNING = 0x00;
const FUS_GET_STATE = 0xfc52;
const FUS_ONLY_COMMANDS = new Set([0xfc54, 0xfc55, 0xfc56, 0xfc57, 0xfc5a, 0xfc5b, 0xfc5f]);
const STACK_COMMANDS = new Set([0xfc66, 0xfc69, 0xfc73, 0xfc75]); // BLE_INIT, FLASH_ERASE_ACTIVITY, SET_FLASH_ACTIVITY_CONTROL, CONFIG

export class WirelessStackFirmware implements Cpu2Firmware {
  readonly kind = "stack";
  private getStateCount = 0;
  private spareBufferInUse = false;

  constructor(private readonly cpu2: Cpu2, readonly stack: InstalledStack) {}

  start(): void {
    const mailbox = this.cpu2.mailbox;
    writeStackLayout(mailbox, this.cpu2.chip.board);
    this.spareBufferInUse = true;
    mailbox.postEvent(mailbox.spareSystemEventBuffer(), READY_SUBEVENT, [READY_STACK_RUNNING]);
  }

  onBuffersReleased(buffers: number[]): void {
    if (buffers.includes(this.cpu2.mailbox.spareSystemEventBuffer())) this.spareBufferInUse = false;
  }

  get eventBufferOutstanding(): boolean {
    return this.spareBufferInUse;
  }

  onSystemCommand(command: SystemCommand): void {
    const mailbox = this.cpu2.mailbox;
    if (command.opcode === FUS_GET_STATE) {
      this.getStateCount++;
      if (this.getStateCount === 1) {
        // Error byte of this answer is not documented (cpu2-interface §5.5); 0xFE (STATE_NOT_RUNNING)
        // is what its name and MPY's reading suggest [hypothesis].
        mailbox.respond(command.opcode, [ShciStatus.FusCmdNotSupported, FusError.StateNotRunning]);
        return;
      }
      // The second one reboots the part with FUS on CPU2 (§5.5). Whether an answer comes first is
      // not specified; this model frees the channel with the same answer, then resets.
      mailbox.respond(command.opcode, [ShciStatus.FusCmdNotSupported, FusError.StateNotRunning]);
      const board = this.cpu2.chip.board;
      board.optionBytes.sbrv = sbrvFor(board.variant.fusStart);
      this.cpu2.resetSystem("wireless stack: second FUS_GET_STATE, rebooting into FUS");
      return;
    }
    if (FUS_ONLY_COMMANDS.has(command.opcode)) {
      mailbox.respond(command.opcode, [ShciStatus.FusCmdNotSupported]);
    } else if (STACK_COMMANDS.has(command.opcode)) {
      mailbox.respond(command.opcode, [ShciStatus.Success]);
    } else {
      mailbox.respond(command.opcode, [ShciStatus.UnknownCmd]);
    }
  }
}
