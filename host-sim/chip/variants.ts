// STM32WB device variants: what differs between WB5x, WB3x and WB1x parts and their flash sizes
// (fus-behaviour §1.1, §1.6, §2, §6.2; seed §2.2, §3.4). Every value the sources give for one part
// only and that is extended here to the others is marked as a choice; host-sim/README.md lists them.
import { parseVersion } from "../versions.js";

export type Family = "wb5x" | "wb3x" | "wb1x";

export const FLASH_BASE = 0x0800_0000;
/** The 16 KB BLE NVM data section FUSv2 keeps below the stack area (fus-behaviour §2). */
export const NVM_SECTION_BYTES = 16 * 1024;
/** FUS code size, fixed on every part and version (seed §2.2, §4.3). */
export const FUS_BYTES = 24 * 1024;
/** SBRV the hardware forces on option-byte corruption: boot on Safeboot (seed FAQ). */
export const SAFEBOOT_FORCED_SBRV = 0x3fc00;
/** SFSA the hardware forces on option-byte corruption: all flash secure (seed FAQ). */
export const SAFEBOOT_FORCED_SFSA = 0x00;

export interface DeviceVariant {
  family: Family;
  flashKb: number;
  /** Flash sector (page) size: 4 KB on WB5x/WB3x, 2 KB on WB1x (seed §3.4). */
  sectorBytes: number;
  flashBase: number;
  /** First address after the flash CPU1 may use at most (flash size of the part). */
  flashTop: number;
  /**
   * Size of the flash array the model holds. WB5x/WB3x parts of every size keep FUS at 0x080F4000
   * (F-SCAN shows SFSA 0xF4 on a 512 KB part), so their array is 1 MB and CPU1 sees only `flashKb`
   * of it; WB1x holds FUS, UFB and Safeboot inside its 320 KB.
   */
  arrayBytes: number;
  /** Where FUS V1.x/V2.x lives (seed §2.2). FUS V0.5.3 sits 8 KB higher (see `fusStartFor`). */
  fusStart: number;
  /**
   * Reference top of the install area (fus-behaviour §6.2 "T"): min(FUS start, end of flash). Stacks
   * are first installed at T − n·S (legacy) or T − 16 KB − n·S (new format).
   */
  installTop: number;
  /** The two UFB banks holding the FUS state machine (seed §3.4). */
  ufbBanks: [number, number];
  /** Where FUSv2 keeps Safeboot (WB5x: 0x080FF000, seed §4.7.4; WB1x not found: last sector, a choice). */
  safebootStart: number;
  sram1Bytes: number;
  sram2aBytes: number;
  sram2bBytes: number;
  /** DBGMCU device id (0x495 WB5x/WB3x, 0x494 WB1x; cpu2-interface §6.2). */
  deviceId: number;
  /**
   * Secure SRAM2 split while FUS runs (fus-behaviour §1.1, FUS V2.2), as SRRVR fields: WB5x/WB3x
   * keep SRAM2a open and the top 16 KB of SRAM2b private (from 0x2003C000); WB1x keeps 6 KB of
   * SRAM2a (from 0x20036800) and its whole 4 KB SRAM2b.
   */
  secureSram: { sbrsa: number; brsd: boolean; snbrsa: number; nbrsd: boolean };
  /** Customer key storage (user keys) exists: not on WB1x (seed §3.4). */
  hasCustomerKeyStorage: boolean;
  /** A 1 MB STM32WB5xG: the only part FUS V1.0.1 is made for (seed §3.2). */
  is5xG: boolean;
}

const supportedFlashKb: Record<Family, number[]> = {
  wb5x: [1024, 640, 512, 256],
  wb3x: [512, 256],
  wb1x: [320],
};

export function isFamily(text: string): text is Family {
  return text === "wb5x" || text === "wb3x" || text === "wb1x";
}

export function deviceVariant(family: Family, flashKb: number): DeviceVariant {
  const sizes = supportedFlashKb[family];
  if (!sizes) throw new Error(`unknown family '${family}' (wb5x, wb3x or wb1x)`);
  if (!sizes.includes(flashKb)) throw new Error(`${family} parts come with ${sizes.join(", ")} KB of flash, not ${flashKb}`);
  const flashTop = FLASH_BASE + flashKb * 1024;
  if (family === "wb1x") {
    const fusStart = 0x0804_6000;
    return {
      family, flashKb, sectorBytes: 2048, flashBase: FLASH_BASE, flashTop, arrayBytes: flashKb * 1024, fusStart,
      installTop: Math.min(fusStart, flashTop), ufbBanks: [0x0804_c000, 0x0804_c800], safebootStart: flashTop - 2048,
      sram1Bytes: 12 * 1024, sram2aBytes: 32 * 1024, sram2bBytes: 4 * 1024, deviceId: 0x494,
      secureSram: { sbrsa: 26, brsd: false, snbrsa: 0, nbrsd: false }, hasCustomerKeyStorage: false, is5xG: false,
    };
  }
  const fusStart = 0x080f_4000;
  return {
    family, flashKb, sectorBytes: 4096, flashBase: FLASH_BASE, flashTop, arrayBytes: 1024 * 1024, fusStart,
    installTop: Math.min(fusStart, flashTop), ufbBanks: [0x080f_b000, 0x080f_c000], safebootStart: 0x080f_f000,
    sram1Bytes: family === "wb5x" ? 192 * 1024 : 32 * 1024, sram2aBytes: 32 * 1024, sram2bBytes: 32 * 1024, deviceId: 0x495,
    secureSram: { sbrsa: 0, brsd: true, snbrsa: 16, nbrsd: false }, hasCustomerKeyStorage: true,
    is5xG: family === "wb5x" && flashKb === 1024,
  };
}

