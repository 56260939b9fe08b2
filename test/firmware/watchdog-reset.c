/* Starts the independent watchdog and stops refreshing it: the part resets, the firmware starts
 * again from its reset vector, and a boot counter in RTC backup register 0 (backup domain: kept
 * through a system reset) shows how many times it went round. After the third boot it exits 0. */
#include "console.h"
#include "stm32wb.h"

#define BOOTS_BEFORE_EXIT 3u
#define IWDG_KEY_START 0xCCCCu
#define IWDG_KEY_RELOAD 0xAAAAu
#define IWDG_KEY_UNLOCK 0x5555u

int main(void) {
  console_init(4000000u, 115200u); /* MSI 4 MHz after reset */
  PWR_CR1 |= PWR_CR1_DBP;            /* backup domain writable */
  uint32_t boots = RTC_BKP0R + 1u;
  RTC_BKP0R = boots;
  console_print("boot ");
  console_print_decimal(boots);
  console_print((RCC_CSR & RCC_CSR_IWDGRSTF) != 0u ? " after an IWDG reset\r\n" : "\r\n");
  if (boots >= BOOTS_BEFORE_EXIT) {
    console_print("watchdog test done\r\n");
    return 0;
  }
  console_flush();
  /* 4 x (RLR + 1) / 32 kHz: 12.6 ms. */
  IWDG_KR = IWDG_KEY_START;
  IWDG_KR = IWDG_KEY_UNLOCK;
  IWDG_PR = 0u;
  IWDG_RLR = 100u;
  while (IWDG_SR != 0u) {
  }
  IWDG_KR = IWDG_KEY_RELOAD;
  for (;;) {
    /* no refresh: the watchdog resets the part */
  }
}
