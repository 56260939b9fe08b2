// `fusop sim serve BOARD --pty LINK [--baud N] [--uart usart1|lpuart1] [--loader [--loader-elf ELF]]`:
// the board's CPU1 firmware (the field loader) runs on tier 2 behind a pseudo-terminal named by the
// symlink LINK, the line of USART1 or LPUART1 (host-sim/serve/pty.ts); SIGINT/SIGTERM stop it and
// the board file is saved. `--loader` first programs the loader built for the board's part (or the
// build --loader-elf names), as a programmer would (host-sim/serve/loader-board.ts); alone it only does that.
// `fusop sim serve BOARD --gdb PORT`: the board behind a GDB remote stub on 127.0.0.1:PORT
// (host-sim/serve/gdb-stub.ts), CPU1 on tier 2, so that fusop's --gdb target and gdb-multiarch reach
// it as they reach a real board through OpenOCD. One command for every way of serving a board.
import { saveBoard } from "../host-sim/board.js";
import { Stm32wb } from "../host-sim/chip/stm32wb.js";
import { flashLoader, LoaderImageError, LOADER_CODE_BYTES } from "../host-sim/serve/loader-board.js";
import { PtyError, PtyServer } from "../host-sim/serve/pty.js";
import { FirmwareRunner } from "../host-sim/tiers/firmware-runner.js";
import { GdbStub } from "../host-sim/serve/gdb-stub.js";
import { CliError, fileError, oneOf, operandCount, optionString, parseInteger, usageError, type CommandContext, type CommandSpec } from "./command.js";
import { tier2InstallHint, tier2Missing } from "./targets/tier-choice.js";
import { firstErasedSector, readBoard } from "./targets/virtual-board.js";

/** The loader's console speed unless built otherwise (runtime-c/usart.c FUSOP_CONSOLE_BAUD). */
const DEFAULT_BAUD = 115_200;

function save(path: string, board: Parameters<typeof saveBoard>[1]): void {
  try {
    saveBoard(path, board);
  } catch (cause) {
    throw fileError(path, cause, "write");
  }
}

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
  summary: "serve a virtual board on tier 2: its firmware (the field loader) behind a pseudo-terminal, or a GDB remote stub; Ctrl-C saves the board",
  options: {
    pty: { type: "string", value: "LINK", help: "serve the console UART on a pty whose path is the symlink LINK (needs socat)" },
    baud: { type: "string", value: "N", help: `the line's speed in bit/s (default ${DEFAULT_BAUD}); a UART running at another speed misreads the frames` },
    uart: { type: "string", value: "UART", help: "the UART on the pty: usart1 (default; NUCLEO-WB55's ST-LINK COM port) or lpuart1 (a loader built with FUSOP_CONSOLE_LPUART1)" },
    loader: { type: "boolean", help: "program the field loader for the board's part first (build/fw/<variant>/fusop-loader.elf)" },
    "loader-elf": { type: "string", value: "ELF", help: "with --loader: program this loader build instead (e.g. build/fw/stm32wb55xg-lpuart1-57600/fusop-loader.elf)" },
    gdb: { type: "string", value: "PORT", help: "instead of --pty: a GDB remote stub on 127.0.0.1:PORT (0: any free port, printed)" },
  },
  example: "fusop sim serve part.json --loader --pty ./wb",
  async run(context) {
    operandCount(context, 1, 1);
    const boardPath = context.operands[0];
    const link = optionString(context.options, "pty");
    const baudText = optionString(context.options, "baud");
    const baud = baudText === undefined ? DEFAULT_BAUD : parseInteger(baudText, "--baud", 20_000_000);
    if (baud === 0) throw usageError("BAD_NUMBER", "--baud must be more than 0");
    const loader = context.options.loader === true;
    const loaderElfOption = optionString(context.options, "loader-elf");
    if (loaderElfOption !== undefined && !loader) throw usageError("MISSING_OPTION", "--loader-elf names the build --loader programs: give --loader too");
    const uart = oneOf(context.options, "uart", ["usart1", "lpuart1"] as const) ?? "usart1";
    const gdb = optionString(context.options, "gdb");
    if (gdb !== undefined) {
      if (link !== undefined || loader || context.options.uart !== undefined) throw usageError("TARGET_CONFLICT", "--gdb serves the board to a debugger; --pty, --uart and --loader serve its loader: give one");
      return serveGdb(context, boardPath, parseInteger(gdb, "--gdb", 65535));
    }
    if (link === undefined && !loader) throw usageError("MISSING_OPTION", "--pty LINK (or --loader to program the loader only) is required");

    const board = readBoard(boardPath);
    let loaderElf: string | null = null;
    if (loader) {
      try {
        loaderElf = flashLoader(board, loaderElfOption);
      } catch (error) {
        if (error instanceof LoaderImageError) throw new CliError(error.code, error.message);
        throw error;
      }
      save(boardPath, board);
      if (link === undefined) return { board: boardPath, loader: loaderElf };
    }
    if (board.flash.subarray(0, 8).every((byte) => byte === 0xff)) {
      throw new CliError("NO_FIRMWARE", `${boardPath} has no firmware at the flash base: pass --loader to program the field loader`);
    }

    const chip = new Stm32wb(board);
    chip.powerCycleBackupDomain(); // the board is switched on
    chip.bus.onWarning = (message) => context.out.notice(`warning: ${message}`);
    const runner = new FirmwareRunner(chip, LOADER_CODE_BYTES);
    const server = new PtyServer(chip, runner, {
      link: link!, baud, uart,
      notice: (message) => context.out.notice(message),
      onReset: (reason) => context.out.event("reset", { reason }, `fusop: system reset (${reason}); CPU1 restarts from its reset vector`),
    });
    const stop = (): void => server.stop();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    try {
      const summary = await server.serve();
      return { board: boardPath, pty: link, uart, loader: loaderElf, ...summary };
    } catch (error) {
      if (error instanceof PtyError) throw new CliError(error.code, error.message);
      throw error;
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      save(boardPath, board);
    }
  },
  text: (r) => r.gdb !== undefined
    ? `served ${r.board} behind the GDB stub on ${r.gdb}: ${(r.resets as string[]).length} system reset(s); board saved`
    : r.pty === undefined
    ? `programmed ${r.loader} into ${r.board}`
    : `served ${r.board} on ${r.pty} (${String(r.uart).toUpperCase()}): ${(r.virtualMs as number).toFixed(0)} ms virtual, ${(r.resets as string[]).length} system reset(s), ` +
      `${r.received} bytes in, ${r.transmitted} bytes out; ${r.endedBy === "exit" ? `the firmware stopped (BKPT or semihosting exit, code ${r.exitCode}); ` : ""}board saved`,
};
