// Byte-buffer comparison for large buffers (a whole flash, a staged image): Buffer.equals compares
// in one native call, where a deep toEqual walks a megabyte element by element (seconds for a
// flash). On a mismatch the failure names what was compared, both lengths, the first differing
// offset and the bytes around it on each side.
import { expect } from "vitest";

const CONTEXT_BYTES = 8;

export function expectSameBytes(actual: Uint8Array, expected: Uint8Array, what = "bytes"): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(b)) return;
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  const around = (bytes: Buffer) => bytes.subarray(Math.max(0, at - CONTEXT_BYTES), at + CONTEXT_BYTES).toString("hex");
  const where = `0x${at.toString(16)}`;
  expect({ length: a.length, firstDifference: where, around: around(a) }, what)
    .toEqual({ length: b.length, firstDifference: "none", around: around(b) });
}
