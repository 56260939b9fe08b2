// fusop's dispatcher: finds the command among the words (options may stand anywhere: `fusop info
// --board b.json` and `fusop --board b.json info`), parses its options with Node's util.parseArgs,
// runs it and prints the result or the one error format. Help is generated from the commands' specs.
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../host-sim/paths.js";
import {
  COMMON_OPTIONS, CliError, EXIT, EXIT_CODES_HELP, Output, defaultText, describeError, exitCodeOf, parseConfig, usageError,
  type CommandSpec, type OptionSpec,
} from "./command.js";
import { boardCommands } from "./board-command.js";
import { imageCommands } from "./image-command.js";
import { planCommand } from "./plan-command.js";
import { simCommands } from "./sim-command.js";
import { demoCommand } from "./demo.js";

/** Every command, in the order help lists them. */
export const commands: CommandSpec[] = [demoCommand, ...imageCommands, planCommand, ...simCommands, ...boardCommands];

export function version(): string {
  return (JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { version: string }).version;
}

function optionLabel(name: string, spec: OptionSpec): string {
  const long = `--${name}${spec.type === "string" ? ` ${spec.value ?? "VALUE"}` : ""}`;
  return spec.short ? `-${spec.short}, ${long}` : long;
}

export function commandHelp(spec: CommandSpec): string {
  const options = { ...spec.options, ...COMMON_OPTIONS };
  const labels = Object.entries(options).map(([name, option]) => [optionLabel(name, option), option.help] as const);
  const width = Math.max(...labels.map(([label]) => label.length)) + 2;
  return [
    `usage: fusop ${spec.words.join(" ")}${spec.operands ? ` ${spec.operands}` : ""} [options]`,
    "",
    spec.summary,
    "",
    "options:",
    ...labels.map(([label, help]) => `  ${label.padEnd(width)}${help}`),
    "",
    "example:",
    `  ${spec.example}`,
    "",
    EXIT_CODES_HELP,
  ].join("\n");
}

export function topHelp(): string {
  const lines = commands.map((spec) => [`${spec.words.join(" ")}${spec.operands ? ` ${spec.operands}` : ""}`, spec.summary.split("\n")[0]] as const);
  const width = Math.max(...lines.map(([left]) => left.length)) + 2;
  return [
    "usage: fusop <command> [options]     (options may stand before or after the command)",
    "",
    "commands:",
    ...lines.map(([left, right]) => `  ${left.padEnd(width)}${right}`),
    "",
    "`fusop <command> --help` shows a command's options and an example.",
    "  -h, --help     show this help",
    "  --version      print fusop's version",
    "",
    "example:",
    "  fusop sim create part.json --family wb5x --flash-kb 1024 --fus 1.2.0 && fusop plan --board part.json FUS.bin",
    "",
    EXIT_CODES_HELP,
  ].join("\n");
}

/** The words of argv that are not options or option values (any command's option may take a value). */
function positionalWords(argv: string[]): string[] {
  const valueOptions = new Set<string>();
  for (const spec of commands) {
    for (const [name, option] of Object.entries(spec.options)) if (option.type === "string") valueOptions.add(name);
  }
  const words: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index];
    if (word === "--") return [...words, ...argv.slice(index + 1)];
    if (word.startsWith("--")) {
      if (!word.includes("=") && valueOptions.has(word.slice(2))) index++;
    } else if (!(word.startsWith("-") && word.length > 1)) {
      words.push(word);
    }
  }
  return words;
}

function findCommand(words: string[]): CommandSpec | undefined {
  return commands.find((spec) => spec.words.every((word, index) => words[index] === word));
}

function groupCommands(word: string): CommandSpec[] {
  return commands.filter((spec) => spec.words.length > 1 && spec.words[0] === word);
}

/** What util.parseArgs reports, with fusop's names (exit 2). */
function parseError(error: unknown, spec: CommandSpec): CliError {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message.split(/\. To specify|\.?\s*$/)[0];
  const see = `(see fusop ${spec.words.join(" ")} --help)`;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return usageError("UNKNOWN_OPTION", `${message} ${see}`);
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return usageError("BAD_OPTION_VALUE", `${message} ${see}`);
  return usageError("BAD_ARGUMENTS", `${message} ${see}`);
}

export type Writer = (stream: "out" | "err", line: string) => void;

const consoleWriter: Writer = (stream, line) => (stream === "out" ? console.log(line) : console.error(line));

/** Runs one fusop command line; returns the exit code. */
export async function runCli(argv: string[], write: Writer = consoleWriter): Promise<number> {
  const json = argv.includes("--json");
  const out = new Output(json, write);
  const words = positionalWords(argv);
  const wantsHelp = argv.includes("--help") || argv.includes("-h");
  let spec: CommandSpec | undefined;
  try {
    if (words.length === 0) {
      if (argv.includes("--version")) {
        out.print(json ? JSON.stringify({ ok: true, version: version() }) : `fusop ${version()}`);
        return EXIT.ok;
      }
      if (wantsHelp) {
        out.print(topHelp());
        return EXIT.ok;
      }
      throw usageError("NO_COMMAND", "no command given (fusop --help lists them)");
    }
    if (words[0] === "help") {
      const topic = findCommand(words.slice(1));
      out.print(topic ? commandHelp(topic) : topHelp());
      return EXIT.ok;
    }
    spec = findCommand(words);
    if (!spec) {
      const group = groupCommands(words[0]);
      if (group.length > 0) {
        const list = group.map((member) => member.words.join(" ")).join(", ");
        if (wantsHelp && (words.length === 1)) {
          out.print([`fusop ${words[0]}: ${list}`, "", ...group.map(commandHelp)].join("\n\n"));
          return EXIT.ok;
        }
        throw usageError("UNKNOWN_COMMAND", words[1] === undefined ? `fusop ${words[0]} needs one of: ${list}` : `unknown command 'fusop ${words[0]} ${words[1]}'; one of: ${list}`);
      }
      throw usageError("UNKNOWN_COMMAND", `unknown command '${words[0]}' (fusop --help lists the commands)`);
    }
    if (wantsHelp) {
      out.print(commandHelp(spec));
      return EXIT.ok;
    }
    // A negative number would read as an option to parseArgs; it is never a valid value in fusop.
    const negative = argv.find((word) => /^-\d/.test(word));
    if (negative !== undefined) throw usageError("BAD_NUMBER", `'${negative}' is not a number fusop takes (decimal like 4096 or hex like 0x1000, never negative)`);
    let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
    try {
      parsed = parseArgs({ args: argv, options: parseConfig(spec.options), allowPositionals: true, strict: true }) as typeof parsed;
    } catch (error) {
      throw parseError(error, spec);
    }
    const operands = parsed.positionals.slice(spec.words.length);
    const usage = `fusop ${spec.words.join(" ")}${spec.operands ? ` ${spec.operands}` : ""}`;
    const result = await spec.run({ operands, options: parsed.values, json, out, usage });
    out.result(result, (spec.text ?? defaultText)(result));
    return EXIT.ok;
  } catch (error) {
    const failure = describeError(error);
    out.failure(failure);
    return exitCodeOf(failure);
  }
}
