/* Example application: update the wireless stack from product firmware with fusop.
 *
 * What it shows, in the order an application does it:
 *   1. clocks to 64 MHz (HSE 32 MHz through the PLL, as ST's SystemClock_Config does);
 *   2. fusop_init with that clock, then fusop_resume after every start (the install resets the
 *      part several times; each start lands here again);
 *   3. fusop_identify: what runs on CPU2;
 *   4. with the stack running: stage the new image in small pieces while the stack keeps running
 *      (here from a buffer in flash; in a product, as the bytes arrive over BLE or a UART);
 *   5. fusop_install: leaves the stack for FUS (reset), then FW_UPGRADE (resets);
 *   6. when the new stack runs: done. Each step is printed on USART1 (PB6, 115200 baud).
 * The image is a stack signed with the simulator's key, so this example installs only on the
 * simulator (`fusop sim run`); on a part, use an image ST signed. Built by `make` with -Werror and
 * linked without LTO against libfusop.a. */
#include <stdint.h>
#include "fusop.h"
#include "clock.h" /* runtime-c/clock.c: SystemClock_Config's 64 MHz; a CubeMX project has its own */

/* The image to install (build/gen/example_image.c) and the version it carries. */
extern const unsigned char example_image[];
extern const unsigned long example_image_size;
#define NEW_STACK_VERSION 0x01180100u /* 1.24.1 */
#define CHUNK_BYTES 100u              /* any size: fusop buffers what does not fill 8 bytes */

#define REG(address) (*(volatile uint32_t *)(address))
/* RM0434 register addresses. */
#define RCC_AHB2ENR REG(0x5800004Cu)
#define RCC_APB2ENR REG(0x58000060u)
#define GPIOB_MODER REG(0x48000400u)
#define GPIOB_AFRL REG(0x48000420u)
#define USART1_CR1 REG(0x40013800u)
#define USART1_BRR REG(0x4001380Cu)
#define USART1_ISR REG(0x4001381Cu)
#define USART1_TDR REG(0x40013828u)

/* USART1 on PB6 (AF7), 115200 baud from PCLK2 = the core clock (64 MHz). */
static void console_init(void) {
  RCC_AHB2ENR |= 1u << 1;  /* GPIOB */
  RCC_APB2ENR |= 1u << 14; /* USART1 */
  GPIOB_MODER = (GPIOB_MODER & ~(3u << 12)) | (2u << 12);
  GPIOB_AFRL = (GPIOB_AFRL & ~(0xFu << 24)) | (7u << 24);
  USART1_BRR = (fusop_clock_hz() + 115200u / 2u) / 115200u;
  USART1_CR1 = (1u << 3) | 1u; /* TE, UE */
  while ((USART1_ISR & (1u << 21)) == 0u) { /* TEACK */
  }
}

static void print(const char *text) {
  while (*text != '\0') {
    while ((USART1_ISR & (1u << 7)) == 0u) { /* TXE */
    }
    USART1_TDR = (uint8_t)*text++;
  }
}

static void print_hex(uint32_t value) {
  static const char digits[] = "0123456789abcdef";
  char text[11] = "0x";
  for (int i = 0; i < 8; i++) text[2 + i] = digits[(value >> (28 - 4 * i)) & 0xFu];
  text[10] = '\0';
  print(text);
}

/* Prints "<step>: <status>" and returns the status. */
static fusop_status_t report(const char *step, fusop_status_t status) {
  print(step);
  print(": status ");
  print_hex((uint32_t)status);
  print("\r\n");
  return status;
}

/* The end of the example (a debugger or `fusop sim run` sees the BKPT and r0). */
static void finish(uint32_t code) {
  while ((USART1_ISR & (1u << 6)) == 0u) { /* TC */
  }
  __asm volatile("mov r0, %0\n bkpt #0" : : "r"(code) : "r0");
  for (;;) {
  }
}

