// What every fusop command shares: its description (options, operands, example — the one source of
// --help, the README table test and the argument parser's configuration), the one error shape and
// the exit codes, strict number parsing, and the output channel (results on stdout, progress and
// events on stderr; with --json one NDJSON line per event, then the result).
import type { ParseArgsConfig } from "node:util";

export interface OptionSpec {
  type: "string" | "boolean";
  /** Placeholder shown in help for a string option (FILE, ADDR, X.Y.Z...). */
  value?: string;
  short?: string;
  help: string;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandContext {
  /** Operands: the positional words after the command's own words. */
  operands: string[];
  options: OptionValues;
  json: boolean;
  out: Output;
  /** "fusop stage FILE": the command's words and operands, for messages. */
  usage: string;
}

export interface CommandSpec {
  /** The words that name the command: ["plan"], ["image", "inspect"], ["auth-key", "update"]. */
  words: string[];
  /** Operand placeholders as help shows them: "FILE...", "BOARD". */
  operands: string;
  summary: string;
  options: Record<string, OptionSpec>;
  example: string;
  /** Runs the command; returns the result fields (printed as JSON, or by `text`). */
  run(context: CommandContext): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** The result for a human; default: one `key: value` line per non-null field. */
  text?(result: Record<string, unknown>): string;
}

/** Exit codes (README "Exit codes"; every --help ends with them). */
export const EXIT = { ok: 0, refused: 1, usage: 2, file: 3, unreachable: 4 } as const;
export const EXIT_CODES_HELP = "exit codes: 0 ok, 1 refused or failed, 2 usage error, 3 file or I/O error, 4 device not reachable";

/** A failure with a stable name. The exit code follows from the name unless given. */
export class CliError extends Error {
  constructor(readonly code: string, message: string, readonly details: Record<string, unknown> = {}, readonly exit?: number) {
    super(message);
  }
}

export function usageError(code: string, message: string): CliError {
  return new CliError(`USAGE_${code}`, message, {}, EXIT.usage);
}

/** Node's file-system error codes and what fusop calls them. */
const fileErrorNames: Record<string, { code: string; says: string }> = {
  ENOENT: { code: "FILE_NOT_FOUND", says: "no such file" },
  EACCES: { code: "FILE_NOT_READABLE", says: "permission denied" },
  EPERM: { code: "FILE_NOT_READABLE", says: "permission denied" },
  EISDIR: { code: "FILE_IS_DIRECTORY", says: "is a directory" },
  ENOTDIR: { code: "FILE_NOT_FOUND", says: "a part of the path is not a directory" },
  ENOSPC: { code: "FILE_WRITE_FAILED", says: "no space left on the device" },
  EROFS: { code: "FILE_WRITE_FAILED", says: "read-only file system" },
};

/** Turns a Node file-system error about `file` into a named fusop error (exit 3). */
export function fileError(file: string, cause: unknown, doing = "read"): CliError {
  const systemCode = (cause as { code?: unknown }).code;
  const known = typeof systemCode === "string" ? fileErrorNames[systemCode] : undefined;
  const reason = known?.says ?? (cause instanceof Error ? cause.message : String(cause));
  const code = known?.code ?? (doing === "read" ? "FILE_NOT_READABLE" : "FILE_WRITE_FAILED");
  return new CliError(code, `cannot ${doing} '${file}': ${reason}; check the path`, { file }, EXIT.file);
}

/** The exit code of any error a command throws. */
export function exitCodeOf(error: CliError | { code: string }): number {
  if (error instanceof CliError && error.exit !== undefined) return error.exit;
  const code = error.code;
  if (code.startsWith("USAGE_")) return EXIT.usage;
  if (code.startsWith("FILE_") || code.startsWith("BOARD_FILE")) return EXIT.file;
  if (code === "DEVICE_NOT_REACHABLE") return EXIT.unreachable;
  return EXIT.refused;
}

/** Any thrown value as { code, message, details }: operator and planner errors carry their own names. */
export function describeError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) {
    const path = (error as { path?: unknown }).path;
    return fileError(typeof path === "string" ? path : "?", error);
  }
  if (typeof code === "string" && /^[A-Z][A-Z0-9_]*$/.test(code)) {
    const { message: _m, code: _c, stack: _s, ...rest } = error as Record<string, unknown>;
    const details = Object.fromEntries(Object.entries(rest).filter(([key]) => key !== "status"));
    return new CliError(code, message, details);
  }
  return new CliError("INTERNAL", `${message} (a fusop bug: please report it with the command line)`);
}

