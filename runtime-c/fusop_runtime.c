/* The operator instance, fusop_init and the fault path: what every firmware built on fusop links,
 * the probe firmware and user applications (libfusop.a) alike. */
#include <stdint.h>
#include "fusop.h"
#include "fusop_api.h"
#include "fusop_fault.h"
#include "fusop_generated.h"

#define SCB_AIRCR (*(volatile uint32_t *)0xE000ED0Cu)
#define SCB_AIRCR_SYSRESETREQ 0x05FA0004u /* VECTKEY | SYSRESETREQ (ARMv7-M) */

extern uint8_t fusop_linear_memory[FUSOP_LINEAR_BYTES];

volatile fusop_fault_record_t fusop_last_fault;
__attribute__((section(".noinit"))) volatile fusop_saved_fault_t fusop_saved_fault;
Z_fusop_instance_t fusop_instance;

/* Default: keep the fault for the next start and reset the system. */
__attribute__((weak, noreturn)) void fusop_fault_hook(uint32_t code, uint32_t address) {
  fusop_saved_fault.code = code;
  fusop_saved_fault.address = address;
  fusop_saved_fault.magic = FUSOP_SAVED_FAULT_MAGIC;
  __asm volatile("dsb" ::: "memory");
  SCB_AIRCR = SCB_AIRCR_SYSRESETREQ;
  __asm volatile("dsb" ::: "memory");
  for (;;) {
  }
}

__attribute__((noreturn, noinline, used)) void fusop_fault(uint32_t code, uint32_t address) {
  fusop_last_fault.code = code;
  fusop_last_fault.address = address;
  fusop_fault_hook(code, address);
  for (;;) { /* a hook that returns anyway stops here */
  }
}

extern uint32_t _fusop_firmware_end;

fusop_status_t fusop_init(const fusop_config_t *config) {
  if (config == 0) return FUSOP_STATUS_INVALID_CONFIG;
  if (config->now_us == 0 && (config->core_clock_hz < 1000000u || config->core_clock_hz > FUSOP_CORE_HZ_MAX)) {
    return FUSOP_STATUS_INVALID_CONFIG;
  }
  fusop_time_configure(config->core_clock_hz, config->now_us);
  Z_fusop_init_module();
  Z_fusop_instantiate(&fusop_instance, 0);
  /* The operator's flash driver refuses the firmware's own pages before the hal has to. */
  Z_fusopZ_flashSetFirmwareEnd(&fusop_instance, (uint32_t)&_fusop_firmware_end);
  if (config->journal_address != 0 && fusop_x_set_journal_address(config->journal_address) == 0) {
    return FUSOP_STATUS_INVALID_CONFIG;
  }
  return FUSOP_STATUS_OK;
}

uint8_t *fusop_linear_pointer(uint32_t offset) {
  return offset < FUSOP_LINEAR_BYTES ? &fusop_linear_memory[offset] : 0;
}
