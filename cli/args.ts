// Minimal argument handling shared by every fusop command: positional words, --flag value pairs,
// boolean switches. Unknown options are errors, so a typo never silently changes what runs.

export interface ParsedArguments {
  positional: string[];
  options: Map<string, string>;
  switches: Set<string>;
}

export class UsageError extends Error {
  readonly code = "USAGE";
}

export function parseArguments(argv: string[], valueOptions: string[], switchOptions: string[]): ParsedArguments {
  const positional: string[] = [];
  const options = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith("--")) {
      positional.push(word);
      continue;
    }
    const name = word.slice(2);
    if (switchOptions.includes(name)) {
      switches.add(name);
    } else if (valueOptions.includes(name)) {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positional, options, switches };
}

/** Prints a failure the way every command does: JSON with --json, one line on stderr otherwise. */
export function reportFailure(json: boolean, code: string, message: string): number {
  if (json) console.log(JSON.stringify({ ok: false, error: { code, message } }));
  else console.error(`fusop: ${message}`);
  return 1;
}

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : "INTERNAL";
}
