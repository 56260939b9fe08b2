// The FUS firmware model (fus-behaviour §1; cpu2-interface §5). This first model boots, publishes
// its device information and answers FUS_GET_STATE; the commands that change the part come with
// the full FUS model.
import type { Cpu2, Cpu2Firmware } from "./cpu2.js";
import type { SystemCommand } from "./mailbox.js";
import { writeFusLayout } from "./device-info.js";
import { FusState, FusError, ShciStatus } from "../../assembly/shared/codes.js";

const READY_SUBEVENT = 0x9200;
const READY_FUS_RUNNING = 0x01;
const FUS_GET_STATE = 0xfc52;

export class FusFirmware implements Cpu2Firmware {
  readonly kind = "fus";
  state: FusState = FusState.Idle;
  /** An error is reported by one GET_STATE, then forgotten (fus-behaviour §1.8 "error reported once"). */
  pendingError: FusError = FusError.NoError;

  constructor(private readonly cpu2: Cpu2) {}

  start(): void {
    const mailbox = this.cpu2.mailbox;
    writeFusLayout(mailbox, this.cpu2.chip.board);
    mailbox.postEvent(mailbox.spareSystemEventBuffer(), READY_SUBEVENT, [READY_FUS_RUNNING]);
  }

  onSystemCommand(command: SystemCommand): void {
    const mailbox = this.cpu2.mailbox;
    switch (command.opcode) {
      case FUS_GET_STATE: {
        const error = this.pendingError;
        const state = error === FusError.NoError ? this.state : FusState.Error;
        this.pendingError = FusError.NoError;
        mailbox.respond(command.opcode, [state, error]);
        break;
      }
      default:
        mailbox.respond(command.opcode, [ShciStatus.UnknownCmd]);
    }
  }
}
