/* Startup shared by the test firmwares: vector table (SP, reset; every fault ends the run with a
 * BKPT whose r0 names the exception), .data/.bss set-up, main(), and main's return value as the
 * exit code. */
#include <stdint.h>
#include <string.h>
#include "console.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
extern int main(void);

__attribute__((noreturn)) void Reset_Handler(void) {
  memcpy(&_sdata, &_sidata, (uint32_t)((uint8_t *)&_edata - (uint8_t *)&_sdata));
  memset(&_sbss, 0, (uint32_t)((uint8_t *)&_ebss - (uint8_t *)&_sbss));
  firmware_exit((uint32_t)main());
}

/* Exit codes 0x100 + exception number, so that a test sees which fault struck. */
static void fault_handler(void) {
  uint32_t ipsr;
  __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
  __asm volatile("mov r0, %0\n bkpt #1" : : "r"(0x100u + ipsr) : "r0");
}

typedef void (*vector_t)(void);

__attribute__((section(".isr_vector"), used)) const vector_t test_firmware_vectors[16] = {
  (vector_t)&_estack, Reset_Handler,
  fault_handler, fault_handler, fault_handler, fault_handler, fault_handler,
  0, 0, 0, 0,
  fault_handler, fault_handler, 0, fault_handler, fault_handler,
};
