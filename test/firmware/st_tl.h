/* CPU2 booted the way ST's STM32_WPAN code does it (cpu2-interface §4.1: APPE_Init, TL_Init,
 * hw_ipcc.c HW_IPCC_Init and HW_IPCC_Enable), with ST-layout tables in the MAPPING_TABLE, MB_MEM1
 * and MB_MEM2 sections of SRAM2a (§3), and the system channel driven as ST's shci_tl.c does (§4.2,
 * §4.3) — what a CubeMX wireless application has done before it calls into fusop. Waits use WFE
 * with SEVONPEND and interrupts masked by PRIMASK (the device path polls). */
#ifndef TEST_FIRMWARE_ST_TL_H
#define TEST_FIRMWARE_ST_TL_H
#include <stdint.h>

/* Builds the tables, enables IPCC and sets C2BOOT (§4.1 steps 1-8). */
void st_tl_boot_cpu2(void);
/* Waits for the next system event (§4.1 step 9, §4.3) and takes it off the queue; returns the
 * packet (event code at +9, sub-event at +11). Not released: FUS takes no buffers back. */
const uint8_t *st_tl_wait_system_event(void);
/* Sends one system command with `length` parameter bytes and waits for the answer (§4.2);
 * returns the command buffer holding the answer (status at +6). */
const uint8_t *st_tl_system_command(uint16_t opcode, const uint8_t *parameters, uint8_t length);

#endif
