// FUS_FW_UPGRADE: find the image, decide whether this FUS may install it, then install it through
// phases separated by system resets, keeping its progress in the UFB journal (board.cpu2.journal)
// so that each phase runs again after a power loss (fus-behaviour §1.4–§1.12, §2, §3; seed §3–§4).
//
// Phases and resets of the model (the real counts are not documented, fus-behaviour §1.7; these
// meet the documented lower bounds):
//   stack:    verify → reset → install (erase old, NVM section, program, erase shadow) → reset → stack runs
//   FUS:      verify → reset → decrypt to a temporary copy below the secure area → reset → the new
//             FUS runs from the copy and moves itself to the FUS address → reset → new FUS idle
//   Safeboot: verify → reset → copy to the Safeboot address, erase the staged copy → reset
import type { FusFirmware } from "./fus.js";
import type { Board, InstallJournal } from "../board.js";
import { scanForImage, type FoundImage } from "./image-scan.js";
import { eraseRange, programRange, runOperations, work, type Cpu2FlashOperation } from "./phase-runner.js";
import {
  fusStartFor, nvmSectionStart, sbrvFor, sectorsFor, sfsaFor, FUS_BYTES, NVM_SECTION_BYTES,
} from "../chip/variants.js";
import { FUS_SCAN_US, FUS_VERIFY_US_PER_KB } from "./timing.js";
import { FUS_STATE, FUS_ERROR, SHCI_STATUS, type FusErrorCode } from "./fus-codes.js";
import { parseVersion } from "../versions.js";
import { applySecureSram, bootNextOn } from "./secure-sram.js";

const V = (text: string): number => parseVersion(text);
/** Versions compare on major.minor.sub; the branch/build nibbles differ between files of one release. */
const release = (word: number): number => (word & 0xffff_ff00) >>> 0;
/** Offset of the BLE NVM data interleaved in a legacy stack (seed §4.7.2: "+0x1000 offset"). */
const LEGACY_NVM_OFFSET = 0x1000;

/** FW_UPGRADE received: answer at once, then scan and verify while GET_STATE shows "ongoing". */
export function beginFirmwareUpgrade(fus: FusFirmware, opcode: number): void {
  const cpu2 = fus.cpu2;
  const board = fus.board;
  fus.respond(opcode, [SHCI_STATUS.SUCCESS]); // the address parameters are ignored (fus-behaviour §1.2)
  fus.activity = FUS_STATE.FW_UPGRADE_ONGOING;
  if (!cpu2.beginPhase("FW_UPGRADE verify")) return;
  cpu2.after(FUS_SCAN_US, () => {
    const scan = scanForImage(board, fus.version, board.cpu2.authKey.key);
    if (!scan.ok) {
      fail(fus, scan.error);
      return;
    }
    const image = scan.image;
    fus.activity = image.kind === "fus" ? FUS_STATE.FUS_UPGRADE_ONGOING : FUS_STATE.FW_UPGRADE_ONGOING;
    const decision = decide(fus, image);
    cpu2.after(Math.ceil(image.size / 1024) * FUS_VERIFY_US_PER_KB, () => {
      // A refused image stays where it is (fus-behaviour §1.4, §1.9; seed FAQ).
      if ("error" in decision) {
        fail(fus, decision.error);
        return;
      }
      board.cpu2.journal = decision.journal;
      // The secure area grows over what FUS works on; the change takes effect with the reset.
      board.optionBytes.sfsa = sfsaFor(board.variant, Math.min(image.start, decision.journal.target, decision.journal.previousSecureStart));
      cpu2.resetSystem(`FUS FW_UPGRADE: ${image.kind} image verified, installing`);
    });
  });
}

function fail(fus: FusFirmware, error: FusErrorCode): void {
  fus.activity = FUS_STATE.IDLE;
  fus.report(FUS_STATE.ERROR, error);
}

function currentSecureStart(board: Board): number {
  const state = board.cpu2;
  return state.stack?.start ?? state.nvmSection?.start ?? fusStartFor(board.variant, state.fusVersion);
}

type Decision = { journal: InstallJournal } | { error: FusErrorCode };

function journalFor(board: Board, image: FoundImage, operation: InstallJournal["operation"], phase: string, target: number): InstallJournal {
  return {
    operation, phase, target, previousSecureStart: currentSecureStart(board), nvmMigration: null,
    image: { start: image.start, size: image.size, version: image.version, stackType: image.stackType, format: image.format, data: image.data },
  };
}

