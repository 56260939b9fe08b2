/* fusop — update the STM32WB's coprocessor firmware (FUS, wireless stack) from your application.
 *
 * Link libfusop.a (or build the source drop), include this header, and call, in this order:
 *   fusop_init        once after your clocks are set up;
 *   fusop_resume      after every start of CPU1 (power-on and every system reset FUS causes);
 *   fusop_identify    to see what the part runs;
 *   fusop_stage_begin / fusop_stage_write (as many times as you like) / fusop_stage_end
 *                     to put an image into flash while your wireless stack keeps running;
 *   fusop_install     to install it (resets the part, several times);
 *   fusop_start_stack when FUS runs and the stack should run again (resets the part).
 * docs/using-the-library.md walks through it, with the SRAM2a rules and the link line.
 *
 * Every call returns a fusop_status_t (FUSOP_STATUS_OK is 0; every other value names a failure,
 * see fusop_codes.h). Results come back in structures the caller provides.
 *
 * Threads and interrupts: the library is not reentrant and keeps one operator; call it from one
 * thread (or task) only, never from an interrupt handler. It polls, enables no interrupt and never
 * sleeps, so your interrupts keep running while it waits; only the time hook (if you give one) is
 * called from inside it. While a call runs, the IPCC system channel (channel 2) belongs to fusop:
 * do not send system commands of your own (SHCI) until it returns; fusop_detach gives the channel
 * back to ST's middleware.
 *
 * "Blocks at most" below is the longest a call can take on a healthy part, in the worst case;
 * "resets" says the call ends in a system reset on success: it does not return, CPU1 starts again
 * from its reset vector, and your main calls fusop_resume again. */
#ifndef FUSOP_H
#define FUSOP_H
#include <stddef.h>
#include <stdint.h>
#include "fusop_codes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What every call returns: FUSOP_STATUS_OK (0) or a named failure (fusop_codes.h). */
typedef enum fusop_status fusop_status_t;

/* How fusop measures time. Give either the core clock (fusop reads the DWT cycle counter and
 * takes differences; it never writes it) or a microsecond counter of your own. */
typedef struct {
  /* CPU1's core clock (HCLK1) in Hz, e.g. 64000000 after ST's SystemClock_Config. Ignored when
   * now_us is set. Call fusop_init again after you change the clock. */
  uint32_t core_clock_hz;
  /* Optional: a free-running microsecond counter that wraps at 2^32 (a timer, an RTOS tick
   * scaled to microseconds). Called from inside fusop's calls, never from an interrupt. */
  uint32_t (*now_us)(void);
  /* Where fusop keeps its record of an install across resets: 16 bytes, 16-byte aligned, in
   * SRAM2a, that your startup code does not clear (a NOLOAD section). 0: fusop's default,
   * 0x20030A80, right above the tables it builds when it boots CPU2 itself. With ST's middleware
   * (which fills SRAM2a from its start) reserve 16 bytes of your own, e.g. in MB_MEM2. */
  uint32_t journal_address;
} fusop_config_t;

/* Sets up the time source and the operator. Blocks: no (microseconds). Resets: no.
 * FUSOP_STATUS_OK, or FUSOP_STATUS_INVALID_CONFIG (no hook and no clock between 1 MHz and
 * 400 MHz, or a bad journal address). */
fusop_status_t fusop_init(const fusop_config_t *config);

/* Where a long operation (install, delete, start of the stack) stands after a start of CPU1. */
typedef struct {
  /* What was recorded before the resets (FUSOP_PENDING_OPERATION_NONE if nothing). */
  enum fusop_pending_operation operation;
  /* 1: FUS is still working; call fusop_wait_while_busy, then fusop_resume again. */
  uint8_t in_progress;
  /* FUS's state and error bytes as last read (cpu2-interface §5.3, §5.4; fusop_codes.h). */
  uint8_t fus_state;
  uint8_t fus_error;
  /* What runs on CPU2 now. */
  enum fusop_cpu2_mode cpu2_mode;
} fusop_progress_t;

