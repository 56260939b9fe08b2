// Facts about the loader's device build shared by the Makefile (asc --lowMemoryLimit for
// build/fusop-loader.wasm, the C runtime's buffer) and tier 1 (its linear-memory guard).

/**
 * Bytes of linear memory the device gives the loader module: the operator's static data (~1.9 KiB),
 * one whole YMODEM block (1024 + 5 bytes, held until its CRC is checked), the console's line and
 * output buffers and its texts. 8 KiB fits SRAM1 on every variant, WB15CC's 12 KiB included.
 */
export const LOADER_LINEAR_BYTES = 8192;
