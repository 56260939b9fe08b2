// The repository cites its facts as "cpu2-interface §4.5", "fus-behaviour §1.10" or "seed §3.3" and
// names sources with tags such as F-SCAN or MPY (docs/README.md). These tests keep the citations
// honest: every cited section must be a heading of the fact sheet in docs/, every source tag must
// be defined in a sheet's source table, and nothing may point a reader outside the clone.
import { readFileSync, readdirSync } from "node:fs";
import { extname, join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { projectRoot } from "../../host-sim/paths.js";

const docsDirectory = join(projectRoot, "docs");

/** Which file of docs/ each citation prefix refers to. */
const SHEETS: Record<string, string> = {
  "cpu2-interface": "cpu2-interface.md",
  "fus-behaviour": "fus-behaviour.md",
  seed: "st-wiki-notes.md",
};

/** Folders that hold no sources of the project (dependencies, build output, git's own data). */
const SKIPPED_DIRECTORIES = new Set([".git", "node_modules", "build", "dist", "boards"]);
/** Files whose text may carry citations. */
const CITING_EXTENSIONS = new Set([".ts", ".c", ".h", ".cc", ".mjs", ".md", ".json"]);
/** Files that are data, not text a reader follows. */
const BINARY_EXTENSIONS = new Set([".bin", ".wasm", ".node", ".o", ".a", ".elf", ".hex"]);

function walk(directory: string, found: string[] = []): string[] {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) walk(join(directory, entry.name), found);
    } else if (entry.isFile()) {
      found.push(join(directory, entry.name));
    }
  }
  return found;
}

interface SourceFile {
  path: string; // relative to the project root
  text: string;
}

const allFiles: SourceFile[] = walk(projectRoot)
  .filter((path) => !BINARY_EXTENSIONS.has(extname(path)) && !path.endsWith("package-lock.json"))
  .map((path) => ({ path: relative(projectRoot, path), text: readFileSync(path, "utf8") }));
const citingFiles = allFiles.filter((file) => CITING_EXTENSIONS.has(extname(file.path)));

const SECTION = String.raw`[0-9]+(?:\.[0-9]+)*`;
// "<sheet>[.md]['s] §A[, §B][ and §C][–§D]", possibly broken across comment lines ("fus-behaviour\n * §1.7").
// Inside docs/, fus-behaviour.md names the wiki page "WIKI", numbered like st-wiki-notes.md.
const CITATION = new RegExp(
  String.raw`\b(cpu2-interface|fus-behaviour|seed|WIKI)(?:\.md)?(?:'s)?[\s/*#]*` +
    String.raw`(§\s?${SECTION}(?:(?:\s*,\s*|\s+and\s+)§\s?${SECTION}|\s*[–-]\s*§?\s?${SECTION})*)`,
  "g",
);

