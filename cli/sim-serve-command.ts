// `fusop sim serve BOARD --gdb PORT`: a virtual board behind a GDB remote stub on 127.0.0.1:PORT
// (host-sim/serve/gdb-stub.ts), CPU1 on tier 2, so that fusop's --gdb target and gdb-multiarch reach
// it as they reach a real board through OpenOCD. Runs until SIGINT/SIGTERM, then saves the board
// (flash, option bytes, backup registers, CPU2's state: what survives on a real part).
import { saveBoard } from "../host-sim/board.js";
import { Stm32wb } from "../host-sim/chip/stm32wb.js";
import { GdbStub } from "../host-sim/serve/gdb-stub.js";
import { CliError, operandCount, optionString, parseInteger, usageError, type CommandContext, type CommandSpec } from "./command.js";
import { tier2InstallHint, tier2Missing } from "./targets/tier-choice.js";
import { firstErasedSector, readBoard } from "./targets/virtual-board.js";

/** Serves the board behind a GDB stub until a signal; returns what the session did. */
export async function serveGdb(context: CommandContext, boardPath: string, port: number): Promise<Record<string, unknown>> {
  const missing = tier2Missing();
  if (missing !== null) throw new CliError("TIER2_UNAVAILABLE", `sim serve --gdb runs CPU1 on tier 2: ${missing}; ${tier2InstallHint()}`);
  const board = readBoard(boardPath);
  const chip = new Stm32wb(board);
  chip.powerCycleBackupDomain(); // the board comes off the shelf: a power-on
  const stub = new GdbStub(chip, firstErasedSector(board) - board.variant.flashBase);
  const resets: string[] = [];
  stub.onReset = (reason) => {
    resets.push(reason);
    context.out.event("reset", { reason }, `system reset: ${reason}`);
  };
  let listening: number;
  try {
    listening = await stub.listen(port);
  } catch (error) {
    throw new CliError("GDB_PORT_UNAVAILABLE", `cannot listen on 127.0.0.1:${port} (${(error as { code?: string }).code ?? (error as Error).message})`, { port }, 3);
  }
  context.out.event("listening", { gdb: `127.0.0.1:${listening}` }, `GDB stub for ${boardPath} on 127.0.0.1:${listening} (target extended-remote 127.0.0.1:${listening}); Ctrl-C ends it`);
  const signal = await new Promise<string>((resolve) => {
    const done = (name: string) => () => resolve(name);
    process.once("SIGINT", done("SIGINT"));
    process.once("SIGTERM", done("SIGTERM"));
  });
  await stub.close();
  saveBoard(boardPath, board);
  return { board: boardPath, gdb: `127.0.0.1:${listening}`, ended: signal, resets };
}

export const simServeCommand: CommandSpec = {
  words: ["sim", "serve"],
  operands: "BOARD",
  summary: "serve a virtual board to a debugger: a GDB remote stub on 127.0.0.1:PORT over tier 2 (saved on SIGINT/SIGTERM)",
  options: {
    gdb: { type: "string", value: "PORT", help: "TCP port for the GDB remote stub (0: any free port, printed)" },
  },
  example: "fusop sim serve part.json --gdb 3333",
  async run(context) {
    operandCount(context, 1, 1);
    const gdb = optionString(context.options, "gdb");
    if (gdb === undefined) throw usageError("MISSING_OPTION", "sim serve needs --gdb PORT");
    return serveGdb(context, context.operands[0], parseInteger(gdb, "--gdb", 65535));
  },
};
