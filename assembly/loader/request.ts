// The application's request to stay in the loader: a word in RTC backup register BKP0R, which keeps
// its value through the system reset that follows (RM0434 "Backup registers": reset only by a
// backup-domain reset or a power loss without VBAT). The application writes LOADER_REQUEST there
// (runtime-c/include/fusop_loader_request.h) and resets; the loader takes the request on its next
// start and clears it, so that the following start boots the application again. The hal's sandbox
// lets the loader reach BKP0R and nothing else of the RTC (runtime-c/allowlist.json).
import { read32, write32, setBits32, clearBits32 } from "../hal";

/** RTC_BKP0R: RTC base 0x40002800 + 0x50 (stm32wb55xx.h RTC_TypeDef). */
export const REQUEST_REGISTER: u32 = 0x4000_2850;
/** "LOAD" in ASCII: a value no reset leaves in the register by chance (it resets to 0). */
export const LOADER_REQUEST: u32 = 0x4c4f_4144;
/** PWR_CR1.DBP: backup-domain writes are ignored while it is clear (RM0434 PWR_CR1 bit 8). */
const PWR_CR1: u32 = 0x5800_0400;
const PWR_CR1_DBP: u32 = 1 << 8;

/** Whether the application asked for the loader; the request is consumed (BKP0R back to 0). */
export function takeLoaderRequest(): bool {
  if (read32(REQUEST_REGISTER) != LOADER_REQUEST) return false;
  setBits32(PWR_CR1, PWR_CR1_DBP);
  write32(REQUEST_REGISTER, 0);
  clearBits32(PWR_CR1, PWR_CR1_DBP);
  return true;
}
