// The circular doubly-linked lists CPU1 and CPU2 exchange packets through (cpu2-interface §3.9).
// Nodes live in SRAM2a, so every link is read and written through the HAL.
import { read32, write32 } from "../hal";

const NEXT: u32 = 0;
const PREV: u32 = 4;

export function initQueue(head: u32): void {
  write32(head + NEXT, head);
  write32(head + PREV, head);
}

export function isQueueEmpty(head: u32): bool {
  return read32(head + NEXT) == head;
}

/** Removes the first node; the caller checked the list is not empty. */
export function removeHead(head: u32): u32 {
  const node = read32(head + NEXT);
  const next = read32(node + NEXT);
  write32(head + NEXT, next);
  write32(next + PREV, head);
  return node;
}

export function insertTail(head: u32, node: u32): void {
  const tail = read32(head + PREV);
  write32(node + NEXT, head);
  write32(node + PREV, tail);
  write32(tail + NEXT, node);
  write32(head + PREV, node);
}
