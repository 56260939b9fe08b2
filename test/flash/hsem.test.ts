// The operator's flash driver shares the FLASH controller with CPU2 through the hardware
// semaphores, on both tiers: HSEM 2 (flash ownership) for the whole unlock..lock session, and per
// single page erase or 64-bit write HSEM 6 required free and HSEM 7 taken and released again
// (cpu2-interface §4.5 steps 1, 4, 7; semaphore ids and the 1-step lock from §1.8).
import { describe, expect, test } from "vitest";
import { expectSameBytes } from "../support/bytes.js";
import { codeOf, rig, tierNames, bareWb55, type Rig } from "../support/tiers.js";

const FLASH_BASE = 0x0800_0000;
const RCC_AHB3ENR = 0x50; // offset in the RCC block
const HSEMEN = 1 << 19;
/** A free area of the bare WB55: far below FUS's secure area, above the probe firmware. */
const ADDRESS = 0x0808_0000;
const PAGE = 4096;

function image(bytes: number): Uint8Array {
  return Uint8Array.from({ length: bytes }, (_, i) => (i * 7 + 3) & 0xff);
}

function flashAt(setup: Rig, address: number, length: number): Uint8Array {
  return setup.chip.board.flash.slice(address - FLASH_BASE, address - FLASH_BASE + length);
}

/** Puts something other than the erased state into the page, so an erase would show. */
function fillPage(setup: Rig, address: number): void {
  setup.chip.board.flash.fill(0x5a, address - FLASH_BASE, address - FLASH_BASE + PAGE);
}

/** Staging into a filled page ends in FLASH_BUSY_TIMEOUT, and the page is exactly as before. */
function expectTimeoutLeavingFlash(setup: Rig): void {
  const before = flashAt(setup, ADDRESS, PAGE);
  expect(codeOf(() => setup.operator.stage(image(256), ADDRESS))).toBe("FLASH_BUSY_TIMEOUT");
  expectSameBytes(flashAt(setup, ADDRESS, PAGE), before, "the page");
}

describe.each(tierNames)("flash driver and HSEM, tier %s", (tierName) => {
  test("staging before CPU2 is booted enables the HSEM clock itself and leaves HSEM 2 and 7 free (§1.8, §4.5)", () => {
    const setup = rig(tierName, bareWb55);
    // Nothing has booted CPU2: RCC_AHB3ENR.HSEMEN is still clear, so HSEM does not answer yet.
    expect(setup.chip.rcc.readUint32(RCC_AHB3ENR) & HSEMEN).toBe(0);
    const data = image(PAGE + 512);
    setup.operator.stage(data, ADDRESS);
    expectSameBytes(flashAt(setup, ADDRESS, data.length), data, "programmed data");
    expect(setup.chip.rcc.readUint32(RCC_AHB3ENR) & HSEMEN).not.toBe(0);
    expect(setup.chip.hsem.owner(2)).toBe(0);
    expect(setup.chip.hsem.owner(7)).toBe(0);
    // Both were really taken and given back: each release raises the "freed" status bit (§1.8 C1ISR).
    expect(setup.chip.bus.read(0x5800_1508, 4) & ((1 << 2) | (1 << 7))).toBe((1 << 2) | (1 << 7));
  });

  test("HSEM 2 held by CPU2: staging ends in FLASH_BUSY_TIMEOUT and flash is unchanged (§4.5 step 1)", () => {
    const setup = rig(tierName, bareWb55);
    fillPage(setup, ADDRESS);
    expect(setup.chip.hsem.cpu2Lock(2)).toBe(true);
    expectTimeoutLeavingFlash(setup);
    expect(setup.chip.hsem.owner(2)).toBe(0x8000_0800); // still CPU2's
    expect(setup.chip.hsem.owner(7)).toBe(0);
  });

  test("HSEM 6 taken: no single operation starts, staging times out and gives HSEM 2 back (§4.5 step 4)", () => {
    const setup = rig(tierName, bareWb55);
    fillPage(setup, ADDRESS);
    // Other CPU1 code blocks CPU2's flash work with HSEM 6 (§1.8) and never lets go.
    setup.chip.rcc.writeUint32(RCC_AHB3ENR, setup.chip.rcc.readUint32(RCC_AHB3ENR) | HSEMEN);
    expect(setup.chip.bus.read(0x5800_1480 + 4 * 6, 4)).toBe(0x8000_0400);
    expectTimeoutLeavingFlash(setup);
    expect(setup.chip.hsem.owner(2)).toBe(0);
    expect(setup.chip.hsem.owner(7)).toBe(0);
  });

  test("CPU2 holds HSEM 7 for a while: the erase waits for it, then staging completes (§4.5 step 4)", () => {
    const setup = rig(tierName, bareWb55);
    fillPage(setup, ADDRESS);
    const before = flashAt(setup, ADDRESS, PAGE);
    // Longer than one page erase (22 ms in the model) and shorter than the driver's 100 ms bound.
    const holdUs = 50_000;
    expect(setup.chip.hsem.cpu2Lock(7)).toBe(true);
    let atRelease: Uint8Array | null = null;
    let releasedAtUs = 0;
    setup.chip.clock.schedule(holdUs, () => {
      atRelease = flashAt(setup, ADDRESS, PAGE);
      releasedAtUs = setup.chip.clock.nowUs;
      setup.chip.hsem.cpu2Release(7);
    });
    const data = image(1024);
    const startUs = setup.chip.clock.nowUs;
    setup.operator.stage(data, ADDRESS);
    expect(releasedAtUs).toBeGreaterThanOrEqual(startUs + holdUs);
    expect(setup.chip.clock.nowUs - releasedAtUs).toBeGreaterThanOrEqual(22_000); // the erase came after
    const pageAtRelease = atRelease as Uint8Array | null; // set by the scheduled release above
    expect(pageAtRelease, "CPU2 released HSEM 7").not.toBeNull();
    expectSameBytes(pageAtRelease!, before, "the page when CPU2 released HSEM 7"); // nothing was erased while CPU2 held it
    expectSameBytes(flashAt(setup, ADDRESS, data.length), data, "programmed data");
    expect(setup.chip.hsem.owner(2)).toBe(0);
    expect(setup.chip.hsem.owner(7)).toBe(0);
  });

  test("CPU2 never releases HSEM 7: FLASH_BUSY_TIMEOUT, flash unchanged, HSEM 2 given back (§4.5 step 4)", () => {
    const setup = rig(tierName, bareWb55);
    fillPage(setup, ADDRESS);
    expect(setup.chip.hsem.cpu2Lock(7)).toBe(true);
    expectTimeoutLeavingFlash(setup);
    expect(setup.chip.hsem.owner(2)).toBe(0);
    expect(setup.chip.hsem.owner(7)).toBe(0x8000_0800);
  });
});
