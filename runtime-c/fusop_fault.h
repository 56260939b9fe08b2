/* Named faults of the device runtime. Whatever the operator module does wrong on the device ends
 * in fusop_fault(): the hal's address allowlist, wasm traps (out-of-bounds linear memory,
 * unreachable, ...) and CPU exceptions. The code and the offending address are kept in
 * fusop_last_fault for a debugger, a host or the loader's console to report. */
#ifndef FUSOP_FAULT_H
#define FUSOP_FAULT_H
#include <stdint.h>

enum fusop_fault_code {
  FUSOP_FAULT_HAL_READ_DENIED = 1,   /* register/memory read outside the allowlist */
  /* register/memory write outside the allowlist; also a page erase of a page outside
   * [firmware end, SFSA) (address: the page) and a mass erase or option-byte programming or
   * loading request to FLASH_CR (address: FLASH_CR) */
  FUSOP_FAULT_HAL_WRITE_DENIED = 2,
  FUSOP_FAULT_HAL_MISALIGNED = 3,    /* access not aligned to its size */
  FUSOP_FAULT_LINEAR_RANGE = 4,      /* hal copy beyond the module's linear memory */
  FUSOP_FAULT_CPU_EXCEPTION = 5,     /* HardFault, MemManage, BusFault, UsageFault, NMI */
  FUSOP_FAULT_WASM_TRAP = 16,        /* + wasm_rt_trap_t */
};

typedef struct {
  uint32_t code;
  uint32_t address;
} fusop_fault_record_t;

extern volatile fusop_fault_record_t fusop_last_fault;

__attribute__((noreturn)) void fusop_fault(uint32_t code, uint32_t address);

#endif
