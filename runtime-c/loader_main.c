/* The field loader's main loop: the logic is the loader module (assembly/loader); this file does
 * only what needs the core itself — the system reset and the jump to the application — when a
 * loader step asks for it (LoaderAction, assembly/loader/console.ts). */
#include <stdint.h>
#include "fusop.h"
#include "fusop_fault.h"
#include "fusop_api.h"
#include "usart.h"
#include "clock.h"

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
#define SYST_RVR 0xE000E014u
#define SYST_CVR 0xE000E018u
#define SYST_CSR_RUN_WITH_TICK 7u /* ENABLE, TICKINT (pends SysTick), CLKSOURCE = the core clock */
#define SCB_ICSR 0xE000ED04u
#define SCB_ICSR_PENDSTCLR (1u << 25)

#define REG(address) (*(volatile uint32_t*)(address))

/* Idle without interrupts: with PRIMASK set nothing is ever taken (the loader polls, as on every
 * path), but WFI still wakes on a pending one (ARMv7-M), so the core sleeps until a byte arrives
 * (the console UART's line, enabled in the NVIC) or the 1 ms SysTick tick (timeouts, the boot window) instead
 * of spinning — less power, and on the simulator 64 MHz of idle costs no emulated instructions. */
static void idle_setup(void) {
  __asm volatile("cpsid i" ::: "memory");
  REG(SYST_RVR) = fusop_clock_hz() / 1000u - 1u;
  REG(SYST_CVR) = 0;
  REG(SYST_CSR) = SYST_CSR_RUN_WITH_TICK;
  fusop_usart_wake_on_rx();
}

static void idle_until_byte_or_tick(void) {
  if (!fusop_usart_rx_waiting()) __asm volatile("wfi" ::: "memory");
  REG(SCB_ICSR) = SCB_ICSR_PENDSTCLR;
  fusop_usart_clear_wake();
}

/* What idle_setup changed, back to its reset state before the application starts. */
static void idle_teardown(void) {
  REG(SYST_CSR) = 0; /* the console's NVIC line: fusop_usart_deinit, called before */
  REG(SCB_ICSR) = SCB_ICSR_PENDSTCLR;
  __asm volatile("cpsie i" ::: "memory");
}

static __attribute__((noreturn)) void system_reset(void) {
  fusop_usart_deinit(); /* the final line has left the wire */
  __asm volatile("dsb");
  REG(SCB_AIRCR) = SCB_AIRCR_SYSRESETREQ;
  __asm volatile("dsb");
  for (;;) {
  }
}

/* The module checked the vector table (initial SP in SRAM1, reset handler in the slot) and that
 * CPU2 was not started in this run. The application starts on the reset clock (MSI 4 MHz, PLL and
 * HSE off, flash 0 wait states), as it would straight out of reset (assembly/loader/README.md). */
static __attribute__((noreturn)) void boot_application(void) {
  const uint32_t stack = REG(APPLICATION_START);
  const uint32_t entry = REG(APPLICATION_START + 4u);
  fusop_usart_deinit();
  idle_teardown();
  fusop_clock_restore();
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

/* 64 MHz first: flash programming then runs at the flash's own rate rather than the core's, and the
 * console's baud is computed from the raised clock. */
int main(void) {
  fusop_clock_raise();
  fusop_time_set_core_hz(fusop_clock_hz()); /* the operator's microseconds follow the clock */
  fusop_usart_init();
  idle_setup();
  fusop_x_loader_set_console_baud(FUSOP_CONSOLE_BAUD); /* program ahead or not (assembly/loader/transfer.ts) */
  act(fusop_x_loader_start(FUSOP_BOOT_WINDOW_MS));
  for (;;) {
    act(fusop_x_loader_step());
    idle_until_byte_or_tick();
  }
}
