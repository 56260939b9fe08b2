// A GDB remote stub in front of a virtual board on tier 2: what a debug probe's GDB server (OpenOCD,
// pyOCD, st-util) offers for a real NUCLEO-WB55, so that fusop's --gdb target and Debian's
// gdb-multiarch can be tested against the simulator. CPU1 is the firmware runner's emulated
// Cortex-M4; the chip model answers every memory access, as the bus of the part would answer the
// debug access port.
//
// Served (GDB manual, "Remote Protocol"): qSupported (PacketSize, qXfer:features:read), ?, g/G,
// p/P, m/M, X, c, s, vCont (c, s), Z0/z0 and Z1/z1 (both as stop addresses of the emulator: neither
// patches memory), k, D, qAttached, qRcmd (`monitor reset`, `monitor reset halt`: both halt the core
// at its reset vector, as after a debugger's SYSRESETREQ with vector catch), and 0x03 interrupts.
// Registers in the arm m-profile numbering of the target description below: r0-r12, sp, lr, pc,
// xpsr (16), then msp, psp, primask, basepri, control (17-21).
//
// Flash: a read shows the part's flash (the secure area answers with an error, as CPU1's view
// does); an M/X write to flash is refused with E03. Real GDB servers program flash through their
// flash algorithm on `load`; fusop's --gdb target never asks for that: the probe runs from SRAM1
// and stages images through the operator's own flash driver.
//
// Resets: a system reset while the core runs (FUS, the watchdog, SYSRESETREQ) applies to the whole
// chip and CPU1 restarts from the vector table in flash. With DEMCR.VC_CORERESET set (the debugger's
// reset vector catch, ARMv7-M C1.6.5; the debug domain keeps it over a system reset) the core halts
// there and the stop is reported (SIGTRAP); otherwise it runs on.
import { createServer, type Server, type Socket } from "node:net";
import type { Stm32wb } from "../chip/stm32wb.js";
import { FirmwareRunner, type RunOutcome } from "../tiers/firmware-runner.js";
import { DeviceFault } from "../tiers/tier.js";
import {
  RspDecoder, escapeBinary, frame, fromHex, registerFromHex, registerHex, toHex, unescapeBinary,
} from "./rsp-packet.js";

const SIGINT = 2;
const SIGTRAP = 5;
const SIGSEGV = 11;
/** Instructions per stretch: between two stretches the stub reads the connection (Ctrl-C). */
const STRETCH = 200_000;
/** Virtual time a stretch may sleep in WFI/WFE before the stub looks at the connection again. */
const SLEEP_SLICE_US = 1_000;
const PACKET_SIZE = 0x4000;

const AIRCR = 0xe000_ed0c;
const AIRCR_SYSRESETREQ = 0x05fa_0004;
const DEMCR = 0xe000_edfc;
const DEMCR_VC_CORERESET = 1;

/** GDB's register numbers (the target description's order) and the emulator's names. */
export const REGISTER_NAMES = [
  "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "sp", "lr", "pc",
  "xpsr", "msp", "psp", "primask", "basepri", "control",
] as const;

const TARGET_XML = `<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
  <architecture>arm</architecture>
  <feature name="org.gnu.gdb.arm.m-profile">
${REGISTER_NAMES.slice(0, 16).map((name, regnum) => `    <reg name="${name}" bitsize="32" regnum="${regnum}"${name === "sp" ? ' type="data_ptr"' : name === "pc" || name === "lr" ? ' type="code_ptr"' : ""}/>`).join("\n")}
    <reg name="xpsr" bitsize="32" regnum="16"/>
  </feature>
  <feature name="org.gnu.gdb.arm.m-system">
    <reg name="msp" bitsize="32" regnum="17" type="data_ptr"/>
    <reg name="psp" bitsize="32" regnum="18" type="data_ptr"/>
  </feature>
  <feature name="org.fusop.cortex-m4.masks">
    <reg name="primask" bitsize="32" regnum="19"/>
    <reg name="basepri" bitsize="32" regnum="20"/>
    <reg name="control" bitsize="32" regnum="21"/>
  </feature>
</target>
`;

