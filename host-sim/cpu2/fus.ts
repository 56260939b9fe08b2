// The FUS firmware model (fus-behaviour §1, §2, §3; cpu2-interface §5). Every FUS command is
// answered; FW_UPGRADE with its phases and resets lives in install.ts, user keys in keys.ts.
// Choices where the sources are silent are listed in host-sim/README.md ("FUS commands").
import type { Cpu2, Cpu2Firmware } from "./cpu2.js";
import type { SystemCommand } from "./mailbox.js";
import type { Board } from "../board.js";
import { writeFusLayout } from "./device-info.js";
import { beginFirmwareUpgrade, resumeInstall } from "./install.js";
import { handleUserKeyCommand, USER_KEY_OPCODES } from "./keys.js";
import { eraseRange, runOperations } from "./phase-runner.js";
import { publicKeyFromRaw } from "../images/signing.js";
import { sectorsFor, fusStartFor } from "../chip/variants.js";
import { FUS_KEY_COMMAND_US } from "./timing.js";
import {
  FUS_STATE, FUS_ERROR, SHCI_STATUS, OPCODE, READY_SUBEVENT, READY_FUS_RUNNING, type FusErrorCode, type FusStateCode,
} from "./fus-codes.js";
import { parseVersion } from "../versions.js";
import { bootNextOn } from "./secure-sram.js";

const {
  FUS_GET_STATE, FUS_FW_UPGRADE, FUS_FW_DELETE, FUS_UPDATE_AUTH_KEY, FUS_LOCK_AUTH_KEY, FUS_START_WS, FUS_FW_PURGE,
  FUS_ACTIVATE_ANTIROLLBACK,
} = OPCODE;

const AUTH_KEY_BYTES = 64;
const V1_1_0 = parseVersion("1.1.0");
const V2_0_0 = parseVersion("2.0.0");

export class FusFirmware implements Cpu2Firmware {
  readonly kind = "fus";
  /** What GET_STATE shows while FUS works (0x10/0x20/0x30 ranges); idle otherwise. */
  activity: FusStateCode = FUS_STATE.IDLE;

  /** `version`: the FUS that runs (the new one while a self-upgrade runs from its temporary copy). */
  constructor(readonly cpu2: Cpu2, readonly version: number) {}

  get board(): Board {
    return this.cpu2.host.board;
  }

  start(): void {
    const mailbox = this.cpu2.mailbox;
    writeFusLayout(mailbox, this.board, this.version);
    mailbox.postEvent(mailbox.spareSystemEventBuffer(), READY_SUBEVENT, [READY_FUS_RUNNING]);
    // An install in flight continues by itself after each reset (fus-behaviour §1.7).
    if (this.board.cpu2.journal) resumeInstall(this);
  }

  /** The next GET_STATE reports this once, then FUS is idle again (fus-behaviour §1.8). */
  report(state: number, error: FusErrorCode): void {
    this.board.cpu2.report = { state, error };
  }

  respond(opcode: number, parameters: number[]): void {
    this.cpu2.mailbox.respond(opcode, parameters);
  }

  /** A synchronous refusal: the status byte carries the FUS error, and GET_STATE reports it once. */
  private refuse(opcode: number, error: FusErrorCode): void {
    this.report(FUS_STATE.ERROR, error);
    this.respond(opcode, [error]);
  }

  onSystemCommand(command: SystemCommand): void {
    const { opcode, parameters } = command;
    if (opcode === FUS_GET_STATE) {
      this.getState();
      return;
    }
    // While an operation runs FUS takes no other command [choice]: status 0x01.
    if (this.activity !== FUS_STATE.IDLE) {
      this.respond(opcode, [SHCI_STATUS.UNKNOWN_CMD]);
      return;
    }
    if (USER_KEY_OPCODES.has(opcode)) {
      this.cpu2.after(FUS_KEY_COMMAND_US, () => this.respond(opcode, handleUserKeyCommand(this.cpu2, opcode, parameters)));
      return;
    }
    switch (opcode) {
      case FUS_FW_UPGRADE: beginFirmwareUpgrade(this, opcode); break;
      case FUS_FW_DELETE: this.deleteStack(opcode, false); break;
      case FUS_FW_PURGE:
        // FW_PURGE appears with the v1.24.0 headers; the model gives it to FUSv2 only [choice].
        if (this.version < V2_0_0) this.respond(opcode, [SHCI_STATUS.UNKNOWN_CMD]);
        else this.deleteStack(opcode, true);
        break;
      case FUS_START_WS: this.startWirelessStack(opcode); break;
      case FUS_UPDATE_AUTH_KEY: this.updateAuthKey(opcode, parameters); break;
      case FUS_LOCK_AUTH_KEY:
        this.board.cpu2.authKey.locked = true;
        this.respond(opcode, [SHCI_STATUS.SUCCESS]);
        break;
      case FUS_ACTIVATE_ANTIROLLBACK: this.activateAntirollback(opcode); break;
      default:
        // Reserved opcodes and wireless-stack commands: FUS does not know them.
        this.respond(opcode, [SHCI_STATUS.UNKNOWN_CMD]);
    }
  }

