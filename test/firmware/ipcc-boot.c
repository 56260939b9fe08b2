/* Boots CPU2 the way ST's STM32_WPAN code does (st_tl.c), waits for the READY event, prints its
 * payload, sends FUS_GET_STATE (§4.2) and prints the state and error bytes. */
#include <stdint.h>
#include "console.h"
#include "st_tl.h"
#include "stm32wb.h"

#define EVT_VENDOR 0xFFu
#define SUBEVT_READY 0x9200u
#define OPCODE_FUS_GET_STATE 0xFC52u

int main(void) {
  __asm volatile("cpsid i");
  SCB_SCR |= SCB_SCR_SEVONPEND;
  console_init(4000000u, 115200u);
  console_print("booting CPU2\r\n");
  st_tl_boot_cpu2();

  /* Step 9: the READY event on the system queue; FUS's READY buffer is not released (§4.1 10b). */
  const uint8_t *event = st_tl_wait_system_event();
  uint32_t subevent = (uint32_t)event[11] | ((uint32_t)event[12] << 8);
  if (event[9] != EVT_VENDOR || subevent != SUBEVT_READY) {
    console_print("unexpected system event ");
    console_print_hex(subevent, 4);
    console_print("\r\n");
    return 2;
  }
  console_print("READY payload ");
  console_print_hex(event[13], 2);
  console_print("\r\n");

  /* §4.2: FUS_GET_STATE on the system channel. */
  const uint8_t *cmd_buffer = st_tl_system_command(OPCODE_FUS_GET_STATE, 0, 0u);
  uint32_t opcode = (uint32_t)cmd_buffer[4] | ((uint32_t)cmd_buffer[5] << 8);
  if (cmd_buffer[1] != 0x0Eu || opcode != OPCODE_FUS_GET_STATE) {
    console_print("unexpected response\r\n");
    return 3;
  }
  console_print("GET_STATE state ");
  console_print_hex(cmd_buffer[6], 2);
  console_print(" error ");
  console_print_hex(cmd_buffer[7], 2);
  console_print("\r\n");
  return 0;
}