static fusop_status_t stage_new_image(void) {
  fusop_stage_result_t result;
  fusop_status_t status = fusop_stage_begin((uint32_t)example_image_size, &result);
  if (status != FUSOP_STATUS_OK) return report("stage begin", status);
  for (unsigned long offset = 0; offset < example_image_size; offset += CHUNK_BYTES) {
    unsigned long left = example_image_size - offset;
    status = fusop_stage_write(&example_image[offset], left < CHUNK_BYTES ? left : CHUNK_BYTES);
    if (status != FUSOP_STATUS_OK) return report("stage write", status);
  }
  status = fusop_stage_end(&result);
  if (status != FUSOP_STATUS_OK) {
    print("image refused, reason ");
    print_hex((uint32_t)result.image_status);
    print("\r\n");
    return report("stage end", status);
  }
  print("staged at ");
  print_hex(result.address);
  print(" while the stack runs\r\n");
  return FUSOP_STATUS_OK;
}

int main(void) {
  fusop_clock_raise();
  console_init();
  print("app: 64 MHz\r\n");
  const fusop_config_t config = {.core_clock_hz = fusop_clock_hz(), .now_us = 0, .journal_address = 0};
  if (report("init", fusop_init(&config)) != FUSOP_STATUS_OK) finish(1);

  /* After every start: where does a recorded install stand? */
  fusop_progress_t progress;
  fusop_status_t status = fusop_resume(0, &progress);
  while (status == FUSOP_STATUS_OPERATION_IN_PROGRESS) {
    print("FUS busy, state ");
    print_hex(progress.fus_state);
    print("\r\n");
    status = fusop_wait_while_busy(60000u, 0u, &progress); /* the reset that ends it restarts us */
    if (status == FUSOP_STATUS_OK) status = fusop_resume(0, &progress);
  }
  if (report("resume", status) != FUSOP_STATUS_OK) finish(2);

  fusop_part_t part;
  if (report("identify", fusop_identify(&part)) != FUSOP_STATUS_OK) finish(3);
  print(part.cpu2_mode == FUSOP_CPU2_MODE_WIRELESS_STACK ? "CPU2 runs the stack " : "CPU2 runs FUS ");
  print_hex(part.cpu2_mode == FUSOP_CPU2_MODE_WIRELESS_STACK ? part.stack_version : part.fus_version);
  print("\r\n");

  if (part.cpu2_mode == FUSOP_CPU2_MODE_WIRELESS_STACK) {
    if ((part.stack_version >> 8) == (NEW_STACK_VERSION >> 8)) {
      print("stack running, up to date\r\n");
      finish(0);
    }
    if (stage_new_image() != FUSOP_STATUS_OK) finish(4);
    print("install: leaving the stack for FUS (reset)\r\n");
  } else {
    print("install: FW_UPGRADE (FUS resets the part)\r\n");
  }
  status = fusop_install();
  if (status == FUSOP_STATUS_NO_IMAGE_STAGED) {
    /* FUS runs with nothing to install: bring the stack back. */
    print("nothing staged: starting the stack (reset)\r\n");
    status = fusop_start_stack();
  }
  report("install did not reset", status); /* fusop_install returns only when it failed */
  finish(5);
  return 0;
}

/* ---- Minimal startup (a CubeMX project has its own startup_stm32wb55xx.s instead) ---- */
extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;

__attribute__((noreturn)) void Reset_Handler(void) {
  for (uint32_t *from = &_sidata, *to = &_sdata; to < &_edata;) *to++ = *from++;
  for (uint32_t *to = &_sbss; to < &_ebss;) *to++ = 0u;
  (void)main();
  for (;;) {
  }
}

static void Default_Handler(void) {
  finish(0xDEADu);
}

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(&_estack), Reset_Handler, Default_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, 0, 0, 0, 0, Default_Handler, Default_Handler, 0,
    Default_Handler, Default_Handler,
};
