// `fusop sim run FIRMWARE --board BOARD [--at ADDR] [--timeout-ms N] [--json]`: programs a CPU1
// firmware (ELF, Intel HEX, or a raw binary with --at) into the board's flash, runs it on tier 2
// from its reset vector through every system reset, streams what it sends on USART1/LPUART1 to
// stdout, and ends at BKPT (exit code r0), semihosting SYS_EXIT, or the timeout in virtual
// milliseconds (SIM_TIMEOUT). The board file is saved afterwards (flash, backup registers, CPU2).
import { readFileSync } from "node:fs";
import { loadBoard, saveBoard } from "../board.js";
import { Stm32wb } from "../chip/stm32wb.js";
import { FirmwareRunner } from "../tiers/firmware-runner.js";
import { firmwareChunks, programChunks } from "../tiers/firmware-image.js";
import { parseArguments, UsageError } from "./args.js";

const usage = "usage: fusop sim run FIRMWARE.elf|.hex|.bin --board BOARD [--at ADDR] [--timeout-ms N] [--json]";
/** Virtual time a run may take when --timeout-ms is not given. [choice] */
const DEFAULT_TIMEOUT_MS = 10_000;
/** Instructions per stretch between checks of the deadline. */
const STRETCH = 1_000_000;

class SimRunError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** `args` are the words after `fusop sim run`. */
export async function run(args: string[]): Promise<number> {
  const parsed = parseArguments(args, ["board", "at", "timeout-ms"], ["json"]);
  const json = parsed.switches.has("json");
  const [firmwarePath, ...extra] = parsed.positional;
  const boardPath = parsed.options.get("board");
  if (!firmwarePath || !boardPath || extra.length > 0) throw new UsageError(usage);
  const timeoutMs = Number(parsed.options.get("timeout-ms") ?? DEFAULT_TIMEOUT_MS);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout-ms takes a positive number\n${usage}`);
  const atText = parsed.options.get("at");
  const at = atText === undefined ? undefined : Number(atText);
  if (at !== undefined && !Number.isInteger(at)) throw new UsageError(`--at takes an address such as 0x08000000\n${usage}`);

  let file: Uint8Array;
  try {
    file = new Uint8Array(readFileSync(firmwarePath));
  } catch (error) {
    throw new SimRunError("FILE_UNREADABLE", `cannot read '${firmwarePath}' (${(error as Error).message}): check the path`);
  }
  const board = loadBoard(boardPath);
  const codeBytes = programChunks(board, firmwareChunks(file, firmwarePath, at));
  const chip = new Stm32wb(board);
  chip.powerCycleBackupDomain(); // the board comes off the shelf: a power-on
  chip.bus.onWarning = (message) => process.stderr.write(`fusop: warning: ${message}\n`);
  const serial = [chip.usart1, chip.lpuart1];
  for (const port of serial) port.onTransmit = (byte) => { if (!json) process.stdout.write(Buffer.of(byte)); };
  const transmitted = new Map(serial.map((port) => [port.name, [] as number[]]));
  for (const port of serial) {
    const sink = port.onTransmit;
    port.onTransmit = (byte) => { transmitted.get(port.name)!.push(byte); sink(byte); };
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
        throw new SimRunError("SIM_TIMEOUT", `the firmware ran ${timeoutMs} ms of virtual time without exiting (BKPT or semihosting SYS_EXIT)`);
      }
      const outcome = runner.run({ budget: STRETCH, deadlineUs });
      noteBauds();
      if (outcome.kind === "reset") {
        resets.push(outcome.reason);
        process.stderr.write(`fusop: system reset (${outcome.reason}); CPU1 restarts from its reset vector\n`);
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
  const result = {
    exitCode: exit.code, exitedVia: exit.via, virtualMs: chip.clock.nowUs / 1000, instructions: runner.instructions,
    resets, serial: serial.map((port) => ({ name: port.name, baud: bauds.get(port.name) ?? null,
      text: Buffer.from(transmitted.get(port.name)!).toString("latin1") })),
    semihosting, warnings: chip.bus.warnings,
    // CPU1 flash work a running wireless stack counted against cpu2-interface §4.5 (cpu2/flash-arbitration.ts).
    stackDisturbances: chip.cpu2.flashDisturbances,
  };
  for (const { what } of json ? [] : chip.cpu2.flashDisturbances) process.stderr.write(`fusop: warning: wireless stack disturbed: ${what}\n`);
  if (json) console.log(JSON.stringify({ ok: true, ...result }));
  else process.stderr.write(`fusop: firmware exited with ${exit.code} (${exit.via}) after ${result.virtualMs.toFixed(3)} ms virtual, ${resets.length} system reset(s)\n`);
  return exit.code === 0 ? 0 : 1;
}
