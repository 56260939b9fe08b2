/* Raises SYSCLK to 64 MHz from HSE (32 MHz) through the main PLL, the way ST's SystemClock_Config
 * does on the STM32WB (flash wait states first, HSE on and ready, PLL M=2 N=8 R=2 on and locked,
 * switch and wait for SWS), then prints at 115200 baud on USART1 clocked by PCLK2 = 64 MHz. */
#include "console.h"
#include "stm32wb.h"

#define SYSCLK_HZ 64000000u
#define PLLSRC_HSE 3u
#define PLLM_DIV2 (1u << 4)
#define PLLN_8 (8u << 8)
#define PLLR_DIV2 (1u << 29)
#define PLLREN (1u << 28)
#define CFGR_SW_PLL 3u
#define CFGR_SWS_PLL (3u << 2)
#define FLASH_LATENCY_3WS 3u

int main(void) {
  /* RM0434: 3 wait states for HCLK4 up to 64 MHz, set before the clock goes up and read back. */
  FLASH_ACR = (FLASH_ACR & ~7u) | FLASH_LATENCY_3WS;
  while ((FLASH_ACR & 7u) != FLASH_LATENCY_3WS) {
  }
  RCC_CR |= RCC_CR_HSEON;
  while ((RCC_CR & RCC_CR_HSERDY) == 0u) {
  }
  RCC_PLLCFGR = PLLSRC_HSE | PLLM_DIV2 | PLLN_8 | PLLR_DIV2 | PLLREN;
  RCC_CR |= RCC_CR_PLLON;
  while ((RCC_CR & RCC_CR_PLLRDY) == 0u) {
  }
  RCC_CFGR = (RCC_CFGR & ~3u) | CFGR_SW_PLL;
  while ((RCC_CFGR & (3u << 2)) != CFGR_SWS_PLL) {
  }
  console_init(SYSCLK_HZ, 115200u);
  console_print("SYSCLK 64 MHz from HSE+PLL, USART1 at 115200\r\n");
  return 0;
}
