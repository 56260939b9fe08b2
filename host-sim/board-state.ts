// The board's persistent state, as types: everything of one STM32WB that survives a reset and a
// power loss (flash, option bytes, CPU2's own non-volatile state), and its board-file form. The
// chip model (chip/flash.ts), the CPU2 models and board.ts all take these types from here, so the
// chip never has to import the Board class that builds and saves a board.
import type { DeviceVariant } from "./chip/variants.js";

export type StackFormat = "legacy" | "new";

/** The option bytes and secure settings that survive resets (cpu2-interface §1.7; they live in the board file). */
export interface OptionBytes {
  /** Secure flash start, in sectors (SFR.SFSA, 8 bits). */
  sfsa: number;
  /** Flash secure mode disabled (SFR.FSD). */
  fsd: boolean;
  /** CPU2 debug access disable (SFR.DDS; polarity not found, stored as read). */
  dds: boolean;
  /** CPU2 boot vector in words (SRRVR.SBRV, 18 bits). */
  sbrv: number;
  /** CPU2 boots from flash (SRRVR.C2OPT). */
  c2opt: boolean;
  /** Secure SRAM2a start in KB, and its disable bit (SRRVR.SBRSA 5 bits, BRSD). */
  sbrsa: number;
  brsd: boolean;
  /** Secure SRAM2b start in KB, and its disable bit (SRRVR.SNBRSA 5 bits, NBRSD). */
  snbrsa: number;
  nbrsd: boolean;
  /** Mailbox offset (IPCCBR.IPCCDBA, 14 bits). */
  ipccdba: number;
  /** User option word (OPTR) as read. */
  optr: number;
}

export interface InstalledStack {
  /** Version word (cpu2-interface §3.4). */
  version: number;
  /** Stack type byte (cpu2-interface §3.4 "info stack"). */
  type: number;
  /** First flash address of the installed stack. */
  start: number;
  /** Size in bytes of the image it was installed from. */
  size: number;
  /** Legacy (magic 0x23372991) or new format (0xB10C8B99, needs the NVM section; fus-behaviour §2). */
  format: StackFormat;
}

export interface UserKey {
  index: number;
  /** 1 simple, 2 master, 3 encrypted with the master key (cpu2-interface §5.6). */
  type: number;
  /** Key bytes, hex. */
  key: string;
  /** 12-byte IV of an encrypted key, hex. */
  iv?: string;
}

export type InstallOperation = "stack" | "fus" | "safeboot";

/** What FUS verified and is installing, kept in its UFB across the resets of an install (fus-behaviour §1.7). */
export interface InstallJournal {
  operation: InstallOperation;
  /** Next phase to run when FUS (or the temporary FUS copy) boots. */
  phase: string;
  image: {
    start: number;
    size: number;
    version: number;
    /** Stack type byte (stacks only). */
    stackType: number;
    format: StackFormat | null;
    /** The verified image: an interrupted phase runs again from it (README "install journal"). */
    data: Uint8Array;
  };
  /** Stack: final start. FUS: where the temporary copy runs from. Safeboot: final start. */
  target: number;
  /** The secure boundary before the install. */
  previousSecureStart: number;
  /** BLE NVM data FUSv2 moves out of a legacy stack into the new NVM section (seed §4.7.2). */
  nvmMigration: Uint8Array | null;
}

/** CPU2's own non-volatile state: what FUS keeps in its secure flash (UFB, CKS, secure option bytes). */
export interface Cpu2PersistentState {
  fusVersion: number;
  safebootVersion: number;
  stack: InstalledStack | null;
  /** FUSv2's 16 KB BLE NVM data section, once created by a new-format stack (fus-behaviour §2). */
  nvmSection: { start: number; bytes: number } | null;
  /** ACTIVATE_ANTIROLLBACK: irreversible; reference 0xFFFFFFFF when activated with no stack (§1.12). */
  antirollback: { active: boolean; reference: number };
  /** Customer authentication key for the double signature: raw P-256 public key X‖Y, hex (README). */
  authKey: { key: string | null; locked: boolean };
  /** User keys stored by FUS (customer key storage). */
  userKeys: UserKey[];
  /** Install in flight across resets. */
  journal: InstallJournal | null;
  /** What the next FUS_GET_STATE reports once (state, error), then FUS is idle (fus-behaviour §1.8). */
  report: { state: number; error: number } | null;
  /** CPU2 never speaks again: FUS V1.0.1 on a non-5xG part, Safeboot forced with FUS < V1.1.0. */
  locked: string | null;
}

/** What the chip model reads and changes of a board: the part, its flash array, option bytes, CPU2's NVM. */
export interface BoardState {
  readonly variant: DeviceVariant;
  /** The whole flash array of the part (`variant.arrayBytes`), secure area included. */
  readonly flash: Uint8Array;
  readonly optionBytes: OptionBytes;
  readonly cpu2: Cpu2PersistentState;
  readonly uid64: bigint;
}

/** The JSON board file (host-sim/README.md "Board files"). Addresses and version words are "0x…" strings. */
export interface BoardFile {
  format: string;
  formatVersion: number;
  family: string;
  flashKb: number;
  uid64: string;
  optionBytes: OptionBytes;
  cpu2: {
    fusVersion: string;
    safebootVersion: string;
    stack: (Omit<InstalledStack, "version" | "start"> & { version: string; start: string }) | null;
    nvmSection: { start: string; bytes: number } | null;
    antirollback: { active: boolean; reference: string };
    authKey: { key: string | null; locked: boolean };
    userKeys: UserKey[];
    journal: (Omit<InstallJournal, "target" | "previousSecureStart" | "image" | "nvmMigration"> & {
      target: string; previousSecureStart: string; nvmMigration: string | null;
      image: Omit<InstallJournal["image"], "start" | "version" | "data"> & { start: string; version: string; data: string };
    }) | null;
    report: { state: number; error: number } | null;
    locked: string | null;
  };
  flash: { sectorBytes: number; sectors: Record<string, string> };
  /** Backup domain (absent in older files: all zero, VBAT not kept). */
  backup?: { vbatKept: boolean; registers: string[] };
}