/** Whether this FUS installs the image, and where (fus-behaviour §1.5, §1.6, §1.12, §3). */
function decide(fus: FusFirmware, image: FoundImage): Decision {
  const board = fus.board;
  if (image.kind === "fus") {
    const error = fusPathError(fus, image);
    if (error !== null) return { error };
    // The temporary copy goes right below the secure area (seed §4.3 note, §4.7.1).
    const target = currentSecureStart(board) - FUS_BYTES;
    return { journal: journalFor(board, image, "fus", "decrypt", target) };
  }
  if (image.kind === "safeboot") {
    // Never an older or equal Safeboot [choice: the FUS anti-rollback of seed §3.3 applied to Safeboot].
    if (release(image.version) <= release(board.cpu2.safebootVersion)) return { error: FUS_ERROR.FW_ROLLBACK_ERROR };
    return { journal: journalFor(board, image, "safeboot", "install", board.variant.safebootStart) };
  }
  return decideStack(fus, image);
}

/**
 * FUS self-upgrade path (seed §3.2–§3.3, fus-behaviour §3): never lower or equal (anti-rollback →
 * FW_ROLLBACK_ERROR); off V0.5.3 only V1.0.x or the dedicated V1.2.0 binary; V1.0.2 over V1.0.1
 * and V1.1.x over V0.5.3 are IMG_NOT_AUTHENTIC (wiki); V1.1.0 → V1.1.2 needs anti-rollback first;
 * FUSv2 only from V1.2.0.
 */
function fusPathError(fus: FusFirmware, image: FoundImage): FusErrorCode | null {
  const running = release(fus.version);
  const target = release(image.version);
  if (target <= running) return FUS_ERROR.FW_ROLLBACK_ERROR;
  const is053 = running === V("0.5.3");
  if (target === V("1.2.0")) {
    const wanted = is053 ? "for-0.5.3" : "for-1.x";
    return image.fusVariant === null || image.fusVariant === wanted ? null : FUS_ERROR.IMG_NOT_AUTHENTIC;
  }
  if (target >= V("2.0.0")) return running >= V("1.2.0") ? null : FUS_ERROR.IMG_NOT_AUTHENTIC;
  if (is053) return target === V("1.0.1") || target === V("1.0.2") ? null : FUS_ERROR.IMG_NOT_AUTHENTIC;
  if (running === V("1.0.1") && target === V("1.0.2")) return FUS_ERROR.IMG_NOT_AUTHENTIC;
  if (running === V("1.1.0") && target === V("1.1.2") && !fus.board.cpu2.antirollback.active) return FUS_ERROR.IMG_NOT_AUTHENTIC;
  return null;
}

/** Stack checks and placement (fus-behaviour §1.6, §1.12, §2; seed §3.2 one-sector rule). */
function decideStack(fus: FusFirmware, image: FoundImage): Decision {
  const board = fus.board;
  const variant = board.variant;
  const state = board.cpu2;
  const sector = variant.sectorBytes;
  const anti = state.antirollback;
  if (anti.active && (anti.reference === 0xffff_ffff || release(image.version) < release(anti.reference))) {
    return { error: FUS_ERROR.FW_ROLLBACK_ERROR };
  }
  const sectors = sectorsFor(variant, image.size);
  const old = state.stack;
  let target: number;
  if (!old) {
    target = image.start; // first install: where it was downloaded (F-SCAN)
  } else {
    const imageEnd = image.start + sectors * sector;
    // FUS ≥ V1.1.2: one free sector below the installed stack; before: room for the whole image.
    const gap = fus.version >= V("1.1.2") ? sector : sectors * sector;
    if (old.start - imageEnd < gap) return { error: FUS_ERROR.IMG_NOT_ENOUGH_SPACE };
    // The new stack ends where the old one ended (F-SCAN; seed FAQ "moved to a higher address").
    target = old.start + sectorsFor(variant, old.size) * sector - sectors * sector;
  }
  if (image.format === "new") {
    // A new-format stack sits below the 16 KB NVM section (seed FAQ: not above 0x080D0000 for a 0x20000 stack).
    target = Math.min(target, nvmSectionStart(variant) - sectors * sector);
    if (!old && target < image.start) return { error: FUS_ERROR.IMG_NOT_ENOUGH_SPACE };
  }
  if (target < image.start) return { error: FUS_ERROR.IMG_NOT_ENOUGH_SPACE };
  const journal = journalFor(board, image, "stack", "install", target);
  // FUSv2 creates the NVM section for a new-format stack; from a legacy stack it moves the
  // interleaved BLE NVM data there (seed §4.7.2; how much is not documented: one sector [choice]).
  // Taken now, so that the install phase can run again after a power loss.
  if (image.format === "new" && !state.nvmSection && old?.format === "legacy") {
    const at = board.offsetOf(old.start + LEGACY_NVM_OFFSET);
    journal.nvmMigration = board.flash.slice(at, at + sector);
  }
  return { journal };
}

