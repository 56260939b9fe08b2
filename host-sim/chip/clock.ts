// Virtual time of the simulated chip, in microseconds. CPU2 schedules its work on it; CPU1 moves
// it forward (tier 1: through the hal time imports; tier 2: from the executed instruction count).

interface ScheduledEvent {
  atUs: number;
  sequence: number;
  run: () => void;
}

export class VirtualClock {
  private now = 0;
  private sequence = 0;
  private queue: ScheduledEvent[] = [];

  get nowUs(): number {
    return this.now;
  }

  /** Runs `run` once the clock reaches now + `delayUs`. Events at the same time run in order. */
  schedule(delayUs: number, run: () => void): void {
    this.queue.push({ atUs: this.now + delayUs, sequence: this.sequence++, run });
    this.queue.sort((a, b) => a.atUs - b.atUs || a.sequence - b.sequence);
  }

  /** Drops everything scheduled (power loss, system reset of the part that scheduled it). */
  cancelAll(): void {
    this.queue = [];
  }

  get pendingEvents(): number {
    return this.queue.length;
  }

  advanceBy(us: number): void {
    this.advanceTo(this.now + us);
  }

  /** Moves time forward, running every event that falls due on the way, at its own time. */
  advanceTo(targetUs: number): void {
    while (this.queue.length > 0 && this.queue[0].atUs <= targetUs) {
      const event = this.queue.shift()!;
      this.now = Math.max(this.now, event.atUs);
      event.run();
    }
    this.now = Math.max(this.now, targetUs);
  }
}
