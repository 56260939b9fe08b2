// STM32WB device variants: what differs between WB5x, WB3x and WB1x parts (fus-behaviour §1.1,
// seed §3.4). Values the sources give for one flash size only are marked where they are extended.

export type Family = "wb5x" | "wb3x" | "wb1x";

export interface DeviceVariant {
  family: Family;
  flashKb: number;
  /** Flash sector (page) size: 4 KB on WB5x/WB3x, 2 KB on WB1x. */
  sectorBytes: number;
  flashBase: number;
  /** First address after the flash. */
  flashTop: number;
  /** Where FUS lives (24 KB). */
  fusStart: number;
  /** SRAM1 size in bytes. */
  sram1Bytes: number;
  /** DBGMCU device id (0x495 WB5x/WB3x, 0x494 WB1x; cpu2-interface §6.2). */
  deviceId: number;
  /**
   * Secure SRAM2 split while FUS runs (fus-behaviour §1.1, FUS V2.2), as SRRVR fields: WB5x/WB3x
   * keep SRAM2a open and the top 16 KB of SRAM2b private (from 0x2003C000); WB1x keeps 6 KB of
   * SRAM2a (from 0x20036800) and its whole 4 KB SRAM2b.
   */
  secureSram: { sbrsa: number; brsd: boolean; snbrsa: number; nbrsd: boolean };
  /** Customer key storage exists (not on WB1x). */
  hasCustomerKeyStorage: boolean;
}

export const FLASH_BASE = 0x0800_0000;

const supportedFlashKb: Record<Family, number[]> = {
  wb5x: [1024, 640, 512, 256],
  wb3x: [512, 256],
  wb1x: [320],
};

export function deviceVariant(family: Family, flashKb: number): DeviceVariant {
  const sizes = supportedFlashKb[family];
  if (!sizes) throw new Error(`unknown family '${family}' (wb5x, wb3x or wb1x)`);
  if (!sizes.includes(flashKb)) throw new Error(`${family} parts come with ${sizes.join(", ")} KB of flash, not ${flashKb}`);
  const flashTop = FLASH_BASE + flashKb * 1024;
  if (family === "wb1x") {
    return {
      family, flashKb, sectorBytes: 2048, flashBase: FLASH_BASE, flashTop, fusStart: 0x0804_6000,
      sram1Bytes: 12 * 1024, deviceId: 0x494, secureSram: { sbrsa: 26, brsd: false, snbrsa: 0, nbrsd: false }, hasCustomerKeyStorage: false,
    };
  }
  // The sources give 0x080F4000 for the 1 MB part; smaller parts keep FUS the same distance (48 KB)
  // below the top of their flash, where the published addresses of the release notes put it.
  return {
    family, flashKb, sectorBytes: 4096, flashBase: FLASH_BASE, flashTop, fusStart: flashTop - 0xc000,
    sram1Bytes: family === "wb5x" ? 192 * 1024 : 32 * 1024, deviceId: 0x495,
    secureSram: { sbrsa: 0, brsd: true, snbrsa: 16, nbrsd: false }, hasCustomerKeyStorage: true,
  };
}

/** SBRV (CPU2 boot vector in words from the flash base) that starts code at `address`. */
export function sbrvFor(address: number): number {
  return (address - FLASH_BASE) / 4;
}

/** SFSA (secure start in sectors) that makes `address` the first secure byte. */
export function sfsaFor(variant: DeviceVariant, address: number): number {
  return (address - FLASH_BASE) / variant.sectorBytes;
}
