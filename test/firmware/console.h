/* USART1 console of the test firmwares (PB6 TX, AF7: the Nucleo's virtual COM port), polling. */
#ifndef TEST_FIRMWARE_CONSOLE_H
#define TEST_FIRMWARE_CONSOLE_H
#include <stdint.h>

/* USART1 on PCLK2 (the reset kernel clock selection) running at `pclk2_hz`, 8N1 at `baud`. */
void console_init(uint32_t pclk2_hz, uint32_t baud);
void console_print(const char *text);
void console_print_hex(uint32_t value, int digits);
void console_print_decimal(uint32_t value);
/* Waits until the last byte has left the shift register (ISR.TC). */
void console_flush(void);
/* Ends the run: BKPT with the exit code in r0 (what `fusop sim run` reports). */
__attribute__((noreturn)) void firmware_exit(uint32_t code);

#endif
