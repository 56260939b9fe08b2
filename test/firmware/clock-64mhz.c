/* Runs the clock of the field loader and the example application (runtime-c/clock.c): raises SYSCLK
 * to 64 MHz from HSE (32 MHz) through the main PLL the way ST's SystemClock_Config does, prints at
 * 115200 baud on USART1 clocked by PCLK2 = 64 MHz, then goes back to the reset clock (what the
 * loader leaves to the application) and prints again at 115200 baud from MSI 4 MHz. */
#include "clock.h"
#include "console.h"
#include "stm32wb.h"

int main(void) {
  fusop_clock_raise();
  console_init(fusop_clock_hz(), 115200u);
  console_print("SYSCLK ");
  console_print_decimal(fusop_clock_hz());
  console_print(" Hz from HSE+PLL, USART1 at 115200\r\n");
  console_flush();
  fusop_clock_restore();
  console_init(fusop_clock_hz(), 115200u);
  console_print("back on MSI ");
  console_print_decimal(fusop_clock_hz());
  console_print(" Hz\r\n");
  return 0;
}
