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

/* Results as the operator keeps them. */
uint32_t bench_fus_state, bench_fus_error;

/* 0 Ok, otherwise the OperatorStatus the operator would return (codes from fusop_codes.h). */
uint32_t bench_get_state(uint32_t response_pointer) {
  if (fusop_hal_read32(IPCC_C1TOC2SR) & SYSTEM_CHANNEL_BIT) return FUSOP_STATUS_CHANNEL_BUSY;
  Z_halZ_write8(0, SYSTEM_COMMAND_BUFFER + 0x08, 0x10); /* system command packet */
  Z_halZ_write8(0, SYSTEM_COMMAND_BUFFER + 0x09, FUS_GET_STATE & 0xff);
  Z_halZ_write8(0, SYSTEM_COMMAND_BUFFER + 0x0a, FUS_GET_STATE >> 8);
  Z_halZ_write8(0, SYSTEM_COMMAND_BUFFER + 0x0b, 0);
  fusop_hal_write32(IPCC_C1SCR, SYSTEM_CHANNEL_BIT << 16);
  const uint32_t start = Z_halZ_nowUs(0);
  while (fusop_hal_read32(IPCC_C1TOC2SR) & SYSTEM_CHANNEL_BIT) {
    if (Z_halZ_nowUs(0) - start >= COMMAND_TIMEOUT_US) return FUSOP_STATUS_COMMAND_TIMEOUT;
    Z_halZ_delayUs(0, POLL_INTERVAL_US);
  }
  const uint32_t plen = Z_halZ_read8(0, SYSTEM_COMMAND_BUFFER + 0x02);
  if (Z_halZ_read8(0, SYSTEM_COMMAND_BUFFER + 0x01) != 0x0e || plen < 4) return FUSOP_STATUS_RESPONSE_MALFORMED;
  Z_halZ_copyIn(0, response_pointer, SYSTEM_COMMAND_BUFFER, plen + 3); /* bounds-checked copy */
  const uint8_t* response = fusop_linear_memory + response_pointer;
  if ((response[4] | response[5] << 8) != FUS_GET_STATE) return FUSOP_STATUS_RESPONSE_MALFORMED;
  bench_fus_state = response[6];
  bench_fus_error = 7 < plen + 3 ? response[7] : 0;
  return FUSOP_STATUS_OK;
}
