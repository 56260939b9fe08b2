/* Benchmark baseline only, never linked into a product: one FUS_GET_STATE round trip
 * (cpu2-interface §3) written by hand in C with the semantics of assembly/mailbox/system.ts
 * sendCommand and assembly/fus/state.ts getState: channel-busy check, the command packet in the
 * system command buffer, the IPCC post, a bounded wait polling every 20 µs, the response checked
 * (command complete, length, opcode) and copied into the same linear-memory response buffer. Every
 * register and SRAM2 access goes through the same sandboxed hal as the operator's (runtime-c/hal.c).
 * bench/run.ts compares its instructions and bytes with the generated C's. */
#include <stdint.h>
#include "fusop_generated.h"
#include "fusop_codes.h"

extern uint8_t fusop_linear_memory[FUSOP_LINEAR_BYTES];
uint32_t fusop_hal_read32(uint32_t address);
void fusop_hal_write32(uint32_t address, uint32_t value);

#define SYSTEM_COMMAND_BUFFER 0x20030100u /* SRAM2A_BASE + 0x100 (assembly/mailbox/layout.ts) */
#define IPCC_C1SCR 0x58000c08u
#define IPCC_C1TOC2SR 0x58000c0cu
#define SYSTEM_CHANNEL_BIT (1u << 1)     /* channel 2 */
#define FUS_GET_STATE 0xfc52u
#define COMMAND_TIMEOUT_US 6000000u
#define POLL_INTERVAL_US 20u

/* Results and state as the operator keeps them; the bench runs the baseline after the operator
 * booted CPU2 into FUS. */
uint32_t bench_fus_state, bench_fus_error;
/* Zero (.bss) is booted into FUS; globals so that gcc keeps the checks as the operator has them. */
uint32_t bench_cpu2_not_booted, bench_cpu2_mode_is_stack;

/* A system command with `length` parameter bytes from linear memory at `parameters`; the response
 * (from its event code on) lands in linear memory at `response`. */
/* Shared by every system command in a hand-written operator: not specialised for GET_STATE. */
static __attribute__((noinline, noclone)) uint32_t send_command(uint32_t opcode, uint32_t parameters, uint32_t length, uint32_t response) {
  if (length > 255) return FUSOP_STATUS_PARAMETERS_TOO_LONG;
  if (fusop_hal_read32(IPCC_C1TOC2SR) & SYSTEM_CHANNEL_BIT) return FUSOP_STATUS_CHANNEL_BUSY;
  /* system command packet: type, opcode, length in one word at +0x08 */
  fusop_hal_write32(SYSTEM_COMMAND_BUFFER + 0x08, 0x10u | opcode << 8 | length << 24);
  if (length > 0) Z_halZ_copyOut(0, SYSTEM_COMMAND_BUFFER + 0x0c, parameters, length);
  fusop_hal_write32(IPCC_C1SCR, SYSTEM_CHANNEL_BIT << 16);
  const uint32_t start = Z_halZ_nowUs(0);
  while (fusop_hal_read32(IPCC_C1TOC2SR) & SYSTEM_CHANNEL_BIT) {
    if (Z_halZ_nowUs(0) - start >= COMMAND_TIMEOUT_US) return FUSOP_STATUS_COMMAND_TIMEOUT;
    Z_halZ_delayUs(0, POLL_INTERVAL_US);
  }
  const uint32_t header = fusop_hal_read32(SYSTEM_COMMAND_BUFFER); /* type, event code, plen */
  const uint32_t plen = (header >> 16) & 0xff;
  if (((header >> 8) & 0xff) != 0x0e || plen < 4) return FUSOP_STATUS_RESPONSE_MALFORMED;
  Z_halZ_copyIn(0, response, SYSTEM_COMMAND_BUFFER, plen + 3); /* bounds-checked copy */
  const uint8_t* bytes = fusop_linear_memory + response;
  if ((uint32_t)(bytes[4] | bytes[5] << 8) != opcode) return FUSOP_STATUS_RESPONSE_MALFORMED;
  return FUSOP_STATUS_OK;
}

/* 0 Ok, otherwise the OperatorStatus the operator would return (codes from fusop_codes.h). */
uint32_t bench_get_state(uint32_t parameters, uint32_t response) {
  if (bench_cpu2_not_booted) return FUSOP_STATUS_CPU2_NOT_BOOTED;
  if (bench_cpu2_mode_is_stack) return FUSOP_STATUS_STACK_RUNNING;
  const uint32_t sent = send_command(FUS_GET_STATE, parameters, 0, response);
  if (sent != FUSOP_STATUS_OK) return sent;
  const uint32_t plen = fusop_linear_memory[response + 2];
  bench_fus_state = fusop_linear_memory[response + 6];
  bench_fus_error = 7 < plen + 3 ? fusop_linear_memory[response + 7] : 0;
  return FUSOP_STATUS_OK;
}
