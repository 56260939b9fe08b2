// The device runtime's allowlist clamps CPU1's writable flash to below the secure boundary read
// from FLASH_SFR.SFSA at run time (cpu2-interface §1.7 SFR; fus-behaviour §1.1): a stray store into
// CPU2's secure area stops with a named fault instead of reaching the bus (tier 2, runtime-c/hal.c).
import { describe, expect, test } from "vitest";
import { ArmTier } from "../../host-sim/tiers/tier2.js";
import { DeviceFault } from "../../host-sim/tiers/tier.js";
import { bareWb55, rig, wb55WithStack } from "../support/tiers.js";

const FLASH_BASE = 0x0800_0000;
const SECTOR = 4096; // STM32WB55, the part the probe firmware is built for

/** The fault a store by the device runtime's write check ends in, or null if the store went through. */
function storeFault(tier: ArmTier, address: number): DeviceFault | null {
  try {
    tier.callSymbol("fusop_hal_write32", address, 0);
    return null;
  } catch (error) {
    if (error instanceof DeviceFault) return error;
    throw error;
  }
}

describe.each([["FUS only", bareWb55], ["with a wireless stack", wb55WithStack]] as const)("secure boundary, %s (tier 2)", (_, config) => {
  test("a store at SFSA's address is refused as HAL_WRITE_DENIED with that address; flash is untouched", () => {
    const { chip, tier } = rig("arm", config);
    const secure = FLASH_BASE + chip.board.optionBytes.sfsa * SECTOR;
    const offset = secure - FLASH_BASE;
    const before = chip.board.flash.slice(offset, offset + 16);
    const fault = storeFault(tier as ArmTier, secure);
    expect(fault).toMatchObject({ code: "HAL_WRITE_DENIED", address: secure });
    expect(chip.board.flash.slice(offset, offset + 16)).toEqual(before);
  });

  test("the last word below SFSA is still writable: the store reaches the FLASH controller", () => {
    const { chip, tier } = rig("arm", config);
    const secure = FLASH_BASE + chip.board.optionBytes.sfsa * SECTOR;
    // Without PG set the controller ignores the store (and flags it); what matters is no fault.
    expect(storeFault(tier as ArmTier, secure - 4)).toBeNull();
  });
});
