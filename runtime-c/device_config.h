/* Facts about the part the device runtime is built for (cpu2-interface §1). The defaults are the
 * STM32WB55xG's; the Makefile overrides them for the other variants it builds (WB35xE, WB15CC). */
#ifndef FUSOP_DEVICE_CONFIG_H
#define FUSOP_DEVICE_CONFIG_H

/* The probe runs on the reset clock (MSI at 4 MHz) and changes no clock; the library takes the
 * application's clock in fusop_init. */
#define FUSOP_PROBE_CORE_HZ 4000000u
#define FUSOP_FLASH_BASE 0x08000000u
#ifndef FUSOP_FLASH_BYTES
#define FUSOP_FLASH_BYTES (1024u * 1024u)
#endif
/* Flash sector (page) size, the unit of SFSA: 4 KB on WB5x/WB3x, 2 KB on WB1x. */
#ifndef FUSOP_FLASH_SECTOR_BYTES
#define FUSOP_FLASH_SECTOR_BYTES 4096u
#endif
/* Where the part of SRAM2a and SRAM2b CPU1 may touch ends while FUS runs (fus-behaviour §1.1, FUS
 * V2.2): WB5x/WB3x keep SRAM2a open and SRAM2b private from 0x2003C000; WB1x keeps SRAM2a private
 * from 0x20036800 and all of its 4 KB SRAM2b. */
#ifndef FUSOP_SRAM2A_OPEN_END
#define FUSOP_SRAM2A_OPEN_END 0x20038000u
#endif
#ifndef FUSOP_SRAM2B_OPEN_END
#define FUSOP_SRAM2B_OPEN_END 0x2003C000u
#endif
/* FLASH_SFR: SFSA (bits 7:0) is the first sector of CPU2's secure area (cpu2-interface §1.7). */
#define FUSOP_FLASH_SFR 0x58004080u
#define FUSOP_FLASH_SFR_SFSA_MASK 0xFFu

/* Cortex-M4 debug/trace registers used as the time source. */
#define FUSOP_DEMCR 0xE000EDFCu
#define FUSOP_DEMCR_TRCENA (1u << 24)
#define FUSOP_DWT_CTRL 0xE0001000u
#define FUSOP_DWT_CYCCNT 0xE0001004u
#define FUSOP_DWT_CTRL_CYCCNTENA 1u

#endif
