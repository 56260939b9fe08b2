/* Registers of the STM32WB55 the test firmwares touch, as addresses (RM0434 memory map; ST's SVD
 * for the offsets). Written for these tests; the simulator's models in host-sim/chip/ cite the same
 * sources. */
#ifndef TEST_FIRMWARE_STM32WB_H
#define TEST_FIRMWARE_STM32WB_H
#include <stdint.h>

#define REG(address) (*(volatile uint32_t *)(address))

/* RCC (0x5800_0000) */
#define RCC_CR REG(0x58000000u)
#define RCC_CR_HSEON (1u << 16)
#define RCC_CR_HSERDY (1u << 17)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)
#define RCC_CFGR REG(0x58000008u)
#define RCC_PLLCFGR REG(0x5800000Cu)
#define RCC_AHB2ENR REG(0x5800004Cu)
#define RCC_AHB3ENR REG(0x58000050u)
#define RCC_APB2ENR REG(0x58000060u)
#define RCC_CSR REG(0x58000094u)
#define RCC_CSR_IWDGRSTF (1u << 29)
#define RCC_C2AHB3ENR REG(0x58000150u)
#define RCC_AHB2ENR_GPIOBEN (1u << 1)
#define RCC_AHB3ENR_HSEMEN (1u << 19)
#define RCC_AHB3ENR_IPCCEN (1u << 20)
#define RCC_APB2ENR_USART1EN (1u << 14)

/* PWR (0x5800_0400) */
#define PWR_CR1 REG(0x58000400u)
#define PWR_CR1_DBP (1u << 8)
#define PWR_CR4 REG(0x5800040Cu)
#define PWR_CR4_C2BOOT (1u << 15)
#define PWR_C2CR1 REG(0x58000480u)

/* EXTI (0x5800_0800) */
#define EXTI_RTSR2 REG(0x58000820u)
#define EXTI_C1IMR2 REG(0x58000890u)
#define EXTI_C2EMR2 REG(0x580008D4u)

/* IPCC (0x5800_0C00) */
#define IPCC_C1CR REG(0x58000C00u)
#define IPCC_C1MR REG(0x58000C04u)
#define IPCC_C1SCR REG(0x58000C08u)
#define IPCC_C1TOC2SR REG(0x58000C0Cu)
#define IPCC_C2TOC1SR REG(0x58000C1Cu)

/* FLASH (0x5800_4000) */
#define FLASH_ACR REG(0x58004000u)
#define FLASH_SR REG(0x58004010u)
#define FLASH_SR_OPTVERR (1u << 15)

/* GPIOB (0x4800_0400) */
#define GPIOB_MODER REG(0x48000400u)
#define GPIOB_AFRL REG(0x48000420u)

/* USART1 (0x4001_3800) */
#define USART1_CR1 REG(0x40013800u)
#define USART1_BRR REG(0x4001380Cu)
#define USART1_ISR REG(0x4001381Cu)
#define USART1_TDR REG(0x40013828u)
#define USART_ISR_TC (1u << 6)
#define USART_ISR_TXE (1u << 7)
#define USART_ISR_TEACK (1u << 21)

/* RTC backup registers (0x4000_2800 + 0x50) */
#define RTC_BKP0R REG(0x40002850u)

/* IWDG (0x4000_3000) */
#define IWDG_KR REG(0x40003000u)
#define IWDG_PR REG(0x40003004u)
#define IWDG_RLR REG(0x40003008u)
#define IWDG_SR REG(0x4000300Cu)

/* Cortex-M4 system control space */
#define NVIC_ISER1 REG(0xE000E104u)
#define NVIC_ICPR1 REG(0xE000E284u)
#define SCB_SCR REG(0xE000ED10u)
#define SCB_SCR_SEVONPEND (1u << 4)

#endif
