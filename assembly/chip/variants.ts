// What the operator needs to know about the part it runs on, read from the part itself: the
// device id (DBGMCU_IDCODE, cpu2-interface §6.2) and the flash-size word (§1.1). The family's
// flash geometry itself is the planner's (image/geometry.ts): one definition for both.
import { read32, read16 } from "../hal";
import { FLASH_BASE, FLASH_SFR, FLASH_SFR_SFSA_MASK, FLASH_SIZE_ADDRESS } from "./registers";
import * as geometry from "../image/geometry";
import { Family } from "../shared/image-codes";

export const DBGMCU_IDCODE: u32 = 0xe004_2000;
export const DEVICE_ID_WB5X_WB3X: u32 = 0x495;
export const DEVICE_ID_WB1X: u32 = 0x494;

/** DEV_ID (11:0) and REV_ID (31:16) of DBGMCU_IDCODE. */
export function deviceId(): u32 {
  return read32(DBGMCU_IDCODE) & 0xfff;
}
export function revisionId(): u32 {
  return read32(DBGMCU_IDCODE) >>> 16;
}

export function flashSizeKb(): u32 {
  return read16(FLASH_SIZE_ADDRESS);
}

export function isWb1x(id: u32): bool {
  return id == DEVICE_ID_WB1X;
}

/** The planner's family for a device id: WB5x and WB3x share 0x495 and every image file. */
export function familyOf(id: u32): Family {
  return isWb1x(id) ? Family.Wb1x : Family.Wb5x;
}

/** Sector size: 2 KB on WB1x, 4 KB elsewhere (fus-behaviour §1.1). */
export function sectorBytes(id: u32): u32 {
  return geometry.sectorBytes(familyOf(id));
}

/** Sector size of the part running the operator. */
export function sectorBytesOfPart(): u32 {
  return sectorBytes(deviceId());
}

/**
 * Where FUS lives (fus-behaviour §1.1). Parts sold with less flash keep FUS at the same address,
 * above what CPU1 is given: a 512 KB part reports SFSA 0xF4 too (fus-behaviour §6.1).
 */
export function fusStart(id: u32): u32 {
  return geometry.fusStart(familyOf(id));
}

/** Flash present on the die, whatever part of it CPU1 is given (the FUS area included). */
export function physicalFlashBytes(id: u32): u32 {
  return isWb1x(id) ? 320 * 1024 : 1024 * 1024;
}

/**
 * The end of the flash CPU1 may change: the start of CPU2's secure area (SFSA sectors from the
 * start of flash), or the end of the flash when that comes first (parts sold with less flash keep
 * SFSA 0xF4, FUS at 0x080F4000: fus-behaviour §6.1). One definition for the flash driver's range
 * check, the preflight's image search and the loader's transfers.
 */
export function cpu1FlashEnd(): u32 {
  const secure = FLASH_BASE + (read32(FLASH_SFR) & FLASH_SFR_SFSA_MASK) * sectorBytesOfPart();
  const flashEnd = FLASH_BASE + flashSizeKb() * 1024;
  return secure < flashEnd ? secure : flashEnd;
}
