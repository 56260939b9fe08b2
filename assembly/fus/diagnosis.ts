// Recovery diagnosis: what state a part is in when FUS does not answer as it should (seed FAQ,
// fus-behaviour §1.1, §1.6). `diagnose` is pure; `readDiagnosisInputs` gathers its inputs.
import { Diagnosis } from "../shared/codes";

/** SBRV that the hardware forces with SFSA = 0 after option-byte corruption (seed FAQ). */
export const SBRV_SAFEBOOT_FORCED: u32 = 0x3fc00;
/** SBRV of FUS V0.5.3, which sat 8 KB higher (fus-behaviour §1.1). */
export const SBRV_FUS_V053: u32 = 0x3d800;

/**
 * `fusStartAddress` is where FUS lives on this part; `flashBytes` the flash on the die;
 * `fusVersion` what the device-information table said (read only when `fusVersionKnown`).
 */
export function diagnose(sfsa: u32, sbrv: u32, c2boot: bool, fusVersion: u32, sector: u32,
    fusStartAddress: u32, flashBytes: u32, fusVersionKnown: bool): Diagnosis {
  if (sfsa == 0 && sbrv == SBRV_SAFEBOOT_FORCED) return Diagnosis.SafebootForced;
  if (sfsa * sector > flashBytes || sfsa == 0) return Diagnosis.SfsaOutOfRange;
  const bootAddress = sbrv * 4; // offset from the flash base (C2OPT = flash)
  const secureStart = sfsa * sector;
  const fusOffset = fusStartAddress - 0x0800_0000;
  const bootsFus = bootAddress == fusOffset || sbrv == SBRV_FUS_V053;
  // CPU2 code must live in the secure area; a boot vector below SFSA points into user flash.
  if (!bootsFus && (bootAddress < secureStart || bootAddress >= flashBytes)) return Diagnosis.SbrvSfsaMisaligned;
  if (!c2boot) return Diagnosis.Cpu2NotEnabled;
  if (fusVersionKnown && fusVersion == 0) return Diagnosis.FusVersionZero;
  return Diagnosis.Healthy;
}

/** Version word of FUS V2.0.0 (cpu2-interface §3.4 encoding). */
const FUS_V2: u32 = 0x0200_0000;

/**
 * Whether FUS `fusVersion` carries an install through an asynchronous reset (power loss, a reset
 * it did not ask for). FUSv2 fixed "a known weakness against asynchronous reset" (seed §4.4), so
 * below V2 an install must not be interrupted: keep the part powered, do not reset it, and
 * upgrade FUS to V2 (through V1.2.0) before installing stacks where that is possible.
 */
export function installSurvivesAsyncReset(fusVersion: u32): bool {
  return fusVersion >= FUS_V2;
}
