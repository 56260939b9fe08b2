// A virtual board behind a pseudo-terminal: CPU1 runs its firmware (the field loader) on tier 2 from
// its reset vector through every system reset, and the line of USART1 (or LPUART1) is a pty whose
// slave path is a symlink, so a terminal program, lrzsz or the PC tool opens it as it would a USB
// serial port. The line has the speed the host side asked for (--baud); the UART model misreads
// frames both ways when its own speed is outside the receiver's tolerance of it (chip/usart.ts).
//
// The pty comes from Debian's socat (`socat pty,raw,echo=0,link=LINK,ignoreeof -`, its stdio piped
// to us) [choice]: Node has no pty API, and socat already does what a helper of our own would have
// to: posix_openpt/grantpt/unlockpt, the symlink (removed when it exits), raw mode, and — with
// `ignoreeof` — keeping the master open when the host side closes the line, so that the next
// open of LINK reaches the same board. It is one Debian package (.ci/install-deps), no build step.
//
// Time: the chip's virtual clock follows wall time — the core runs in stretches up to "now" and the
// serve loop sleeps when it is ahead, so the firmware's timeouts (YMODEM, the boot window) and the
// host's (lrzsz waits seconds for an answer) are on the same clock [choice: the loader polls its
// line, it never sleeps in WFI, so there is no idle time to skip]. When the emulation is slower than
// the part (a loaded machine) virtual time falls behind wall time and catches up when it can; bytes
// from the host wait in the line's queue meanwhile and reach USART1 one frame apart at its baud.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import type { Stm32wb } from "../chip/stm32wb.js";
import type { Usart } from "../chip/usart.js";
import type { FirmwareRunner, RunOutcome } from "../tiers/firmware-runner.js";

/** Virtual time one stretch of the core may cover before the loop looks at the host side again. */
const STRETCH_US = 2_000;
/** How long the loop sleeps when virtual time has caught up with wall time (ms). */
const IDLE_MS = 1;

export interface PtyServeOptions {
  /** The symlink that names the pty's slave side. */
  link: string;
  /** The line's speed in bit/s, as the host side's terminal settings would give it. */
  baud: number;
  /** The UART on the line: USART1 (NUCLEO-WB55's ST-LINK virtual COM port) or LPUART1. */
  uart: "usart1" | "lpuart1";
  /** Something to tell the operator (stderr). */
  notice: (message: string) => void;
  /** A system reset happened; CPU1 restarts from its vector. */
  onReset?: (reason: string) => void;
}

export interface PtyServeSummary {
  virtualMs: number;
  instructions: number;
  resets: string[];
  /** Bytes from the host into USART1, and from USART1 to the host. */
  received: number;
  transmitted: number;
  /** How the serve ended: a signal (stop()), or the firmware's exit (BKPT/semihosting). */
  endedBy: "stop" | "exit";
  exitCode?: number;
}

type Socat = ChildProcessByStdio<Writable, Readable, Readable>;

export class PtyServer {
  private stopping = false;
  private wake: (() => void) | null = null;
  private socat: Socat | null = null;
  private socatFailure: Error | null = null;
  private readonly outbound: number[] = [];
  private received = 0;
  private transmitted = 0;
  private baudWarned = false;

  constructor(private readonly chip: Stm32wb, private readonly runner: FirmwareRunner, private readonly options: PtyServeOptions) {}

  /** Ends the serve at the next stretch boundary (SIGINT/SIGTERM). */
  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  /** Starts socat and resolves once LINK names the pty. */
  private async openPty(): Promise<void> {
    const socat = spawn("socat", [`pty,raw,echo=0,link=${this.options.link},ignoreeof`, "-"], { stdio: ["pipe", "pipe", "pipe"] });
    this.socat = socat;
    let stderr = "";
    socat.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    socat.stdin.on("error", () => {}); // socat gone: reported through its exit
    socat.stdout.on("data", (chunk: Buffer) => this.fromHost(chunk));
    await new Promise<void>((resolve, reject) => {
      const ready = (): void => {
        socat.off("exit", exited);
        resolve();
      };
      const exited = (code: number | null): void => reject(new PtyError("PTY_FAILED", `socat exited (${code}) before the pty was ready: ${stderr.trim() || "no message"}`));
      socat.once("spawn", () => {
        // socat makes the link once the pty exists: wait for it (a few ms).
        const poll = async (): Promise<void> => {
          const { lstat } = await import("node:fs/promises");
          for (let tries = 0; tries < 500; tries++) {
            if (socat.exitCode !== null) return;
            try {
              await lstat(this.options.link);
              return ready();
            } catch {
              await sleep(10);
            }
          }
          reject(new PtyError("PTY_FAILED", `socat did not create ${this.options.link}`));
        };
        void poll();
      });
      socat.once("exit", exited);
      socat.once("error", (error) => reject(new PtyError("PTY_FAILED", `cannot start socat (Debian package socat): ${error.message}`)));
    });
    socat.once("exit", (code) => {
      if (!this.stopping) this.socatFailure = new PtyError("PTY_FAILED", `socat exited (${code}) while serving: ${stderr.trim() || "no message"}`);
      this.wake?.();
    });
  }

