// The README's command table as `--help` describes the commands: one row per command with its
// operands, every option and the summary. test/cli/conventions.test.ts checks the README holds it.
import { commands } from "../../cli/cli.js";
import { fusop } from "./cli.js";

export const TABLE_START = "<!-- cli-table: generated from --help; test/cli/conventions.test.ts checks it -->";
export const TABLE_END = "<!-- /cli-table -->";

const cell = (text: string) => text.replace(/\|/g, "\\|");

export interface HelpPage {
  usage: string;
  summary: string;
  options: string[];
}

export function parseHelp(text: string): HelpPage {
  const lines = text.split("\n");
  const usage = /^usage: (.*) \[options\]$/.exec(lines[0])![1];
  const start = lines.indexOf("options:") + 1;
  const end = lines.indexOf("", start);
  const options = lines.slice(start, end).map((line) => /^ {2}(\S+(?:, --\S+)?(?: [A-Z0-9.|:a-z-]+)?)\s{2,}/.exec(line)?.[1] ?? line.trim());
  return { usage, summary: lines[2], options };
}

export async function helpPages(): Promise<HelpPage[]> {
  const pages: HelpPage[] = [];
  for (const spec of commands) pages.push(parseHelp((await fusop([...spec.words, "--help"])).out.join("\n")));
  return pages;
}

export function readmeTable(pages: HelpPage[]): string {
  return [
    TABLE_START,
    "| command | options | what it does |",
    "|---|---|---|",
    ...pages.map((page) => `| \`${cell(page.usage)}\` | ${page.options.map((option) => `\`${cell(option)}\``).join(" ")} | ${cell(page.summary)} |`),
    TABLE_END,
  ].join("\n");
}
