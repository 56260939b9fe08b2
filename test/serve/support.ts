// The field loader on tier 2 behind `fusop sim serve --pty` (the built CLI, dist/), reached as a user
// reaches it: a terminal on the pty (socat on the slave side, as picocom would open it) and Debian's
// lrzsz `sb` with its stdin and stdout on the pty. The terminal closes while sb has the line and
// opens it again afterwards, so every test also shows the serve surviving the host side's close.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { buildImage } from "../../host-sim/images/builder.js";
import { projectRoot } from "../../host-sim/paths.js";
import { parseVersion } from "../../host-sim/versions.js";
import { loadBoard } from "../../host-sim/board.js";

const cli = join(projectRoot, "dist", "fusop.js");

/**
 * Transfers through the pty run at the line's real speed (virtual time follows wall time): the
 * long ones (refusals, power loss) run with FUSOP_SLOW_TESTS=1 (`make test-slow`), the issue's
 * main path (FUS, stack, application) in every `make test`.
 */
export const slowTests = process.env.FUSOP_SLOW_TESTS === "1";

export const directory = mkdtempSync(join(tmpdir(), "fusop-serve-"));
let names = 0;

export function fusop(...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: "latin1" });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A file in the test's directory. */
export function file(name: string, bytes?: Uint8Array): string {
  const path = join(directory, `${++names}-${name}`);
  if (bytes) writeFileSync(path, bytes);
  return path;
}

export function createBoard(...args: string[]): string {
  const path = file("board.json");
  const created = fusop("sim", "create", path, ...args);
  if (created.status !== 0) throw new Error(created.stderr);
  return path;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const serving = new Set<Serve>();

/** Stops every serve a test left running (a failed expectation skips its own stop). */
export async function stopAllServes(): Promise<void> {
  await Promise.all([...serving].map((serve) => serve.stop()));
}

/** A running `fusop sim serve BOARD --pty LINK ...`. */
export class Serve {
  readonly link = file("wb");
  private readonly process: ChildProcess;
  private stdout = "";
  private stderr = "";
  private readonly exited: Promise<number>;

  constructor(readonly board: string, ...args: string[]) {
    this.process = spawn(process.execPath, [cli, "sim", "serve", board, "--pty", this.link, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.process.stdout!.on("data", (chunk: Buffer) => (this.stdout += chunk.toString("latin1")));
    this.process.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString("latin1")));
    this.exited = new Promise((resolve) => this.process.once("exit", (code) => {
      serving.delete(this);
      resolve(code ?? -1);
    }));
    serving.add(this);
  }

  /** Waits for the serve to end by itself (the firmware's exit); resolves with its exit code and output. */
  async ended(): Promise<{ code: number; stdout: string; stderr: string }> {
    const code = await this.exited;
    return { code, stdout: this.stdout, stderr: this.stderr };
  }

  async ready(): Promise<void> {
    for (let tries = 0; tries < 1000 && !existsSync(this.link); tries++) {
      if (this.process.exitCode !== null) break;
      await sleep(10);
    }
    if (!existsSync(this.link)) throw new Error(`sim serve did not make ${this.link}: ${this.stderr}`);
  }

  /** SIGTERM (or SIGINT): the serve saves the board and ends; resolves with its exit code and output. */
  async stop(signal: "SIGTERM" | "SIGINT" = "SIGTERM"): Promise<{ code: number; stdout: string; stderr: string }> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill(signal);
    const code = await this.exited;
    return { code, stdout: this.stdout, stderr: this.stderr };
  }
}

/** A terminal on the pty: what it types goes to the loader, what the loader writes collects here. */
export class Terminal {
  private readonly socat: ChildProcess;
  text = "";
  private waiter: (() => void) | null = null;

  constructor(link: string) {
    this.socat = spawn("socat", ["-", `${link},raw,echo=0`], { stdio: ["pipe", "pipe", "inherit"] });
    this.socat.stdout!.on("data", (chunk: Buffer) => {
      this.text += chunk.toString("latin1");
      this.waiter?.();
    });
    this.socat.stdin!.on("error", () => {});
  }

  type(line: string): void {
    this.socat.stdin!.write(`${line}\r`);
  }

