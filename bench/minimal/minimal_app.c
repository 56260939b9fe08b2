/* Bench-only firmware, never shipped: the smallest useful application of the C API (the issue's
 * "init + resume + get state"), linked against libfusop.a without the probe's table of every
 * export, so that --gc-sections keeps only the operator code it reaches. bench/run.ts reports the
 * operator bytes it keeps. (runtime-c/startup.c calls fusop_init() before main.) */
#include "fusop.h"

int main(void) {
  uint32_t status = fusop_fus_resume(1000);
  if (status == 0) status = fusop_fus_get_state();
  for (;;) {
    __asm volatile("wfi" ::"r"(status));
  }
}
