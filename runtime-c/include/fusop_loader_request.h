/* For an application started by the fusop field loader: ask for the loader on the next start.
 * The request word lives in RTC_BKP0R, which a system reset keeps (RM0434 "Backup registers");
 * the loader takes and clears it at its start and stays on its console instead of booting the
 * application (assembly/loader/request.ts). Call fusop_request_loader(), then reset the part
 * (NVIC_SystemReset). Writing BKP0R needs the RTC's APB clock (RCC_APB1ENR1.RTCAPBEN, on after
 * reset) and the backup domain unlocked (PWR_CR1.DBP), which this sets and clears again.
 * The loader also keeps its console's mode in RTC_BKP1R ("JSON" while json on holds) and clears it
 * before it starts the application: an application that uses BKP1R never sees that word there. */
#ifndef FUSOP_LOADER_REQUEST_H
#define FUSOP_LOADER_REQUEST_H

#include <stdint.h>

#define FUSOP_LOADER_REQUEST_REGISTER 0x40002850u /* RTC_BKP0R */
#define FUSOP_LOADER_REQUEST 0x4C4F4144u          /* "LOAD" */
#define FUSOP_PWR_CR1 0x58000400u
#define FUSOP_PWR_CR1_DBP (1u << 8)

static inline void fusop_request_loader(void) {
  volatile uint32_t* const pwr_cr1 = (volatile uint32_t*)FUSOP_PWR_CR1;
  *pwr_cr1 |= FUSOP_PWR_CR1_DBP;
  *(volatile uint32_t*)FUSOP_LOADER_REQUEST_REGISTER = FUSOP_LOADER_REQUEST;
  *pwr_cr1 &= ~FUSOP_PWR_CR1_DBP;
}

#endif
