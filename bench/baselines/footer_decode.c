/* Benchmark baseline only, never linked into a product: assembly/image/footer.ts decode() written
 * by hand in C, with the same semantics (fus-behaviour §4: signature blocks walked from the end,
 * file order ST then customer, image footer classified, sector count and version checked) and the
 * same status codes, reading the tail from the same linear memory. The bounds check is one compare
 * of the whole tail against the linear memory instead of one per load. bench/run.ts compares its
 * instructions and bytes with the generated C's. */
#include <stdint.h>
#include "fusop_codes.h"
#include "fusop_fault.h"

extern uint8_t fusop_linear_memory[FUSOP_LINEAR_BYTES];

#define TAIL_CAPACITY 256u
#define FOOTER_BYTES 20u
#define SIGNATURE_BYTES 64u
#define SIGNATURE_BLOCK_BYTES (SIGNATURE_BYTES + FOOTER_BYTES)
#define MIN_FILE_BYTES (FOOTER_BYTES + SIGNATURE_BLOCK_BYTES)
#define SECTOR_4K 0x1000u
#define SECTOR_2K 0x800u
#define NVM_SECTION_BYTES 0x4000u
#define INFO_FILLER 0xabcdabcdu

typedef struct {
  uint32_t status, kind, format, sector_class, footer_sectors, staging_sectors, version_word, version;
  uint32_t memory_size_word, info1, magic, nvm_sectors, safeboot_v2, signature_count, signature_kinds;
} bench_footer_t;

bench_footer_t bench_footer;

static const uint8_t* tail_end;

