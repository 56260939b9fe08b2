// `fusop sim run FIRMWARE --board BOARD [--at ADDR] [--timeout-ms N]`: programs a CPU1 firmware (ELF,
// Intel HEX, or a raw binary with --at) into the board's flash, runs it on tier 2 from its reset
// vector through every system reset, streams what it sends on USART1/LPUART1 to stdout, and ends at
// BKPT (exit code r0), semihosting SYS_EXIT, or the timeout in virtual milliseconds (SIM_TIMEOUT).
// The board file is saved afterwards (flash, backup registers, CPU2). A non-zero exit code of the
// firmware is a failure (FIRMWARE_EXIT, exit 1) that carries the run's report.
import { readFileSync } from "node:fs";
import { saveBoard } from "../host-sim/board.js";
import { Stm32wb } from "../host-sim/chip/stm32wb.js";
import { FirmwareRunner } from "../host-sim/tiers/firmware-runner.js";
import { firmwareChunks, programChunks } from "../host-sim/tiers/firmware-image.js";
import { CliError, fileError, operandCount, optionString, parseInteger, requiredString, type CommandSpec } from "./command.js";
import { readBoard } from "./targets/virtual-board.js";

/** Virtual time a run may take when --timeout-ms is not given. [choice] */
const DEFAULT_TIMEOUT_MS = 10_000;
/** Instructions per stretch between checks of the deadline. */
const STRETCH = 1_000_000;

export const simRunCommand: CommandSpec = {
  words: ["sim", "run"],
  operands: "FIRMWARE",
  summary: "run a CPU1 firmware (ELF, HEX, or BIN with --at) on tier 2 from its reset vector; USART1/LPUART1 to stdout",
  options: {
    board: { type: "string", value: "BOARD", help: "the virtual board file to run on (saved afterwards)" },
    at: { type: "string", value: "ADDR", help: "load address of a raw .bin firmware (e.g. 0x08000000)" },
    "timeout-ms": { type: "string", value: "N", help: `virtual milliseconds before SIM_TIMEOUT (default ${DEFAULT_TIMEOUT_MS})` },
  },
  example: "fusop sim run app.elf --board part.json --timeout-ms 5000",
  run(context) {
    operandCount(context, 1, 1);
    const firmwarePath = context.operands[0];
    const boardPath = requiredString(context.options, "board", "BOARD");
    const timeoutText = optionString(context.options, "timeout-ms");
    const timeoutMs = timeoutText === undefined ? DEFAULT_TIMEOUT_MS : parseInteger(timeoutText, "--timeout-ms");
    const atText = optionString(context.options, "at");
    const at = atText === undefined ? undefined : parseInteger(atText, "--at");
    const json = context.json;

    let file: Uint8Array;
    try {
      file = new Uint8Array(readFileSync(firmwarePath));
    } catch (cause) {
      throw fileError(firmwarePath, cause);
    }
    const board = readBoard(boardPath);
    const codeBytes = programChunks(board, firmwareChunks(file, firmwarePath, at));
    const chip = new Stm32wb(board);
    chip.powerCycleBackupDomain(); // the board comes off the shelf: a power-on
    chip.bus.onWarning = (message) => context.out.notice(`warning: ${message}`);
    const serial = [chip.usart1, chip.lpuart1];
    const transmitted = new Map(serial.map((port) => [port.name, [] as number[]]));
    for (const port of serial) {
      port.onTransmit = (byte) => {
        transmitted.get(port.name)!.push(byte);
        if (!json) process.stdout.write(Buffer.of(byte));
      };
    }
    const runner = new FirmwareRunner(chip, codeBytes);
    let semihosting = "";
    runner.onConsole = (text) => {
      semihosting += text;
      if (!json) process.stdout.write(text);
    };
    const deadlineUs = timeoutMs * 1000;
    const resets: string[] = [];
    const bauds = new Map<string, number>();
    const noteBauds = (): void => { for (const port of serial) if (port.baud > 0) bauds.set(port.name, Math.round(port.baud)); };
    let exit: { code: number; via: string } | null = null;
    try {
      runner.start();
      while (exit === null) {
        if (chip.clock.nowUs >= deadlineUs) {
          throw new CliError("SIM_TIMEOUT", `the firmware ran ${timeoutMs} ms of virtual time without exiting (BKPT or semihosting SYS_EXIT)`);
        }
        const outcome = runner.run({ budget: STRETCH, deadlineUs });
        noteBauds();
        if (outcome.kind === "reset") {
          resets.push(outcome.reason);
          context.out.event("reset", { reason: outcome.reason }, `fusop: system reset (${outcome.reason}); CPU1 restarts from its reset vector`);
          runner.start();
        } else if (outcome.kind === "exit") {
          exit = { code: outcome.code, via: outcome.via };
        }
      }
      // Bytes still in the shift register leave before the part stops, as a terminal would see them.
      chip.clock.advanceBy(2000);
    } finally {
      runner.discard();
      saveBoard(boardPath, board);
    }
    const report = {
      exitCode: exit.code, exitedVia: exit.via, virtualMs: chip.clock.nowUs / 1000, instructions: runner.instructions,
      resets, serial: serial.map((port) => ({ name: port.name, baud: bauds.get(port.name) ?? null,
        text: Buffer.from(transmitted.get(port.name)!).toString("latin1") })),
      semihosting, warnings: chip.bus.warnings,
      // CPU1 flash work a running wireless stack counted against cpu2-interface §4.5 (cpu2/flash-arbitration.ts).
      stackDisturbances: chip.cpu2.flashDisturbances,
    };
    for (const { what } of json ? [] : chip.cpu2.flashDisturbances) context.out.notice(`warning: wireless stack disturbed: ${what}`);
    const summary = `firmware exited with ${exit.code} (${exit.via}) after ${report.virtualMs.toFixed(3)} ms virtual, ${resets.length} system reset(s)`;
    if (exit.code !== 0) throw new CliError("FIRMWARE_EXIT", summary, report);
    if (!json) context.out.notice(summary);
    return report;
  },
  // The firmware's own output already went to stdout as it ran; the summary went to stderr.
  text: () => "",
};
