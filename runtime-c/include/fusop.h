/* fusop C API for Cortex-M4 applications on STM32WB.
 *
 * Link libfusop.a. Call fusop_init() once after the C runtime is up (it enables the DWT cycle
 * counter used as the time source and instantiates the operator). Every other function is the
 * operator module's export of the same name in snake_case (bootCpu2 -> fusop_boot_cpu2), generated
 * into fusop_api.h; they return an OperatorStatus (assembly/shared/codes.ts) or the value their
 * name says. The generated fusop_codes.h names every code: FUSOP_STATUS_* for OperatorStatus,
 * FUSOP_CPU2_MODE_*, FUSOP_FUS_STATE_* / FUSOP_FUS_ERROR_* (the bytes fusop_fus_last_state() and
 * fusop_fus_last_error() return), FUSOP_IMAGE_STATUS_* (fusop_last_image_status()),
 * FUSOP_DIAGNOSIS_* (fusop_diagnose()) and the rest of assembly/shared. Functions that return a "pointer" (key_buffer_pointer, flash_buffer_pointer, ...)
 * return an offset into the operator's linear memory: turn it into an address with
 * fusop_linear_pointer(). The operator polls, never sleeps, and never uses interrupts.
 *
 * The application's linker script defines _fusop_firmware_end: the first flash address above the
 * application, below which the operator never writes. Faults (address outside the operator's
 * allowlist, wasm traps) stop in fusop_fault(); fusop_last_fault says which and where. */
#ifndef FUSOP_H
#define FUSOP_H
#include <stdint.h>
#include "fusop_api.h"
#include "fusop_codes.h"

void fusop_init(void);
uint8_t* fusop_linear_pointer(uint32_t offset);

#endif
