/* Startup shared by the test firmwares: vector table (SP, reset; every fault and every interrupt
 * without a handler ends the run with a BKPT whose r0 names the exception), .data/.bss set-up,
 * main(), and main's return value as the exit code. */
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

/* Handlers a test firmware may define; the others end the run like a fault. */
void SysTick_Handler(void) __attribute__((weak, alias("fault_handler")));
void USART1_IRQHandler(void) __attribute__((weak, alias("fault_handler")));

typedef void (*vector_t)(void);

#define USART1_IRQ 36

/* 16 system exceptions, then the STM32WB55's external interrupts (stm32wb55xx.h IRQ numbers). */
__attribute__((section(".isr_vector"), used)) const vector_t test_firmware_vectors[16 + 63] = {
  [0] = (vector_t)&_estack, [1] = Reset_Handler,
  [2] = fault_handler, [3] = fault_handler, [4] = fault_handler, [5] = fault_handler, [6] = fault_handler,
  [11] = fault_handler, [12] = fault_handler, [14] = fault_handler, [15] = SysTick_Handler,
  [16 ... 16 + USART1_IRQ - 1] = fault_handler,
  [16 + USART1_IRQ] = USART1_IRQHandler,
  [16 + USART1_IRQ + 1 ... 16 + 62] = fault_handler,
};
