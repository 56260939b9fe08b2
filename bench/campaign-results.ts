// Writes one delimited section of bench/results.md, leaving everything else in the file as it is:
// the campaign and fuzz runners each own a section, `make bench` owns the rest.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../host-sim/paths.js";

export const resultsPath = join(projectRoot, "bench", "results.md");

const SECTION = /<!-- ([a-z-]+):begin [^\n]*-->[\s\S]*?<!-- \1:end -->/g;

/**
 * Writes `text` as bench/results.md, keeping the runners' delimited sections of the file there was
 * (`make bench` owns everything outside them): they follow `text`, in their order.
 */
export function writeResultsKeepingSections(text: string, path = resultsPath): void {
  const sections = existsSync(path) ? readFileSync(path, "utf8").match(SECTION) ?? [] : [];
  writeFileSync(path, [text.trimEnd(), ...sections].join("\n\n") + "\n");
}

/** Replaces (or appends) the section between `<!-- NAME:begin -->` and `<!-- NAME:end -->`. */
export function writeResultsSection(name: string, body: string, path = resultsPath): void {
  const begin = `<!-- ${name}:begin (written by the ${name} runner; edits here are overwritten) -->`;
  const end = `<!-- ${name}:end -->`;
  const section = `${begin}\n${body.trimEnd()}\n${end}`;
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const start = text.indexOf(`<!-- ${name}:begin`);
  const stop = text.indexOf(end);
  const next = start >= 0 && stop > start
    ? text.slice(0, start) + section + text.slice(stop + end.length)
    : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
}