  /** Waits for `pattern` in what arrived since the last `take`, up to `seconds` of wall time. */
  async until(pattern: RegExp, seconds = 60): Promise<string> {
    const deadline = Date.now() + seconds * 1000;
    while (!pattern.test(this.text)) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} from the loader; it wrote: ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 200);
      });
    }
    return this.take();
  }

  /**
   * Waits for the loader's power-on banner. A command typed while the loader prints it, longer
   * than USART1's 8-byte receive FIFO, would lose its end to an overrun (RM0434 USART "FIFO mode").
   */
  async banner(): Promise<void> {
    await this.until(/loader \d+\.\d+\.\d+\r\n$/, 30);
  }

  take(): string {
    const text = this.text;
    this.text = "";
    return text;
  }

  /** Types a command and returns everything up to its final line (OK or ERROR). */
  async command(line: string, seconds?: number): Promise<string> {
    this.take();
    this.type(line);
    return this.until(/\r\n(OK|ERROR [^\r]*)\r\n$/, seconds);
  }

  /**
   * After a failed transfer the loader discards what the line brings until it has been quiet for
   * 500 ms of its own time (the rest of the sender's block); virtual time may lag wall time on a
   * loaded machine, so the command is typed again after each silent wait.
   */
  async commandAfterQuiet(line: string, attempts = 10): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      await sleep(1000);
      try {
        return await this.command(line, 5);
      } catch (error) {
        if (attempt === attempts) throw error;
      }
    }
  }

  async close(): Promise<void> {
    if (this.socat.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.socat.once("exit", () => resolve()));
    this.socat.kill("SIGTERM");
    await exited;
  }
}

export interface SbRun {
  code: number | null;
  stderr: string;
}

/**
 * `sb ARGS FILE < LINK > LINK`, as from a shell. `interruptAfterSectors`: sb gets SIGINT (Ctrl-C)
 * once its progress line (stderr) counts that many 128-byte sectors sent; `atSectors` runs then
 * instead (a power loss).
 */
export function sb(link: string, path: string, args: string[] = ["-k"], interruptAfterSectors?: number,
  atSectors: (child: ChildProcess) => void = (child) => child.kill("SIGINT")): Promise<SbRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", 'exec sb "$@" < "$0" > "$0"', link, ...args, path], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let interrupted = false;
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("latin1");
      const sent = [...stderr.matchAll(/sectors\/kbytes sent:\s*(\d+)\//g)].map((m) => Number(m[1]));
      if (!interrupted && interruptAfterSectors !== undefined && Math.max(0, ...sent) >= interruptAfterSectors) {
        interrupted = true;
        atSectors(child);
      }
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

/**
 * At the console: `command` (install or app), then with the terminal closed `sb` sends `path`
 * through the line; the terminal opens the line again and reads up to the command's final line.
 */
export async function sendThroughPty(serve: Serve, terminal: Terminal, command: string, path: string,
  options: { args?: string[]; interruptAfterSectors?: number; finalSeconds?: number } = {}): Promise<{ terminal: Terminal; sb: SbRun; text: string }> {
  terminal.take();
  terminal.type(command);
  await terminal.until(/C$/, 30); // the loader asks for the batch header (YMODEM 'C')
  await terminal.close();
  const run = await sb(serve.link, path, options.args ?? ["-k"], options.interruptAfterSectors);
  const reopened = new Terminal(serve.link);
  const text = await reopened.until(/(^|[^A-Z_])(OK|ERROR [^\r]*)\r\n$/, options.finalSeconds ?? 60);
  return { terminal: reopened, sb: run, text };
}

export const fusImage = (version: string): Uint8Array =>
  buildImage({ kind: "fus", version: parseVersion(version), size: 24_464, family: "wb5x" });
export const stackImage = (family: "wb5x" | "wb1x", size = 0x6000): Uint8Array =>
  buildImage({ kind: "stack", version: parseVersion("1.24.0"), size, family, format: "legacy", stackType: 0x01 });

/** What `sim show` reads back from a saved board. */
export function shown(board: string): { fusVersion: string; stack: { version: string } | null } {
  const show = fusop("sim", "show", board, "--json");
  expect(show.status, show.stderr).toBe(0);
  return JSON.parse(show.stdout.trim().split("\n").at(-1)!);
}

/** `fusop sim serve BOARD --gdb 0` (a separate process: the --gdb client blocks its thread while it waits): resolves with the port it printed. */
export function serveGdb(board: string): Promise<{ port: number; server: ChildProcess }> {
  const server = spawn(process.execPath, [cli, "sim", "serve", board, "--gdb", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let text = "";
    server.stderr!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const port = /127\.0\.0\.1:(\d+)/.exec(text)?.[1];
      if (port) resolve({ port: Number(port), server });
    });
    server.once("exit", (code) => reject(new Error(`sim serve --gdb ended (${code}): ${text}`)));
  });
}