static uint32_t word_back(uint32_t back) {
  const uint8_t* p = tail_end - back;
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t ceil_div(uint32_t value, uint32_t divisor) {
  return value / divisor + (value % divisor != 0);
}

static uint32_t fail(uint32_t status) {
  bench_footer = (bench_footer_t){0};
  bench_footer.status = status;
  return status;
}

static int sector_count_fits(uint32_t sectors, uint32_t sector_bytes, uint32_t size, int exact) {
  const uint32_t needed = ceil_div(size, sector_bytes);
  if (exact) return sectors == needed;
  return sectors + 1 >= needed && sectors <= needed + 1;
}

uint32_t bench_footer_decode(uint32_t tail_pointer, uint32_t tail_length, uint32_t size) {
  bench_footer_t* f = &bench_footer;
  *f = (bench_footer_t){0};
  if (tail_length == 0 || tail_length > TAIL_CAPACITY || tail_length > size) return fail(FUSOP_IMAGE_STATUS_TAIL_LENGTH_INVALID);
  if (size < MIN_FILE_BYTES) return fail(FUSOP_IMAGE_STATUS_FILE_TOO_SHORT);
  if (size & 3) return fail(FUSOP_IMAGE_STATUS_SIZE_NOT_WORD_MULTIPLE);
  if (tail_pointer > FUSOP_LINEAR_BYTES || tail_length > FUSOP_LINEAR_BYTES - tail_pointer) fusop_fault(FUSOP_FAULT_LINEAR_RANGE, tail_pointer);
  tail_end = fusop_linear_memory + tail_pointer + tail_length;

  uint32_t consumed = 0, kinds_from_end = 0, blocks = 0;
  for (;;) {
    if (consumed + FOOTER_BYTES > tail_length) return fail(consumed + FOOTER_BYTES > size ? FUSOP_IMAGE_STATUS_FILE_TOO_SHORT : FUSOP_IMAGE_STATUS_TAIL_TOO_SHORT);
    const uint32_t magic = word_back(consumed + 4);
    uint32_t signature = magic == 0xd3a12c5eu ? 1u : magic == 0xe2b51d4au ? 2u : 0u;
    if (!signature) break;
    if (blocks == 2) return fail(FUSOP_IMAGE_STATUS_SIGNATURE_ORDER_INVALID);
    if (word_back(consumed + 20) != 0x12341234u || word_back(consumed + 16) != 0xabcdabcdu || tail_end[-(int32_t)(consumed + 12)] != SIGNATURE_BYTES) {
      return fail(FUSOP_IMAGE_STATUS_SIGNATURE_FOOTER_INVALID);
    }
    kinds_from_end |= signature << (blocks * 2);
    blocks++;
    consumed += SIGNATURE_BLOCK_BYTES;
  }
  if (blocks == 0) return fail(FUSOP_IMAGE_STATUS_NO_SIGNATURE_FOOTER);
  for (uint32_t index = 0; index < blocks; index++) {
    const uint32_t kind = (kinds_from_end >> ((blocks - 1 - index) * 2)) & 3;
    if (kind != (index == 0 ? 1u : 2u)) return fail(FUSOP_IMAGE_STATUS_SIGNATURE_ORDER_INVALID);
    f->signature_kinds |= kind << (index * 2);
  }
  f->signature_count = blocks;

  const uint32_t footer_end = consumed + FOOTER_BYTES;
  if (footer_end > tail_length) return fail(footer_end > size ? FUSOP_IMAGE_STATUS_FILE_TOO_SHORT : FUSOP_IMAGE_STATUS_TAIL_TOO_SHORT);
  const uint32_t info1 = word_back(footer_end), info2 = word_back(footer_end - 4), memory = word_back(footer_end - 8);
  const uint32_t version = word_back(footer_end - 12), magic = word_back(footer_end - 16);
  const uint32_t byte1 = (memory >> 8) & 0xff;

  /* classify (§4.3, §4.4) */
  if (magic == 0x42769811u) return fail(FUSOP_IMAGE_STATUS_IMAGE_KIND_NOT_INSTALLABLE);
  if (magic == 0x32279221u) {
    f->kind = FUSOP_IMAGE_KIND_FUS;
    if (info1 != INFO_FILLER || byte1 != 0xff) return fail(FUSOP_IMAGE_STATUS_IMAGE_FOOTER_INCONSISTENT);
  } else if (magic == 0x23372991u) {
    if (info1 == INFO_FILLER) {
      f->kind = FUSOP_IMAGE_KIND_STACK;
      f->format = 1; /* StackFormat.Legacy */
    } else if (info1 == 0x5afeb007u) {
      f->kind = FUSOP_IMAGE_KIND_SAFEBOOT;
    } else {
      return fail(FUSOP_IMAGE_STATUS_IMAGE_FOOTER_INCONSISTENT);
    }
    if (byte1 != 0xff) return fail(FUSOP_IMAGE_STATUS_IMAGE_FOOTER_INCONSISTENT);
  } else if (magic == 0xb10c8b99u) {
    f->kind = FUSOP_IMAGE_KIND_STACK;
    f->format = 2; /* StackFormat.New */
    const uint32_t sectors = (info1 >> 8) & 0xff;
    if ((info1 & 0xff) != 0xcd || sectors == 0 || sectors != info1 >> 24 || byte1 != 0x02) return fail(FUSOP_IMAGE_STATUS_IMAGE_FOOTER_INCONSISTENT);
    f->nvm_sectors = sectors;
  } else if (magic == 0x927a6741u) {
    f->kind = FUSOP_IMAGE_KIND_SAFEBOOT;
    f->safeboot_v2 = 1;
    if (info1 != INFO_FILLER || byte1 != 0xff) return fail(FUSOP_IMAGE_STATUS_IMAGE_FOOTER_INCONSISTENT);
  } else {
    return fail(FUSOP_IMAGE_STATUS_IMAGE_MAGIC_UNKNOWN);
  }
  if (info2 != INFO_FILLER) return fail(FUSOP_IMAGE_STATUS_IMAGE_FOOTER_INCONSISTENT);

  /* sector count */
  const uint32_t sectors = memory & 0xff;
  uint32_t sector_bytes;
  if (sectors == 0) return fail(FUSOP_IMAGE_STATUS_SECTOR_COUNT_MISMATCH);
  if (f->nvm_sectors) {
    if (f->nvm_sectors * SECTOR_4K == NVM_SECTION_BYTES) sector_bytes = SECTOR_4K;
    else if (f->nvm_sectors * SECTOR_2K == NVM_SECTION_BYTES) sector_bytes = SECTOR_2K;
    else return fail(FUSOP_IMAGE_STATUS_IMAGE_FOOTER_INCONSISTENT);
    if (!sector_count_fits(sectors, sector_bytes, size, 0)) return fail(FUSOP_IMAGE_STATUS_SECTOR_COUNT_MISMATCH);
  } else if (sector_count_fits(sectors, SECTOR_4K, size, 1)) sector_bytes = SECTOR_4K;
  else if (sector_count_fits(sectors, SECTOR_2K, size, 1)) sector_bytes = SECTOR_2K;
  else if (sector_count_fits(sectors, SECTOR_4K, size, 0)) sector_bytes = SECTOR_4K;
  else if (sector_count_fits(sectors, SECTOR_2K, size, 0)) sector_bytes = SECTOR_2K;
  else return fail(FUSOP_IMAGE_STATUS_SECTOR_COUNT_MISMATCH);
  f->sector_class = sector_bytes == SECTOR_4K ? 1u : 2u;
  f->footer_sectors = sectors;
  const uint32_t needed = ceil_div(size, sector_bytes);
  f->staging_sectors = sectors > needed ? sectors : needed;

  /* version */
  if (version == 0) return fail(FUSOP_IMAGE_STATUS_VERSION_INVALID);
  if (version == 0xffffffffu) {
    if (f->kind != FUSOP_IMAGE_KIND_FUS) return fail(FUSOP_IMAGE_STATUS_VERSION_INVALID);
    f->version = 0x01020000u; /* FUS V1.2.0 */
  } else {
    f->version = version;
  }
  f->version_word = version;
  f->memory_size_word = memory;
  f->info1 = info1;
  f->magic = magic;
  f->status = FUSOP_IMAGE_STATUS_OK;
  return FUSOP_IMAGE_STATUS_OK;
}
