// `fusop sim ...`: virtual boards. `sim create BOARD` writes a board file, `sim show BOARD` prints what
// the simulator keeps in it (board file format: host-sim/README.md "Board files"). Each subcommand
// is one CommandSpec in `simCommands`; a new one is added to that list.
import { existsSync, readFileSync } from "node:fs";
import { Board, saveBoard, type BoardConfig } from "../host-sim/board.js";
import { SAFEBOOT_FORCED_SBRV, SAFEBOOT_FORCED_SFSA } from "../host-sim/chip/variants.js";
import { identifyImageFile } from "../host-sim/cpu2/image-scan.js";
import { formatVersion } from "../host-sim/versions.js";
import { boardFacts } from "./board-info.js";
import { CliError, fileError, oneOf, operandCount, optionString, parseInteger, requiredString, usageError, type CommandSpec } from "./command.js";
import { parseVersionOption } from "./options.js";
import { readBoard } from "./targets/virtual-board.js";
import { simRunCommand } from "./sim-run-command.js";
import { simServeCommand } from "./sim-serve-command.js";

function save(path: string, board: Board): Record<string, unknown> {
  try {
    saveBoard(path, board);
  } catch (cause) {
    throw fileError(path, cause, "write");
  }
  return { board: path, ...boardFacts(board) };
}

const create: CommandSpec = {
  words: ["sim", "create"],
  operands: "BOARD",
  summary: "create a virtual STM32WB board file as it leaves the factory (or with a stack installed)",
  options: {
    family: { type: "string", value: "wb5x|wb3x|wb1x", help: "the part's family" },
    "flash-kb": { type: "string", value: "N", help: "flash size in KB" },
    fus: { type: "string", value: "X.Y.Z", help: "the FUS version it runs" },
    stack: { type: "string", value: "none|FILE", help: "a wireless stack image to have installed" },
    "nvm-section": { type: "boolean", help: "FUS V2's 16 KB NVM section is present" },
    antirollback: { type: "boolean", help: "anti-rollback is active" },
    safeboot: { type: "string", value: "X.Y.Z", help: "the Safeboot version (default: the one FUS ships with)" },
    "corrupt-option-bytes": { type: "boolean", help: "SFSA/SBRV corrupted: the hardware forces Safeboot" },
    force: { type: "boolean", help: "overwrite an existing board file" },
  },
  example: "fusop sim create part.json --family wb5x --flash-kb 1024 --fus 1.2.0",
  run(context) {
    operandCount(context, 1, 1);
    const path = context.operands[0];
    const options = context.options;
    const family = oneOf(options, "family", ["wb5x", "wb3x", "wb1x"] as const);
    if (family === undefined) throw usageError("MISSING_OPTION", "--family wb5x|wb3x|wb1x is required");
    const flashKb = parseInteger(requiredString(options, "flash-kb", "N"), "--flash-kb", 1024);
    const fus = requiredString(options, "fus", "X.Y.Z");
    const fusWord = parseVersionOption(fus, "--fus");
    const safeboot = optionString(options, "safeboot");
    if (safeboot !== undefined) parseVersionOption(safeboot, "--safeboot");
    if (existsSync(path) && options.force !== true) throw new CliError("BOARD_EXISTS", `${path} exists; pass --force to overwrite it`);
    const config: BoardConfig = {
      family, flashKb, fus, safeboot,
      nvmSection: options["nvm-section"] === true,
      antirollback: options.antirollback === true,
    };
    if (options["corrupt-option-bytes"] === true) config.optionBytes = { sfsa: SAFEBOOT_FORCED_SFSA, sbrv: SAFEBOOT_FORCED_SBRV };
    const stackFile = optionString(options, "stack");
    try {
      if (stackFile === undefined || stackFile === "none") return save(path, new Board(config));
      let data: Uint8Array;
      try {
        data = new Uint8Array(readFileSync(stackFile));
      } catch (cause) {
        throw fileError(stackFile, cause);
      }
      // The stack must be one this FUS would install on this part.
      const image = identifyImageFile(new Board({ family, flashKb, fus }), data, fusWord);
      if (!image || image.kind !== "stack") {
        throw new CliError("STACK_REFUSED", `${stackFile} is not a wireless-stack image FUS ${fus} would install on this ${family} part: pass one (fusop image inspect tells what a file is)`);
      }
      config.stack = { version: formatVersion(image.version), type: image.stackType, size: image.size, format: image.format ?? "legacy", image: image.data };
      const board = new Board(config);
      board.cpu2.stack!.version = image.version; // keep the build nibbles
      return save(path, board);
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError("BOARD_INVALID", (error as Error).message);
    }
  },
  text: (r) => `created ${r.board}: ${r.family} ${r.flashKb} KB, FUS ${r.fusVersion}, stack ${(r.stack as { version: string } | null)?.version ?? "none"}, ` +
    `SFSA ${r.sfsa} = ${r.sfsaAddress}, SBRV ${r.sbrv} = ${r.sbrvAddress}`,
};

const show: CommandSpec = {
  words: ["sim", "show"],
  operands: "BOARD",
  summary: "print what the simulator keeps in a board file (CPU2's own state, beyond what the operator reads)",
  options: {},
  example: "fusop sim show part.json",
  run(context) {
    operandCount(context, 1, 1);
    const path = context.operands[0];
    return { board: path, ...boardFacts(readBoard(path)) };
  },
};

export const simCommands: CommandSpec[] = [create, show, simRunCommand, simServeCommand];
