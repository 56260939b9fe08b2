/* The hal imports of assembly/hal/index.ts on the real chip. The operator module is sandboxed:
 * it reaches only the peripherals it needs, the shared SRAM2 CPU1 may see, and flash for
 * reading. Any other address is refused with a named fault before the bus sees it. Flash changes
 * only in [firmware end, SFSA): a store there is programming, and every store to FLASH_CR is
 * decoded first, so a page erase outside that range, a mass erase or option-byte programming
 * never reaches the controller. */
#include <stdint.h>
#include <string.h>
#include "fusop_generated.h"
#include "fusop_fault.h"
#include "device_config.h"

extern uint8_t fusop_linear_memory[FUSOP_LINEAR_BYTES];

enum {
  ACCESS_READ = 1,
  ACCESS_WRITE = 2,
  /* Writes end at the secure boundary SFSA, read from FLASH_SFR once per check (FUS moves it). */
  WRITE_BELOW_SECURE = 4,
  /* No plain store: each 32-bit store is decoded (require_flash_control). */
  FLASH_CONTROL = 8,
};

typedef struct {
  uint32_t start;
  uint32_t end; /* exclusive */
  uint32_t access;
} allowed_range_t;

extern uint32_t _fusop_firmware_end;

/* Flash: the firmware's own pages are read-only; above them a store is a programming request the
 * FLASH controller checks (PG set, erased double word). Stores from the secure boundary up are
 * refused here by name: CPU1 cannot reach CPU2's secure area, and on the chip such a store would
 * end in a bus fault rather than a fault code. */
/* The table only marks the firmware's end; require() reads the linker symbol: a symbol's address
 * cast to a 32-bit integer is no constant expression in C99 (64-bit host compilers refuse it). */
#define FIRMWARE_END 0xFFFFFFFFu

static uint32_t bound(uint32_t value) {
  return value == FIRMWARE_END ? (uint32_t)(uintptr_t)&_fusop_firmware_end : value;
}

#include "allowlist.h" /* the table, from runtime-c/allowlist.json */

/* First address of CPU2's secure area: 0x08000000 + SFSA sectors, at most the end of flash. */
static uint32_t secure_flash_start(void) {
  uint32_t sfsa = *(volatile uint32_t*)FUSOP_FLASH_SFR & FUSOP_FLASH_SFR_SFSA_MASK;
  uint32_t bytes = sfsa * FUSOP_FLASH_SECTOR_BYTES;
  return FUSOP_FLASH_BASE + (bytes < FUSOP_FLASH_BYTES ? bytes : FUSOP_FLASH_BYTES);
}

/* Every byte of [address, address + length) must lie in ranges that allow `access` (a block may
 * run across adjacent ranges, a flash read spanning the firmware's end, say); flash stores also
 * stay below the secure boundary, read at the time of the store. */
static void require(uint32_t address, uint32_t length, uint32_t access) {
  uint32_t secure = 0; /* read at most once per operation, when a store reaches flash */
  while (length > 0) {
    const allowed_range_t* range = 0;
    for (unsigned i = 0; i < sizeof allowlist / sizeof allowlist[0]; i++) {
      if (address >= bound(allowlist[i].start) && address < bound(allowlist[i].end)) {
        range = &allowlist[i];
        break;
      }
    }
    uint32_t end = range ? bound(range->end) : 0;
    if (range && (access & ACCESS_WRITE) && (range->access & WRITE_BELOW_SECURE)) {
      if (secure == 0) secure = secure_flash_start();
      end = secure < end ? secure : end;
    }
    if (!range || (range->access & access) != access || address >= end) {
      fusop_fault(access == ACCESS_WRITE ? FUSOP_FAULT_HAL_WRITE_DENIED : FUSOP_FAULT_HAL_READ_DENIED, address);
    }
    const uint32_t chunk = length < end - address ? length : end - address;
    address += chunk;
    length -= chunk;
  }
}

/* The register window (the hot peripherals): one page lookup, and a word lookup on a page whose
 * registers differ, gives the flags the ranges walk would find (the generator checks the window
 * against the ranges). True when an aligned access of 1 << `log2size` bytes (so within one word) is
 * allowed there; false sends it down the full check, which also names the fault. Rotating the
 * offset right by log2size moves misaligned low bits to the top, so one compare refuses both a
 * misaligned address and one outside the window. */
