// The operator's record of a long FUS operation across the system resets it causes (fus-behaviour
// §1.7, §1.15). CPU1 restarts from scratch at each reset, so what it sent before lives in SRAM2a
// (kept through a system reset, not through power loss: a check word rejects what power-on left).
import { read32, write32 } from "../hal";
import { SRAM2A_BASE } from "../chip/registers";
import { OPERATION_JOURNAL } from "../mailbox/layout";
import { tablesFitCurrentShare } from "../mailbox/share";
import { PendingOperation, FusError } from "../shared/codes";

const MAGIC: u32 = 0x464f_504a;
const WORD_MAGIC: u32 = 0;
// operation (7:0), CPU1 restarts since it was sent (15:8), FUS error it ended with (23:16),
// kind of the image an upgrade sent (31:24)
const WORD_STATE: u32 = 4;
const WORD_CHECK: u32 = 8;
const WORD_TARGET: u32 = 12; // version word of the image an upgrade sent (0: not known)

/**
 * Where the record lives: right above the operator's own tables, or — next to ST's middleware,
 * whose buffers fill SRAM2a from its start — 16 bytes the application reserves (setJournalAddress).
 */
let journalAddress: u32 = OPERATION_JOURNAL;

/** 16 bytes, 16-aligned, in SRAM2a; false (nothing changed) otherwise. */
export function setJournalAddress(address: u32): bool {
  if ((address & 15) != 0 || address < SRAM2A_BASE || address + 16 > SRAM2A_BASE + 0x8000) return false;
  journalAddress = address;
  return true;
}

/** Set once this CPU1 run has counted itself in the record. */
let countedThisRun: bool = false;

function valid(): bool {
  // Where the running stack keeps the journal's place secure there is no record (and no access).
  if (!tablesFitCurrentShare()) return false;
  return read32(journalAddress + WORD_MAGIC) == MAGIC && read32(journalAddress + WORD_CHECK) ==
    ~(MAGIC ^ read32(journalAddress + WORD_STATE) ^ read32(journalAddress + WORD_TARGET));
}

function state(): u32 {
  return valid() ? read32(journalAddress + WORD_STATE) : 0;
}

function store(value: u32, targetVersion: u32): void {
  if (!tablesFitCurrentShare()) return;
  write32(journalAddress + WORD_MAGIC, MAGIC);
  write32(journalAddress + WORD_STATE, value);
  write32(journalAddress + WORD_TARGET, targetVersion);
  write32(journalAddress + WORD_CHECK, ~(MAGIC ^ value ^ targetVersion));
}

function target(): u32 {
  return valid() ? read32(journalAddress + WORD_TARGET) : 0;
}

/** Version word of the image the recorded upgrade sent, 0 when not known. */
export function targetVersion(): u32 {
  return target();
}

/** ImageKind of the image the recorded upgrade sent (0 when not known). */
export function targetKind(): u32 {
  return state() >>> 24;
}

export function pending(): PendingOperation {
  return <PendingOperation>(state() & 0xff);
}

/** CPU1 restarts since the operation was sent (0: the reset it announced has not come yet). */
export function restartsSeen(): u32 {
  return (state() >> 8) & 0xff;
}

/** The FUS error the operation ended with (0: none yet). */
export function failure(): u32 {
  return (state() >> 16) & 0xff;
}

/**
 * An error byte FUS reported (GET_STATE, fus-behaviour §1.3): FUS names an error once, so whoever
 * reads it, the recorded operation ended with it — a failure, kept until someone resumes. 0 (no
 * error) and (0xFF, 0xFE), only a transient there, record nothing. Its own function, called from
 * every reading of FUS's state: the journal is off the path of a GET_STATE that reports no error.
 */
export function fail(error: u32): void {
  if (error == 0 || error == FusError.StateNotRunning) return;
  const value = state();
  if ((value & 0xff) == 0) return;
  store((value & 0xff00_ffff) | ((error & 0xff) << 16), target());
}

/** `imageKind`/`imageVersion`: what an upgrade sends, when the operator checked it (else 0). */
export function record(operation: PendingOperation, imageKind: u32 = 0, imageVersion: u32 = 0): void {
  store(<u32>operation | ((imageKind & 0xff) << 24), imageVersion);
  countedThisRun = true; // sent in this run: this run is not a restart after it
}

/**
 * Puts back a record power loss took from SRAM2a, from what the caller kept of what it sent
 * (operation, image kind and version): counted as after a restart, so resume verifies the outcome.
 */
export function restore(operation: PendingOperation, imageKind: u32, imageVersion: u32): void {
  store(<u32>operation | (1 << 8) | ((imageKind & 0xff) << 24), imageVersion);
  countedThisRun = true;
}

export function clear(): void {
  store(0, 0);
}

/** Counts this CPU1 run once, if an operation is recorded from an earlier one. */
export function countRestart(): void {
  if (countedThisRun) return;
  countedThisRun = true;
  const value = state();
  if ((value & 0xff) == 0) return;
  const restarts = ((value >> 8) & 0xff) + 1;
  store((value & 0xffff_00ff) | ((restarts < 0xff ? restarts : 0xff) << 8), target());
}