  private get uart(): Usart {
    return this.options.uart === "lpuart1" ? this.chip.lpuart1 : this.chip.usart1;
  }

  /** Says once that the UART's speed and the line's differ (the UART model garbles the frames). */
  private checkBaud(): void {
    const uart = this.uart;
    if (!uart.baudMismatch || this.baudWarned) return;
    this.baudWarned = true;
    this.options.notice(`warning: ${uart.name} runs at ${Math.round(uart.baud)} bit/s, the line at ${this.options.baud}: frames are misread both ways`);
  }

  private fromHost(chunk: Buffer): void {
    this.received += chunk.length;
    this.checkBaud();
    this.uart.receive(chunk);
    this.wake?.();
  }

  private flushToHost(): void {
    if (this.outbound.length === 0) return;
    this.checkBaud();
    const bytes = Buffer.from(this.outbound);
    this.outbound.length = 0;
    this.transmitted += bytes.length;
    if (this.socat && !this.socat.stdin.destroyed) this.socat.stdin.write(bytes);
  }

  /** Serves until stop() or the firmware's exit; CPU1 must not be running yet. */
  async serve(): Promise<PtyServeSummary> {
    const { chip, runner } = this;
    const uart = this.uart;
    uart.lineBaud = this.options.baud;
    uart.onTransmit = (byte) => this.outbound.push(byte);
    await this.openPty();
    this.options.notice(`serving the board on ${this.options.link} (${this.options.baud} bit/s, ${uart.name}); Ctrl-C saves it and stops`);
    const resets: string[] = [];
    let endedBy: PtyServeSummary["endedBy"] = "stop";
    let exitCode: number | undefined;
    const wallStart = performance.now();
    const virtualStart = chip.clock.nowUs;
    try {
      runner.start();
      while (!this.stopping) {
        if (this.socatFailure) throw this.socatFailure;
        const wallUs = virtualStart + (performance.now() - wallStart) * 1000;
        const now = chip.clock.nowUs;
        if (now >= wallUs) {
          this.flushToHost();
          await this.idle(Math.max(IDLE_MS, (now - wallUs) / 1000));
          continue;
        }
        const outcome = runStretch(chip, runner, wallUs);
        this.flushToHost();
        if (outcome.kind === "reset") {
          resets.push(outcome.reason);
          this.options.onReset?.(outcome.reason);
        } else if (outcome.kind === "exit") {
          endedBy = "exit";
          exitCode = outcome.code;
          break;
        }
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      runner.discard();
      this.flushToHost();
      await this.closePty();
    }
    return {
      virtualMs: chip.clock.nowUs / 1000, instructions: runner.instructions, resets,
      received: this.received, transmitted: this.transmitted, endedBy, exitCode,
    };
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private async closePty(): Promise<void> {
    const socat = this.socat;
    if (!socat || socat.exitCode !== null || socat.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => socat.once("exit", () => resolve()));
    socat.stdin.end(); // socat leaves at the end of its input and removes LINK
    const timer = setTimeout(() => socat.kill("SIGTERM"), 1000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * One stretch of CPU1 on virtual time, at most `stretchUs` and not beyond `untilUs`; a system reset
 * restarts CPU1 from its reset vector. The serve loop runs it against wall time; the in-process
 * loader part of the campaign, the bench and tests (bench/campaign-loader-part.ts) on virtual time alone.
 */
export function runStretch(chip: Stm32wb, runner: FirmwareRunner, untilUs: number, stretchUs = STRETCH_US): RunOutcome {
  const now = chip.clock.nowUs;
  const deadlineUs = Math.min(untilUs, now + stretchUs);
  const budget = Math.max(1, Math.ceil(((deadlineUs - now) * chip.rcc.hclkHz()) / 1e6));
  const outcome = runner.run({ budget, deadlineUs });
  if (outcome.kind === "reset") runner.start();
  return outcome;
}

export class PtyError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
