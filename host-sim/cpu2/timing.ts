// How long CPU2 takes, in virtual microseconds. No source gives these (cpu2-interface §9: "CPU2
// boot time budget ... not found"); they are assumptions of the simulator, chosen in the range
// reference operators wait for (embassy: 500 ms READY timeout; MPY: ~3.6 s for a GET_STATE during
// a stack install, fus-behaviour §1.3).
export const CPU2_BOOT_TO_READY_US = 2_000; // [assumption]
export const SYSTEM_COMMAND_LATENCY_US = 50; // [assumption]
export const BUFFER_RELEASE_LATENCY_US = 10; // [assumption]
/** From the command that triggers it to the system reset (GET_STATE #2, START_WS ...). */
export const RESET_DELAY_US = 100; // [assumption]
