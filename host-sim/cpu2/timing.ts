// How long CPU2 takes, in virtual microseconds. No source gives these (cpu2-interface §9: "CPU2
// boot time budget ... not found"; fus-behaviour §7: "FUS install / delete duration ... not found");
// they are assumptions of the simulator, chosen in the range reference operators wait for (embassy:
// 500 ms READY timeout; MPY: ~3.6 s for the first GET_STATE answer during a stack install; Flipper
// expects the reset within 10 s). Flash erase/program times are those of chip/flash.ts.
export const CPU2_BOOT_TO_READY_US = 2_000; // [assumption]
export const SYSTEM_COMMAND_LATENCY_US = 50; // [assumption]
export const BUFFER_RELEASE_LATENCY_US = 10; // [assumption]
/** From the command that triggers it to the system reset (GET_STATE #2, START_WS ...). */
export const RESET_DELAY_US = 100; // [assumption]
/** FUS walks the user flash for a footer (fus-behaviour §1.4). */
export const FUS_SCAN_US = 5_000; // [assumption]
/** FUS decrypts and authenticates the found image, per KB of image. */
export const FUS_VERIFY_US_PER_KB = 5_000; // [assumption]
/** Key and anti-rollback commands write FUS's secure storage. */
export const FUS_KEY_COMMAND_US = 1_000; // [assumption]
/** Safeboot's factory reset runs this long besides its flash erases. */
export const SAFEBOOT_START_US = 1_000; // [assumption]