/** How a noisy line delivers one frame from the sender: the frame as it arrives (changed, shortened) or as sent. */
export type LineNoise = (frame: Uint8Array, block: YmodemBlock, attempt: number) => Uint8Array;
/** A frame of the batch: the header (0), a data block (1, 2, ...), or the end-of-batch block. */
export type YmodemBlock = number | "end";

const SOH = 0x01, STX = 0x02, EOT = 0x04;

/**
 * `sb ARGS FILE` with a noisy line between it and the pty: a byte relay (sb's stdin/stdout on
 * pipes, socat on the pty as a terminal would open it) that cuts sb's stream into YMODEM frames
 * and lets `noise` damage chosen ones on the way to the loader; the loader's bytes go back to sb
 * as they are. Resolves when sb has exited and the loader has written its final line (or after
 * `finalSeconds`), with everything the loader wrote.
 */
export function sbThroughNoisyLine(link: string, path: string, noise: LineNoise, args: string[] = ["-k"], finalSeconds = 60): Promise<{ sb: SbRun; text: string }> {
  return new Promise((resolve, reject) => {
    const line = spawn("socat", ["-", `${link},raw,echo=0`], { stdio: ["pipe", "pipe", "inherit"] });
    const sender = spawn("sb", [...args, path], { stdio: ["pipe", "pipe", "pipe"] });
    let text = "";
    let stderr = "";
    let pending: number[] = [];
    let dataStarted = false;
    let afterEot = false;
    const attempts = new Map<YmodemBlock, number>();
    line.stdin!.on("error", () => {});
    sender.stdin!.on("error", () => {}); // sb may exit before the loader's last bytes reach it
    line.stdout!.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (sender.exitCode === null && !sender.stdin!.destroyed) sender.stdin!.write(chunk);
    });
    sender.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("latin1")));
    const deliver = (bytes: Uint8Array): void => {
      line.stdin!.write(bytes);
    };
    sender.stdout!.on("data", (chunk: Buffer) => {
      for (const byte of chunk) {
        if (pending.length === 0 && byte !== SOH && byte !== STX) {
          if (byte === EOT) afterEot = true;
          deliver(Uint8Array.of(byte)); // EOT, CAN, anything outside a frame
          continue;
        }
        pending.push(byte);
        const length = (pending[0] === SOH ? 128 : 1024) + 5;
        if (pending.length < length) continue;
        const frame = Uint8Array.from(pending);
        pending = [];
        const number = frame[1];
        const block: YmodemBlock = number === 0 && afterEot ? "end" : number === 0 && !dataStarted ? 0 : number;
        if (number !== 0) dataStarted = true;
        const attempt = (attempts.get(block) ?? 0) + 1;
        attempts.set(block, attempt);
        deliver(noise(frame, block, attempt));
      }
    });
    sender.on("error", reject);
    sender.on("exit", (code) => {
      const deadline = Date.now() + finalSeconds * 1000;
      const waitFinal = (): void => {
        if (/(^|[^A-Z_])(OK|ERROR [^\r]*)\r\n$/.test(text) || Date.now() > deadline) {
          line.once("exit", () => resolve({ sb: { code, stderr }, text }));
          line.kill("SIGTERM");
        } else {
          setTimeout(waitFinal, 200);
        }
      };
      waitFinal();
    });
  });
}

/**
 * After a refused or broken transfer: FUS 2.2.0 and the installed stack (1.24.0) are still there,
 * the stack starts again, and once the serve has stopped the saved board says so too.
 */
export async function expectStackKept(serve: Serve, terminal: Terminal): Promise<void> {
  try {
    expect(await terminal.commandAfterQuiet("info")).toMatch(/fus 2\.2\.0\r\n[\s\S]*stack 1\.24\.0\r\nstack-type 0x00000001\r\nOK\r\n$/);
    expect(await terminal.command("start-ws", 30)).toMatch(/OK\r\n$/);
  } finally {
    await terminal.close();
  }
  expect((await serve.stop()).code).toBe(0);
  expect(shown(serve.board).stack?.version).toBe("1.24.0");
}

/** Whether the saved board holds nothing between the application slot (0x0800C000) and the secure area for FUS to find. */
export function stagingClean(boardPath: string): boolean {
  const { flash, optionBytes, variant } = loadBoard(boardPath);
  return flash.subarray(0xc000, optionBytes.sfsa * variant.sectorBytes).every((byte) => byte === 0xff);
}
