/* The library's default fault hook (fusop.h fusop_fault_hook): a fault inside fusop is saved in
 * fusop_saved_fault (.noinit, kept through the reset) and the part resets (NVIC_SystemReset). The
 * first start provokes one through fusop's fault entry (what an allowlist refusal or a wasm trap
 * calls); the next start finds the saved fault, prints it and ends. */
#include <stdint.h>
#include "console.h"
#include "fusop.h"

void fusop_fault(uint32_t code, uint32_t address); /* the library's internal fault entry */

int main(void) {
  console_init(4000000u, 115200u);
  if (fusop_saved_fault.magic == FUSOP_SAVED_FAULT_MAGIC) {
    console_print("saved fault ");
    console_print_hex(fusop_saved_fault.code, 2);
    console_print(" at ");
    console_print_hex(fusop_saved_fault.address, 8);
    console_print("\r\n");
    fusop_saved_fault.magic = 0u;
    firmware_exit(0);
  }
  const fusop_config_t config = {.core_clock_hz = 4000000u, .now_us = 0, .journal_address = 0};
  if (fusop_init(&config) != FUSOP_STATUS_OK) firmware_exit(1);
  console_print("fault inside fusop\r\n");
  console_flush();
  fusop_fault(FUSOP_FAULT_HAL_WRITE_DENIED, 0x40000000u);
  return 2;
}
