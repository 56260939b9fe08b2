// The serial target: a part running the fusop loader (assembly/loader), reached over a serial line
// (`--port DEVICE [--baud N]`, or `--port auto` for the one ST-LINK virtual COM port plugged in).
// The operator runs on the part; the PC tool speaks the loader's console (json on) and sends images
// by YMODEM. `serialport` is loaded only here, only when --port is used, so every other command
// works without it.
import { readdirSync, readFileSync, realpathSync, existsSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { CliError, EXIT, hexAddress, hexValue, parseInteger, type Output } from "../command.js";
import { sbrvAddress, sfsaAddress } from "../flash-map.js";
import { stackTypeName } from "../stack-types.js";
import { fusErrorName, fusStateName } from "../../host-sim/operator.js";
import { ByteLink } from "./byte-link.js";
import { LoaderConsole, type ConsoleAnswer, type FieldValue } from "./loader-console.js";
import { YmodemError } from "./ymodem-send.js";

/** The loader's console speed unless --baud says otherwise (FUSOP_CONSOLE_BAUD, runtime-c/usart.c). */
export const DEFAULT_BAUD = 115200;

/**
 * ST-LINK USB ids (vendor 0x0483) whose probes carry a virtual COM port: ST-LINK/V2-1 (0x374B;
 * 0x3752 without mass storage) as on NUCLEO-WB55, and STLINK-V3 (0x374E, 0x374F, 0x3753, 0x3754).
 * The ST-LINK/V2 dongle (0x3748) has no COM port. Same list as OpenOCD's interface/stlink.cfg.
 */
export const STLINK_VENDOR_ID = "0483";
export const STLINK_VCP_PRODUCT_IDS = ["374b", "3752", "374e", "374f", "3753", "3754"];

export interface PortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
}

/** The ST-LINK virtual COM ports among `ports`. */
export function stlinkPorts(ports: PortInfo[]): PortInfo[] {
  return ports.filter((port) => port.vendorId?.toLowerCase() === STLINK_VENDOR_ID && STLINK_VCP_PRODUCT_IDS.includes(port.productId?.toLowerCase() ?? ""));
}

type SerialPortModule = typeof import("serialport");

