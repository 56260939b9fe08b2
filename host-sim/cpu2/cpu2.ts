// CPU2 (the Cortex-M0+): held until C2BOOT, then runs whatever firmware SBRV points at
// (cpu2-interface §1.4, §1.7 SRRVR; fus-behaviour §1.6). Firmware models react to IPCC posts and
// schedule their work on the chip's virtual clock.
import type { Cpu2Host } from "./host.js";
import { sbrvFor, fusStartFor, SAFEBOOT_FORCED_SBRV } from "../chip/variants.js";
import { Cpu2Mailbox, SYSTEM_CHANNEL, RELEASE_CHANNEL, type SystemCommand } from "./mailbox.js";
import { CPU2_BOOT_TO_READY_US, SYSTEM_COMMAND_LATENCY_US, BUFFER_RELEASE_LATENCY_US, RESET_DELAY_US } from "./timing.js";
import { FusFirmware } from "./fus.js";
import { WirelessStackFirmware } from "./stack.js";
import { SafebootFirmware } from "./safeboot.js";
import { newKeyVolatileState, type KeyVolatileState } from "./keys.js";
import type { Cpu2FlashOperation } from "./phase-runner.js";
import type { StepObserver } from "../faults.js";
import type { StackFlashArbiter, Disturbance } from "./flash-arbitration.js";

export interface Cpu2Firmware {
  readonly kind: "fus" | "stack" | "safeboot";
  /** Runs once CPU2 has booted: device-information table, READY event. */
  start(): void;
  onSystemCommand(command: SystemCommand): void;
  /** Buffers CPU1 gave back over channel 4; absent when the firmware ignores releases (FUS, §4.3). */
  onBuffersReleased?(buffers: number[]): void;
}

/** Behaviours of real CPU2 firmware a board may be given; all off by default (README "Board options"). */
export interface Cpu2Options {
  /**
   * FUS below V2 loses an install when an asynchronous reset (power loss, a reset FUS did not ask
   * for) cuts one of its flash operations short: FUSv2 fixed "a known weakness against asynchronous
   * reset" (seed §4.4), which the sources do not describe. [choice] The install journal is lost:
   * FUS comes back idle with nothing to resume, the flash left as the cut operation left it (an old
   * stack partly erased never starts again; a new FUS half moved leaves CPU2 booting nowhere).
   */
  fusBelowV2AsyncResetWeakness: boolean;
}

const FUS_V2 = 0x0200_0000;

export class Cpu2 {
  readonly mailbox: Cpu2Mailbox;
  private running: Cpu2Firmware | null = null;
  private generation = 0;
  /** Fault injection: the firmware stops answering anything (a hung or crashed CPU2). */
  unresponsive = false;
  /**
   * Quirk seen on real FUS during stack installs (fus-behaviour §1.3, MPY): GET_STATE answers
   * (0xFF, 0xFE) for a moment while the install goes on. Off by default, as no ST source has it;
   * tests turn it on to show the operator is not thrown by it. Counts the answers still to give.
   */
  notRunningBlips = 0;
  /** Fault injection: steps (commands, phases, CPU2 flash operations). */
  faults: StepObserver | null = null;
  /** AES1 contents and key locks: volatile, gone with every reset (fus-behaviour §1.13). */
  keyState: KeyVolatileState = newKeyVolatileState();
  /** The flash operation CPU2 firmware has under way (cut short by a reset or power loss). */
  inFlight: Cpu2FlashOperation | null = null;
  readonly options: Cpu2Options = { fusBelowV2AsyncResetWeakness: false };
  /** The running wireless stack's hold on CPU1's flash work (flash-arbitration.ts); null otherwise. */
  flashArbiter: StackFlashArbiter | null = null;
  /** Every disturbance a stack counted since this chip was made, through its resets. */
  readonly flashDisturbances: Disturbance[] = [];

  constructor(readonly host: Cpu2Host) {
    this.mailbox = new Cpu2Mailbox(host);
  }

  get firmware(): Cpu2Firmware | null {
    return this.running;
  }

  /** Runs `work` after `delayUs`, unless CPU2 was reset or halted meanwhile. */
  after(delayUs: number, work: () => void): void {
    const generation = this.generation;
    this.host.clock.schedule(delayUs, () => {
      if (generation === this.generation) work();
    });
  }

