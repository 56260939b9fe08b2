/* CPU1's system clock for the field loader and the example application (runtime-c/clock.c). */
#ifndef FUSOP_CLOCK_H
#define FUSOP_CLOCK_H

#include <stdint.h>

/* 64 MHz from the 32 MHz HSE crystal through the main PLL, as ST's SystemClock_Config for the
 * NUCLEO-WB55 sets it: flash 3 wait states first, CPU2 (HCLK2) at 32 MHz, HCLK1 = HCLK4 = PCLK1 =
 * PCLK2 = 64 MHz. Blocks until HSE is ready and the PLL locked (about a millisecond). */
void fusop_clock_raise(void);
/* Back to the reset clock (MSI 4 MHz, PLL and HSE off, prescalers and flash wait states at their
 * reset values): the state a firmware finds after reset, left to the application the loader starts. */
void fusop_clock_restore(void);
/* The core clock (HCLK1) now, in Hz: what the USART baud and the hal's microseconds count from. */
uint32_t fusop_clock_hz(void);

#endif