/** FUS booted with an install in flight: run the phase the journal names. */
export function resumeInstall(fus: FusFirmware): void {
  const journal = fus.board.cpu2.journal!;
  if (journal.operation === "stack") runStackInstall(fus, journal);
  else if (journal.operation === "safeboot") runSafebootInstall(fus, journal);
  else if (journal.phase === "decrypt") runFusDecrypt(fus, journal);
  else runFusRelocate(fus, journal);
}

/** Erases the sectors of the staged image that the result does not cover (fus-behaviour §1.9). */
function eraseShadow(board: Board, journal: InstallJournal, keepStart: number, keepBytes: number): Cpu2FlashOperation[] {
  const sector = board.variant.sectorBytes;
  const operations: Cpu2FlashOperation[] = [];
  const end = journal.image.start + sectorsFor(board.variant, journal.image.size) * sector;
  for (let address = journal.image.start; address < end; address += sector) {
    if (address >= keepStart && address < keepStart + keepBytes) continue;
    operations.push(...eraseRange(board, address, sector));
  }
  return operations;
}

function runStackInstall(fus: FusFirmware, journal: InstallJournal): void {
  const cpu2 = fus.cpu2;
  const board = fus.board;
  const variant = board.variant;
  const state = board.cpu2;
  const sector = variant.sectorBytes;
  fus.activity = FUS_STATE.FW_UPGRADE_ONGOING;
  if (!cpu2.beginPhase("stack install")) return;
  const image = journal.image;
  const sectors = sectorsFor(variant, image.size);
  const old = state.stack;
  const operations: Cpu2FlashOperation[] = [work("decrypt and check", Math.ceil(image.size / 1024) * FUS_VERIFY_US_PER_KB)];
  let nvm = state.nvmSection;
  if (image.format === "new" && !nvm) {
    nvm = { start: nvmSectionStart(variant), bytes: NVM_SECTION_BYTES };
    const migrated = journal.nvmMigration;
    if (old) operations.push(...eraseRange(board, old.start, sectorsFor(variant, old.size) * sector));
    operations.push(...eraseRange(board, nvm.start, nvm.bytes));
    if (migrated) operations.push(...programRange(board, nvm.start, migrated));
  } else {
    if (old) operations.push(...eraseRange(board, old.start, sectorsFor(variant, old.size) * sector));
    if (image.format === "legacy" && nvm) {
      // A legacy stack purges the NVM section (seed FAQ).
      operations.push(...eraseRange(board, nvm.start, nvm.bytes));
      nvm = null;
    }
  }
  operations.push(...eraseRange(board, journal.target, sectors * sector));
  operations.push(...programRange(board, journal.target, image.data));
  operations.push(...eraseShadow(board, journal, journal.target, sectors * sector));
  runOperations(cpu2, operations, () => {
    const stack = { version: image.version, type: image.stackType, start: journal.target, size: image.size, format: image.format ?? "legacy" } as const;
    state.stack = stack;
    state.nvmSection = nvm;
    if (state.antirollback.active && state.antirollback.reference !== 0xffff_ffff) {
      state.antirollback.reference = Math.max(state.antirollback.reference, image.version) >>> 0; // [choice]
    }
    board.optionBytes.sfsa = sfsaFor(variant, journal.target);
    board.optionBytes.sbrv = sbrvFor(journal.target);
    // FUS < V1.2.0 installing a larger stack over a smaller one leaves SBRV on the first (now
    // erased) stack: the part is bricked (seed FAQ "known limitation").
    if (old && fus.version < V("1.2.0") && sectors > sectorsFor(variant, old.size)) board.optionBytes.sbrv = sbrvFor(old.start);
    applySecureSram(board, true);
    state.journal = null;
    fus.activity = FUS_STATE.IDLE;
    cpu2.resetSystem("FUS: wireless stack installed, rebooting on it");
  });
}