static inline __attribute__((always_inline)) int window_allows(uint32_t address, uint32_t log2size, uint32_t access) {
  const uint32_t offset = address - REGISTER_WINDOW_START;
  const uint32_t unit = log2size ? (offset >> log2size) | (offset << (32 - log2size)) : offset;
  if (unit >= (REGISTER_WINDOW_BYTES >> log2size)) return 0;
  const uint32_t flags = register_window[unit >> (REGISTER_WINDOW_PAGE_SHIFT - log2size)];
  if ((flags & access) == access) return 1; /* every word of the page allows it */
  if (!(flags & REGISTER_WINDOW_MIXED)) return 0;
  /* Some words allow more: the word's own flags. An aligned word access's unit is its word. */
  const uint32_t word = log2size == 2 ? unit : offset >> 2;
  const uint32_t own = *(const uint8_t*)((uintptr_t)register_window + REGISTER_WINDOW_WORDS_AT - REGISTER_WINDOW_FIRST_MIXED_WORD + word);
  return (own & access) == access;
}

/* The full check of a register access: alignment, then the window or the ranges walk. */
static void require_register(uint32_t address, uint32_t size, uint32_t access) {
  if (address & (size - 1)) fusop_fault(FUSOP_FAULT_HAL_MISALIGNED, address);
  if (address - REGISTER_WINDOW_START >= REGISTER_WINDOW_BYTES) {
    require(address, size, access);
  } else if (!window_allows(address, 0, access)) {
    fusop_fault(access == ACCESS_WRITE ? FUSOP_FAULT_HAL_WRITE_DENIED : FUSOP_FAULT_HAL_READ_DENIED, address);
  }
}

static uint8_t* linear(uint32_t pointer, uint32_t length) {
  if (pointer > FUSOP_LINEAR_BYTES || length > FUSOP_LINEAR_BYTES - pointer) {
    fusop_fault(FUSOP_FAULT_LINEAR_RANGE, pointer);
  }
  return &fusop_linear_memory[pointer];
}

static __attribute__((noinline)) uint32_t checked_read32(uint32_t address) {
  require_register(address, 4, ACCESS_READ);
  return *(volatile uint32_t*)address;
}

/* The hot path is the window lookup and the access; anything else is the full check, called last
 * so the fast path needs no stack frame. */
uint32_t fusop_hal_read32(uint32_t address) {
  if (window_allows(address, 2, ACCESS_READ)) return *(volatile uint32_t*)address;
  return checked_read32(address);
}

/* A store to FLASH_CR, checked by the table's flashControl rule: no mass erase, no option-byte
 * programming or loading (FUS owns the option bytes), and a page erase only of a page CPU1 may
 * write, checked like a store of the page's bytes (so the fault names the page). */
static void require_flash_control(uint32_t value) {
  if (value & FLASH_CONTROL_REFUSED_BITS) fusop_fault(FUSOP_FAULT_HAL_WRITE_DENIED, FLASH_CONTROL_REGISTER);
  if ((value & FLASH_CONTROL_PAGE_ERASE_BITS) == FLASH_CONTROL_PAGE_ERASE_BITS) {
    uint32_t page = (value >> FLASH_CONTROL_PNB_SHIFT) & FLASH_CONTROL_PNB_MASK;
    require(FUSOP_FLASH_BASE + page * FUSOP_FLASH_SECTOR_BYTES, FUSOP_FLASH_SECTOR_BYTES, ACCESS_WRITE);
  }
}

/* A store into the flash CPU1 programs (the table's one write-below-secure range): aligned, inside
 * the range and below the secure boundary read now — what require() finds for a word there, without
 * walking the ranges (two stores per double word while staging). False sends it to the full check. */
static inline __attribute__((always_inline)) int program_store_allowed(uint32_t address) {
  const uint32_t start = bound(PROGRAM_RANGE_START);
  return (address & 3u) == 0 && address - start < bound(PROGRAM_RANGE_END) - start && address < secure_flash_start();
}

