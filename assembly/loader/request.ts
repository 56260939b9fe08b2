// What the loader keeps in RTC backup registers, which keep their value through a system reset
// (RM0434 "Backup registers": reset only by a backup-domain reset or a power loss without VBAT):
//
// - BKP0R, the application's request to stay in the loader. The application writes LOADER_REQUEST
//   there (runtime-c/include/fusop_loader_request.h) and resets; the loader takes the request on its
//   next start and clears it, so that the following start boots the application again.
// - BKP1R, the console's mode: CONSOLE_JSON while `json on` holds, so that the lines a command
//   prints after the resets it ends in (start-fus, delete, install, ...) keep the form the host
//   asked for. A power loss without VBAT clears it: the loader then starts in text mode.
//
// Either register holding another value belongs to the application and is left alone. The hal's
// sandbox lets the loader reach these two words and nothing else of the RTC (runtime-c/allowlist.json).
import { read32, write32, setBits32, clearBits32 } from "../hal";

/** RTC_BKP0R: RTC base 0x40002800 + 0x50 (stm32wb55xx.h RTC_TypeDef). */
export const REQUEST_REGISTER: u32 = 0x4000_2850;
/** "LOAD" in ASCII: a value no reset leaves in the register by chance (it resets to 0). */
export const LOADER_REQUEST: u32 = 0x4c4f_4144;
/** RTC_BKP1R: the next backup register. */
export const CONSOLE_MODE_REGISTER: u32 = 0x4000_2854;
/** "JSON" in ASCII: json mode is on. */
export const CONSOLE_JSON: u32 = 0x4a53_4f4e;
/** PWR_CR1.DBP: backup-domain writes are ignored while it is clear (RM0434 PWR_CR1 bit 8). */
const PWR_CR1: u32 = 0x5800_0400;
const PWR_CR1_DBP: u32 = 1 << 8;

/** A backup register write: the backup domain unlocked for it (PWR_CR1.DBP), locked again after. */
function writeBackup(register: u32, value: u32): void {
  setBits32(PWR_CR1, PWR_CR1_DBP);
  write32(register, value);
  clearBits32(PWR_CR1, PWR_CR1_DBP);
}

/** Whether the application asked for the loader; the request is consumed (BKP0R back to 0). */
export function takeLoaderRequest(): bool {
  if (read32(REQUEST_REGISTER) != LOADER_REQUEST) return false;
  writeBackup(REQUEST_REGISTER, 0);
  return true;
}

/** Whether `json on` held before this start's reset. */
export function keptJsonMode(): bool {
  return read32(CONSOLE_MODE_REGISTER) == CONSOLE_JSON;
}

/** Keeps the console's mode for the starts that follow a system reset (json off: the register back to 0). */
export function keepJsonMode(on: bool): void {
  if (on) writeBackup(CONSOLE_MODE_REGISTER, CONSOLE_JSON);
  else if (keptJsonMode()) writeBackup(CONSOLE_MODE_REGISTER, 0);
}