/** Every FUS version ST shipped (fus-behaviour §3.1). */
export const FUS_VERSIONS = ["0.5.3", "1.0.1", "1.0.2", "1.1.0", "1.1.1", "1.1.2", "1.2.0", "2.0.0", "2.1.0", "2.2.0"];

/**
 * Why a part of this variant cannot be running FUS `version` (null when it can): WB1x never had
 * V0.5.3 … V1.1.2 (seed §3.3 "(*)"), FUS V1.0.1 locks anything but a 5xG (seed §3.2), 640 KB parts
 * appear with V1.1.1 (seed §3.2).
 */
export function fusVersionUnavailable(variant: DeviceVariant, version: string): string | null {
  if (!FUS_VERSIONS.includes(version)) return `FUS ${version} does not exist (known: ${FUS_VERSIONS.join(", ")})`;
  const word = parseVersion(version);
  if (variant.family === "wb1x" && word < parseVersion("1.2.0")) return `STM32WB1x parts never ran FUS ${version}`;
  if (version === "1.0.1" && !variant.is5xG) return "FUS 1.0.1 is for 1 MB STM32WB5xG parts only: on this part it locks CPU2";
  if (variant.flashKb === 640 && word < parseVersion("1.1.1")) return `640 KB parts need FUS 1.1.1 or later, not ${version}`;
  return null;
}

/** FUS V0.5.3 boots from 0x080F6000 (SBRV 0x3D800, SFSA 0xF6); every later version from `fusStart` (seed §3.4, §4.1). */
export function fusStartFor(variant: DeviceVariant, fusVersion: number): number {
  return fusVersion === parseVersion("0.5.3") ? variant.fusStart + 0x2000 : variant.fusStart;
}

/** SBRV (CPU2 boot vector in words from the flash base) that starts code at `address`. */
export function sbrvFor(address: number): number {
  return (address - FLASH_BASE) / 4;
}

/** SFSA (secure start in sectors) that makes `address` the first secure byte. */
export function sfsaFor(variant: DeviceVariant, address: number): number {
  return Math.floor((address - FLASH_BASE) / variant.sectorBytes);
}

/**
 * Bytes of user flash from the flash base: everything below the secure boundary SFSA, and no more
 * than the part's flash size (fus-behaviour §1.1: "CM4 cannot touch anything at or above SFSA").
 * FUS scans the same range for a staged image (fus-behaviour §1.4).
 */
export function userFlashBytes(variant: DeviceVariant, sfsa: number): number {
  return Math.min(sfsa * variant.sectorBytes, variant.flashKb * 1024);
}

/** First secure byte for an SFSA value. */
export function secureStartFor(variant: DeviceVariant, sfsa: number): number {
  return FLASH_BASE + sfsa * variant.sectorBytes;
}

/** Where the 16 KB NVM section of a new-format stack goes: right below T (fus-behaviour §2, §6.2). */
export function nvmSectionStart(variant: DeviceVariant): number {
  return variant.installTop - NVM_SECTION_BYTES;
}

/** What is installed, for the option-byte defaults of fus-behaviour §1.6. */
export interface Situation {
  fusVersion: number;
  /** First address of the installed stack, or null. */
  stackStart: number | null;
  /** Whether FUSv2's NVM section is present. */
  nvmSection: boolean;
}

/**
 * SFSA and SBRV for a situation while FUS runs, or while the stack runs when `runStack` (fus-behaviour
 * §1.6 table; seed §3.4): FUS only 0xF4/0x3D000 (0x8C/0x11800 on WB1x), V0.5.3 0xF6/0x3D800, NVM area
 * kept 0xF0 (0x84), stack at A: SFSA = A's sector, SBRV = A/4 while it runs.
 */
export function defaultOptionBytes(variant: DeviceVariant, situation: Situation, runStack: boolean): { sfsa: number; sbrv: number } {
  const fusStart = fusStartFor(variant, situation.fusVersion);
  let secureStart = fusStart;
  if (situation.nvmSection) secureStart = nvmSectionStart(variant);
  if (situation.stackStart !== null) secureStart = situation.stackStart;
  const boot = runStack && situation.stackStart !== null ? situation.stackStart : fusStart;
  return { sfsa: sfsaFor(variant, secureStart), sbrv: sbrvFor(boot) };
}

/** Sectors an image of `bytes` occupies (ceil; the footer's flash-size byte, fus-behaviour §4.3). */
export function sectorsFor(variant: DeviceVariant, bytes: number): number {
  return Math.ceil(bytes / variant.sectorBytes);
}
