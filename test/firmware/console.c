#include "console.h"
#include "stm32wb.h"

void console_init(uint32_t pclk2_hz, uint32_t baud) {
  RCC_AHB2ENR |= RCC_AHB2ENR_GPIOBEN;
  RCC_APB2ENR |= RCC_APB2ENR_USART1EN;
  /* PB6 alternate function 7 (USART1_TX). */
  GPIOB_MODER = (GPIOB_MODER & ~(3u << 12)) | (2u << 12);
  GPIOB_AFRL = (GPIOB_AFRL & ~(0xFu << 24)) | (7u << 24);
  /* 16x oversampling: BRR = fck / baud, rounded as ST's UART_DIV_SAMPLING16 does. */
  USART1_BRR = (pclk2_hz + baud / 2u) / baud;
  USART1_CR1 = (1u << 3) | (1u << 0); /* TE, UE */
  while ((USART1_ISR & USART_ISR_TEACK) == 0u) {
  }
}

static void put(char c) {
  while ((USART1_ISR & USART_ISR_TXE) == 0u) {
  }
  USART1_TDR = (uint8_t)c;
}

void console_print(const char *text) {
  while (*text != '\0') put(*text++);
}

void console_print_hex(uint32_t value, int digits) {
  static const char hex[] = "0123456789abcdef";
  console_print("0x");
  for (int i = digits - 1; i >= 0; i--) put(hex[(value >> (4 * i)) & 0xFu]);
}

void console_print_decimal(uint32_t value) {
  char text[11];
  int n = 10;
  text[n] = '\0';
  do {
    text[--n] = (char)('0' + value % 10u);
    value /= 10u;
  } while (value != 0u);
  console_print(&text[n]);
}

void console_flush(void) {
  while ((USART1_ISR & USART_ISR_TC) == 0u) {
  }
}

void firmware_exit(uint32_t code) {
  console_flush();
  __asm volatile("mov r0, %0\n bkpt #0" : : "r"(code) : "r0");
  for (;;) {
  }
}
