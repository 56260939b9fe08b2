/* The probe firmware: the operator and its C API, with a main loop that does nothing but wait for
 * a debugger-style host to call API functions (set registers, run until return to
 * fusop_probe_idle). The simulator's tier 2 drives the firmware this way; on a real board a
 * probe and a debugger can do the same. */
#include "fusop.h"

__attribute__((noinline, used)) void fusop_probe_idle(void) {
  for (;;) {
    __asm volatile("wfi");
  }
}

/* A fault stops the probe where a debugger (or tier 2, which stops at fusop_fault) sees it,
 * instead of the library's default reset. */
__attribute__((noreturn)) void fusop_fault_hook(uint32_t code, uint32_t address) {
  (void)code;
  (void)address;
  for (;;) {
    __asm volatile("bkpt #0");
  }
}

int main(void) {
  fusop_probe_idle();
  return 0;
}
