/* Named faults of the device runtime. Whatever the operator module does wrong on the device ends
 * in fusop_fault(): the hal's address allowlist, wasm traps (out-of-bounds linear memory,
 * unreachable, ...) and CPU exceptions (probe). The code and the offending address are kept in
 * fusop_last_fault for a debugger or a host, then fusop_fault_hook (fusop.h) decides what happens. */
#ifndef FUSOP_FAULT_H
#define FUSOP_FAULT_H
#include <stdint.h>
#include "fusop.h"

typedef struct {
  uint32_t code;
  uint32_t address;
} fusop_fault_record_t;

extern volatile fusop_fault_record_t fusop_last_fault;

__attribute__((noreturn)) void fusop_fault(uint32_t code, uint32_t address);

/* The operator's linear memory at `offset` (NULL beyond it). */
uint8_t *fusop_linear_pointer(uint32_t offset);

/* Time source of the hal (hal.c): the core clock with DWT->CYCCNT, or the application's hook. */
/* The fastest core clock the cycle-counter time source handles exactly in 32 bits (hal.c:
 * 10 * core_clock_hz must fit); STM32WB's CPU1 runs at 64 MHz at most. */
#define FUSOP_CORE_HZ_MAX 400000000u
void fusop_time_configure(uint32_t core_clock_hz, uint32_t (*now_us)(void));
/* The core clock changed (runtime-c/clock.c): time so far is kept, cycles count at the new clock. */
void fusop_time_set_core_hz(uint32_t core_clock_hz);

#endif
