/* CPU1's system clock: the reset clock (MSI 4 MHz) or 64 MHz from HSE through the main PLL, in the
 * order ST's SystemClock_Config (HAL_RCC_OscConfig, HAL_RCC_ClockConfig) drives the registers on
 * the NUCLEO-WB55: HSE on and ready; PLL from HSE, M = 2, N = 8, R = 2 (32 / 2 * 8 / 2 = 64 MHz),
 * locked; flash wait states raised and read back before the clock goes up (RM0434 "Flash read
 * access latency": 3 wait states for HCLK4 up to 64 MHz in range 1); CPU2 kept at its 32 MHz
 * maximum (C2HPRE /2); SYSCLK switched and SWS waited for. Going down runs the same steps backwards:
 * the clock first, the wait states last. Registers and bits: RM0434 Rev 10 (RCC chapter 8, FLASH
 * chapter 3), the values of ST's STM32WB55 SVD. No other dependency: a firmware that times with the
 * core clock tells its timer (the loader: fusop_time_set_core_hz). */
#include <stdint.h>
#include "clock.h"

#define REG(address) (*(volatile uint32_t*)(address))

#define FLASH_ACR 0x58004000u
#define FLASH_ACR_LATENCY_MASK 7u
#define FLASH_LATENCY_64MHZ 3u
#define FLASH_LATENCY_RESET 0u

#define RCC_CR 0x58000000u
#define RCC_CR_HSEON (1u << 16)
#define RCC_CR_HSERDY (1u << 17)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)
#define RCC_CFGR 0x58000008u
#define RCC_CFGR_SW_MASK 3u
#define RCC_CFGR_SWS_SHIFT 2u
#define RCC_CFGR_SW_MSI 0u
#define RCC_CFGR_SW_PLL 3u
#define RCC_CFGR_PRESCALERS 0x3FF0u /* HPRE 7:4, PPRE1 10:8, PPRE2 13:11: all /1 */
#define RCC_PLLCFGR 0x5800000Cu
#define RCC_PLLCFGR_SRC_HSE 3u
#define RCC_PLLCFGR_M_DIV2 (1u << 4)
#define RCC_PLLCFGR_N_8 (8u << 8)
#define RCC_PLLCFGR_REN (1u << 28)
#define RCC_PLLCFGR_R_DIV2 (1u << 29)
#define RCC_PLLCFGR_RESET 0x22040100u
#define RCC_EXTCFGR 0x58000108u
#define RCC_EXTCFGR_SHDHPRE_MASK 0xFu        /* HCLK4 (flash, shared SRAM): /1 */
#define RCC_EXTCFGR_C2HPRE_MASK (0xFu << 4)  /* HCLK2 (CPU2) */
#define RCC_EXTCFGR_C2HPRE_DIV2 (8u << 4)
#define RCC_EXTCFGR_C2HPREF (1u << 17)

#define RESET_CLOCK_HZ 4000000u /* MSI range 6 after reset */
#define RAISED_CLOCK_HZ 64000000u

static void set_flash_latency(uint32_t wait_states) {
  REG(FLASH_ACR) = (REG(FLASH_ACR) & ~FLASH_ACR_LATENCY_MASK) | wait_states;
  while ((REG(FLASH_ACR) & FLASH_ACR_LATENCY_MASK) != wait_states) {
  }
}

static void switch_system_clock(uint32_t source) {
  REG(RCC_CFGR) = (REG(RCC_CFGR) & ~RCC_CFGR_SW_MASK) | source;
  while (((REG(RCC_CFGR) >> RCC_CFGR_SWS_SHIFT) & RCC_CFGR_SW_MASK) != source) {
  }
}

void fusop_clock_raise(void) {
  REG(RCC_CR) |= RCC_CR_HSEON;
  while ((REG(RCC_CR) & RCC_CR_HSERDY) == 0) {
  }
  REG(RCC_PLLCFGR) = RCC_PLLCFGR_SRC_HSE | RCC_PLLCFGR_M_DIV2 | RCC_PLLCFGR_N_8 | RCC_PLLCFGR_REN | RCC_PLLCFGR_R_DIV2;
  REG(RCC_CR) |= RCC_CR_PLLON;
  while ((REG(RCC_CR) & RCC_CR_PLLRDY) == 0) {
  }
  set_flash_latency(FLASH_LATENCY_64MHZ);
  REG(RCC_EXTCFGR) = (REG(RCC_EXTCFGR) & ~(RCC_EXTCFGR_C2HPRE_MASK | RCC_EXTCFGR_SHDHPRE_MASK)) | RCC_EXTCFGR_C2HPRE_DIV2;
  while ((REG(RCC_EXTCFGR) & RCC_EXTCFGR_C2HPREF) == 0) {
  }
  REG(RCC_CFGR) &= ~RCC_CFGR_PRESCALERS;
  switch_system_clock(RCC_CFGR_SW_PLL);
}

void fusop_clock_restore(void) {
  switch_system_clock(RCC_CFGR_SW_MSI);
  REG(RCC_CR) &= ~RCC_CR_PLLON;
  while ((REG(RCC_CR) & RCC_CR_PLLRDY) != 0) {
  }
  REG(RCC_PLLCFGR) = RCC_PLLCFGR_RESET;
  REG(RCC_CR) &= ~RCC_CR_HSEON;
  REG(RCC_EXTCFGR) &= ~(RCC_EXTCFGR_C2HPRE_MASK | RCC_EXTCFGR_SHDHPRE_MASK);
  set_flash_latency(FLASH_LATENCY_RESET);
}

uint32_t fusop_clock_hz(void) {
  const uint32_t source = (REG(RCC_CFGR) >> RCC_CFGR_SWS_SHIFT) & RCC_CFGR_SW_MASK;
  return source == RCC_CFGR_SW_PLL ? RAISED_CLOCK_HZ : RESET_CLOCK_HZ;
}