static __attribute__((noinline)) void checked_write32(uint32_t address, uint32_t value) {
  if (program_store_allowed(address)) {
    *(volatile uint32_t*)address = value;
    return;
  }
  if (address == FLASH_CONTROL_REGISTER) require_flash_control(value);
  else require_register(address, 4, ACCESS_WRITE);
  *(volatile uint32_t*)address = value;
}

/* The short path of a word store. The window's words are numbered as window_allows does for a word
 * (the offset rotated right by 2, so a misaligned address or one outside the window is a number
 * beyond it). Below FLASH's first page a page's byte settles the store (IPCC, HSEM, RCC, PWR,
 * EXTI); from that page up, only the two FLASH stores every operation makes, which the page byte
 * cannot settle (FLASH's first page mixes read-only, plain and decoded words): FLASH_SR (write 1 to
 * clear) and FLASH_CR = PG alone, the value the flashControl rule passes without a page check
 * (scripts/gen-allowlist.mjs proves both, and this whole short path, against the table). Every
 * other FLASH_CR value, and anything else, takes checked_write32 and the full decode. */
void fusop_hal_write32(uint32_t address, uint32_t value) {
  const uint32_t offset = address - REGISTER_WINDOW_START;
  const uint32_t unit = (offset >> 2) | (offset << 30);
  if (unit < FLASH_STATUS_PAGE_WORD) {
    if (register_window[unit >> (REGISTER_WINDOW_PAGE_SHIFT - 2)] & ACCESS_WRITE) {
      *(volatile uint32_t*)address = value;
      return;
    }
  } else {
    /* The word's number from the page's first: one subtraction (FLASH's page starts at word 0x1000,
     * an immediate Thumb-2 encodes), then FLASH_SR and FLASH_CR are small numbers to compare. */
    const uint32_t in_page = unit - FLASH_STATUS_PAGE_WORD;
    const uint32_t status = FLASH_STATUS_WORD - FLASH_STATUS_PAGE_WORD; /* FLASH_CR is the next word */
    if (in_page == status || (in_page == status + 1 && value == FLASH_CONTROL_PROGRAM)) {
      *(volatile uint32_t*)address = value;
      return;
    }
  }
  checked_write32(address, value);
}

/* Wasm import names as wasm2c 1.0.32 mangles them (module "hal"). */
u32 Z_halZ_read8(struct Z_hal_instance_t* hal, u32 address) {
  (void)hal;
  if (!window_allows(address, 0, ACCESS_READ)) require_register(address, 1, ACCESS_READ);
  return *(volatile uint8_t*)address;
}

u32 Z_halZ_read16(struct Z_hal_instance_t* hal, u32 address) {
  (void)hal;
  if (!window_allows(address, 1, ACCESS_READ)) require_register(address, 2, ACCESS_READ);
  return *(volatile uint16_t*)address;
}

u32 Z_halZ_read32(struct Z_hal_instance_t* hal, u32 address) {
  (void)hal;
  return fusop_hal_read32(address);
}

void Z_halZ_write8(struct Z_hal_instance_t* hal, u32 address, u32 value) {
  (void)hal;
  if (!window_allows(address, 0, ACCESS_WRITE)) require_register(address, 1, ACCESS_WRITE);
  *(volatile uint8_t*)address = (uint8_t)value;
}

void Z_halZ_write16(struct Z_hal_instance_t* hal, u32 address, u32 value) {
  (void)hal;
  if (!window_allows(address, 1, ACCESS_WRITE)) require_register(address, 2, ACCESS_WRITE);
  *(volatile uint16_t*)address = (uint16_t)value;
}

void Z_halZ_write32(struct Z_hal_instance_t* hal, u32 address, u32 value) {
  (void)hal;
  fusop_hal_write32(address, value);
}

void Z_halZ_copyIn(struct Z_hal_instance_t* hal, u32 pointer, u32 address, u32 length) {
  (void)hal;
  uint8_t* destination = linear(pointer, length);
  if (length == 0) return;
  require(address, length, ACCESS_READ);
  memcpy(destination, (const void*)address, length);
}

void Z_halZ_copyOut(struct Z_hal_instance_t* hal, u32 address, u32 pointer, u32 length) {
  (void)hal;
  const uint8_t* source = linear(pointer, length);
  if (length == 0) return;
  require(address, length, ACCESS_WRITE);
  memcpy((void*)address, source, length);
}

