/* Bare-metal wasm runtime for the wasm2c output: the module's linear memory is a fixed buffer of
 * FUSOP_LINEAR_BYTES (a few KiB, far below one 64 KiB wasm page). wasm2c's bounds checks compare
 * against mem->size, so every access beyond the buffer traps; nothing ever grows (the build
 * refuses a module with memory.grow, and no grow function is linked). */
#include <stdarg.h>
#include <string.h>
#include "wasm-rt.h"
#include "fusop_fault.h"
#include "linear_layout.h"

_Static_assert(FUSOP_STATIC_DATA_END <= FUSOP_LINEAR_BYTES,
               "the operator's static data does not fit the device linear memory");

uint8_t fusop_linear_memory[FUSOP_LINEAR_BYTES] __attribute__((aligned(8)));

#if WASM_RT_USE_STACK_DEPTH_COUNT
uint32_t wasm_rt_call_stack_depth;
#endif

void wasm_rt_allocate_memory(wasm_rt_memory_t* memory, uint32_t initial_pages, uint32_t max_pages) {
  memset(fusop_linear_memory, 0, sizeof fusop_linear_memory);
  memory->data = fusop_linear_memory;
  memory->size = FUSOP_LINEAR_BYTES;
  memory->pages = initial_pages;
  memory->max_pages = max_pages;
}

void wasm_rt_trap(wasm_rt_trap_t code) {
  fusop_fault(FUSOP_FAULT_WASM_TRAP + (uint32_t)code, 0);
}

/* Function types only matter for call_indirect; the operator module has no table, so an index is
 * enough. */
uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  static uint32_t next_type;
  (void)params;
  (void)results;
  return next_type++;
}
