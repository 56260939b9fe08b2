// The field loader's module (build/fusop-loader.wasm, its own entry point: the probe's
// assembly/index.ts does not contain it). The C main loop, or tier 1, calls loaderStart() once
// after every CPU1 start and then loaderStep() forever, doing what a step returns (LoaderAction:
// a reset, or the jump to the application) since those need the core itself.
import { nowUs, uartRead } from "../hal";
import * as console from "./console";
import * as out from "./output";
import * as ymodem from "./ymodem";
import * as transfer from "./transfer";
import { LoaderAction } from "./console";
import { takeLoaderRequest, keptJsonMode, keepJsonMode } from "./request";
import { setFirmwareEnd } from "../flash/driver";
import { setJournalAddress as moveJournal } from "../fus/journal";

// fusop_init() (runtime-c/fusop_runtime.c) calls these two as it does on the probe: taken from
// their own modules, not from ../index, whose module-level buffers would fill the loader's memory.
/** The flash driver refuses everything below the firmware's end (only ever raised). */
export function flashSetFirmwareEnd(address: u32): void {
  setFirmwareEnd(address);
}
/** Moves the operation record to 16 application-reserved bytes of SRAM2a; 1 when taken. */
export function setJournalAddress(address: u32): u32 {
  return moveJournal(address) ? 1 : 0;
}

/**
 * The console line's speed in bit/s (the build's FUSOP_CONSOLE_BAUD; the C main tells it before
 * loaderStart): whether received blocks are programmed while the next one arrives (transfer.ts).
 */
export function loaderSetConsoleBaud(baud: u32): void {
  transfer.setConsoleBaud(baud);
}

/** Bytes taken from the line (and double words programmed between them) per step: bounded so that time is looked at. */
const BYTES_PER_STEP: u32 = 256;
/**
 * After a failed transfer the sender may still be sending the rest of a block: what arrives until
 * the line has been quiet this long is discarded instead of being read as console commands.
 */
const QUIET_AFTER_TRANSFER_US: u32 = 500_000;

let discarding: bool = false;
let lastByteUs: u32 = 0;

let bootWindowOpen: bool = false;
let bootWindowStartUs: u32 = 0;
let bootWindowUs: u32 = 0;

/**
 * Once per CPU1 start: announces the loader, finishes what its journal and the operator's record
 * say was interrupted, then the boot decision (README "Boot decision"): with nothing resumed and
 * a valid application, the application starts after `bootWindowMs` without a key on the console
 * (at once when 0). Returns a LoaderAction.
 */
export function loaderStart(bootWindowMs: u32): u32 {
  // The console's mode outlives a system reset (request.ts): what this start prints keeps it.
  out.setJson(keptJsonMode());
  out.fieldText("loader", console.LOADER_VERSION);
  const interrupted = transfer.eraseInterrupted();
  if (interrupted != 0) out.fieldHex("erased-interrupted-transfer", interrupted);
  // A request is taken (and cleared) on the start that finds it, whatever else holds the loader.
  const requested = takeLoaderRequest();
  if (console.resumeOperation() || console.applicationRefusal() != 0) return LoaderAction.None;
  if (requested) {
    out.fieldText("stay", "requested");
    return LoaderAction.None;
  }
  if (bootWindowMs == 0) return bootApplication();
  out.fieldDecimal("boot-window-ms", bootWindowMs);
  bootWindowOpen = true;
  bootWindowStartUs = nowUs();
  bootWindowUs = bootWindowMs * 1000;
  return LoaderAction.None;
}

function bootApplication(): LoaderAction {
  out.fieldHex("boot", transfer.APPLICATION_START);
  keepJsonMode(false);
  return LoaderAction.BootApplication;
}

function sendReplies(): void {
  for (let reply = ymodem.takeReply(); reply >= 0; reply = ymodem.takeReply()) out.byte(<u32>reply);
  out.flush();
}

function transferEnded(nowUs: u32): LoaderAction {
  sendReplies();
  // A completed batch leaves nothing in flight; a failed one may (the rest of a cancelled block).
  discarding = transfer.result() != 0;
  lastByteUs = nowUs;
  return console.transferEnded();
}

/** Takes what the line brought and what time it is; returns a LoaderAction for the caller. */
export function loaderStep(): u32 {
  const now = nowUs();
  for (let n: u32 = 0; n < BYTES_PER_STEP; n++) {
    const received = uartRead();
    if (received < 0) {
      // No byte waits: a gap to program one double word of the block acknowledged last.
      if (console.transferActive() && transfer.programAhead()) continue;
      break;
    }
    const byte = <u32>received;
    if (bootWindowOpen) {
      // A key within the boot window keeps the loader; the key itself is console input.
      bootWindowOpen = false;
      out.fieldText("stay", "loader");
    }
    if (console.transferActive()) {
      if (transfer.feed(byte, now)) return transferEnded(now);
      sendReplies();
    } else if (discarding) {
      lastByteUs = now;
    } else {
      const action = console.typed(byte, now);
      if (action != LoaderAction.None) return action;
    }
  }
  if (console.transferActive()) {
    if (transfer.poll(now)) return transferEnded(now);
    sendReplies();
  } else if (discarding && now - lastByteUs >= QUIET_AFTER_TRANSFER_US) {
    discarding = false;
  }
  if (bootWindowOpen && now - bootWindowStartUs >= bootWindowUs) {
    bootWindowOpen = false;
    return bootApplication();
  }
  return LoaderAction.None;
}

/** Bytes of linear memory the module's static data occupies (the build checks it fits). */
export function linearMemoryUsed(): u32 {
  return <u32>__heap_base;
}
