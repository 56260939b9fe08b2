// The sandbox covers erase and option bytes too (issue 12 S1): flash changes only in
// [firmware end, SFSA), on both tiers, checked twice — by the operator's flash driver
// (assembly/flash/driver.ts, a named status before the hardware is touched, 64-bit range sums) and
// by the hal underneath it (runtime-c/hal.c on tier 2, host-sim/tiers/allowlist.ts on tier 1,
// both from runtime-c/allowlist.json), which decodes every store to FLASH_CR (cpu2-interface §1.7:
// PER 1, MER 2, PNB 10:3, STRT 16, OPTSTRT 17, OBL_LAUNCH 27) before it reaches the controller.
import { describe, expect, test } from "vitest";
import { OperatorStatus } from "../../assembly/shared/codes.js";
import { Allowlist, HalDenied } from "../../host-sim/tiers/allowlist.js";
import { DeviceFault } from "../../host-sim/tiers/tier.js";
import type { ArmTier } from "../../host-sim/tiers/tier2.js";
import { bareWb55, rig, tierNames } from "../support/tiers.js";
import { expectSameBytes } from "../support/bytes.js";

const FLASH_BASE = 0x0800_0000;
const FLASH_SR = 0x5800_4010;
const FLASH_CR = 0x5800_4014;
const PG = 1 << 0;
const PER = 1 << 1;
const MER = 1 << 2;
const STRT = 1 << 16;
const OPTSTRT = 1 << 17;
const OBL_LAUNCH = 1 << 27;
const LOCK = 1 << 31;
const pageErase = (page: number) => (PER | (page << 3) | STRT) >>> 0;
/** bareWb55: SFSA 0xF4, the secure area starts at 0x080F4000. */
const SECURE_START = 0x080f_4000;

/** Decision of the tier-2 hal for one 32-bit store: ALLOWED or the fault's code and address. */
function onDevice(tier: ArmTier, address: number, value: number): string {
  try {
    tier.callSymbol("fusop_hal_write32", address, value);
    return "ALLOWED";
  } catch (error) {
    if (error instanceof DeviceFault && error.code.startsWith("HAL_")) return `${error.code}@${error.address.toString(16)}`;
    throw error;
  }
}

function onTier1(allowlist: Allowlist, address: number, value: number): string {
  try {
    allowlist.requireStore32(address, value);
    return "ALLOWED";
  } catch (error) {
    if (error instanceof HalDenied) return `${error.code}@${error.address.toString(16)}`;
    throw error;
  }
}

