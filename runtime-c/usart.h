/* The loader's console USART (runtime-c/usart.c). */
#ifndef FUSOP_USART_H
#define FUSOP_USART_H

/* USART1 on PB6/PB7 (AF7), FUSOP_CONSOLE_BAUD (115200) 8N1 at the core clock of
 * fusop_clock_hz() (runtime-c/clock.c): call it after the clock is set. */
void fusop_usart_init(void);
/* Waits for the last byte to leave, then puts USART1, its clock and PB6/PB7 back to their reset state. */
void fusop_usart_deinit(void);

#endif
