// Identification (seed §4.1; cpu2-interface §1.7, §3): what the part is and what CPU2 runs, read
// from option bytes, system memory and DBGMCU, all of which CPU1 can read before CPU2 boots.
import { read32 } from "../hal";
import {
  FLASH_BASE, FLASH_SFR, FLASH_SFR_SFSA_MASK, FLASH_SRRVR, FLASH_SRRVR_SBRV_MASK, PWR_CR4, PWR_CR4_C2BOOT, UID64_ADDRESS,
} from "../chip/registers";
import { deviceId, revisionId, flashSizeKb, sectorBytes, fusStart, physicalFlashBytes } from "../chip/variants";
import { Diagnosis } from "../shared/codes";
import { diagnose } from "./diagnosis";

let sfsa: u32 = 0;
let sbrv: u32 = 0;
let c2boot: bool = false;
let flashKb: u32 = 0;
let device: u32 = 0;
let revision: u32 = 0;
let uidLow: u32 = 0;
let uidHigh: u32 = 0;

export function identify(): void {
  sfsa = read32(FLASH_SFR) & FLASH_SFR_SFSA_MASK;
  sbrv = read32(FLASH_SRRVR) & FLASH_SRRVR_SBRV_MASK;
  c2boot = (read32(PWR_CR4) & PWR_CR4_C2BOOT) != 0;
  flashKb = flashSizeKb();
  device = deviceId();
  revision = revisionId();
  uidLow = read32(UID64_ADDRESS);
  uidHigh = read32(UID64_ADDRESS + 4);
}

export function idSfsa(): u32 { return sfsa; }
export function idSbrv(): u32 { return sbrv; }
export function idC2boot(): bool { return c2boot; }
export function idFlashKb(): u32 { return flashKb; }
export function idDeviceId(): u32 { return device; }
export function idRevisionId(): u32 { return revision; }
export function idUid64Low(): u32 { return uidLow; }
export function idUid64High(): u32 { return uidHigh; }

/** The address SFSA names (after identify()): the first byte of CPU2's secure area. */
export function idSecureStart(): u32 {
  return FLASH_BASE + sfsa * sectorBytes(device);
}

/** SBRV says FUS is selected (0x3D000-style FUS address, or V0.5.3's 0x3D800; seed §4.1). */
export function sbrvSelectsFus(): bool {
  return sbrv * 4 == fusStart(device) - 0x0800_0000 || sbrv == 0x3d800;
}

export function diagnoseIdentified(fusVersion: u32, fusVersionKnown: bool): Diagnosis {
  return diagnose(sfsa, sbrv, c2boot, fusVersion, sectorBytes(device), fusStart(device),
    physicalFlashBytes(device), fusVersionKnown);
}
