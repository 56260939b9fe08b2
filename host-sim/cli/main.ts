#!/usr/bin/env node
// fusop: the command line. Each command lives in its own module; this file only dispatches.
import { errorCode, reportFailure } from "./args.js";

type Command = (args: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  demo: async () => (await import("./demo.js")).run,
  image: async () => {
    const inspect = (await import("./image-command.js")).run;
    const make = (await import("./image-make-command.js")).run;
    return (args) => (args[0] === "make" ? make(args.slice(1)) : inspect(args));
  },
  plan: async () => (await import("./plan-command.js")).run,
  sim: async () => (await import("./sim-command.js")).run,
};

const usage = `usage: fusop <command> [options]
commands:
  demo [--tier wasm|arm]    the main job on a virtual STM32WB55 (tier 2, the ARM firmware, by default)
  image inspect FILE [--json]
                            decode a coprocessor image's footers
  image make --kind fus|stack|safeboot --version X.Y.Z --size N --family wb5x|wb3x|wb1x [--format legacy|new]
             [--customer-key FILE] [--stack-type N] [--fus-variant for-0.5.3|for-1.x] [--json] -o FILE
                            build a test image signed by the simulator's ST key
  plan FILE... --family F --flash-kb N --fus X.Y.Z [--stack none|FILE] [--sfsa N] [--app-end ADDR] [--json]
                            where to stage each image and in which order, or why not
  sim create BOARD --family wb5x|wb3x|wb1x --flash-kb N --fus X.Y.Z [--stack none|FILE] [--nvm-section]
             [--antirollback] [--safeboot X.Y.Z] [--corrupt-option-bytes] [--force] [--json]
  sim show BOARD [--json]   create a virtual board file / print CPU2's own state
  sim run FIRMWARE --board BOARD [--at ADDR] [--timeout-ms N] [--json]
                            run a CPU1 firmware on tier 2 from its reset vector (USART1/LPUART1 to stdout)
  --board BOARD <command>   run an operator command against a virtual board file (fusop --board BOARD help)`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "--board") {
    const [, boardPath, ...rest] = argv;
    try {
      if (!boardPath) throw Object.assign(new Error("--board needs a board file"), { code: "USAGE" });
      // Help needs no board file.
      if (rest.includes("--help") || rest[0] === "help") return await (await import("./board-command.js")).run(boardPath, ["help"]);
      return await (await import("./board-command.js")).run(boardPath, rest);
    } catch (error) {
      return reportFailure(argv.includes("--json"), errorCode(error), (error as Error).message);
    }
  }
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "help") {
    console.log(usage);
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) return reportFailure(argv.includes("--json"), "USAGE", `unknown command '${name}'\n${usage}`);
  try {
    return await (await load())(rest);
  } catch (error) {
    return reportFailure(argv.includes("--json"), errorCode(error), (error as Error).message);
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
