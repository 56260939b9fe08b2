/* Reset and exception entry of the probe firmware (STM32WB55xG): set up .data/.bss, start the
 * operator, run main(). Every CPU exception ends in fusop_fault(). User applications keep their
 * own startup and call fusop_init() themselves. */
#include <stdint.h>
#include <string.h>
#include "fusop.h"
#include "fusop_fault.h"
#include "device_config.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
extern int main(void);

__attribute__((noreturn)) void Reset_Handler(void) {
  memcpy(&_sdata, &_sidata, (uint32_t)((uint8_t*)&_edata - (uint8_t*)&_sdata));
  memset(&_sbss, 0, (uint32_t)((uint8_t*)&_ebss - (uint8_t*)&_sbss));
  static const fusop_config_t probe_config = {.core_clock_hz = FUSOP_PROBE_CORE_HZ, .now_us = 0, .journal_address = 0};
  (void)fusop_init(&probe_config);
  main();
  for (;;) {
  }
}

static void exception_handler(void) {
  uint32_t ipsr;
  __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  fusop_fault(FUSOP_FAULT_CPU_EXCEPTION, ipsr);
}

typedef void (*vector_t)(void);

__attribute__((section(".isr_vector"), used)) const vector_t fusop_vectors[16] = {
  (vector_t)&_estack, Reset_Handler,
  exception_handler, /* NMI */
  exception_handler, /* HardFault */
  exception_handler, /* MemManage */
  exception_handler, /* BusFault */
  exception_handler, /* UsageFault */
  0, 0, 0, 0,
  exception_handler, /* SVCall */
  exception_handler, /* DebugMonitor */
  0,
  exception_handler, /* PendSV */
  exception_handler, /* SysTick */
};