/** Strict numbers: decimal or 0x hex, nothing else (no 0b, no exponent, no sign, no trailing text). */
export function parseInteger(text: string, what: string, maximum = 0xffffffff): number {
  const value = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text.slice(2), 16) : /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) {
    throw usageError("BAD_NUMBER", `${what}: '${text}' is not a number (decimal like 4096 or hex like 0x1000)`);
  }
  if (value > maximum) throw usageError("NUMBER_TOO_LARGE", `${what}: ${text} is above the largest allowed value ${hexAddress(maximum)}`);
  return value;
}

export function hexAddress(value: number): string {
  return `0x${(value >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
}

/** A small hex number as registers show it (0xF4, 0x3D000): uppercase, no padding. */
export function hexValue(value: number): string {
  return `0x${(value >>> 0).toString(16).toUpperCase()}`;
}

export function optionString(options: OptionValues, name: string): string | undefined {
  const value = options[name];
  return typeof value === "string" ? value : undefined;
}

export function requiredString(options: OptionValues, name: string, what: string): string {
  const value = optionString(options, name);
  if (value === undefined) throw usageError("MISSING_OPTION", `--${name} ${what} is required`);
  return value;
}

export function oneOf<T extends string>(options: OptionValues, name: string, allowed: readonly T[]): T | undefined {
  const value = optionString(options, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw usageError("BAD_VALUE", `--${name} is ${allowed.join(", ")}; not '${value}'`);
  }
  return value as T;
}

export function operandCount(context: CommandContext, minimum: number, maximum: number): void {
  const count = context.operands.length;
  if (count < minimum) throw usageError("MISSING_OPERAND", `missing operand: usage ${context.usage}`);
  if (count > maximum) throw usageError("EXTRA_OPERAND", `unexpected '${context.operands[maximum]}': usage ${context.usage}`);
}

/** Where a command writes: results on stdout; progress and events on stderr, or NDJSON in --json. */
export class Output {
  constructor(readonly json: boolean, private readonly write: (stream: "out" | "err", line: string) => void) {}

  event(kind: string, fields: Record<string, unknown>, line: string): void {
    if (this.json) this.write("out", JSON.stringify({ event: kind, ...fields }));
    else this.write("err", line);
  }

  notice(line: string): void {
    this.event("notice", { message: line }, `fusop: ${line}`);
  }

  result(fields: Record<string, unknown>, text: string): void {
    if (this.json) this.write("out", JSON.stringify({ ok: true, ...fields }));
    else if (text !== "") this.write("out", text);
  }

  failure(error: CliError): void {
    if (this.json) this.write("out", JSON.stringify({ ok: false, error: { code: error.code, message: error.message, ...error.details } }));
    else this.write("err", `fusop: error ${error.code}: ${error.message}`);
  }

  /** Plain text (help, version) on stdout. */
  print(text: string): void {
    this.write("out", text);
  }
}

export function defaultText(result: Record<string, unknown>): string {
  return Object.entries(result)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}: ${typeof value === "object" ? JSON.stringify(value) : value}`)
    .join("\n");
}

/** parseArgs configuration of a command plus the options every command takes. */
export function parseConfig(options: Record<string, OptionSpec>): NonNullable<ParseArgsConfig["options"]> {
  const config: NonNullable<ParseArgsConfig["options"]> = {};
  for (const [name, spec] of Object.entries({ ...options, ...COMMON_OPTIONS })) {
    config[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  }
  return config;
}

export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: "boolean", help: "print the result as JSON on stdout (events before it as NDJSON lines)" },
  help: { type: "boolean", short: "h", help: "show this help and exit" },
};
