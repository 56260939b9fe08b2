/* An application in the way of a CubeMX wireless project: it boots CPU2 with ST's transport layer
 * (st_tl.c) and receives the READY event itself, then calls the fusop library, which attaches to
 * those tables instead of building its own (cpu2-interface §3.1, §3.5, §3.6), stages an image
 * while the stack runs (§4.5), hands the system channel back for a command of the application's
 * own, and installs the image: after each of the resets the application boots CPU2 the ST way
 * again and fusop attaches again, its install record in 16 bytes of the application's MB_MEM2.
 * fusop's time comes from the application's own microsecond hook. Prints each step on USART1. */
#include <stdint.h>
#include "console.h"
#include "fusop.h"
#include "st_tl.h"
#include "stm32wb.h"

#define OPCODE_FLASH_ERASE_ACTIVITY 0xFC69u
#define CORE_HZ 4000000u
#define NEW_STACK_VERSION 0x01180100u /* the example image: 1.24.1 */
/* ARMv7-M debug registers: DEMCR.TRCENA, DWT_CTRL.CYCCNTENA, DWT_CYCCNT. */
#define DEMCR REG(0xE000EDFCu)
#define DWT_CTRL REG(0xE0001000u)
#define DWT_CYCCNT REG(0xE0001004u)

extern const unsigned char example_image[];
extern const unsigned long example_image_size;

/* fusop's record of an install across resets: 16 bytes the application keeps in SRAM2a next to
 * ST's buffers (never cleared by the startup: MB_MEM2 is NOLOAD). */
__attribute__((section("MB_MEM2"), aligned(16))) static uint8_t fusop_journal[16];

/* The application's own microsecond counter, handed to fusop instead of the core clock: the
 * cycle counter's differences summed, so that it wraps at 2^32 microseconds as fusop expects. */
static uint32_t micros(void) {
  static uint32_t last_cycles, microseconds, leftover_cycles;
  uint32_t now = DWT_CYCCNT;
  leftover_cycles += now - last_cycles;
  last_cycles = now;
  microseconds += leftover_cycles / (CORE_HZ / 1000000u);
  leftover_cycles %= CORE_HZ / 1000000u;
  return microseconds;
}

static void check(const char *step, fusop_status_t status) {
  console_print(step);
  console_print(" ");
  console_print_hex((uint32_t)status, 2);
  console_print("\r\n");
  if (status != FUSOP_STATUS_OK) firmware_exit(10u + (uint32_t)status);
}

int main(void) {
  __asm volatile("cpsid i");
  SCB_SCR |= SCB_SCR_SEVONPEND;
  console_init(4000000u, 115200u);
  st_tl_boot_cpu2();
  const uint8_t *ready = st_tl_wait_system_event();
  console_print("application: READY payload ");
  console_print_hex(ready[13], 2);
  console_print("\r\n");

  DEMCR |= 1u << 24;
  DWT_CTRL |= 1u;
  (void)micros();
  const fusop_config_t config = {.core_clock_hz = 0u, .now_us = micros, .journal_address = (uint32_t)fusop_journal};
  check("fusop_init", fusop_init(&config));
  fusop_progress_t progress;
  fusop_status_t status = fusop_resume(0, &progress);
  while (status == FUSOP_STATUS_OPERATION_IN_PROGRESS) {
    console_print("FUS busy\r\n");
    status = fusop_wait_while_busy(60000u, 0u, &progress); /* FUS's reset restarts us */
    if (status == FUSOP_STATUS_OK) status = fusop_resume(0, &progress);
  }
  check("fusop_resume (attach)", status);
  fusop_part_t part;
  check("fusop_identify", fusop_identify(&part));
  console_print(part.cpu2_mode == FUSOP_CPU2_MODE_WIRELESS_STACK ? "stack " : "FUS ");
  console_print_hex(part.cpu2_mode == FUSOP_CPU2_MODE_WIRELESS_STACK ? part.stack_version : part.fus_version, 8);
  console_print("\r\n");
  if (part.cpu2_mode == FUSOP_CPU2_MODE_WIRELESS_STACK && part.stack_version >> 8 == NEW_STACK_VERSION >> 8) {
    console_print("new stack running\r\n");
    firmware_exit(0);
  }

  if (part.cpu2_mode == FUSOP_CPU2_MODE_WIRELESS_STACK) {
    fusop_stage_result_t staged;
    check("fusop_stage_begin", fusop_stage_begin((uint32_t)example_image_size, &staged));
    check("fusop_stage_write", fusop_stage_write(example_image, example_image_size));
    check("fusop_stage_end", fusop_stage_end(&staged));
    console_print("staged at ");
    console_print_hex(staged.address, 8);
    console_print("\r\n");

    /* The channel back to the application for a command of its own, then to fusop again. */
    fusop_detach();
    const uint8_t off = 0u;
    const uint8_t *answer = st_tl_system_command(OPCODE_FLASH_ERASE_ACTIVITY, &off, 1u);
    console_print("application: own command status ");
    console_print_hex(answer[6], 2);
    console_print("\r\n");
    check("fusop_resume (attach again)", fusop_resume(0, &progress));
  }
  /* Leaves the stack for FUS, or (FUS running) FW_UPGRADE: resets, returns only on failure. */
  check("fusop_install", fusop_install());
  firmware_exit(3);
}
