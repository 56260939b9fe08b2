/* Bench-only firmware, never shipped: the smallest useful application of the C API (the issue's
 * "init + resume + get state"), linked against libfusop.a without the probe's table of every
 * export, so that --gc-sections keeps only the operator code it reaches. bench/run.ts reports the
 * bytes it keeps. runtime-c/startup.c calls fusop_init() before main; fusop_resume boots CPU2 and
 * reads FUS's state into the progress record. */
#include "fusop.h"

int main(void) {
  fusop_progress_t progress;
  fusop_status_t status = fusop_resume(1000, &progress);
  uint32_t state = status == FUSOP_STATUS_OK ? progress.fus_state : 0xffu;
  for (;;) {
    __asm volatile("wfi" ::"r"(state));
  }
}
