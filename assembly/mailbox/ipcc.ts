// IPCC channel flags (cpu2-interface §1.2, §1.3). The operator polls: no interrupt is enabled, so
// C1CR and the mask register are left alone.
import { read32, write32 } from "../hal";
import { IPCC_C1SCR, IPCC_C1TOC2SR, IPCC_C2TOC1SR } from "../chip/registers";

export const SYSTEM_CHANNEL: u32 = 2;
export const RELEASE_CHANNEL: u32 = 4;

/** The flag of `channel` (1-6) in the IPCC status and set/clear registers. */
export function channelBit(channel: u32): u32 {
  return 1 << (channel - 1);
}

/** CPU1 posts on `channel` (C1SCR.CHnS). */
export function post(channel: u32): void {
  write32(IPCC_C1SCR, channelBit(channel) << 16);
}

/** Our own post on `channel` has not been consumed by CPU2 yet (C1TOC2SR.CHnF). */
export function isOccupiedByCpu1(channel: u32): bool {
  return isOccupiedByCpu1Bit(channelBit(channel));
}

/** isOccupiedByCpu1 for the channel whose flag is `bit` (channelBit). */
export function isOccupiedByCpu1Bit(bit: u32): bool {
  return (read32(IPCC_C1TOC2SR) & bit) != 0;
}

/** CPU2 has posted on `channel` (C2TOC1SR.CHnF). */
export function isPostedByCpu2(channel: u32): bool {
  return (read32(IPCC_C2TOC1SR) & channelBit(channel)) != 0;
}

/** Acknowledges CPU2's post on `channel` (C1SCR.CHnC). */
export function acknowledge(channel: u32): void {
  write32(IPCC_C1SCR, channelBit(channel));
}
