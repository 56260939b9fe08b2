// The wireless-stack firmware model (cpu2-interface §3.2, §5.5, §6): what a loader meets while a
// stack runs on CPU2. Only the system channel is modelled (no BLE/Thread traffic).
import type { Cpu2, Cpu2Firmware } from "./cpu2.js";
import type { SystemCommand } from "./mailbox.js";
import type { InstalledStack } from "../board.js";
import { writeStackLayout } from "./device-info.js";
import { handleUserKeyCommand, USER_KEY_OPCODES } from "./keys.js";
import { FUS_ERROR, SHCI_STATUS, OPCODE, READY_SUBEVENT, READY_STACK_RUNNING } from "./fus-codes.js";
import { bootNextOn } from "./secure-sram.js";
import { StackFlashArbiter } from "./flash-arbitration.js";

const { FUS_GET_STATE, BLE_INIT, FLASH_ERASE_ACTIVITY, SET_FLASH_ACTIVITY_CONTROL, C2_CONFIG, FLASH_STORE_DATA, FLASH_ERASE_DATA } = OPCODE;
/** FUS-only commands a stack answers with SHCI_FUS_CMD_NOT_SUPPORTED (cpu2-interface §5.2, §6.4). */
const FUS_ONLY_COMMANDS = new Set([
  OPCODE.FUS_FW_UPGRADE, OPCODE.FUS_FW_DELETE, OPCODE.FUS_UPDATE_AUTH_KEY, OPCODE.FUS_LOCK_AUTH_KEY, OPCODE.FUS_START_WS,
  OPCODE.FUS_FW_PURGE, OPCODE.FUS_ACTIVATE_ANTIROLLBACK,
]);

export class WirelessStackFirmware implements Cpu2Firmware {
  readonly kind = "stack";
  private getStateCount = 0;
  private spareBufferInUse = false;
  /** Flash sharing with CPU1 while the radio runs (cpu2-interface §4.5); made when the stack starts. */
  arbiter: StackFlashArbiter | null = null;
  configured = false;
  bleInitialised = false;

  constructor(private readonly cpu2: Cpu2, readonly stack: InstalledStack) {}

  start(): void {
    const mailbox = this.cpu2.mailbox;
    writeStackLayout(mailbox, this.cpu2.host.board);
    this.arbiter = new StackFlashArbiter(this.cpu2.host, this.cpu2.host.clock.nowUs, this.cpu2.flashDisturbances);
    this.cpu2.flashArbiter = this.arbiter;
    this.spareBufferInUse = true;
    mailbox.postEvent(mailbox.spareSystemEventBuffer(), READY_SUBEVENT, [READY_STACK_RUNNING]);
  }

  onBuffersReleased(buffers: number[]): void {
    if (buffers.includes(this.cpu2.mailbox.spareSystemEventBuffer())) this.spareBufferInUse = false;
  }

  get eventBufferOutstanding(): boolean {
    return this.spareBufferInUse;
  }

  /** CPU1 flash work that broke §4.5 or ran into a radio event, on this chip so far (none with a well-behaved CPU1). */
  get disturbances(): readonly { atUs: number; what: string }[] {
    return this.cpu2.flashDisturbances;
  }

  /**
   * FLASH_ERASE_ACTIVITY (u8 0 off / 1 on) and SET_FLASH_ACTIVITY_CONTROL (u8 0 PES / 1 HSEM 7),
   * cpu2-interface §5.2. [choice] Another length or value is answered
   * SHCI_ERR_INVALID_HCI_CMD_PARAMS and changes nothing (§6.4; what a real stack answers: not found).
   */
  private flashSharingCommand(opcode: number, parameters: Uint8Array): number {
    const arbiter = this.arbiter!;
    if (parameters.length !== 1 || parameters[0] > 1) return SHCI_STATUS.ERR_INVALID_HCI_CMD_PARAMS;
    if (opcode === FLASH_ERASE_ACTIVITY) arbiter.eraseActivity = parameters[0] === 1;
    else {
      if (arbiter.usesSem7 && parameters[0] === 0) arbiter.releaseAll();
      arbiter.usesSem7 = parameters[0] === 1;
    }
    return SHCI_STATUS.SUCCESS;
  }

  onSystemCommand(command: SystemCommand): void {
    const mailbox = this.cpu2.mailbox;
    const { opcode, parameters } = command;
    if (opcode === FUS_GET_STATE) {
      this.getStateCount++;
      // Error byte of this answer is not documented (cpu2-interface §5.5); 0xFE (STATE_NOT_RUNNING)
      // is what its name and MPY's reading suggest [hypothesis].
      mailbox.respond(opcode, [SHCI_STATUS.FUS_CMD_NOT_SUPPORTED, FUS_ERROR.STATE_NOT_RUNNING]);
      if (this.getStateCount >= 2) {
        // The second one reboots the part with FUS on CPU2 (§5.5). Whether an answer comes first is
        // not specified; this model frees the channel with the same answer, then resets.
        bootNextOn(this.cpu2.host.board, false);
        this.cpu2.resetSystem("wireless stack: second FUS_GET_STATE, rebooting into FUS");
      }
      return;
    }
    if (USER_KEY_OPCODES.has(opcode)) {
      mailbox.respond(opcode, handleUserKeyCommand(this.cpu2, opcode, parameters));
      return;
    }
    if (FUS_ONLY_COMMANDS.has(opcode)) {
      mailbox.respond(opcode, [SHCI_STATUS.FUS_CMD_NOT_SUPPORTED]);
      return;
    }
    switch (opcode) {
      case FLASH_ERASE_ACTIVITY:
      case SET_FLASH_ACTIVITY_CONTROL:
        mailbox.respond(opcode, [this.flashSharingCommand(opcode, parameters)]);
        break;
      case FLASH_STORE_DATA:
      case FLASH_ERASE_DATA:
        // u8 IP: 0 BLE, 1 Thread, 2 Zigbee (§5.2). The NVM bytes themselves are not modelled.
        if (parameters.length !== 1 || parameters[0] > 2) {
          mailbox.respond(opcode, [SHCI_STATUS.ERR_INVALID_HCI_CMD_PARAMS]);
          break;
        }
        this.arbiter!.beginOwnFlashWork(this.cpu2.host.clock.nowUs);
        mailbox.respond(opcode, [SHCI_STATUS.SUCCESS]);
        break;
      case C2_CONFIG:
        this.configured = true;
        mailbox.respond(opcode, [SHCI_STATUS.SUCCESS]);
        break;
      case BLE_INIT:
        this.bleInitialised = true;
        mailbox.respond(opcode, [SHCI_STATUS.SUCCESS]);
        break;
      default:
        mailbox.respond(opcode, [SHCI_STATUS.UNKNOWN_CMD]);
    }
  }
}