/** Section numbers that are headings of a docs/ file ("## 4.", "### 1.10 ...", "#### 4.7.2 ..."). */
function headingNumbers(markdown: string): Set<string> {
  const numbers = new Set<string>();
  for (const match of markdown.matchAll(/^#{1,6}\s+([0-9]+(?:\.[0-9]+)*)\.?\s/gm)) numbers.add(match[1]);
  return numbers;
}

const headings = new Map<string, Set<string>>(
  Object.entries(SHEETS).map(([prefix, file]) => [prefix, headingNumbers(readFileSync(join(docsDirectory, file), "utf8"))]),
);

interface Citation {
  where: string; // file:line
  sheet: string;
  section: string;
}

function citationsIn(file: SourceFile): Citation[] {
  const citations: Citation[] = [];
  for (const match of file.text.matchAll(CITATION)) {
    const line = file.text.slice(0, match.index).split("\n").length;
    const sheet = match[1] === "WIKI" ? "seed" : match[1];
    for (const section of match[2].matchAll(new RegExp(SECTION, "g"))) {
      citations.push({ where: `${file.path}:${line}`, sheet, section: section[0] });
    }
  }
  return citations;
}

/** A "§N" of another document (RM0434 §3.3.8, AN5185-zh §1.1), not of a sheet of docs/. */
const FOREIGN_DOCUMENT = /\b(?:RM|AN|UM|DS)[0-9]{4}(?:-[a-z0-9]+)?\s?$/;

/** "§N" with no sheet named before it: the sheets the file cites elsewhere (its own sheet in docs/). */
function bareReferencesIn(file: SourceFile): Citation[] {
  const ownSheet = Object.keys(SHEETS).find((prefix) => file.path === `docs/${SHEETS[prefix]}`);
  const cited = new Set(citationsIn(file).map((c) => c.sheet));
  const candidates = ownSheet ? [ownSheet] : cited.size > 0 ? [...cited] : Object.keys(SHEETS);
  const withoutCitations = file.text.replace(CITATION, (match) => match.replace(/[^\n]/g, " "));
  const references: Citation[] = [];
  for (const match of withoutCitations.matchAll(new RegExp(String.raw`§\s?(${SECTION})`, "g"))) {
    if (FOREIGN_DOCUMENT.test(withoutCitations.slice(Math.max(0, match.index - 16), match.index))) continue;
    const where = `${file.path}:${withoutCitations.slice(0, match.index).split("\n").length}`;
    const sheet = candidates.find((prefix) => headings.get(prefix)!.has(match[1])) ?? candidates.join(" or ");
    references.push({ where, sheet, section: match[1] });
  }
  return references;
}

const citations = citingFiles.flatMap(citationsIn);

describe("citations of docs/ sections", () => {
  test("the citation pattern reads lists, ranges and comments broken across lines", () => {
    const sample: SourceFile = {
      path: "sample.ts",
      text: "// (fus-behaviour §1.1, §1.6 and §6.2; seed §3.2–§3.3, cpu2-interface.md\n// §4.5.) seeded §9 fus-behaviour §N",
    };
    expect(citationsIn(sample).map((c) => `${c.sheet} ${c.section}`)).toEqual([
      "fus-behaviour 1.1",
      "fus-behaviour 1.6",
      "fus-behaviour 6.2",
      "seed 3.2",
      "seed 3.3",
      "cpu2-interface 4.5",
    ]);
  });

  test("the repository cites the three sheets (the scan sees the code and tests)", () => {
    for (const sheet of Object.keys(SHEETS)) {
      expect(citations.filter((c) => c.sheet === sheet).length, sheet).toBeGreaterThan(10);
    }
  });

  test("every cited section is a heading of its sheet in docs/", () => {
    const dangling = citations
      .filter((c) => !headings.get(c.sheet)!.has(c.section))
      .map((c) => `${c.where}: ${c.sheet} §${c.section} (no such heading in docs/${SHEETS[c.sheet]})`);
    expect(dangling).toEqual([]);
  });

  test("every bare §N resolves in a sheet its file cites (in docs/, in the file itself)", () => {
    const dangling = citingFiles
      .flatMap(bareReferencesIn)
      .filter((c) => !headings.get(c.sheet)?.has(c.section))
      .map((c) => `${c.where}: §${c.section} is not a heading of ${c.sheet}`);
    expect(dangling).toEqual([]);
  });

  test('"seed FAQ" has its section in the wiki notes', () => {
    const citesFaq = citingFiles.some((file) => /\bseed FAQ\b/.test(file.text));
    expect(citesFaq).toBe(true);
    expect(readFileSync(join(docsDirectory, SHEETS.seed), "utf8")).toMatch(/^## 5\. FAQ$/m);
  });
});

describe("source tags", () => {
  // Tags in the style of fus-behaviour §0 and cpu2-interface §10.
  const TAG = /\b(F-[A-Za-z0-9]+|ST-COMM-[0-9]+|GH-[0-9]+|FZ-[A-Z]+|MPY|EMB|EMB-FUS|RN[0-9]x|AN[0-9]{4}|RM0[0-9]{3})\b/g;

  /** Tags named in the first column of a source table of the sheets. */
  function definedTags(): string[] {
    const defined: string[] = [];
    for (const file of ["fus-behaviour.md", "cpu2-interface.md"]) {
      for (const row of readFileSync(join(docsDirectory, file), "utf8").matchAll(/^\|\s*([^|]+?)\s*\|/gm)) {
        defined.push(...row[1].split(/\s*\/\s*|\s*,\s*/));
      }
    }
    return defined;
  }

  test("every tag the code and tests use is defined in a source table of docs/", () => {
    const defined = definedTags();
    const isDefined = (tag: string) => defined.some((name) => name === tag || name.startsWith(`${tag}-`));
    const undefinedTags = citingFiles
      .filter((file) => !file.path.startsWith("docs/") && file.path !== "test/docs/citations.test.ts")
      .flatMap((file) => [...file.text.matchAll(TAG)].map((match) => ({ file: file.path, tag: match[1] })))
      .filter(({ tag }) => !isDefined(tag))
      .map(({ file, tag }) => `${file}: ${tag}`);
    expect(undefinedTags).toEqual([]);
  });
});

describe("self-contained repository", () => {
  test("no file points a reader at the team's folder outside the clone", () => {
    // Built from parts so that this file does not match itself; assembly/shared/ is a code folder.
    const outside = new RegExp(["\\.\\./shared/", "shared/(?:reference|testdata|seeds)\\b"].join("|"));
    const pointers = allFiles
      .flatMap((file) =>
        file.text.split("\n").flatMap((text, index) => {
          const withoutCodeImports = text.replace(/(["'])\.\.\/shared\/(codes|image-codes)(\.js)?\1/g, "");
          return outside.test(withoutCodeImports) ? [`${file.path}:${index + 1}: ${text.trim()}`] : [];
        }),
      );
    expect(pointers).toEqual([]);
  });
});
