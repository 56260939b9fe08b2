/* The loader's console line (runtime-c/usart.c). */
#ifndef FUSOP_USART_H
#define FUSOP_USART_H

/* USART1 on PB6/PB7 (AF7), or LPUART1 on PA2/PA3 (AF8) with FUSOP_CONSOLE_LPUART1; FUSOP_CONSOLE_BAUD
 * (115200) 8N1 at the reset clock. */
void fusop_usart_init(void);
/* Waits for the last byte to leave, then puts the console's peripheral, its clock and its pins back
 * to their reset state. */
void fusop_usart_deinit(void);

#endif
