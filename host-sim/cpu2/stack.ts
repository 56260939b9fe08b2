// The wireless-stack firmware model (cpu2-interface §3.2, §5.5, §6): what a loader meets while a
// stack runs on CPU2. Only the system channel is modelled (no BLE/Thread traffic).
import type { Cpu2, Cpu2Firmware } from "./cpu2.js";
import type { SystemCommand } from "./mailbox.js";
import type { InstalledStack } from "../board.js";
import { writeStackLayout } from "./device-info.js";
import { handleUserKeyCommand, USER_KEY_OPCODES } from "./keys.js";
import { FusError, ShciStatus } from "../../assembly/shared/codes.js";

const READY_SUBEVENT = 0x9200;
const READY_STACK_RUNNING = 0x00;
const FUS_GET_STATE = 0xfc52;
/** FUS-only commands a stack answers with SHCI_FUS_CMD_NOT_SUPPORTED (cpu2-interface §5.2, §6.4). */
const FUS_ONLY_COMMANDS = new Set([0xfc54, 0xfc55, 0xfc56, 0xfc57, 0xfc5a, 0xfc5b, 0xfc5f]);
const BLE_INIT = 0xfc66;
const FLASH_ERASE_ACTIVITY = 0xfc69;
const SET_FLASH_ACTIVITY_CONTROL = 0xfc73;
const C2_CONFIG = 0xfc75;

export class WirelessStackFirmware implements Cpu2Firmware {
  readonly kind = "stack";
  private getStateCount = 0;
  private spareBufferInUse = false;
  /** FLASH_ERASE_ACTIVITY(ON) received and not switched off yet (cpu2-interface §4.5). */
  eraseActivity = false;
  /** SET_FLASH_ACTIVITY_CONTROL: 0 = CPU2 uses PES, 1 = SEM7 (cpu2-interface §6.1). */
  flashActivityControl = 0;
  configured = false;
  bleInitialised = false;

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
    const { opcode, parameters } = command;
    if (opcode === FUS_GET_STATE) {
      this.getStateCount++;
      // Error byte of this answer is not documented (cpu2-interface §5.5); 0xFE (STATE_NOT_RUNNING)
      // is what its name and MPY's reading suggest [hypothesis].
      mailbox.respond(opcode, [ShciStatus.FusCmdNotSupported, FusError.StateNotRunning]);
      if (this.getStateCount >= 2) {
        // The second one reboots the part with FUS on CPU2 (§5.5). Whether an answer comes first is
        // not specified; this model frees the channel with the same answer, then resets.
        this.cpu2.chip.board.applyDefaultOptionBytes(false);
        this.cpu2.resetSystem("wireless stack: second FUS_GET_STATE, rebooting into FUS");
      }
      return;
    }
    if (USER_KEY_OPCODES.has(opcode)) {
      mailbox.respond(opcode, handleUserKeyCommand(this.cpu2, opcode, parameters));
      return;
    }
    if (FUS_ONLY_COMMANDS.has(opcode)) {
      mailbox.respond(opcode, [ShciStatus.FusCmdNotSupported]);
      return;
    }
    switch (opcode) {
      case FLASH_ERASE_ACTIVITY:
        this.eraseActivity = parameters[0] === 1;
        mailbox.respond(opcode, [ShciStatus.Success]);
        break;
      case SET_FLASH_ACTIVITY_CONTROL:
        this.flashActivityControl = parameters[0] ?? 0;
        mailbox.respond(opcode, [ShciStatus.Success]);
        break;
      case C2_CONFIG:
        this.configured = true;
        mailbox.respond(opcode, [ShciStatus.Success]);
        break;
      case BLE_INIT:
        this.bleInitialised = true;
        mailbox.respond(opcode, [ShciStatus.Success]);
        break;
      default:
        mailbox.respond(opcode, [ShciStatus.UnknownCmd]);
    }
  }
}
