/* The loader's console line (runtime-c/usart.c). */
#ifndef FUSOP_USART_H
#define FUSOP_USART_H

/* The console's speed in bit/s, a build option (assembly/loader/README.md "Console line"). */
#ifndef FUSOP_CONSOLE_BAUD
#define FUSOP_CONSOLE_BAUD 115200u
#endif

/* USART1 on PB6/PB7 (AF7), or LPUART1 on PA2/PA3 (AF8) with FUSOP_CONSOLE_LPUART1; FUSOP_CONSOLE_BAUD
 * (115200) 8N1 at the core clock of fusop_clock_hz() (runtime-c/clock.c): call it after the clock is set. */
void fusop_usart_init(void);
/* Waits for the last byte to leave, then puts the console's peripheral, its clock and its pins back
 * to their reset state. */
void fusop_usart_deinit(void);
/* The console's receive line as a wake-up source: RXFNEIE and its NVIC line enabled (never taken:
 * the loader idles with PRIMASK set, and WFI wakes on a pending line all the same). */
void fusop_usart_wake_on_rx(void);
/* Whether a received byte waits (RXFNE). */
int fusop_usart_rx_waiting(void);
/* Clears the console line's pending state after a wake-up. */
void fusop_usart_clear_wake(void);

#endif
