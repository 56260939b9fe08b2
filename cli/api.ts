// fusop's programmatic API: the same commands as the command line, with their JSON results. Each
// call runs one command in-process and resolves to its outcome; events (resets, boots, FUS states)
// are collected in order. Nothing is printed.
import { runCli } from "./cli.js";

export interface FusopEvent {
  event: string;
  [field: string]: unknown;
}

export type FusopOutcome =
  | { ok: true; exitCode: 0; result: Record<string, unknown>; events: FusopEvent[] }
  | { ok: false; exitCode: number; error: { code: string; message: string; [detail: string]: unknown }; events: FusopEvent[] };

/** Runs any fusop command line (without the leading "fusop"), e.g. ["info", "--board", "part.json"]. */
export async function fusop(argv: string[]): Promise<FusopOutcome> {
  const lines: string[] = [];
  const exitCode = await runCli([...argv.filter((word) => word !== "--json"), "--json"], (stream, line) => {
    if (stream === "out") lines.push(line);
  });
  const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const events = parsed.filter((entry) => "event" in entry) as FusopEvent[];
  const final = parsed.at(-1) ?? {};
  if (exitCode === 0) {
    const { ok: _ok, ...result } = final;
    return { ok: true, exitCode: 0, result, events };
  }
  return { ok: false, exitCode, error: final.error as { code: string; message: string }, events };
}

export type Tier = "wasm" | "arm";

/** Decodes a coprocessor image's footers (`fusop image inspect FILE`). */
export function inspect(file: string): Promise<FusopOutcome> {
  return fusop(["image", "inspect", file]);
}

/** A part described by hand, as `fusop plan` options (`--family`, `--flash-kb`, `--fus`, ...). */
export interface PartOptions {
  family: "wb5x" | "wb3x" | "wb1x";
  flashKb: number;
  fus: string;
  stack?: string;
  sfsa?: number;
  appEnd?: number;
  nvm?: boolean;
  antirollback?: "active" | "activate";
  antirollbackReference?: string;
}

/** The upgrade plan for `files` on a board (`{ board }`) or a described part (`fusop plan`). */
export function plan(files: string[], part: { board: string; tier?: Tier } | PartOptions): Promise<FusopOutcome> {
  if ("board" in part) return fusop(["plan", ...files, "--board", part.board, ...(part.tier ? ["--tier", part.tier] : [])]);
  const options: string[] = ["--family", part.family, "--flash-kb", String(part.flashKb), "--fus", part.fus];
  if (part.stack !== undefined) options.push("--stack", part.stack);
  if (part.sfsa !== undefined) options.push("--sfsa", String(part.sfsa));
  if (part.appEnd !== undefined) options.push("--app-end", `0x${part.appEnd.toString(16)}`);
  if (part.nvm) options.push("--nvm");
  if (part.antirollback !== undefined) options.push("--antirollback", part.antirollback);
  if (part.antirollbackReference !== undefined) options.push("--antirollback-reference", part.antirollbackReference);
  return fusop(["plan", ...files, ...options]);
}

/** Any board command (`info`, `install FILE...`, `stage FILE`, `upgrade`, `erase --range ...`, ...) on a board file. */
export function board(boardPath: string, command: string[], options: { tier?: Tier } = {}): Promise<FusopOutcome> {
  return fusop([...command, "--board", boardPath, ...(options.tier ? ["--tier", options.tier] : [])]);
}

/** `fusop install FILE... --board BOARD`: plan, stage, FW_UPGRADE, verify, start the stack. */
export function install(boardPath: string, files: string[], options: { tier?: Tier; noStart?: boolean } = {}): Promise<FusopOutcome> {
  return board(boardPath, ["install", ...files, ...(options.noStart ? ["--no-start"] : [])], options);
}
