/* The loader's console line, polled, 8N1, no interrupts. Implements the hal imports
 * uartWrite/uartRead of assembly/hal/index.ts. Two build choices (assembly/loader/README.md
 * "Console line"):
 *   default            USART1 on PB6 (TX) / PB7 (RX), AF7: the ST-LINK virtual COM port of NUCLEO-WB55;
 *   FUSOP_CONSOLE_LPUART1  LPUART1 on PA2 (TX) / PA3 (RX), AF8: Arduino D1/D0 of NUCLEO-WB55;
 * and the speed, FUSOP_CONSOLE_BAUD (default 115200). Registers and bits: RM0434 Rev 10 (RCC
 * chapter 8, GPIO chapter 9, LPUART chapter 35, USART chapter 36), the same values as ST's STM32WB
 * SVD; the alternate function numbers as ST's STM32WB HAL names them (GPIO_AF7_USART1,
 * GPIO_AF8_LPUART1), the pins as NUCLEO-WB55 board support wires them. */
#include <stdint.h>
#include "fusop_generated.h"
#include "fusop_fault.h"
#include "device_config.h"
#include "usart.h"
#include "clock.h"

extern uint8_t fusop_linear_memory[FUSOP_LINEAR_BYTES];

#define REG(address) (*(volatile uint32_t*)(address))

/* The console's kernel clock in Hz: PCLK2 (USART1) or PCLK1 (LPUART1), the reset selection of
 * RCC_CCIPR.USART1SEL / LPUART1SEL; with no APB prescaler both are the core clock, which
 * fusop_clock_hz() gives (runtime-c/clock.c): fusop_usart_init() comes after the clock is set. */
#define CONSOLE_KERNEL_HZ fusop_clock_hz()

#define RCC_AHB2ENR 0x5800004Cu

#ifdef FUSOP_CONSOLE_LPUART1
#define RCC_AHB2ENR_GPIOEN (1u << 0) /* GPIOAEN */
#define RCC_BUS_ENR 0x5800005Cu      /* RCC_APB1ENR2 */
#define RCC_BUS_RSTR 0x5800003Cu     /* RCC_APB1RSTR2 */
#define RCC_CONSOLE_BIT (1u << 0)    /* LPUART1EN / LPUART1RST */
#define GPIO_BASE 0x48000000u        /* GPIOA */
#define TX_PIN 2u
#define RX_PIN 3u
#define AF_CONSOLE 8u
#define CONSOLE_BASE 0x40008000u /* LPUART1 */
#define CONSOLE_IRQ 37u          /* LPUART1 (stm32wb55xx.h IRQn) */
/* LPUART: BRR = 256 * fck / baud, rounded (RM0434 LPUART "Baud rate generation"). 256 * fck passes
 * 2^32 from 16.8 MHz up, so the quotient is taken in two 32-bit steps (whole part, then the
 * remainder's 8 fraction bits; remainder < baud < 2^24): the same value, no 64-bit division. */
static uint32_t console_brr(void) {
  const uint32_t hz = CONSOLE_KERNEL_HZ;
  const uint32_t whole = hz / FUSOP_CONSOLE_BAUD;
  const uint32_t rest = hz % FUSOP_CONSOLE_BAUD;
  return (whole << 8) + ((rest << 8) + FUSOP_CONSOLE_BAUD / 2u) / FUSOP_CONSOLE_BAUD;
}
#define CONSOLE_BRR console_brr()
#else
#define RCC_AHB2ENR_GPIOEN (1u << 1) /* GPIOBEN */
#define RCC_BUS_ENR 0x58000060u      /* RCC_APB2ENR */
#define RCC_BUS_RSTR 0x58000040u     /* RCC_APB2RSTR */
#define RCC_CONSOLE_BIT (1u << 14)   /* USART1EN / USART1RST */
#define GPIO_BASE 0x48000400u        /* GPIOB */
#define TX_PIN 6u
#define RX_PIN 7u
#define AF_CONSOLE 7u
#define CONSOLE_BASE 0x40013800u /* USART1 */
#define CONSOLE_IRQ 36u          /* USART1 (stm32wb55xx.h IRQn) */
/* USART, oversampling by 16: BRR = fck / baud, rounded (RM0434 USART "Baud rate generation"). */
#define CONSOLE_BRR ((CONSOLE_KERNEL_HZ + FUSOP_CONSOLE_BAUD / 2u) / FUSOP_CONSOLE_BAUD)
#endif

