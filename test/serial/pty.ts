// A pseudo-terminal pair from Debian's socat (installed by .ci/install-deps): two linked device
// paths, each opened like a serial port. What one side writes the other reads, as over a cable.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerialPort } from "serialport";
import { ByteLink } from "../../cli/targets/byte-link.js";

export interface PtyPair {
  a: string;
  b: string;
  directory: string;
  close(): void;
}

export async function ptyPair(): Promise<PtyPair> {
  const directory = mkdtempSync(join(tmpdir(), "fusop-pty-"));
  const a = join(directory, "A");
  const b = join(directory, "B");
  const socat: ChildProcess = spawn("socat", [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: "ignore" });
  for (let waited = 0; !(existsSync(a) && existsSync(b)); waited += 20) {
    if (waited > 10_000 || socat.exitCode !== null) throw new Error("socat did not create the pty pair");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    a, b, directory,
    close() {
      socat.kill();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Opens one end of a pty pair through serialport as the serial target does, as a ByteLink. */
export async function openLink(path: string): Promise<{ link: ByteLink; close(): Promise<void> }> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  const link = new ByteLink({ write: (bytes) => new Promise((resolve, reject) => port.write(Buffer.from(bytes), (error) => (error ? reject(error) : resolve()))) });
  port.on("data", (chunk: Buffer) => link.push(new Uint8Array(chunk)));
  return { link, close: () => new Promise((resolve) => port.close(() => resolve())) };
}
