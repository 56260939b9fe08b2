// Running fusop command lines in-process, as scripts see them: exit code, stdout and stderr lines,
// and the final JSON result.
import { runCli } from "../../cli/cli.js";

export interface CliRun {
  code: number;
  out: string[];
  err: string[];
  /** The last stdout line parsed as JSON (the result with --json), or undefined. */
  result: any;
}

export async function fusop(argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, (stream, line) => (stream === "out" ? out : err).push(line));
  let result: unknown;
  try {
    result = JSON.parse(out.at(-1) ?? "");
  } catch {
    result = undefined;
  }
  return { code, out, err, result };
}

/**
 * Runs a command with --json: resolves its exit code when it succeeds (the result line also goes to
 * console.log for tests that capture it); rejects with the error's { code, exit } when it fails.
 */
export async function fusopOrThrow(argv: string[]): Promise<number> {
  const run = await fusop(argv.includes("--json") ? argv : [...argv, "--json"]);
  if (run.code !== 0) {
    throw Object.assign(new Error(run.result?.error?.message ?? run.err.join("\n")), { code: run.result?.error?.code, exit: run.code });
  }
  console.log(run.out.at(-1));
  return run.code;
}
