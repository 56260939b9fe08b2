// `fusop sim create BOARD --family wb5x|wb3x|wb1x --flash-kb N --fus X.Y.Z [--stack none|FILE]
// [--nvm-section] [--antirollback] [--safeboot X.Y.Z] [--corrupt-option-bytes] [--json]` writes a
// virtual board file; `fusop sim show BOARD [--json]` prints what the simulator keeps in it (board
// file format: host-sim/README.md "Board files").
import { existsSync, readFileSync } from "node:fs";
import { Board, saveBoard, loadBoard, type BoardConfig } from "../board.js";
import { isFamily, SAFEBOOT_FORCED_SBRV, SAFEBOOT_FORCED_SFSA } from "../chip/variants.js";
import { identifyImageFile } from "../cpu2/image-scan.js";
import { boardFacts } from "./board-info.js";
import { parseVersion, formatVersion } from "../versions.js";
import { parseArguments, UsageError } from "./args.js";

const usage = `usage: fusop sim create BOARD --family wb5x|wb3x|wb1x --flash-kb N --fus X.Y.Z [--stack none|FILE]
                       [--nvm-section] [--antirollback] [--safeboot X.Y.Z] [--corrupt-option-bytes] [--force] [--json]
       fusop sim show BOARD [--json]
       fusop sim run FIRMWARE.elf|.hex|.bin --board BOARD [--at ADDR] [--timeout-ms N] [--json]`;

class SimError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

function print(json: boolean, result: Record<string, unknown>, lines: string[]): void {
  if (json) console.log(JSON.stringify({ ok: true, ...result }));
  else for (const line of lines) console.log(line);
}

function create(path: string, options: Map<string, string>, switches: Set<string>): Record<string, unknown> {
  if (existsSync(path) && !switches.has("force")) throw new SimError("BOARD_EXISTS", `${path} exists; pass --force to overwrite it`);
  const family = options.get("family");
  if (!family || !isFamily(family)) throw new UsageError(`--family wb5x, wb3x or wb1x is required\n${usage}`);
  const flashKb = Number(options.get("flash-kb"));
  if (!Number.isInteger(flashKb)) throw new UsageError(`--flash-kb N is required\n${usage}`);
  const fus = options.get("fus");
  if (!fus) throw new UsageError(`--fus X.Y.Z is required\n${usage}`);
  const config: BoardConfig = {
    family, flashKb, fus,
    nvmSection: switches.has("nvm-section"),
    antirollback: switches.has("antirollback"),
    safeboot: options.get("safeboot"),
  };
  if (switches.has("corrupt-option-bytes")) config.optionBytes = { sfsa: SAFEBOOT_FORCED_SFSA, sbrv: SAFEBOOT_FORCED_SBRV };
  const stackFile = options.get("stack");
  try {
    if (stackFile && stackFile !== "none") {
      let data: Uint8Array;
      try {
        data = new Uint8Array(readFileSync(stackFile));
      } catch (error) {
        throw new SimError("FILE_UNREADABLE", `cannot read '${stackFile}' (${(error as Error).message}): check the path`);
      }
      // The stack must be one this FUS would install on this part.
      const probe = new Board({ family, flashKb, fus });
      const image = identifyImageFile(probe, data, parseVersion(fus));
      if (!image || image.kind !== "stack") {
        throw new SimError("STACK_REFUSED", `${stackFile} is not a wireless-stack image FUS ${fus} would install on this ${family} part`);
      }
      config.stack = { version: formatVersion(image.version), type: image.stackType, size: image.size, format: image.format ?? "legacy", image: image.data };
      const board = new Board(config);
      board.cpu2.stack!.version = image.version; // keep the build nibbles
      return save(path, board);
    }
    return save(path, new Board(config));
  } catch (error) {
    if (error instanceof SimError || error instanceof UsageError) throw error;
    throw new SimError("BOARD_INVALID", (error as Error).message);
  }
}

function save(path: string, board: Board): Record<string, unknown> {
  saveBoard(path, board);
  return { board: path, ...boardFacts(board) };
}

/** `args` are the words after `fusop sim`. */
export async function run(args: string[]): Promise<number> {
  if (args[0] === "run") return (await import("./sim-run-command.js")).run(args.slice(1));
  const parsed = parseArguments(args, ["family", "flash-kb", "fus", "stack", "safeboot"],
    ["json", "force", "nvm-section", "antirollback", "corrupt-option-bytes"]);
  const json = parsed.switches.has("json");
  const [action, path, ...extra] = parsed.positional;
  if (!action || !path || extra.length > 0) throw new UsageError(usage);
  if (action === "create") {
    const result = create(path, parsed.options, parsed.switches);
    print(json, result, [`created ${path}: ${result.family} ${result.flashKb} KB, FUS ${result.fusVersion}, ` +
      `stack ${(result.stack as { version: string } | null)?.version ?? "none"}, SFSA 0x${(result.sfsa as number).toString(16)}, SBRV 0x${(result.sbrv as number).toString(16)}`]);
    return 0;
  }
  if (action === "show") {
    const facts = boardFacts(loadBoard(path));
    print(json, { board: path, ...facts }, Object.entries(facts).map(([key, value]) => `${key}: ${typeof value === "object" ? JSON.stringify(value) : value}`));
    return 0;
  }
  throw new UsageError(`unknown sim action '${action}'\n${usage}`);
}
