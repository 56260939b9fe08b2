// Register addresses and bit positions the operator uses (cpu2-interface.md §1).

// §1.1 memory map
export const FLASH_BASE: u32 = 0x0800_0000;
export const SRAM2A_BASE: u32 = 0x2003_0000;
export const SRAM2B_BASE: u32 = 0x2003_8000;
export const UID64_ADDRESS: u32 = 0x1fff_7580;
export const FLASH_SIZE_ADDRESS: u32 = 0x1fff_75e0;

// §1.5 RCC
export const RCC_AHB3ENR: u32 = 0x5800_0050;
export const RCC_C2AHB3ENR: u32 = 0x5800_0150;
export const RCC_AHB3ENR_HSEMEN: u32 = 1 << 19;
export const RCC_AHB3ENR_IPCCEN: u32 = 1 << 20;

// §1.4 PWR
export const PWR_CR4: u32 = 0x5800_040c;
export const PWR_CR4_C2BOOT: u32 = 1 << 15;
export const PWR_C2CR1: u32 = 0x5800_0480;
export const PWR_C2CR1_LPMS_MASK: u32 = 0x7;
export const PWR_C2CR1_LPMS_SHUTDOWN: u32 = 4;

// §1.2 IPCC
export const IPCC_C1CR: u32 = 0x5800_0c00;
export const IPCC_C1MR: u32 = 0x5800_0c04;
export const IPCC_C1SCR: u32 = 0x5800_0c08;
export const IPCC_C1TOC2SR: u32 = 0x5800_0c0c;
export const IPCC_C2TOC1SR: u32 = 0x5800_0c1c;

// §1.7 FLASH
export const FLASH_KEYR: u32 = 0x5800_4008;
export const FLASH_KEY1: u32 = 0x4567_0123;
export const FLASH_KEY2: u32 = 0xcdef_89ab;
export const FLASH_SR: u32 = 0x5800_4010;
export const FLASH_SR_EOP: u32 = 1 << 0;
/** OPERR, PROGERR, WRPERR, PGAERR, SIZERR, PGSERR, MISERR, FASTERR. */
export const FLASH_SR_ERRORS: u32 = 0x3fa;
export const FLASH_SR_OPTVERR: u32 = 1 << 15;
export const FLASH_SR_BSY: u32 = 1 << 16;
export const FLASH_SR_CFGBSY: u32 = 1 << 18;
export const FLASH_SR_PESD: u32 = 1 << 19;
export const FLASH_CR: u32 = 0x5800_4014;
export const FLASH_CR_PG: u32 = 1 << 0;
export const FLASH_CR_PER: u32 = 1 << 1;
export const FLASH_CR_PNB_SHIFT: u32 = 3;
export const FLASH_CR_PNB_MASK: u32 = 0xff << 3;
export const FLASH_CR_STRT: u32 = 1 << 16;
export const FLASH_CR_LOCK: u32 = 1 << 31;
export const FLASH_IPCCBR: u32 = 0x5800_403c;
export const FLASH_IPCCBR_IPCCDBA_MASK: u32 = 0x3fff;
export const FLASH_SFR: u32 = 0x5800_4080;
export const FLASH_SFR_SFSA_MASK: u32 = 0xff;
export const FLASH_SRRVR: u32 = 0x5800_4084;
export const FLASH_SRRVR_SBRV_MASK: u32 = 0x3ffff;
/** Secure SRAM2a start in 1 KB units from SRAM2a's base (bits 22:18), and its disable bit (23). */
export const FLASH_SRRVR_SBRSA_SHIFT: u32 = 18;
export const FLASH_SRRVR_SBRSA_MASK: u32 = 0x1f;
export const FLASH_SRRVR_BRSD: u32 = 1 << 23;

// §1.8 HSEM: R[n] reads the owner (0 = free) and releases on a write without LOCK; reading RLR[n]
// takes semaphore n for the reading core (1-step lock, process id 0).
export const HSEM_R0: u32 = 0x5800_1400;
export const HSEM_RLR0: u32 = 0x5800_1480;
/** What RLR[n] reads when CPU1 holds the semaphore: LOCK (bit 31) | CPU1 COREID 4 << 8. */
export const HSEM_LOCKED_BY_CPU1: u32 = 0x8000_0400;
/** Written to R[n] to release a 1-step lock: CPU1 COREID, process id 0, LOCK clear. */
export const HSEM_RELEASE_CPU1: u32 = 0x0000_0400;
/** CFG_HW_FLASH_SEMID: ownership of the flash controller for a whole unlock..lock session. */
export const HSEM_FLASH_SEMID: u32 = 2;
/** CFG_HW_BLOCK_FLASH_REQ_BY_CPU1_SEMID: while taken, no single flash operation may start. */
export const HSEM_BLOCK_FLASH_BY_CPU1_SEMID: u32 = 6;
/** CFG_HW_BLOCK_FLASH_REQ_BY_CPU2_SEMID: CPU1 takes it around each single erase or 64-bit write. */
export const HSEM_BLOCK_FLASH_BY_CPU2_SEMID: u32 = 7;