describe("the hal decodes FLASH_CR and keeps the option registers read-only (same table, both tiers)", () => {
  const stores: [string, number, number, string][] = [
    ["page erase of page 0 (the vector table)", FLASH_CR, pageErase(0), "HAL_WRITE_DENIED@8000000"],
    ["page erase of the first secure page", FLASH_CR, pageErase(0xf4), "HAL_WRITE_DENIED@80f4000"],
    ["page erase of page 255 (FUS itself)", FLASH_CR, pageErase(0xff), "HAL_WRITE_DENIED@80ff000"],
    ["page erase of an application page", FLASH_CR, pageErase(0x80), "ALLOWED"],
    ["mass erase", FLASH_CR, (MER | STRT) >>> 0, "HAL_WRITE_DENIED@58004014"],
    ["mass erase bit alone", FLASH_CR, MER, "HAL_WRITE_DENIED@58004014"],
    ["option-byte programming", FLASH_CR, OPTSTRT, "HAL_WRITE_DENIED@58004014"],
    ["option-byte loading (a reset)", FLASH_CR, OBL_LAUNCH, "HAL_WRITE_DENIED@58004014"],
    ["page erase hidden beside OPTSTRT", FLASH_CR, (pageErase(0x80) | OPTSTRT) >>> 0, "HAL_WRITE_DENIED@58004014"],
    ["PER and PNB 0 without STRT (starts nothing)", FLASH_CR, PER, "ALLOWED"],
    ["LOCK", FLASH_CR, LOCK, "ALLOWED"],
    // PG alone takes the device hal's short path (allowlist.json programValue); PG with anything
    // the rule refuses still gets the full decode.
    ["PG alone (programming)", FLASH_CR, PG, "ALLOWED"],
    ["PG with mass erase", FLASH_CR, PG | MER, "HAL_WRITE_DENIED@58004014"],
    ["PG with option-byte programming", FLASH_CR, (PG | OPTSTRT) >>> 0, "HAL_WRITE_DENIED@58004014"],
    ["PG with a page erase of page 0", FLASH_CR, (PG | pageErase(0)) >>> 0, "HAL_WRITE_DENIED@8000000"],
    ["FLASH_SR, write 1 to clear (the short path)", FLASH_SR, 0xc3fb, "ALLOWED"],
    ["FLASH_ECCR, the word after FLASH_CR", 0x5800_4018, PG, "HAL_WRITE_DENIED@58004018"],
    ["FLASH_OPTKEYR (unlocking the option bytes)", 0x5800_400c, 0x0819_2a3b, "HAL_WRITE_DENIED@5800400c"],
    ["FLASH_OPTR", 0x5800_4020, 0, "HAL_WRITE_DENIED@58004020"],
    ["FLASH_ACR (PES would hold CPU2)", 0x5800_4000, 1 << 15, "HAL_WRITE_DENIED@58004000"],
    ["FLASH_C2CR, CPU2's own", 0x5800_4064, 0, "HAL_WRITE_DENIED@58004064"],
    ["FLASH_SFR", 0x5800_4080, 0, "HAL_WRITE_DENIED@58004080"],
    ["FLASH_KEYR", 0x5800_4008, 0x4567_0123, "ALLOWED"],
  ];

  test.each(stores)("%s", (_what, address, value, expected) => {
    const device = rig("arm", bareWb55);
    const vectors = device.chip.board.flash.slice(0, 0x1000);
    expect(onDevice(device.tier as ArmTier, address, value)).toBe(expected);
    expect(onTier1(new Allowlist(rig("wasm", bareWb55).chip), address, value)).toBe(expected);
    expectSameBytes(device.chip.board.flash.subarray(0, 0x1000), vectors);
    expect(device.chip.board.optionBytes.optr).toBe(rig("wasm", bareWb55).chip.board.optionBytes.optr);
  });

  test("tier 2: a page erase of the firmware's own last page is refused by the hal (FIRMWARE_END from the linker)", () => {
    const { tier } = rig("arm", bareWb55);
    const arm = tier as ArmTier;
    const firmwareEnd = arm.symbol("_fusop_firmware_end");
    expect(firmwareEnd).toBeGreaterThan(FLASH_BASE + 0x1000);
    const lastPage = (firmwareEnd - FLASH_BASE) / 0x1000 - 1;
    expect(onDevice(arm, FLASH_CR, pageErase(lastPage))).toBe(`HAL_WRITE_DENIED@${(FLASH_BASE + lastPage * 0x1000).toString(16)}`);
    expect(onDevice(arm, FLASH_CR, pageErase(lastPage + 1))).toBe("ALLOWED");
  });

  test("tier 2: a word store into flash (programming) passes from the firmware's end to the secure boundary read at the store", () => {
    const { tier, chip } = rig("arm", bareWb55);
    const arm = tier as ArmTier;
    const firmwareEnd = arm.symbol("_fusop_firmware_end");
    const hex = (address: number) => address.toString(16);
    expect(onDevice(arm, firmwareEnd - 4, 0)).toBe(`HAL_WRITE_DENIED@${hex(firmwareEnd - 4)}`);
    expect(onDevice(arm, firmwareEnd, 0)).toBe("ALLOWED");
    expect(onDevice(arm, firmwareEnd + 2, 0)).toBe(`HAL_MISALIGNED@${hex(firmwareEnd + 2)}`);
    expect(onDevice(arm, SECURE_START - 4, 0)).toBe("ALLOWED");
    expect(onDevice(arm, SECURE_START, 0)).toBe(`HAL_WRITE_DENIED@${hex(SECURE_START)}`);
    // FUS moved the boundary down (an install): the next store sees it.
    chip.board.optionBytes.sfsa = 0xf0;
    expect(onDevice(arm, 0x080f_0000 - 4, 0)).toBe("ALLOWED");
    expect(onDevice(arm, SECURE_START - 4, 0)).toBe(`HAL_WRITE_DENIED@${hex(SECURE_START - 4)}`);
  });

  test("the FLASH_CR row grants no plain write: 8/16-bit stores and block copies into it are refused", () => {
    // write8, write16 and copyOut go through require() on both tiers (runtime-c/hal.c shares it);
    // only the decoded 32-bit store path reaches FLASH_CR. The operator never issues sub-word
    // stores to it, so the table is checked here directly.
    const allowlist = new Allowlist(rig("wasm", bareWb55).chip);
    expect(() => allowlist.require(FLASH_CR + 2, 2, true)).toThrow(HalDenied);
    expect(() => allowlist.require(FLASH_CR, 1, true)).toThrow(HalDenied);
    expect(() => allowlist.require(FLASH_CR - 4, 8, true)).toThrow(HalDenied); // a copy from FLASH_SR on
    expect(() => allowlist.require(FLASH_CR, 4, false)).not.toThrow();
  });
});

