// Whether the operator's tables (layout.ts) fit the part of SRAM2a CPU1 may use. The secure part
// is CPU2's: FUS programs its start into SRRVR (SBRSA in 1 KB units, BRSD disables it;
// cpu2-interface §1.7) from the footer of the firmware CPU2 runs (fus-behaviour §4.3), and a CPU1
// access beyond it faults. The operator checks before it touches SRAM2a beyond the first KB.
import { read32 } from "../hal";
import { FLASH_SRRVR, FLASH_SRRVR_BRSD, FLASH_SRRVR_SBRSA_MASK, FLASH_SRRVR_SBRSA_SHIFT, SRAM2A_BASE } from "../chip/registers";
import { OPERATOR_SRAM2A_END } from "./layout";

const KB: u32 = 1024;

/** Tables fit in the first `cpu1Kb` KB of SRAM2a (a stack footer's SRAM2a byte, or SBRSA). */
export function tablesFitShare(cpu1Kb: u32): bool {
  return SRAM2A_BASE + cpu1Kb * KB >= OPERATOR_SRAM2A_END;
}

/** Tables fit the SRAM2a split the option bytes set for now (SRRVR). */
export function tablesFitCurrentShare(): bool {
  const srrvr = read32(FLASH_SRRVR);
  if ((srrvr & FLASH_SRRVR_BRSD) != 0) return true;
  return tablesFitShare((srrvr >> FLASH_SRRVR_SBRSA_SHIFT) & FLASH_SRRVR_SBRSA_MASK);
}