/* Time: the application's microsecond hook, or the DWT cycle counter at the core clock
 * (fusop_init's, then fusop_time_set_core_hz's when the clock changes). CYCCNT is only read (the
 * application or a debugger may use it too): each read adds the cycles since the last one, so
 * microseconds wrap at 2^32 as the operator's wrapping arithmetic expects (CYCCNT alone wraps after
 * 2^32 cycles). A clock of whole megahertz (the reset MSI, 64 MHz, every MSI range from 1 MHz)
 * converts with one division by the cycles per microsecond — the staging loop reads the clock a
 * dozen times per double word; any other clock counts whole seconds and the cycles beyond them.
 * All in 32 bits: a 64-bit division would link libgcc's (700 bytes); exact for core clocks up to
 * FUSOP_CORE_HZ_MAX (fusop_init refuses more). */
static uint32_t us_base;        /* microseconds up to the last clock change */
static uint32_t us_since;       /* microseconds since then */
static uint32_t cycles_partial; /* cycles of the microsecond under way (whole megahertz) */
static uint32_t cycles_beyond;  /* cycles beyond us_since's whole seconds (other clocks), < core_hz */
static uint32_t cycles_last;
static uint32_t core_hz;
static uint32_t cycles_per_us; /* core_hz / 1 MHz when whole, else 0 */
static uint32_t (*time_hook)(void);

/* Folds the time so far into us_base and counts on at `hz` from now. */
static void time_restart(uint32_t hz, uint32_t now_us) {
  us_base = now_us;
  us_since = 0;
  cycles_partial = 0;
  cycles_beyond = 0;
  core_hz = hz;
  cycles_per_us = hz % 1000000u == 0 ? hz / 1000000u : 0;
}

void fusop_time_configure(uint32_t core_clock_hz, uint32_t (*now_us)(void)) {
  time_hook = now_us;
  time_restart(core_clock_hz, 0);
  if (now_us != 0) return;
  *(volatile uint32_t*)FUSOP_DEMCR |= FUSOP_DEMCR_TRCENA;
  *(volatile uint32_t*)FUSOP_DWT_CTRL |= FUSOP_DWT_CTRL_CYCCNTENA;
  cycles_last = *(volatile uint32_t*)FUSOP_DWT_CYCCNT;
}

u32 Z_halZ_nowUs(struct Z_hal_instance_t* hal) {
  (void)hal;
  if (time_hook != 0) return time_hook();
  const uint32_t now = *(volatile uint32_t*)FUSOP_DWT_CYCCNT;
  const uint32_t elapsed = now - cycles_last;
  cycles_last = now;
  if (cycles_per_us != 0) {
    const uint32_t partial = cycles_partial + elapsed % cycles_per_us; /* < 2 us of cycles */
    us_since += elapsed / cycles_per_us + partial / cycles_per_us;
    cycles_partial = partial % cycles_per_us;
    return us_base + us_since;
  }
  us_since += (elapsed / core_hz) * 1000000u;
  cycles_beyond += elapsed % core_hz; /* < 2 * core_hz */
  if (cycles_beyond >= core_hz) {
    cycles_beyond -= core_hz;
    us_since += 1000000u;
  }
  /* cycles_beyond * 10^6 / core_hz, one decimal digit at a time (rest < core_hz, so rest * 10
   * fits 32 bits): the same floor as the 64-bit quotient. */
  uint32_t rest = cycles_beyond;
  uint32_t fraction = 0;
  for (uint32_t digit = 0; digit < 6; digit++) {
    rest *= 10u;
    fraction = fraction * 10u + rest / core_hz;
    rest %= core_hz;
  }
  return us_base + us_since + fraction;
}

/* The core clock changed (runtime-c/clock.c): the microseconds so far stay, the cycles from now
 * count at `core_clock_hz`. */
void fusop_time_set_core_hz(uint32_t core_clock_hz) {
  if (time_hook == 0) time_restart(core_clock_hz, core_hz != 0 ? Z_halZ_nowUs(0) : 0); /* 0: before fusop_init */
}

void Z_halZ_delayUs(struct Z_hal_instance_t* hal, u32 us) {
  u32 start = Z_halZ_nowUs(hal);
  while ((u32)(Z_halZ_nowUs(hal) - start) < us) {
  }
}
