/* memcpy and memset for the field loader, in place of newlib's speed-tuned versions (470 bytes
 * for Cortex-M4; these are about 80). The loader calls them a few times per start (.data, .bss,
 * linear memory, the operator's globals) and per flash read (hal copyIn: a footer, a journal
 * page); aligned copies still move words. Built without loop-pattern recognition, which would
 * turn these loops back into calls to themselves. */
#include <stddef.h>
#include <stdint.h>

typedef uint32_t __attribute__((may_alias)) word_t;

__attribute__((optimize("no-tree-loop-distribute-patterns"))) void* memcpy(void* restrict destination,
                                                                            const void* restrict source, size_t length) {
  uint8_t* out = destination;
  const uint8_t* in = source;
  if ((((uintptr_t)out | (uintptr_t)in) & 3u) == 0) {
    for (; length >= 4; length -= 4, out += 4, in += 4) *(word_t*)out = *(const word_t*)in;
  }
  while (length-- > 0) *out++ = *in++;
  return destination;
}

__attribute__((optimize("no-tree-loop-distribute-patterns"))) void* memset(void* destination, int value, size_t length) {
  uint8_t* out = destination;
  if (((uintptr_t)out & 3u) == 0) {
    const uint32_t word = (uint8_t)value * 0x01010101u;
    for (; length >= 4; length -= 4, out += 4) *(word_t*)out = word;
  }
  while (length-- > 0) *out++ = (uint8_t)value;
  return destination;
}
