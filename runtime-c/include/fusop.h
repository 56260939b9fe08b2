/* fusop C API for Cortex-M4 applications on STM32WB.
 *
 * Call fusop_init() once after the C runtime is up (it enables the DWT cycle counter used as the
 * time source and instantiates the operator). Every other function is the operator module's export
 * of the same name in snake_case (bootCpu2 -> fusop_boot_cpu2), generated into fusop_api.h; they
 * return an OperatorStatus (assembly/shared/codes.ts) or the value their name says. The operator
 * polls, never sleeps, and never uses interrupts. */
#ifndef FUSOP_H
#define FUSOP_H
#include <stdint.h>
#include "fusop_api.h"

void fusop_init(void);

#endif