describe.each(tierNames)("the operator's flash driver refuses before touching the hardware, %s", (tierName) => {
  /** Flash as erased and written by a marker in every page, so any erase shows. */
  function setup() {
    const setup = rig(tierName, bareWb55);
    const flash = setup.chip.board.flash;
    const firmware = tierName === "arm" ? (setup.tier as ArmTier).symbol("_fusop_firmware_end") - FLASH_BASE : 0;
    for (let offset = firmware; offset < SECURE_START - FLASH_BASE; offset += 0x1000) flash[offset + 8] = 0x5a;
    // Compared as Buffers: an element-wise deep equality of 1 MB takes seconds.
    return { ...setup, snapshot: () => Buffer.from(flash.slice(0, SECURE_START - FLASH_BASE)) };
  }

  const hostile: [string, number, number][] = [
    ["the first page (the vector table)", FLASH_BASE, 0x1000],
    ["a range that wraps around 2^32 onto every application page", 0xf801_0000, 0x0fff_0000],
    ["a length that wraps from an application page", 0x0808_0000, 0xffff_ffff],
    ["a range reaching into the secure area", SECURE_START - 0x1000, 0x2000],
    ["the secure area", SECURE_START, 0x1000],
    ["below the flash", 0x07ff_f000, 0x2000],
    ["beyond the flash", 0x0810_0000, 0x1000],
    ["the top of the address space", 0xffff_f000, 0x1000],
  ];

  test.each(hostile)("flashErase: %s", (_what, address, length) => {
    const { tier, snapshot } = setup();
    const before = snapshot();
    expect(OperatorStatus[tier.call("flashErase", address, length)]).toBe("FlashRangeProtected");
    expect(snapshot().equals(before)).toBe(true);
  });

  const hostileWrites: [string, number][] = [
    ["the first page (the vector table)", FLASH_BASE],
    ["the end of the first sector, crossing into the second", FLASH_BASE + 0xff8],
    ["a double word crossing into the secure area", SECURE_START - 8],
    ["the secure area", SECURE_START],
    ["below the flash", 0x07ff_fff8],
    ["beyond the flash", 0x0810_0000],
    ["the last double word of the address space, wrapping to 0", 0xffff_fff8],
  ];

  test.each(hostileWrites)("flashWrite: %s", (_what, address) => {
    const { tier, snapshot } = setup();
    const before = snapshot();
    const status = tier.call("flashWrite", address, 16);
    expect(OperatorStatus[status]).toBe("FlashRangeProtected");
    expect(snapshot().equals(before)).toBe(true);
  });

  test("an empty or unaligned request is invalid; an application page is erased and written", () => {
    const { tier, chip, operator } = setup();
    expect(tier.call("flashErase", 0x0808_0000, 0)).toBe(OperatorStatus.FlashRangeInvalid);
    expect(tier.call("flashWrite", 0x0808_0004, 8)).toBe(OperatorStatus.FlashRangeInvalid);
    operator.stage(new Uint8Array(16).fill(0x11), 0x0808_0000);
    expect(chip.board.flash.slice(0x80000, 0x80010)).toEqual(new Uint8Array(16).fill(0x11));
    expect(chip.board.flash[0x80000 + 0x1000 + 8]).toBe(0x5a); // the next page untouched
  });

  test("flashSetFirmwareEnd only ever raises the protected part", () => {
    const { tier } = setup();
    tier.call("flashSetFirmwareEnd", 0x0801_0000);
    tier.call("flashSetFirmwareEnd", FLASH_BASE); // does not lower it again
    expect(tier.call("flashErase", 0x0800_f000, 0x1000)).toBe(OperatorStatus.FlashRangeProtected);
    expect(tier.call("flashErase", 0x0801_0000, 0x1000)).toBe(OperatorStatus.Ok);
  });
});

test("tier 2: the firmware told its driver where it ends; its own pages are refused with a status", () => {
  const { tier, chip } = rig("arm", bareWb55);
  const firmwareEnd = (tier as ArmTier).symbol("_fusop_firmware_end");
  const before = chip.board.flash.slice(0, firmwareEnd - FLASH_BASE);
  expect(tier.call("flashErase", firmwareEnd - 0x1000, 0x1000)).toBe(OperatorStatus.FlashRangeProtected);
  expect(tier.call("flashErase", firmwareEnd - 0x1000, 0x2000)).toBe(OperatorStatus.FlashRangeProtected);
  expectSameBytes(chip.board.flash.subarray(0, firmwareEnd - FLASH_BASE), before);
  expect(tier.call("flashErase", firmwareEnd, 0x1000)).toBe(OperatorStatus.Ok);
});
