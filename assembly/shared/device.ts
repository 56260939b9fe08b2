// Facts about the device build shared by the Makefile (asc --lowMemoryLimit, the C runtime's
// buffer) and the host tiers (tier 1's linear-memory guard): one definition.

/** Bytes of linear memory the device gives the operator module. */
export const DEVICE_LINEAR_BYTES = 4096;