#define GPIO_MODER (GPIO_BASE + 0x00u)
#define GPIO_AFRL (GPIO_BASE + 0x20u)
#define MODER_ALTERNATE 2u
#define MODER_ANALOG 3u /* the reset mode of both pairs of pins */

/* USART1 and LPUART1 share these offsets and bits (RM0434 USART_x / LPUART_x registers). */
#define USART_CR1 (CONSOLE_BASE + 0x00u)
#define USART_BRR (CONSOLE_BASE + 0x0Cu)
#define USART_ISR (CONSOLE_BASE + 0x1Cu)
#define USART_ICR (CONSOLE_BASE + 0x20u)
#define USART_RDR (CONSOLE_BASE + 0x24u)
#define USART_TDR (CONSOLE_BASE + 0x28u)
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
#define USART_CR1_RXFNEIE (1u << 5) /* the interrupt line follows RXFNE: a byte waits */
/* The console's line in the NVIC's second word (IRQ 32..63). */
#define NVIC_ISER1 0xE000E104u
#define NVIC_ICER1 0xE000E184u
#define NVIC_ICPR1 0xE000E284u
#define NVIC_CONSOLE (1u << (CONSOLE_IRQ - 32u))
#define USART_ICR_ERRORS (USART_ISR_ORE | USART_ISR_FE | USART_ISR_NE) /* ORECF, FECF, NECF: same bits */

static void pin_mode(uint32_t pin, uint32_t mode) {
  REG(GPIO_MODER) = (REG(GPIO_MODER) & ~(3u << (pin * 2u))) | (mode << (pin * 2u));
}

void fusop_usart_init(void) {
  REG(RCC_AHB2ENR) |= RCC_AHB2ENR_GPIOEN;
  REG(RCC_BUS_ENR) |= RCC_CONSOLE_BIT;
  (void)REG(RCC_BUS_ENR); /* the clock is on before the first register access */
  REG(GPIO_AFRL) = (REG(GPIO_AFRL) & ~((0xFu << (TX_PIN * 4u)) | (0xFu << (RX_PIN * 4u)))) |
                   (AF_CONSOLE << (TX_PIN * 4u)) | (AF_CONSOLE << (RX_PIN * 4u));
  pin_mode(TX_PIN, MODER_ALTERNATE);
  pin_mode(RX_PIN, MODER_ALTERNATE);
  REG(USART_BRR) = CONSOLE_BRR;
  REG(USART_CR1) = USART_CR1_FIFOEN | USART_CR1_TE | USART_CR1_RE | USART_CR1_UE;
}

void fusop_usart_wake_on_rx(void) {
  REG(USART_CR1) |= USART_CR1_RXFNEIE;
  REG(NVIC_ISER1) = NVIC_CONSOLE;
}

int fusop_usart_rx_waiting(void) {
  return (REG(USART_ISR) & USART_ISR_RXFNE) != 0;
}

void fusop_usart_clear_wake(void) {
  REG(NVIC_ICPR1) = NVIC_CONSOLE;
}

/* Before the jump to the application: the last byte out, then the console's peripheral, its NVIC
 * line and its pins as after reset. */
void fusop_usart_deinit(void) {
  while ((REG(USART_ISR) & USART_ISR_TC) == 0) {
  }
  REG(USART_CR1) = 0;
  REG(NVIC_ICER1) = NVIC_CONSOLE;
  REG(NVIC_ICPR1) = NVIC_CONSOLE;
  REG(RCC_BUS_RSTR) |= RCC_CONSOLE_BIT;
  REG(RCC_BUS_RSTR) &= ~RCC_CONSOLE_BIT;
  REG(RCC_BUS_ENR) &= ~RCC_CONSOLE_BIT;
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
