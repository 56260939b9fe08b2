/* Interrupts on tier 2: a SysTick handler counts 1 ms ticks (as HAL_IncTick does), the main loop
 * sleeps in WFI between them until 5 ms have passed (as HAL_Delay does), then a USART1 TXE
 * interrupt handler sends the line. */
#include "console.h"
#include "stm32wb.h"

#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define USART_CR1_TXEIE (1u << 7)
#define USART1_IRQ 36u

static volatile uint32_t ticks;
static const char message[] = "5 ticks, then sent from the USART1 interrupt\r\n";
static volatile uint32_t sent;

void SysTick_Handler(void) { ticks++; }

void USART1_IRQHandler(void) {
  if (message[sent] == '\0') {
    USART1_CR1 &= ~USART_CR1_TXEIE;
    return;
  }
  USART1_TDR = (uint8_t)message[sent++];
}

int main(void) {
  console_init(4000000u, 115200u);
  SYST_RVR = 4000u - 1u; /* 1 ms at the reset clock, 4 MHz */
  SYST_CVR = 0u;
  SYST_CSR = 7u; /* CLKSOURCE core, TICKINT, ENABLE */
  while (ticks < 5u) {
    __asm volatile("wfi");
  }
  SYST_CSR = 0u;
  NVIC_ISER1 = 1u << (USART1_IRQ - 32u);
  USART1_CR1 |= USART_CR1_TXEIE;
  while (message[sent] != '\0' || (USART1_CR1 & USART_CR1_TXEIE) != 0u) {
    __asm volatile("wfi");
  }
  return (int)ticks == 5 ? 0 : 1;
}
