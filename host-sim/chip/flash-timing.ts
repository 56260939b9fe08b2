// How long the flash takes, in virtual microseconds: one table for CPU1's FLASH interface
// (chip/flash.ts) and CPU2's firmware flash work (cpu2/phase-runner.ts), the same flash IP.
//
// Figures of the STM32WB55 datasheet DS11929, table "Flash memory characteristics" (64-bit
// programming time, 4 KB page erase time, mass erase time), taken at their maximum so that the
// simulator is never faster than a part can be. DS11929 itself could not be retrieved while this
// was written (fus-behaviour §7 "not found"); the figures are those ST publishes for this flash IP
// and must be checked against the PDF [assumption until checked].
// - STM32WB1x (2 KB pages, DS13258): no figure retrieved; the same per-page erase time is used [choice].
// - Option-byte programming: no datasheet figure; one page-erase time [choice].
// - What remains a choice, not a figure: CPU2 programs a sector's data as consecutive double words.
export const FLASH_TIMING_US = {
  /** t_prog, one 64-bit double word: 81.7 µs typical, 90.8 µs maximum. */
  programDoubleWord: 91,
  /** t_ERASE, one page (4 KB; 2 KB on WB1x): 22.02 ms typical, 24.47 ms maximum. */
  pageErase: 24_470,
  /** t_ME, mass erase of the user flash: 22.13 ms typical, 24.59 ms maximum. */
  massErase: 24_590,
  /** Option-byte programming (OPTSTRT) [choice: one page-erase time]. */
  optionProgram: 24_470,
} as const;