  private getState(): void {
    const state = this.board.cpu2;
    if (this.activity === FUS_STATE.FW_UPGRADE_ONGOING && this.cpu2.notRunningBlips > 0) {
      this.cpu2.notRunningBlips--;
      this.respond(FUS_GET_STATE, [FUS_STATE.ERROR, FUS_ERROR.STATE_NOT_RUNNING]);
    } else if (this.activity !== FUS_STATE.IDLE) {
      this.respond(FUS_GET_STATE, [this.activity, FUS_ERROR.NO_ERROR]);
    } else if (state.report) {
      const { state: reported, error } = state.report;
      state.report = null;
      this.respond(FUS_GET_STATE, [reported, error]);
    } else {
      this.respond(FUS_GET_STATE, [FUS_STATE.IDLE, FUS_ERROR.NO_ERROR]);
    }
  }

  /**
   * FW_DELETE (and FW_PURGE): erase the stack, FUS keeps running, the part resets. FUSv2's NVM
   * section survives a delete and goes with a purge (fus-behaviour §1.10). Nothing to delete:
   * SERVICE_ONGOING + IMG_NOT_FOUND once, then IDLE, no reset (F-LOGS).
   */
  private deleteStack(opcode: number, purge: boolean): void {
    const board = this.board;
    const state = board.cpu2;
    const stack = state.stack;
    const nvm = purge ? state.nvmSection : null;
    this.respond(opcode, [SHCI_STATUS.SUCCESS]);
    this.activity = FUS_STATE.SERVICE_ONGOING;
    const name = purge ? "FW_PURGE" : "FW_DELETE";
    if (!this.cpu2.beginPhase(name)) return;
    if (!stack && !nvm) {
      this.cpu2.after(FUS_KEY_COMMAND_US, () => {
        this.activity = FUS_STATE.IDLE;
        this.report(FUS_STATE.SERVICE_ONGOING, FUS_ERROR.IMG_NOT_FOUND);
      });
      return;
    }
    const sector = board.variant.sectorBytes;
    const operations = [
      ...(stack ? eraseRange(board, stack.start, sectorsFor(board.variant, stack.size) * sector) : []),
      ...(nvm ? eraseRange(board, nvm.start, nvm.bytes) : []),
    ];
    runOperations(this.cpu2, operations, () => {
      state.stack = null;
      if (purge) state.nvmSection = null;
      bootNextOn(board, false);
      this.cpu2.resetSystem(`FUS ${name}: stack erased`);
    });
  }

  /** START_WS: FUS sets the boot on the installed stack and resets the part (fus-behaviour §1.11). */
  private startWirelessStack(opcode: number): void {
    const board = this.board;
    const stack = board.cpu2.stack;
    if (!stack) {
      this.refuse(opcode, FUS_ERROR.IMG_NOT_FOUND); // [choice] no stack to start
      return;
    }
    this.respond(opcode, [SHCI_STATUS.SUCCESS]);
    if (!this.cpu2.beginPhase("START_WS")) return;
    bootNextOn(board, true);
    this.cpu2.resetSystem("FUS START_WS: rebooting on the wireless stack");
  }

  /**
   * UPDATE_AUTH_KEY: u8 size + key (ST sends 65 bytes). The model's key is the raw P-256 public
   * point X‖Y of the customer's signing key (64 bytes) [choice: the format is not documented].
   */
  private updateAuthKey(opcode: number, parameters: Uint8Array): void {
    const authKey = this.board.cpu2.authKey;
    if (authKey.locked) {
      this.refuse(opcode, FUS_ERROR.AUTH_KEY_LOCKED);
      return;
    }
    const size = parameters[0];
    const key = parameters.subarray(1, 1 + AUTH_KEY_BYTES);
    if (size !== AUTH_KEY_BYTES || key.length !== AUTH_KEY_BYTES || !publicKeyFromRaw(key)) {
      this.respond(opcode, [SHCI_STATUS.ERR_INVALID_HCI_CMD_PARAMS]);
      return;
    }
    this.cpu2.after(FUS_KEY_COMMAND_US, () => {
      authKey.key = Buffer.from(key).toString("hex");
      this.respond(opcode, [SHCI_STATUS.SUCCESS]);
    });
  }

  /**
   * ACTIVATE_ANTIROLLBACK (FUS ≥ V1.1.0): irreversible; the reference is the installed stack, or
   * 0xFFFFFFFF with no stack, which blocks every later stack for good (fus-behaviour §1.12).
   */
  private activateAntirollback(opcode: number): void {
    if (this.version < V1_1_0) {
      this.respond(opcode, [SHCI_STATUS.UNKNOWN_CMD]);
      return;
    }
    const state = this.board.cpu2;
    if (!state.antirollback.active) {
      state.antirollback = { active: true, reference: state.stack ? state.stack.version : 0xffff_ffff };
    }
    this.respond(opcode, [SHCI_STATUS.SUCCESS]);
  }

  /** Where this FUS boots from once installed. */
  get finalStart(): number {
    return fusStartFor(this.board.variant, this.board.cpu2.fusVersion);
  }
}
