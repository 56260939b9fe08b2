// Virtual time of the simulated chip, in microseconds. CPU2 schedules its work on it; CPU1 moves
// it forward (tier 1: through the hal time imports; tier 2: from the executed instruction count at
// the configured core clock, and to the next event while the core sleeps in WFI/WFE).

interface ScheduledEvent {
  atUs: number;
  sequence: number;
  cancelled: boolean;
  run: () => void;
}

/** What `schedule` returns: a peripheral cancels its own timer (a reload, a disable, its reset). */
export interface ScheduledHandle {
  cancel(): void;
}

export class VirtualClock {
  private now = 0;
  private sequence = 0;
  private queue: ScheduledEvent[] = [];

  get nowUs(): number {
    return this.now;
  }

  /** Runs `run` once the clock reaches now + `delayUs`. Events at the same time run in order. */
  schedule(delayUs: number, run: () => void): ScheduledHandle {
    const event: ScheduledEvent = { atUs: this.now + delayUs, sequence: this.sequence++, cancelled: false, run };
    this.queue.push(event);
    this.queue.sort((a, b) => a.atUs - b.atUs || a.sequence - b.sequence);
    return { cancel: () => { event.cancelled = true; } };
  }

  /** Drops everything scheduled (power loss, system reset of the part that scheduled it). */
  cancelAll(): void {
    this.queue = [];
  }

  get pendingEvents(): number {
    return this.queue.filter((e) => !e.cancelled).length;
  }

  /** When the next scheduled event falls due, or null when nothing is scheduled. */
  get nextEventUs(): number | null {
    while (this.queue.length > 0 && this.queue[0].cancelled) this.queue.shift();
    return this.queue.length > 0 ? this.queue[0].atUs : null;
  }

  advanceBy(us: number): void {
    this.advanceTo(this.now + us);
  }

  /** Moves time forward, running every event that falls due on the way, at its own time. */
  advanceTo(targetUs: number): void {
    while (this.queue.length > 0 && this.queue[0].atUs <= targetUs) {
      const event = this.queue.shift()!;
      if (event.cancelled) continue;
      this.now = Math.max(this.now, event.atUs);
      event.run();
    }
    this.now = Math.max(this.now, targetUs);
  }
}
