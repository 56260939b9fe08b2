// The PC side of the fusop loader's console (assembly/loader/README.md): one command line at a
// time, answered by field lines and exactly one final line. The client switches the console to
// `json on` ({"key":value} lines, then {"ok":true} or {"ok":false,"error":{...}}), a mode the loader
// keeps through the system resets a command ends in (assembly/loader/request.ts), so only that form
// is read: a text line (the echo of a line typed before `json on`, a start after a power loss
// without VBAT) is no answer.
import { CliError, EXIT } from "../command.js";
import { ByteLink, LinkTimeout } from "./byte-link.js";
import { CAN, sendYmodem, type YmodemOptions } from "./ymodem-send.js";

export type FieldValue = string | number;

export interface ConsoleAnswer {
  /** Each key's last value. */
  fields: Record<string, FieldValue>;
  /** Every field line in order (a key may repeat: diagnose's footer lines). */
  lines: [string, FieldValue][];
}

/** One console line in json mode, read: a field, the final line, or something else (an echo, a text line). */
export type ConsoleLine =
  | { kind: "field"; key: string; value: FieldValue }
  | { kind: "ok" }
  | { kind: "error"; code: string; message: string }
  | { kind: "other"; text: string };

export function parseConsoleLine(line: string): ConsoleLine {
  const text = line.trim();
  let object: Record<string, unknown>;
  try {
    object = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { kind: "other", text };
  }
  if (typeof object !== "object" || object === null) return { kind: "other", text };
  if (object.ok === true) return { kind: "ok" };
  if (object.ok === false) {
    const error = (object.error ?? {}) as { code?: unknown; message?: unknown };
    return { kind: "error", code: String(error.code ?? "LOADER_ERROR"), message: String(error.message ?? "") };
  }
  const [key, value] = Object.entries(object)[0] ?? [];
  if (key !== undefined && (typeof value === "string" || typeof value === "number")) return { kind: "field", key, value };
  return { kind: "other", text };
}

export interface ConsoleOptions {
  /** Where the line is (for messages). */
  where: string;
  /** Tries of the first exchange before DEVICE_NOT_REACHABLE. */
  connectTries?: number;
  /** Silence that counts as no answer to the first exchange. */
  connectTimeoutMs?: number;
  /** Each field or progress line the loader prints (a reset, a resumed operation). */
  onLine?(line: ConsoleLine): void;
}

/** Silence allowed inside a command that ends in FUS's resets (FW_UPGRADE takes tens of seconds on silicon). */
export const FUS_OPERATION_SILENCE_MS = 180_000;
/** Silence allowed inside any other command (info boots CPU2). */
export const COMMAND_SILENCE_MS = 15_000;
/** A line silent this long carries nothing more (at 115200 baud a byte takes under 0.1 ms). */
const QUIET_MS = 100;

export class LoaderConsole {
  constructor(readonly link: ByteLink, private readonly options: ConsoleOptions) {}

  /**
   * Takes the console: CAN CAN ends a transfer a cancelled session may have left running, CR ends
   * a half-typed line (and any key stops the loader's boot window), then `json on`.
   */
  async connect(): Promise<void> {
    const tries = this.options.connectTries ?? 3;
    const timeoutMs = this.options.connectTimeoutMs ?? 1500;
    for (let attempt = 1; attempt <= tries; attempt++) {
      await this.link.write(Uint8Array.of(CAN, CAN, 0x0d));
      // Whatever the line still carries (the rest of a cancelled transfer, the answer to a stray
      // line) is let through and dropped before the first command.
      await this.quiet(QUIET_MS, timeoutMs);
      try {
        await this.command("json on", timeoutMs);
        return;
      } catch (error) {
        // No answer, or an answer to something else (an ERROR for a line garbled by noise): again.
        if (!(error instanceof LinkTimeout) && !(error instanceof CliError)) throw error;
      }
    }
    throw new CliError("DEVICE_NOT_REACHABLE", `nothing answered on ${this.options.where} (${tries} tries, ${timeoutMs} ms each): ` +
      "check that the fusop loader runs on the part (it takes 1 s to boot an application after reset: reset the board, then run fusop at once), " +
      "that no other program holds the port, and the baud rate (--baud)", { port: this.options.where }, EXIT.unreachable);
  }

  /** Reads and drops bytes until the line has been silent for `silenceMs` (at most `limitMs` in all). */
  private async quiet(silenceMs: number, limitMs: number): Promise<void> {
    const until = Date.now() + limitMs;
    this.link.discard();
    while (Date.now() < until) {
      try {
        await this.link.readByte(silenceMs);
      } catch (error) {
        if (error instanceof LinkTimeout) return;
        throw error;
      }
    }
  }

  /** Sends one command line; resolves with its fields when it ends OK, throws its error otherwise. */
  async command(line: string, silenceMs = COMMAND_SILENCE_MS): Promise<ConsoleAnswer> {
    await this.link.write(`${line}\r`);
    return this.answer(line, silenceMs);
  }

  /** Reads field lines up to the final line (LinkTimeout after `silenceMs` without a byte). */
  async answer(subject: string, silenceMs: number): Promise<ConsoleAnswer> {
    const fields: Record<string, FieldValue> = {};
    const lines: [string, FieldValue][] = [];
    for (;;) {
      const line = parseConsoleLine(await this.link.readLine(silenceMs));
      this.options.onLine?.(line);
      if (line.kind === "field") {
        fields[line.key] = line.value;
        lines.push([line.key, line.value]);
      } else if (line.kind === "ok") return { fields, lines };
      else if (line.kind === "error") {
        throw new CliError(line.code, `the loader answered ${line.code} to '${subject}'${line.message ? `: ${line.message}` : ""}`, { loaderCommand: subject, ...fields });
      }
    }
  }

  /** A command whose outcome follows FUS's resets: long silences are normal. */
  fusOperation(line: string): Promise<ConsoleAnswer> {
    return this.command(line, FUS_OPERATION_SILENCE_MS);
  }

  /**
   * `install`, `stage [AT]` or `app`: the loader prints where it receives, asks with C, takes the file
   * by YMODEM, then prints the outcome — for an install after FUS's resets. Resolves with the
   * outcome's fields.
   */
  async sendFile(command: string, name: string, data: Uint8Array, options: YmodemOptions): Promise<ConsoleAnswer> {
    await this.link.write(`${command}\r`);
    let preamble: string;
    try {
      ({ preamble } = await sendYmodem(this.link, name, data, options));
    } catch (error) {
      // The loader may have refused the file before the transfer and said why on its console.
      const said = this.refusalIn((error as { preamble?: string }).preamble ?? "");
      if (said) throw said;
      throw error;
    }
    const refusal = this.refusalIn(preamble);
    if (refusal) throw refusal;
    return this.answer(command, command === "app" ? COMMAND_SILENCE_MS : FUS_OPERATION_SILENCE_MS);
  }

  private refusalIn(text: string): CliError | null {
    for (const raw of text.split(/\r?\n/)) {
      const line = parseConsoleLine(raw);
      if (line.kind === "error") return new CliError(line.code, `the loader refused the transfer: ${line.code} ${line.message}`);
    }
    return null;
  }
}
