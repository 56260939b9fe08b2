// The field loader on tier 1 (test/loader/support.ts's LoaderRig) on one end of a socat pty pair:
// what arrives on the pty is typed to the loader, what it writes goes back; a system reset restarts
// it from loaderStart as the reset vector would. The other end is a serial port for `fusop --port`.
import { SerialPort } from "serialport";
import { SystemResetOccurred } from "../../host-sim/tiers/tier.js";
import { LoaderRig } from "../loader/support.js";
import { ptyPair, type PtyPair } from "./pty.js";

export class Tier1Bridge {
  resets = 0;

  private constructor(readonly rig: LoaderRig, readonly pair: PtyPair, private readonly port: SerialPort) {
    port.on("data", (chunk: Buffer) => this.receive(new Uint8Array(chunk)));
  }

  static async open(rig: LoaderRig): Promise<Tier1Bridge> {
    const pair = await ptyPair();
    const port = new SerialPort({ path: pair.a, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    rig.text(); // the start's banner, before anyone listened
    return new Tier1Bridge(rig, pair, port);
  }

  /** The end `fusop --port` opens. */
  get link(): string {
    return this.pair.b;
  }

  private receive(bytes: Uint8Array): void {
    let step: () => void = () => this.rig.tier.uart.send(bytes);
    for (;;) {
      try {
        step();
        this.rig.run();
        break;
      } catch (error) {
        if (!(error instanceof SystemResetOccurred)) throw error;
        this.resets++;
        this.port.write(Buffer.from(this.rig.tier.uart.take()));
        step = () => this.rig.start();
      }
    }
    const reply = this.rig.tier.uart.take();
    if (reply.length > 0) this.port.write(Buffer.from(reply));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
    this.pair.close();
  }
}