async function loadSerialport(): Promise<SerialPortModule> {
  try {
    return await import("serialport");
  } catch (error) {
    throw new CliError("SERIALPORT_MISSING", `--port needs the serialport package, which did not load (${(error as Error).message.split("\n")[0]}): ` +
      "install it next to fusop (npm install -g serialport, or npm install serialport in the project that uses fusop)");
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((directory) => directory !== "" && existsSync(join(directory, command)));
}

/**
 * USB serial ports from Linux's sysfs (/sys/class/tty/X/device → the USB interface; its parent
 * holds idVendor/idProduct): used where serialport's list() cannot run (it needs udevadm).
 */
function sysfsPorts(): PortInfo[] {
  const ports: PortInfo[] = [];
  let names: string[];
  try {
    names = readdirSync("/sys/class/tty");
  } catch {
    return ports;
  }
  for (const name of names) {
    const device = join("/sys/class/tty", name, "device");
    if (!existsSync(device)) continue;
    let directory = realpathSync(device);
    for (let depth = 0; depth < 4 && directory !== "/"; depth++, directory = dirname(directory)) {
      const vendor = join(directory, "idVendor");
      if (!existsSync(vendor)) continue;
      const read = (file: string) => (existsSync(join(directory, file)) ? readFileSync(join(directory, file), "utf8").trim() : undefined);
      ports.push({ path: `/dev/${name}`, vendorId: read("idVendor"), productId: read("idProduct"), serialNumber: read("serial") });
      break;
    }
  }
  return ports;
}

export async function listPorts(): Promise<PortInfo[]> {
  if (process.platform === "linux" && !onPath("udevadm")) return sysfsPorts();
  const { SerialPort } = await loadSerialport();
  return SerialPort.list();
}

/** `--port auto`: the one ST-LINK virtual COM port; none or several is a named error. */
export async function findStlinkPort(): Promise<string> {
  const found = stlinkPorts(await listPorts());
  if (found.length === 1) return found[0].path;
  if (found.length === 0) {
    throw new CliError("DEVICE_NOT_REACHABLE", "--port auto: no ST-LINK virtual COM port is plugged in (USB 0483:" +
      `${STLINK_VCP_PRODUCT_IDS.join("/")}); plug the board in, or name the port: --port /dev/ttyACM0 (Linux), /dev/cu.usbmodem* (macOS), COM3 (Windows)`,
    {}, EXIT.unreachable);
  }
  throw new CliError("PORT_AMBIGUOUS", `--port auto: ${found.length} ST-LINK virtual COM ports (${found.map((port) => `${port.path}${port.serialNumber ? ` serial ${port.serialNumber}` : ""}`).join(", ")}); name one with --port`,
    { ports: found.map((port) => port.path) }, EXIT.usage);
}

/** What the loader says about the part, in the shape `fusop --board B info` gives it. */
export interface PortPart {
  mode: "fus" | "stack" | "unknown";
  fields: Record<string, unknown>;
  /** For the flash map: what the part reports of its layout. */
  layout: { flashKb: number; sectorBytes: number; sfsa: number; sbrv: number; appEnd?: number };
}

function text(fields: Record<string, FieldValue>, key: string): string {
  const value = fields[key];
  if (value === undefined) throw new CliError("LOADER_ANSWER_INCOMPLETE", `the loader's answer lacks '${key}': update the loader on the part (this fusop expects loader 0.1.0 or later)`);
  return String(value);
}

function number(fields: Record<string, FieldValue>, key: string): number {
  return parseInteger(text(fields, key), `the loader's ${key}`);
}

/** DBGMCU device id 0x494 is WB1x, whose flash sectors are 2 KiB; 4 KiB on the others (cpu2-interface §2, §6.2). */
function sectorBytesOf(deviceId: number): number {
  return deviceId === 0x494 ? 2048 : 4096;
}

export function describePart(info: Pick<ConsoleAnswer, "fields">, state: Pick<ConsoleAnswer, "fields"> | null): PortPart {
  const fields = info.fields;
  const cpu2 = text(fields, "cpu2");
  const mode = cpu2 === "fus" ? "fus" : cpu2 === "stack" ? "stack" : "unknown";
  const deviceId = number(fields, "device-id");
  const sectorBytes = sectorBytesOf(deviceId);
  const sfsa = number(fields, "sfsa");
  const sbrv = number(fields, "sbrv");
  const stack = text(fields, "stack");
  const hasStack = stack !== "none";
  const stackType = hasStack ? number(fields, "stack-type") : 0;
  const applicationBytes = fields["application-bytes"];
  const fusState = state ? number(state.fields, "fus-state") : null;
  const fusError = state ? number(state.fields, "fus-error") : null;
  return {
    mode,
    fields: {
      mode,
      fusVersion: text(fields, "fus"),
      stackVersion: hasStack ? stack : null,
      stackType: hasStack ? `0x${stackType.toString(16).toUpperCase().padStart(2, "0")}` : null,
      stackTypeName: hasStack ? stackTypeName(stackType) : null,
      safebootVersion: text(fields, "safeboot"),
      sfsa: hexValue(sfsa),
      sfsaAddress: hexAddress(sfsaAddress(sfsa, sectorBytes)),
      sbrv: hexValue(sbrv),
      sbrvAddress: hexAddress(sbrvAddress(sbrv)),
      state: fusState === null ? null : fusStateName(fusState),
      error: fusError === null ? null : fusErrorName(fusError),
      flashKb: number(fields, "flash-kb"),
      deviceId: hexValue(deviceId),
      revisionId: hexValue(number(fields, "revision-id")),
      uid64: `0x${text(fields, "uid64").replace(/^0x/, "").toUpperCase().padStart(16, "0")}`,
    },
    layout: {
      flashKb: number(fields, "flash-kb"), sectorBytes, sfsa, sbrv,
      appEnd: typeof applicationBytes === "number" ? number(fields, "application") + applicationBytes : undefined,
    },
  };
}

/** A part behind a serial line, its loader's console taken. */
export class SerialTarget {
  readonly kind = "serial";
  private readonly startedAt = Date.now();

  constructor(readonly where: string, readonly console: LoaderConsole, private readonly closePort: () => Promise<void>) {}

  /** info (and, when FUS runs, its state: GET_STATE is never sent to a running stack, fus-behaviour §1.8). */
  async describe(): Promise<PortPart> {
    const info = await this.console.command("info");
    const state = info.fields.cpu2 === "fus" ? await this.console.command("state") : null;
    return describePart(info, state);
  }

  /** Sends `data` to the loader's `install` with a progress display; Ctrl-C cancels the transfer (CAN CAN). */
  install(name: string, data: Uint8Array, out: Output): Promise<ConsoleAnswer> {
    return this.send("install", name, data, out);
  }

  /** Sends `data` to a receiving console command (`install`, `stage [AT]`) with a progress display; Ctrl-C cancels the transfer. */
  async send(command: string, name: string, data: Uint8Array, out: Output): Promise<ConsoleAnswer> {
    const controller = new AbortController();
    const interrupt = () => controller.abort();
    process.once("SIGINT", interrupt);
    const progress = new TransferProgress(out, name);
    try {
      const answer = await this.console.sendFile(command, name, data, { signal: controller.signal, onProgress: (sent, total) => progress.update(sent, total) });
      progress.done();
      return answer;
    } catch (error) {
      progress.done();
      if (error instanceof YmodemError) {
        if (error.code === "TRANSFER_CANCELLED") {
          // The loader answers the cancel with its own final line and erases what arrived: read it,
          // so the part is known to be back at its console.
          const after = await this.console.answer(command, 5000).catch((cause: unknown) => cause);
          const loaderAnswer = after instanceof CliError ? after.code : null;
          throw new CliError("TRANSFER_CANCELLED", `${command} of ${name} cancelled${loaderAnswer ? ` (the loader: ${loaderAnswer})` : ""}; ` +
            "nothing was installed and the part is back at its console", { file: name, loaderAnswer });
        }
        throw new CliError(error.code, `${name}: ${error.message}`, { file: name });
      }
      throw error;
    } finally {
      process.removeListener("SIGINT", interrupt);
    }
  }

  /**
   * A console command the operator on the part answers (a FUS command among them): a refusal by FUS
   * itself (COMMAND_REJECTED, with the FUS error the loader read back) is named as the other targets
   * name it (host-sim/operator.ts fusCommand): the FUS error, or FUS_COMMAND_REJECTED.
   */
  async operatorCommand(line: string, silenceMs?: number): Promise<ConsoleAnswer> {
    try {
      return await this.console.command(line, silenceMs);
    } catch (error) {
      if (!(error instanceof CliError) || error.code !== "COMMAND_REJECTED") throw error;
      const fusError = error.details["fus-error"];
      const code = typeof fusError === "string" && Number(fusError) !== 0 ? fusErrorName(Number(fusError)) : "FUS_COMMAND_REJECTED";
      throw new CliError(code, `${line}: refused by CPU2${code === "FUS_COMMAND_REJECTED" ? "" : ` (${code})`}`, error.details);
    }
  }

  /** As the other targets' session.ensureFus(): a running stack is left for FUS first (start-fus, a system reset). */
  async ensureFus(): Promise<void> {
    if ((await this.describe()).mode === "stack") await this.console.fusOperation("start-fus");
  }

  get elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  close(): Promise<void> {
    return this.closePort();
  }
}

/** Bytes, per cent and rate of a transfer: a bar redrawn on a terminal, events otherwise (NDJSON in --json). */
class TransferProgress {
  private readonly startedAt = Date.now();
  private lastReported = -1;
  private drawn = false;

  constructor(private readonly out: Output, private readonly file: string) {}

  update(sent: number, total: number): void {
    const percent = Math.floor((sent * 100) / total);
    const seconds = Math.max((Date.now() - this.startedAt) / 1000, 0.001);
    const bytesPerSecond = Math.round(sent / seconds);
    const terminal = !this.out.json && process.stderr.isTTY === true;
    if (terminal) {
      const width = 30;
      const filled = Math.round((percent / 100) * width);
      process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${sent}/${total} bytes ${percent}% ${(bytesPerSecond / 1024).toFixed(1)} KiB/s`);
      this.drawn = true;
      return;
    }
    // Not a terminal: an event every 10 % (and the last block).
    if (percent < this.lastReported + 10 && sent !== total) return;
    this.lastReported = percent;
    this.out.event("progress", { file: this.file, bytes: sent, total, percent, bytesPerSecond }, `${this.file}: ${sent}/${total} bytes ${percent}% ${(bytesPerSecond / 1024).toFixed(1)} KiB/s`);
  }

  done(): void {
    if (this.drawn) process.stderr.write("\n");
    this.drawn = false;
  }
}

/** Opens `--port` (a device path, or auto) at `baud` and takes the loader's console; DEVICE_NOT_REACHABLE (exit 4) when nothing answers. */
export async function openSerialTarget(portOption: string, baud: number, out: Output): Promise<SerialTarget> {
  const path = portOption === "auto" ? await findStlinkPort() : portOption;
  if (portOption === "auto") out.notice(`--port auto: ${path}`);
  const { SerialPort } = await loadSerialport();
  const port = new SerialPort({ path, baudRate: baud, autoOpen: false });
  try {
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  } catch (error) {
    const message = (error as Error).message;
    if (/EACCES|permission denied/i.test(message)) {
      throw new CliError("PORT_ACCESS_DENIED", `cannot open ${path}: permission denied; on Linux add yourself to the dialout group (sudo usermod -aG dialout $USER, then log in again)`, { port: path }, EXIT.unreachable);
    }
    if (/EBUSY|resource busy|Access denied/i.test(message)) {
      throw new CliError("PORT_BUSY", `cannot open ${path}: another program holds it (a terminal, a second fusop); close it`, { port: path }, EXIT.unreachable);
    }
    throw new CliError("DEVICE_NOT_REACHABLE", `cannot open ${path}: ${message}; check the port name (fusop --port auto finds an ST-LINK)`, { port: path }, EXIT.unreachable);
  }
  const link = new ByteLink({
    write: (bytes) => new Promise((resolve, reject) => {
      port.write(Buffer.from(bytes), (error) => (error ? reject(error) : port.drain((drained) => (drained ? reject(drained) : resolve()))));
    }),
  });
  port.on("data", (chunk: Buffer) => link.push(new Uint8Array(chunk)));
  port.on("close", () => link.close(`${path} closed`));
  port.on("error", (error: Error) => link.close(`${path}: ${error.message}`));
  const close = () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  const console = new LoaderConsole(link, {
    where: `${path} at ${baud} baud`,
    onLine: (line) => {
      if (line.kind === "field" && (line.key === "progress" || line.key === "resume")) out.event("loader", { [line.key]: line.value }, `loader: ${line.key} ${line.value}`);
    },
  });
  try {
    await console.connect();
  } catch (error) {
    await close();
    throw error;
  }
  return new SerialTarget(path, console, close);
}