type Reply = string | Buffer;

export class GdbStub {
  readonly runner: FirmwareRunner;
  private readonly breakpoints = new Set<number>();
  private vectorCatchReset = false;
  private lastSignal = SIGTRAP;
  private running = false;
  private interruptRequested = false;
  private server: Server | null = null;
  private connection: Socket | null = null;
  /** Told about every system reset (the CLI prints it). */
  onReset: (reason: string) => void = () => {};

  /** `codeFlashBytes`: flash the CPU1 firmware occupies (executed in place; the rest goes through the FLASH model). */
  constructor(readonly chip: Stm32wb, codeFlashBytes: number) {
    this.runner = new FirmwareRunner(chip, codeFlashBytes);
    // Attaching to a part that sits at its reset vector: the core exists, halted.
    this.runner.start();
  }

  /** Listens on 127.0.0.1:port (0: any free port); resolves with the port. One debugger at a time. */
  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.accept(socket));
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        this.server = server;
        const address = server.address();
        resolve(typeof address === "object" && address ? address.port : port);
      });
    });
  }

  close(): Promise<void> {
    this.connection?.destroy();
    this.runner.discard();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(socket: Socket): void {
    if (this.connection) {
      socket.end(); // a second debugger: the probe is busy
      return;
    }
    this.connection = socket;
    socket.setNoDelay(true);
    const decoder = new RspDecoder();
    socket.on("data", (chunk: Buffer) => {
      for (const item of decoder.push(chunk)) {
        if (item.kind === "interrupt") {
          if (this.running) this.interruptRequested = true;
        } else if (item.kind === "corrupt") {
          socket.write("-");
        } else if (item.kind === "packet") {
          socket.write("+");
          const reply = this.handle(item.data);
          if (reply !== null) socket.write(frame(reply));
        }
      }
    });
    const drop = (): void => {
      if (this.connection === socket) this.connection = null;
      this.running = false;
    };
    socket.on("close", drop);
    socket.on("error", drop);
  }

  /** Answers one packet; null when the answer comes later (the core runs) or never (k). */
  handle(packet: Buffer): Reply | null {
    const text = packet.toString("latin1");
    try {
      return this.dispatch(text, packet);
    } catch (error) {
      if (error instanceof DeviceFault) return "E01";
      throw error;
    }
  }

  private dispatch(text: string, packet: Buffer): Reply | null {
    if (this.running) return null; // all-stop mode: nothing but 0x03 while the core runs
    const command = text[0];
    switch (command) {
      case "?": return this.stopReply();
      case "g": return REGISTER_NAMES.map((name) => registerHex(this.runner.regRead(name))).join("");
      case "G": return this.writeAllRegisters(text.slice(1));
      case "p": {
        const number = parseInt(text.slice(1), 16);
        return number < REGISTER_NAMES.length ? registerHex(this.runner.regRead(REGISTER_NAMES[number])) : "E00";
      }
      case "P": {
        const [numberText, valueText] = text.slice(1).split("=");
        const number = parseInt(numberText, 16);
        const value = registerFromHex(valueText ?? "");
        if (number >= REGISTER_NAMES.length || value === null) return "E00";
        this.runner.regWrite(REGISTER_NAMES[number], value);
        return "OK";
      }
      case "m": return this.readMemory(text.slice(1));
      case "M": return this.writeMemoryHex(text.slice(1));
      case "X": return this.writeMemoryBinary(packet);
      case "c": return this.resume(text.slice(1), false);
      case "s": return this.resume(text.slice(1), true);
      case "Z": case "z": return this.breakpoint(text);
      case "k": this.connection?.end(); return null;
      case "D": return "OK";
      case "H": return "OK";
      case "T": return "OK";
      case "v": return this.verbose(text);
      case "q": return this.query(text);
      default: return "";
    }
  }

  private query(text: string): Reply {
    if (text.startsWith("qSupported")) return `PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;swbreak+;hwbreak+;vContSupported+`;
    if (text === "qAttached") return "1";
    if (text === "qC") return "QC1";
    if (text === "qfThreadInfo") return "m1";
    if (text === "qsThreadInfo") return "l";
    if (text.startsWith("qXfer:features:read:target.xml:")) {
      const [offset, length] = text.slice("qXfer:features:read:target.xml:".length).split(",").map((n) => parseInt(n, 16));
      const chunk = Buffer.from(TARGET_XML, "latin1").subarray(offset, offset + length);
      const last = offset + length >= TARGET_XML.length;
      return Buffer.concat([Buffer.from(last ? "l" : "m"), escapeBinary(chunk)]);
    }
    if (text.startsWith("qRcmd,")) return this.monitor(Buffer.from(text.slice(6), "hex").toString("latin1").trim());
    return "";
  }

  private verbose(text: string): Reply | null {
    if (text === "vCont?") return "vCont;c;C;s;S";
    if (text.startsWith("vCont;")) {
      // One thread: the first action decides (c, C, s or S, signals ignored).
      const action = text.slice(6).split(";")[0];
      return this.resume("", action[0] === "s" || action[0] === "S");
    }
    if (text.startsWith("vKill")) {
      this.connection?.end();
      return "OK";
    }
    return "";
  }

  private monitor(command: string): Reply {
    const words = command.split(/\s+/);
    if (words[0] === "reset" && (words.length === 1 || (words.length === 2 && words[1] === "halt"))) {
      this.systemReset();
      this.lastSignal = SIGTRAP;
      return toHex(Buffer.from("system reset; CPU1 halted at its reset vector\n"));
    }
    return toHex(Buffer.from(`unknown monitor command '${command}' (this stub knows: reset, reset halt)\n`));
  }

  /** What a debugger's reset does: SYSRESETREQ through AIRCR, the part resets, the core halts at its vector. */
  private systemReset(): void {
    this.runner.discard();
    this.chip.bus.write(AIRCR, 4, AIRCR_SYSRESETREQ);
    this.afterReset();
  }

  private afterReset(): void {
    const reason = this.chip.resetPending;
    if (reason !== null) {
      this.chip.applySystemReset();
      this.onReset(reason);
    }
    this.runner.start();
    if (this.vectorCatchReset) this.chip.bus.write(DEMCR, 4, this.chip.bus.read(DEMCR, 4) | DEMCR_VC_CORERESET);
  }

  private stopReply(): string {
    return `T${this.lastSignal.toString(16).padStart(2, "0")}thread:1;`;
  }

  private writeAllRegisters(hex: string): Reply {
    if (hex.length < REGISTER_NAMES.length * 8) return "E00";
    REGISTER_NAMES.forEach((name, i) => {
      const value = registerFromHex(hex.slice(i * 8, i * 8 + 8));
      if (value !== null) this.runner.regWrite(name, value);
    });
    return "OK";
  }

  private addressAndLength(text: string): { address: number; length: number } | null {
    const match = /^([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(text);
    if (!match) return null;
    return { address: parseInt(match[1], 16), length: parseInt(match[2], 16) };
  }

  private readMemory(text: string): Reply {
    const range = this.addressAndLength(text);
    if (!range || range.length > PACKET_SIZE / 2) return "E00";
    const bytes = new Uint8Array(range.length);
    try {
      for (let i = 0; i < range.length;) {
        const address = range.address + i;
        // Whole words where they fit (peripheral registers answer words), bytes around them.
        if (address % 4 === 0 && range.length - i >= 4) {
          new DataView(bytes.buffer).setUint32(i, this.chip.bus.read(address, 4), true);
          i += 4;
        } else {
          bytes[i] = this.chip.bus.read(address, 1);
          i += 1;
        }
      }
    } catch {
      return "E01";
    }
    return toHex(bytes);
  }

  private writeMemoryHex(text: string): Reply {
    const [rangeText, hex] = text.split(":");
    const range = this.addressAndLength(rangeText);
    const data = fromHex(hex ?? "");
    if (!range || !data || data.length !== range.length) return "E00";
    return this.writeMemory(range.address, data);
  }

  private writeMemoryBinary(packet: Buffer): Reply {
    const colon = packet.indexOf(0x3a);
    const range = this.addressAndLength(packet.subarray(1, colon).toString("latin1"));
    if (colon < 0 || !range) return "E00";
    const data = unescapeBinary(packet.subarray(colon + 1));
    if (data.length !== range.length) return "E00";
    return this.writeMemory(range.address, data);
  }

  private writeMemory(address: number, data: Uint8Array): Reply {
    const flashBase = this.chip.board.variant.flashBase;
    const flashEnd = flashBase + this.chip.board.variant.flashKb * 1024;
    // No flash algorithm: a debugger write to flash is refused (the operator programs flash itself).
    if (data.length > 0 && address < flashEnd && address + data.length > flashBase) return "E03";
    try {
      for (let i = 0; i < data.length;) {
        const at = address + i;
        if (at % 4 === 0 && data.length - i >= 4) {
          const word = new DataView(data.buffer, data.byteOffset).getUint32(i, true);
          if (at === DEMCR) this.vectorCatchReset = (word & DEMCR_VC_CORERESET) !== 0;
          this.chip.bus.write(at, 4, word);
          i += 4;
        } else {
          this.chip.bus.write(at, 1, data[i]);
          i += 1;
        }
      }
    } catch {
      return "E01";
    }
    // A write to AIRCR may have asked for a system reset: the part resets now.
    if (this.chip.resetPending !== null) {
      this.runner.discard();
      this.afterReset();
    }
    return "OK";
  }

  private breakpoint(text: string): Reply {
    const [type, addressText] = text.slice(1).split(",");
    if (type !== "0" && type !== "1") return "";
    const address = parseInt(addressText, 16) & ~1;
    if (text[0] === "Z") {
      this.breakpoints.add(address);
      this.runner.addStopAddress(address);
    } else {
      this.breakpoints.delete(address);
      this.runner.removeStopAddress(address);
    }
    return "OK";
  }

  /** c/s [addr]: runs in stretches so that the connection (Ctrl-C) is read between them. */
  private resume(addressText: string, step: boolean): null | Reply {
    if (addressText) this.runner.regWrite("pc", parseInt(addressText, 16) | 1);
    this.running = true;
    this.interruptRequested = false;
    if (step) {
      this.finish(this.stretch(1), true);
      return null;
    }
    const next = (): void => {
      if (!this.running) return; // the debugger went away
      if (this.interruptRequested) return this.stop(SIGINT);
      const outcome = this.stretch(STRETCH);
      if (!this.finish(outcome, false)) setImmediate(next);
    };
    setImmediate(next);
    return null;
  }

  private stretch(budget: number): RunOutcome | DeviceFault {
    try {
      return this.runner.run({ budget, deadlineUs: this.chip.clock.nowUs + SLEEP_SLICE_US, sleepWithoutWake: true, haltOnBkpt: true });
    } catch (error) {
      if (error instanceof DeviceFault) return error;
      throw error;
    }
  }

  /** Whether the run ended (a stop was reported). */
  private finish(outcome: RunOutcome | DeviceFault, step: boolean): boolean {
    if (outcome instanceof DeviceFault) {
      // The emulator cannot go on (an unmapped access, a lockup): a fresh core, halted at its reset vector.
      this.runner.start();
      this.stop(SIGSEGV);
      return true;
    }
    switch (outcome.kind) {
      case "budget":
      case "until":
        if (step) this.stop(SIGTRAP);
        return step;
      case "stop-address":
      case "bkpt":
        this.stop(SIGTRAP);
        return true;
      case "reset":
        this.afterReset();
        if (this.vectorCatchReset || step) {
          this.stop(SIGTRAP);
          return true;
        }
        return false;
      case "exit":
        // BKPT handled as a halt, so only semihosting SYS_EXIT ends here: the core is gone.
        this.runner.start();
        this.stop(SIGTRAP);
        return true;
    }
  }

  private stop(signal: number): void {
    this.running = false;
    this.lastSignal = signal;
    this.connection?.write(frame(this.stopReply()));
  }
}