/* Call after every start of CPU1. Boots CPU2 with fusop's own tables, or — when your application
 * booted CPU2 already with ST's middleware (C2BOOT set, TL_Init's tables in SRAM2a) — attaches to
 * those tables and their system channel. Then says where a recorded operation stands.
 * Blocks at most: ready_timeout_ms (0: 1 s) for CPU2's READY event, plus 10 s when FUS announced a
 * reset that has not come yet. Resets: only to finish an operation FUS already started.
 * FUSOP_STATUS_OK: nothing pending, or the operation finished. FUSOP_STATUS_OPERATION_IN_PROGRESS:
 * see in_progress. FUSOP_STATUS_FUS_REPORTED_ERROR: fus_error names FUS's refusal. */
fusop_status_t fusop_resume(uint32_t ready_timeout_ms, fusop_progress_t *progress);

/* Waits while FUS reports it is busy (states 0x10-0x3F), polling every poll_ms (0: 20 ms).
 * Blocks at most: timeout_ms. Resets: the reset that ends FUS's work arrives during the wait.
 * FUSOP_STATUS_FUS_BUSY_TIMEOUT when FUS is still busy at the end. */
fusop_status_t fusop_wait_while_busy(uint32_t timeout_ms, uint32_t poll_ms, fusop_progress_t *progress);

/* What the part is and runs. */
typedef struct {
  enum fusop_cpu2_mode cpu2_mode;
  uint32_t fus_version;      /* version words: major 31:24, minor 23:16, sub 15:8 (§3.4) */
  uint32_t stack_version;    /* 0: no wireless stack installed */
  uint32_t safeboot_version;
  uint8_t stack_type;        /* §3.4 codes: 0x01 BLE full, 0x10 Thread FTD, ... */
  uint8_t stack_sectors;     /* flash sectors the installed stack occupies */
  uint16_t device_id;        /* DBGMCU IDCODE: 0x495 WB5x/WB3x, 0x494 WB1x */
  uint16_t revision_id;
  uint16_t flash_kb;
  uint32_t secure_flash_start; /* first address CPU1 cannot touch (SFSA) */
  uint32_t cpu2_boot_vector;   /* SBRV as an address */
  uint64_t uid64;
} fusop_part_t;

/* Reads the part: registers, option bytes and the device-information table CPU2 wrote.
 * Needs fusop_resume first. Blocks: no (microseconds). Resets: no. */
fusop_status_t fusop_identify(fusop_part_t *part);

/* The outcome of staging. */
typedef struct {
  uint32_t address;                   /* where the image lies in flash */
  enum fusop_image_status image_status; /* why it was refused (FUSOP_IMAGE_STATUS_OK otherwise) */
} fusop_stage_result_t;

/* Starts staging an image of image_size bytes (the whole .bin as ST ships it). fusop places it
 * by its size below the installed stack; you never give an address. Works while the wireless
 * stack runs (cpu2-interface §4.5: fusop tells the stack before each erase). Nothing is erased
 * yet. Blocks: no (one device-information read). Resets: no. */
fusop_status_t fusop_stage_begin(uint32_t image_size, fusop_stage_result_t *result);

/* Adds the next `length` bytes of the image, any length, any alignment (up to 7 bytes wait for
 * the next call: flash takes 8 at a time). Erases each flash sector as the data reaches it.
 * Blocks at most: per 4 KB sector reached, one erase (25 ms) plus the wait for the stack to let
 * CPU1 at the flash (a radio pause, CPU2's own flash work: 250 ms at most), and per 8 bytes
 * written 0.1 ms plus that wait.
 * Resets: no. */
fusop_status_t fusop_stage_write(const void *data, size_t length);

/* Writes the last bytes, erases the free flash above the image (no stale image may remain where
 * FUS looks first), then decodes the image's footer and checks it against the part exactly as
 * fusop_install will: a FUS, stack or Safeboot image this part must not take is refused here
 * (FUSOP_STATUS_STAGED_IMAGE_REFUSED, result->image_status says why).
 * Blocks at most: 25 ms (plus the stack's wait, as above) per sector above the image, plus a flash scan
 * (milliseconds). Resets: no. */
fusop_status_t fusop_stage_end(fusop_stage_result_t *result);

/* Installs the staged image. With the wireless stack running it first leaves the stack for FUS:
 * resets, and after fusop_resume call fusop_install again. With FUS running it checks the staged
 * image once more and sends FW_UPGRADE: FUS resets the part several times; call fusop_resume after
 * each start until it returns FUSOP_STATUS_OK (the new stack then runs).
 * Blocks at most: 10 s for the reset. Resets: yes, on success it does not return. */
