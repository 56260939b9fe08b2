// Version words of FUS and stacks: major[31:24] minor[23:16] sub[15:8] branch[7:4] build[3:0]
// (fus-behaviour §4.3). The low byte tells stack types apart (full, Thread, Zigbee share a
// release), so versions are ordered by major.minor.sub only: the "key".

/** major.minor.sub of a version word, comparable with < and >. */
export function versionKey(word: u32): u32 {
  return word >> 8;
}

// FUS versions the upgrade-path rules name (fus-behaviour §3.1, §3.2).
export const FUS_V100: u32 = 0x01000000;
export const FUS_V101: u32 = 0x01000100;
export const FUS_V112: u32 = 0x01010200;
export const FUS_V120: u32 = 0x01020000;
export const FUS_V200: u32 = 0x02000000;

/** Anti-rollback activated with no stack makes FUS take this as the reference (seed FAQ). */
export const ANTIROLLBACK_NO_STACK_REFERENCE: u32 = 0xffffffff;