function runFusDecrypt(fus: FusFirmware, journal: InstallJournal): void {
  const cpu2 = fus.cpu2;
  const board = fus.board;
  fus.activity = FUS_STATE.FUS_UPGRADE_ONGOING;
  if (!cpu2.beginPhase("FUS upgrade: temporary copy")) return;
  const code = journal.image.data.subarray(0, FUS_BYTES);
  const operations = [
    work("decrypt", Math.ceil(journal.image.size / 1024) * FUS_VERIFY_US_PER_KB),
    ...eraseRange(board, journal.target, FUS_BYTES),
    ...programRange(board, journal.target, code),
    ...eraseShadow(board, journal, journal.target, FUS_BYTES),
  ];
  runOperations(cpu2, operations, () => {
    board.optionBytes.sfsa = sfsaFor(board.variant, journal.target);
    board.optionBytes.sbrv = sbrvFor(journal.target);
    journal.phase = "relocate";
    cpu2.resetSystem("FUS upgrade: rebooting on the new FUS's temporary copy");
  });
}

function runFusRelocate(fus: FusFirmware, journal: InstallJournal): void {
  const cpu2 = fus.cpu2;
  const board = fus.board;
  const variant = board.variant;
  const state = board.cpu2;
  fus.activity = FUS_STATE.FUS_UPGRADE_ONGOING;
  if (!cpu2.beginPhase("FUS upgrade: final copy")) return;
  const previousVersion = state.fusVersion;
  const finalStart = fusStartFor(variant, journal.image.version);
  const operations = [
    ...eraseRange(board, finalStart, FUS_BYTES),
    ...programRange(board, finalStart, journal.image.data.subarray(0, FUS_BYTES)),
    ...eraseRange(board, journal.target, FUS_BYTES),
  ];
  runOperations(cpu2, operations, () => {
    state.fusVersion = journal.image.version;
    state.userKeys = []; // every FUS upgrade erases the user keys (seed FAQ)
    bootNextOn(board, false);
    state.journal = null;
    // V1.0.1 is for the 1 MB STM32WB5xG only; elsewhere the part locks for good (seed §3.2).
    if (release(state.fusVersion) === V("1.0.1") && !variant.is5xG) state.locked = "FUS 1.0.1 installed on a part that is not an STM32WB5xG";
    // Off V0.5.3 the upgrade commonly ends with IMG_NOT_AUTHENTIC although it worked (F-053).
    if (release(previousVersion) === V("0.5.3")) state.report = { state: FUS_STATE.ERROR, error: FUS_ERROR.IMG_NOT_AUTHENTIC };
    fus.activity = FUS_STATE.IDLE;
    cpu2.resetSystem("FUS upgrade: new FUS in place");
  });
}

function runSafebootInstall(fus: FusFirmware, journal: InstallJournal): void {
  const cpu2 = fus.cpu2;
  const board = fus.board;
  const variant = board.variant;
  const state = board.cpu2;
  fus.activity = FUS_STATE.FW_UPGRADE_ONGOING;
  if (!cpu2.beginPhase("Safeboot install")) return;
  const room = board.flash.length - board.offsetOf(journal.target);
  const code = journal.image.data.subarray(0, Math.min(room, journal.image.data.length));
  const operations = [
    ...eraseRange(board, journal.target, Math.ceil(code.length / variant.sectorBytes) * variant.sectorBytes),
    ...programRange(board, journal.target, code),
    ...eraseShadow(board, journal, 0, 0),
  ];
  runOperations(cpu2, operations, () => {
    state.safebootVersion = journal.image.version;
    bootNextOn(board, false);
    state.journal = null;
    // The update ends in a factory reset, which resets the UFB where FUS keeps its state (seed
    // §4.6, §4.7.4): FUS has nothing to report afterwards and GET_STATE reads IDLE / NO_ERROR (RN:
    // "the next GET_STATE after a reset shows NO_ERROR"). CubeProgrammer's FUS_UFB_CORRUPT is not a
    // FUS_GET_STATE error: shci.h lists none by that name (cpu2-interface §5.4).
    state.report = null;
    fus.activity = FUS_STATE.IDLE;
    cpu2.resetSystem("FUS: Safeboot installed");
  });
}