  /** C2BOOT went to 1. */
  boot(): void {
    this.after(CPU2_BOOT_TO_READY_US, () => {
      this.running = this.selectFirmware();
      if (!this.running || this.unresponsive) return;
      // Safeboot needs no mailbox; without the tables CPU1 should have written, a real FUS or
      // stack has nowhere to post READY.
      if (this.running.kind === "safeboot" || this.mailbox.tablesPresent()) this.running.start();
    });
  }

  private selectFirmware(): Cpu2Firmware | null {
    const board = this.host.board;
    const state = board.cpu2;
    if (state.locked) return null; // locked part: CPU2 never speaks again
    const sbrv = board.optionBytes.sbrv;
    // Option-byte corruption: the hardware forces the boot on Safeboot (seed FAQ).
    if (sbrv === SAFEBOOT_FORCED_SBRV) return new SafebootFirmware(this);
    const journal = state.journal;
    // During a FUS self-upgrade the new FUS first runs from its temporary copy (seed §4.7.1).
    if (journal?.operation === "fus" && journal.phase === "relocate" && sbrv === sbrvFor(journal.target)) {
      return new FusFirmware(this, journal.image.version);
    }
    if (sbrv === sbrvFor(fusStartFor(board.variant, state.fusVersion))) return new FusFirmware(this, state.fusVersion);
    const stack = state.stack;
    if (stack && sbrv === sbrvFor(stack.start)) {
      // [choice] A stack whose first word (its initial stack pointer) reads erased was cut short
      // by an erase: CPU2 fetches 0xFFFFFFFF vectors and runs astray.
      const first = this.host.board.offsetOf(stack.start);
      const erased = this.host.board.flash.subarray(first, first + 8).every((b) => b === 0xff);
      return erased ? null : new WirelessStackFirmware(this, stack);
    }
    return null; // SBRV points at no firmware: CPU2 runs astray and never speaks
  }

  onCpu1Post(channel: number): void {
    if (channel === SYSTEM_CHANNEL) {
      this.after(SYSTEM_COMMAND_LATENCY_US, () => {
        if (!this.running || this.unresponsive) return;
        const command = this.mailbox.readCommand();
        const fault = this.faults?.step("command", `system command 0x${command.opcode.toString(16)} to ${this.running.kind}`) ?? null;
        if (fault) {
          this.faults!.strike(fault, `${fault} on system command 0x${command.opcode.toString(16)}`);
          return;
        }
        this.running.onSystemCommand(command);
      });
    } else if (channel === RELEASE_CHANNEL) {
      this.after(BUFFER_RELEASE_LATENCY_US, () => {
        if (!this.running?.onBuffersReleased || this.unresponsive) return;
        const buffers = this.mailbox.takeReleasedBuffers();
        this.host.ipcc.cpu2Clear(RELEASE_CHANNEL);
        this.running.onBuffersReleased(buffers);
      });
    }
  }

  /** A FUS phase begins: one fault-injection step. False when a fault struck instead. */
  beginPhase(label: string): boolean {
    const fault = this.faults?.step("phase", label) ?? null;
    if (!fault) return true;
    this.faults!.strike(fault, `${fault} at the start of ${label}`);
    return false;
  }

  /** The firmware resets the whole part (FUS after its work, the stack on the 2nd GET_STATE). */
  resetSystem(reason: string): void {
    this.after(RESET_DELAY_US, () => this.host.requestSystemReset(reason));
  }

  /** System reset: CPU2 is held again until C2BOOT; its volatile state is gone. */
  halt(): void {
    this.generation++;
    this.running = null;
    this.flashArbiter = null;
    const operation = this.inFlight;
    this.inFlight = null;
    operation?.interrupt();
    if (operation && this.options.fusBelowV2AsyncResetWeakness) this.loseInstallCutShort();
    this.keyState = newKeyVolatileState();
  }

  /** The weakness of FUS < V2 (Cpu2Options): the install a reset cut short is forgotten. */
  private loseInstallCutShort(): void {
    const state = this.host.board.cpu2;
    const journal = state.journal;
    if (!journal) return;
    // The new FUS runs the phase on its temporary copy; the installed FUS runs every other one.
    const working = journal.operation === "fus" && journal.phase === "relocate" ? journal.image.version : state.fusVersion;
    if (working < FUS_V2) state.journal = null;
  }
}
