/* The operator instance and its fault handler: what every firmware built on fusop links, the
 * probe firmware and user applications (libfusop.a) alike. */
#include <stdint.h>
#include "fusop.h"
#include "fusop_fault.h"
#include "fusop_generated.h"

void fusop_time_init(void);
extern uint8_t fusop_linear_memory[FUSOP_LINEAR_BYTES];

volatile fusop_fault_record_t fusop_last_fault;
Z_fusop_instance_t fusop_instance;

__attribute__((noreturn, noinline, used)) void fusop_fault(uint32_t code, uint32_t address) {
  fusop_last_fault.code = code;
  fusop_last_fault.address = address;
  for (;;) {
    __asm volatile("bkpt #0");
  }
}

extern uint32_t _fusop_firmware_end;

void fusop_init(void) {
  fusop_time_init();
  Z_fusop_init_module();
  Z_fusop_instantiate(&fusop_instance, 0);
  /* The operator's flash driver refuses the firmware's own pages before the hal has to. */
  Z_fusopZ_flashSetFirmwareEnd(&fusop_instance, (uint32_t)&_fusop_firmware_end);
}

uint8_t* fusop_linear_pointer(uint32_t offset) {
  return offset < FUSOP_LINEAR_BYTES ? &fusop_linear_memory[offset] : 0;
}
