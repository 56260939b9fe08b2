/* The field loader's main loop: the logic is the loader module (assembly/loader); this file does
 * only what needs the core itself — the system reset and the jump to the application — when a
 * loader step asks for it (LoaderAction, assembly/loader/console.ts). */
#include <stdint.h>
#include "fusop.h"
#include "fusop_api.h"
#include "usart.h"

/* LoaderAction values. */
#define LOADER_ACTION_RESET 1u
#define LOADER_ACTION_BOOT_APPLICATION 2u

/* How long the loader waits for a key before it starts a valid application; 0: no wait. */
#ifndef FUSOP_BOOT_WINDOW_MS
#define FUSOP_BOOT_WINDOW_MS 1000u
#endif

/* The application slot (assembly/loader/transfer.ts APPLICATION_START). */
#define APPLICATION_START 0x0800C000u

#define SCB_VTOR 0xE000ED08u
#define SCB_AIRCR 0xE000ED0Cu
#define SCB_AIRCR_SYSRESETREQ ((0x05FAu << 16) | (1u << 2))
#define SYST_CSR 0xE000E010u

#define REG(address) (*(volatile uint32_t*)(address))

static __attribute__((noreturn)) void system_reset(void) {
  fusop_usart_deinit(); /* the final line has left the wire */
  __asm volatile("dsb");
  REG(SCB_AIRCR) = SCB_AIRCR_SYSRESETREQ;
  __asm volatile("dsb");
  for (;;) {
  }
}

/* The module checked the vector table (initial SP in SRAM1, reset handler in the slot) and that
 * CPU2 was not started in this run; the clock is still the reset clock (MSI 4 MHz). */
static __attribute__((noreturn)) void boot_application(void) {
  const uint32_t stack = REG(APPLICATION_START);
  const uint32_t entry = REG(APPLICATION_START + 4u);
  fusop_usart_deinit();
  REG(SYST_CSR) = 0;
  REG(SCB_VTOR) = APPLICATION_START;
  __asm volatile("dsb\n isb");
  __asm volatile("msr msp, %0\n bx %1" : : "r"(stack), "r"(entry));
  for (;;) {
  }
}

static void act(uint32_t action) {
  if (action == LOADER_ACTION_RESET) system_reset();
  if (action == LOADER_ACTION_BOOT_APPLICATION) boot_application();
}

int main(void) {
  fusop_usart_init();
  act(fusop_x_loader_start(FUSOP_BOOT_WINDOW_MS));
  for (;;) act(fusop_x_loader_step());
}
