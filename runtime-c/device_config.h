/* Facts about the part the device runtime is built for (STM32WB55xG, cpu2-interface §1). */
#ifndef FUSOP_DEVICE_CONFIG_H
#define FUSOP_DEVICE_CONFIG_H

/* MSI at 4 MHz drives the core after reset; the runtime does not change clocks. */
#define FUSOP_CORE_HZ 4000000u
#define FUSOP_FLASH_BASE 0x08000000u
#define FUSOP_FLASH_BYTES (1024u * 1024u)
/* Flash sector (page) size of STM32WB5x: the unit of SFSA. WB1x parts use 2 KB. */
#define FUSOP_FLASH_SECTOR_BYTES 4096u
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