fusop_status_t fusop_install(void);

/* FUS running: starts the installed wireless stack (FUS_START_WS). Blocks at most: 10 s for the
 * reset. Resets: yes. FUSOP_STATUS_NO_STACK_INSTALLED when there is none. */
fusop_status_t fusop_start_stack(void);

/* Stack running: leaves it for FUS (two FUS_GET_STATE, cpu2-interface §5.5). Blocks at most: 10 s.
 * Resets: yes. */
fusop_status_t fusop_start_fus(void);

/* FUS running: deletes the installed wireless stack (FW_DELETE). Blocks at most: 10 s for the
 * reset. Resets: yes; fusop_resume then reports the outcome. */
fusop_status_t fusop_delete_stack(void);

/* User keys kept by CPU2 (cpu2-interface §5.6). Work with FUS or the stack running. */
typedef enum {
  FUSOP_KEY_SIMPLE = 1,    /* a key in clear */
  FUSOP_KEY_MASTER = 2,    /* the master key encrypted keys are wrapped with */
  FUSOP_KEY_ENCRYPTED = 3  /* a key encrypted with the master key; needs a 12-byte IV */
} fusop_key_type_t;

/* Stores a 16- or 32-byte key; *index receives the index CPU2 gave it. iv: 12 bytes for
 * FUSOP_KEY_ENCRYPTED, NULL otherwise. Blocks at most: one system command (milliseconds; 6 s if
 * CPU2 hangs). Resets: no. */
fusop_status_t fusop_key_store(fusop_key_type_t type, const uint8_t *key, size_t key_size, const uint8_t *iv, uint8_t *index);
/* Loads key `index` into AES1 (secure mode). Blocks: one system command. Resets: no. */
fusop_status_t fusop_key_load(uint8_t index);
/* Unloads key `index` from AES1. Blocks: one system command. Resets: no. */
fusop_status_t fusop_key_unload(uint8_t index);
/* Locks key `index` until the next reset. Blocks: one system command. Resets: no. */
fusop_status_t fusop_key_lock(uint8_t index);

/* Gives IPCC channel 2 back to ST's middleware after fusop attached to its tables (its interrupt
 * masks as they were). To use fusop again afterwards, call fusop_resume first: it attaches again.
 * Blocks: no. Resets: no. */
void fusop_detach(void);

/* Why fusop stopped (the `code` of fusop_fault_hook). */
enum fusop_fault_code {
  FUSOP_FAULT_HAL_READ_DENIED = 1,   /* register/memory read outside fusop's allowlist */
  /* register/memory write outside the allowlist; also a page erase of a page outside
   * [firmware end, SFSA) (address: the page), and a mass erase or an option-byte programming or
   * loading request written to FLASH_CR (address: FLASH_CR) */
  FUSOP_FAULT_HAL_WRITE_DENIED = 2,
  FUSOP_FAULT_HAL_MISALIGNED = 3,    /* access not aligned to its size */
  FUSOP_FAULT_LINEAR_RANGE = 4,      /* copy beyond the operator's linear memory */
  FUSOP_FAULT_CPU_EXCEPTION = 5,     /* HardFault, MemManage, BusFault, UsageFault, NMI (probe only) */
  FUSOP_FAULT_WASM_TRAP = 16         /* + the wasm trap number */
};

/* Called when fusop hits a fault it cannot recover from: an access outside its address allowlist,
 * a trap of the operator module — a bug, never bad input. `address` is the offending address (0
 * when none). The default (a weak symbol) writes code and address to fusop_saved_fault (section
 * .noinit: keep it NOLOAD in your linker script so it survives the reset) and resets the system
 * (NVIC_SystemReset). Define your own to log the fault differently; it must not return. */
void fusop_fault_hook(uint32_t code, uint32_t address);

/* What the default fault hook leaves for the next start: magic is FUSOP_SAVED_FAULT_MAGIC when
 * valid; clear it once read. */
#define FUSOP_SAVED_FAULT_MAGIC 0x46415554u
typedef struct {
  uint32_t magic;
  uint32_t code;
  uint32_t address;
} fusop_saved_fault_t;
extern volatile fusop_saved_fault_t fusop_saved_fault;

#ifdef __cplusplus
}
#endif
#endif
