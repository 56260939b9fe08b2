/* The loader's console line: USART1 on PB6 (TX) / PB7 (RX), alternate function 7 — the ST-LINK
 * virtual COM port of NUCLEO-WB55 — polled, 8N1, no interrupts. Implements the hal imports
 * uartWrite/uartRead of assembly/hal/index.ts. Registers and bits: RM0434 Rev 10 (RCC chapter 8,
 * GPIO chapter 9, USART chapter 36), the same values as ST's STM32WB SVD. */
#include <stdint.h>
#include "fusop_generated.h"
#include "fusop_fault.h"
#include "device_config.h"
#include "usart.h"
#include "clock.h"

extern uint8_t fusop_linear_memory[FUSOP_LINEAR_BYTES];

#define REG(address) (*(volatile uint32_t*)(address))

#define RCC_AHB2ENR 0x5800004Cu
#define RCC_AHB2ENR_GPIOBEN (1u << 1)
#define RCC_APB2ENR 0x58000060u
#define RCC_APB2ENR_USART1EN (1u << 14)
#define RCC_APB2RSTR 0x58000040u
#define RCC_APB2RSTR_USART1RST (1u << 14)

#define GPIOB_MODER 0x48000400u
#define GPIOB_AFRL 0x48000420u
#define TX_PIN 6u
#define RX_PIN 7u
#define MODER_ALTERNATE 2u
#define MODER_ANALOG 3u /* the reset mode of PB6/PB7 */
#define AF_USART1 7u

#define USART1_BASE 0x40013800u
#define USART_CR1 (USART1_BASE + 0x00u)
#define USART_BRR (USART1_BASE + 0x0Cu)
#define USART_ISR (USART1_BASE + 0x1Cu)
#define USART_ICR (USART1_BASE + 0x20u)
#define USART_RDR (USART1_BASE + 0x24u)
#define USART_TDR (USART1_BASE + 0x28u)
#define USART_CR1_UE (1u << 0)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_FIFOEN (1u << 29) /* 8-byte FIFOs: a little slack while the loader computes */
#define USART_ISR_ORE (1u << 3)
#define USART_ISR_FE (1u << 1)
#define USART_ISR_NE (1u << 2)
#define USART_ISR_RXFNE (1u << 5)
#define USART_ISR_TC (1u << 6)
#define USART_ISR_TXFNF (1u << 7)
#define USART_ICR_ERRORS (USART_ISR_ORE | USART_ISR_FE | USART_ISR_NE) /* ORECF, FECF, NECF: same bits */

#ifndef FUSOP_CONSOLE_BAUD
#define FUSOP_CONSOLE_BAUD 115200u
#endif

static void pin_mode(uint32_t pin, uint32_t mode) {
  REG(GPIOB_MODER) = (REG(GPIOB_MODER) & ~(3u << (pin * 2u))) | (mode << (pin * 2u));
}

void fusop_usart_init(void) {
  REG(RCC_AHB2ENR) |= RCC_AHB2ENR_GPIOBEN;
  REG(RCC_APB2ENR) |= RCC_APB2ENR_USART1EN;
  (void)REG(RCC_APB2ENR); /* the clock is on before the first register access */
  REG(GPIOB_AFRL) = (REG(GPIOB_AFRL) & ~((0xFu << (TX_PIN * 4u)) | (0xFu << (RX_PIN * 4u)))) |
                    (AF_USART1 << (TX_PIN * 4u)) | (AF_USART1 << (RX_PIN * 4u));
  pin_mode(TX_PIN, MODER_ALTERNATE);
  pin_mode(RX_PIN, MODER_ALTERNATE);
  /* Oversampling by 16: BRR = f(PCLK2) / baud, rounded; PCLK2 is the core clock (no prescaler). */
  REG(USART_BRR) = (fusop_clock_hz() + FUSOP_CONSOLE_BAUD / 2u) / FUSOP_CONSOLE_BAUD;
  REG(USART_CR1) = USART_CR1_FIFOEN | USART_CR1_TE | USART_CR1_RE | USART_CR1_UE;
}

/* Before the jump to the application: the last byte out, then USART1 and its pins as after reset. */
void fusop_usart_deinit(void) {
  while ((REG(USART_ISR) & USART_ISR_TC) == 0) {
  }
  REG(USART_CR1) = 0;
  REG(RCC_APB2RSTR) |= RCC_APB2RSTR_USART1RST;
  REG(RCC_APB2RSTR) &= ~RCC_APB2RSTR_USART1RST;
  REG(RCC_APB2ENR) &= ~RCC_APB2ENR_USART1EN;
  pin_mode(TX_PIN, MODER_ANALOG);
  pin_mode(RX_PIN, MODER_ANALOG);
}

/* Wasm import names as wasm2c 1.0.32 mangles them (module "hal"). */
void Z_halZ_uartWrite(struct Z_hal_instance_t* hal, u32 pointer, u32 length) {
  (void)hal;
  if (pointer > FUSOP_LINEAR_BYTES || length > FUSOP_LINEAR_BYTES - pointer) fusop_fault(FUSOP_FAULT_LINEAR_RANGE, pointer);
  for (u32 i = 0; i < length; i++) {
    while ((REG(USART_ISR) & USART_ISR_TXFNF) == 0) {
    }
    REG(USART_TDR) = fusop_linear_memory[pointer + i];
  }
}

u32 Z_halZ_uartRead(struct Z_hal_instance_t* hal) {
  (void)hal;
  const uint32_t status = REG(USART_ISR);
  /* A lost or damaged byte only costs a YMODEM retry: clear the flag and go on. */
  if (status & USART_ICR_ERRORS) REG(USART_ICR) = status & USART_ICR_ERRORS;
  if ((status & USART_ISR_RXFNE) == 0) return (u32)-1;
  return REG(USART_RDR) & 0xFFu;
}
