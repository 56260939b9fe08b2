// CPU2 (the Cortex-M0+): held until C2BOOT, then runs whatever firmware SBRV points at
// (cpu2-interface §1.4, §1.7 SRRVR; fus-behaviour §1.6). Firmware models react to IPCC posts and
// schedule their work on the chip's virtual clock.
import type { Stm32wb } from "../chip/stm32wb.js";
import { sbrvFor } from "../chip/variants.js";
import { Cpu2Mailbox, SYSTEM_CHANNEL, RELEASE_CHANNEL, type SystemCommand } from "./mailbox.js";
import { CPU2_BOOT_TO_READY_US, SYSTEM_COMMAND_LATENCY_US, BUFFER_RELEASE_LATENCY_US, RESET_DELAY_US } from "./timing.js";
import { FusFirmware } from "./fus.js";
import { WirelessStackFirmware } from "./stack.js";

export interface Cpu2Firmware {
  readonly kind: "fus" | "stack";
  /** Runs once CPU2 has booted: device-information table, READY event. */
  start(): void;
  onSystemCommand(command: SystemCommand): void;
  /** Buffers CPU1 gave back over channel 4; absent when the firmware ignores releases (FUS, §4.3). */
  onBuffersReleased?(buffers: number[]): void;
}

export class Cpu2 {
  readonly mailbox: Cpu2Mailbox;
  private running: Cpu2Firmware | null = null;
  private generation = 0;
  /** Fault injection: the firmware stops answering anything (a hung or crashed CPU2). */
  unresponsive = false;

  constructor(readonly chip: Stm32wb) {
    this.mailbox = new Cpu2Mailbox(chip);
  }

  get firmware(): Cpu2Firmware | null {
    return this.running;
  }

  /** Runs `work` after `delayUs`, unless CPU2 was reset or halted meanwhile. */
  after(delayUs: number, work: () => void): void {
    const generation = this.generation;
    this.chip.clock.schedule(delayUs, () => {
      if (generation === this.generation) work();
    });
  }

  /** C2BOOT went to 1. */
  boot(): void {
    this.after(CPU2_BOOT_TO_READY_US, () => {
      this.running = this.selectFirmware();
      // Without the tables CPU1 should have written, a real CPU2 has nowhere to post READY.
      if (this.running && this.mailbox.tablesPresent() && !this.unresponsive) this.running.start();
    });
  }

  private selectFirmware(): Cpu2Firmware | null {
    const board = this.chip.board;
    const sbrv = board.optionBytes.sbrv;
    if (sbrv === sbrvFor(board.variant.fusStart)) return new FusFirmware(this);
    const stack = board.cpu2.stack;
    if (stack && sbrv === sbrvFor(stack.start)) return new WirelessStackFirmware(this, stack);
    return null; // SBRV points at no firmware: CPU2 runs astray and never speaks
  }

  onCpu1Post(channel: number): void {
    if (channel === SYSTEM_CHANNEL) {
      this.after(SYSTEM_COMMAND_LATENCY_US, () => {
        if (!this.running || this.unresponsive) return;
        this.running.onSystemCommand(this.mailbox.readCommand());
      });
    } else if (channel === RELEASE_CHANNEL) {
      this.after(BUFFER_RELEASE_LATENCY_US, () => {
        if (!this.running?.onBuffersReleased || this.unresponsive) return;
        const buffers = this.mailbox.takeReleasedBuffers();
        this.chip.ipcc.cpu2Clear(RELEASE_CHANNEL);
        this.running.onBuffersReleased(buffers);
      });
    }
  }

  /** The firmware resets the whole part (FUS after its work, the stack on the 2nd GET_STATE). */
  resetSystem(reason: string): void {
    this.after(RESET_DELAY_US, () => this.chip.requestSystemReset(reason));
  }

  /** System reset: CPU2 is held again until C2BOOT. */
  halt(): void {
    this.generation++;
    this.running = null;
  }
}
