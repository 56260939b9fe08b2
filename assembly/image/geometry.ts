// Flash geometry of the three families as far as image placement needs it (fus-behaviour §1.1,
// §6.2). WB5x and WB3x share FUS location and sector size; the user-visible flash may end below
// the FUS on the smaller parts (a 512 KB WB5x still reports SFSA 0xF4, §6.1).
import { Family } from "../shared/image-codes";
import { FLASH_BASE } from "../chip/registers";

export const SECTOR_4K: u32 = 0x1000;
export const SECTOR_2K: u32 = 0x800;
/**
 * Flash the planner keeps for CPU1's boot code when the caller does not say where the application
 * ends (no `--app-end`): 28 KB from the flash base, 0x08000000-0x08006FFF. CPU1 boots from its
 * vector table at 0x08000000, so no image may ever go into the first sector; beyond that the
 * amount is a choice: 0x08007000 is the lowest install address ST's release notes publish for any
 * image on any part (fus-behaviour §5: BLE_Zigbee_FFD_dynamic V1.22.1 on a 512 KB WB5x), so every
 * published install stays plannable, and the fusop loader/probe (about 21 KB) fits below it.
 * A multiple of both sector sizes. `--app-end` overrides it, down to the end of the first sector.
 */
export const CPU1_BOOT_RESERVE_BYTES: u32 = 0x7000;
/** The FUSv2 NVM data section kept below the FUS for new-format stacks (§2). */
export const NVM_SECTION_BYTES: u32 = 0x4000;

const FUS_START_4K_FAMILIES: u32 = 0x080f4000;
const FUS_START_WB1X: u32 = 0x08046000;

export function flashBase(): u32 {
  return FLASH_BASE;
}

export function sectorBytes(family: Family): u32 {
  return family == Family.Wb1x ? SECTOR_2K : SECTOR_4K;
}

export function fusStart(family: Family): u32 {
  return family == Family.Wb1x ? FUS_START_WB1X : FUS_START_4K_FAMILIES;
}

/** The flash sizes ST sells per family (release-notes columns, §5). */
export function isKnownPart(family: Family, flashKb: u32): bool {
  if (family == Family.Wb5x) return flashKb == 1024 || flashKb == 640 || flashKb == 512 || flashKb == 256;
  if (family == Family.Wb3x) return flashKb == 512 || flashKb == 256;
  if (family == Family.Wb1x) return flashKb == 320;
  return false;
}

/** Top of the area images may use on a part with nothing installed: T of §6.2. */
export function referenceTop(family: Family, flashKb: u32): u32 {
  const flashEnd = FLASH_BASE + flashKb * 1024;
  const fus = fusStart(family);
  return flashEnd < fus ? flashEnd : fus;
}

export function alignUp(address: u32, sector: u32): u32 {
  return (address + sector - 1) & ~(sector - 1);
}
