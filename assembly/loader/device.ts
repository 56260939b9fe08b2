// Facts about the loader's device build shared by the Makefile (asc --lowMemoryLimit for
// build/fusop-loader.wasm, the C runtime's buffer) and tier 1 (its linear-memory guard).

/**
 * Bytes of linear memory the device gives the loader module: the operator's static data (~1.9 KiB),
 * one whole YMODEM block (1024 + 4 bytes, held until its CRC is checked), the console's line and
 * output buffers and its texts (~6.5 KiB in all today). 7.5 KiB is what WB15CC's 12 KiB of SRAM1
 * leaves beside the common linker script's 4 KiB minimum stack and the C runtime's few hundred bytes.
 */
export const LOADER_LINEAR_BYTES = 7680;
