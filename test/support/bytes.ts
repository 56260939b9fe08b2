// Byte-buffer comparison for large buffers (a whole flash, a staged image): Buffer.equals compares
// in one native call, where a deep toEqual walks a megabyte element by element. On a mismatch the
// failure names the first differing offset.
import { expect } from "vitest";

export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(b)) return;
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  expect({ length: a.length, firstDifference: at, actual: a[at], expected: b[at] })
    .toEqual({ length: b.length, firstDifference: -1, actual: undefined, expected: undefined });
}
