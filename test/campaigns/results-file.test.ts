// bench/results.md has three writers: `make bench` owns the file outside the delimited sections,
// `make fuzz` and `make campaign` each own one section (bench/campaign-results.ts).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { writeResultsKeepingSections, writeResultsSection } from "../../bench/campaign-results.js";

const directories: string[] = [];
function scratchFile(): string {
  const directory = mkdtempSync(join(tmpdir(), "fusop-results-"));
  directories.push(directory);
  return join(directory, "results.md");
}
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe("bench/results.md writers", () => {
  test("make bench rewrites its part and keeps the fuzz and campaign sections, in their order", () => {
    const path = scratchFile();
    writeResultsKeepingSections("# bench\n\nold table\n", path);
    writeResultsSection("fuzz", "## Fuzzing\n\n| fuzz row |", path);
    writeResultsSection("campaign", "## Fault campaign\n\n| campaign row |", path);
    writeResultsKeepingSections("# bench\n\nnew table\n", path);
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain("old table");
    expect(text.startsWith("# bench\n\nnew table\n\n<!-- fuzz:begin")).toBe(true);
    expect(text.indexOf("| fuzz row |")).toBeLessThan(text.indexOf("| campaign row |"));
    expect(text.endsWith("| campaign row |\n<!-- campaign:end -->\n")).toBe(true);
  });

  test("a runner rewriting its section after make bench leaves the bench part and the other section alone", () => {
    const path = scratchFile();
    writeResultsSection("fuzz", "fuzz one", path);
    writeResultsSection("campaign", "campaign one", path);
    writeResultsKeepingSections("# bench", path);
    writeResultsSection("fuzz", "fuzz two", path);
    const text = readFileSync(path, "utf8");
    expect(text).toMatch(/^# bench\n\n<!-- fuzz:begin [^\n]*-->\nfuzz two\n<!-- fuzz:end -->\n\n<!-- campaign:begin [^\n]*-->\ncampaign one\n<!-- campaign:end -->\n$/);
  });
});
