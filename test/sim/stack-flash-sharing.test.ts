// The wireless-stack model's side of flash sharing (cpu2-interface §4.5, §1.7 PES/PESD, §1.8
// HSEM 7; host-sim/cpu2/flash-arbitration.ts): PES holds new CPU1 operations off around radio
// events until SET_FLASH_ACTIVITY_CONTROL(1) moves CPU2 to HSEM 7, and CPU1 flash work that
// ignores the protocol is counted as disturbances.
import { describe, expect, test } from "vitest";
import { Cpu1Driver } from "./support/cpu1.js";
import { WirelessStackFirmware } from "../../host-sim/cpu2/stack.js";
import { RADIO_INTERVAL_US, RADIO_EVENT_US, CPU2_FLASH_WORK_US } from "../../host-sim/cpu2/flash-arbitration.js";
import { wb55WithStack } from "../support/tiers.js";

const FLASH_SR = 0x5800_4010;
const PESD = 1 << 19;
const HSEM_R7 = 0x5800_1400 + 7 * 4;
const RCC_AHB3ENR = 0x5800_0050;
const FLASH_ERASE_ACTIVITY = 0xfc69;
const SET_FLASH_ACTIVITY_CONTROL = 0xfc73;
const FLASH_STORE_DATA = 0xfc6b;

function bootedStack(): { cpu1: Cpu1Driver; stack: WirelessStackFirmware } {
  const cpu1 = Cpu1Driver.on(wb55WithStack);
  expect(cpu1.boot()).toBe(0x00); // READY: stack running
  const stack = cpu1.chip.cpu2.firmware as WirelessStackFirmware;
  expect(stack).toBeInstanceOf(WirelessStackFirmware);
  return { cpu1, stack };
}

describe("wireless stack flash sharing (cpu2-interface §4.5)", () => {
  test("system commands: success for 0/1, SHCI_ERR_INVALID_HCI_CMD_PARAMS (0x12) otherwise (§5.2, §6.4)", () => {
    const { cpu1, stack } = bootedStack();
    expect(cpu1.command(SET_FLASH_ACTIVITY_CONTROL, [1]).status).toBe(0x00);
    expect(stack.arbiter!.usesSem7).toBe(true);
    expect(cpu1.command(FLASH_ERASE_ACTIVITY, [1]).status).toBe(0x00);
    expect(stack.arbiter!.eraseActivity).toBe(true);
    expect(cpu1.command(FLASH_ERASE_ACTIVITY, [2]).status).toBe(0x12);
    expect(cpu1.command(SET_FLASH_ACTIVITY_CONTROL, []).status).toBe(0x12);
    expect(stack.arbiter!.eraseActivity).toBe(true);
  });

  test("PES mode: SR.PESD reads 1 around a radio event and 0 between events (§1.7, HAL-FLASH)", () => {
    const { cpu1 } = bootedStack();
    let sawPesd = false;
    let sawFree = false;
    for (let step = 0; step < 2 * RADIO_INTERVAL_US; step += 250) {
      cpu1.run(250, 250);
      if (cpu1.read32(FLASH_SR) & PESD) sawPesd = true;
      else sawFree = true;
    }
    expect(sawPesd).toBe(true);
    expect(sawFree).toBe(true);
  });

  test("HSEM 7 mode: CPU2 holds semaphore 7 around a radio event, PESD stays 0 (§1.8)", () => {
    const { cpu1 } = bootedStack();
    cpu1.write32(RCC_AHB3ENR, cpu1.read32(RCC_AHB3ENR) | (1 << 19));
    expect(cpu1.command(SET_FLASH_ACTIVITY_CONTROL, [1]).status).toBe(0x00);
    let sawCpu2 = false;
    let sawFree = false;
    for (let step = 0; step < 2 * RADIO_INTERVAL_US; step += 250) {
      cpu1.run(250, 250);
      expect(cpu1.read32(FLASH_SR) & PESD).toBe(0);
      const owner = cpu1.read32(HSEM_R7);
      if (owner === 0x8000_0800) sawCpu2 = true;
      if (owner === 0) sawFree = true;
    }
    expect(sawCpu2).toBe(true);
    expect(sawFree).toBe(true);
  });

  test("FLASH_STORE_DATA: CPU2 holds HSEM 7 through its own flash work, outside radio events too (§4.5, §5.2 0xFC6B)", () => {
    const { cpu1, stack } = bootedStack();
    cpu1.write32(RCC_AHB3ENR, cpu1.read32(RCC_AHB3ENR) | (1 << 19));
    expect(cpu1.command(SET_FLASH_ACTIVITY_CONTROL, [1]).status).toBe(0x00);
    // Right after a radio event, far from the next one's window.
    const event = stack.arbiter!.nextRadioEventUs(cpu1.chip.clock.nowUs);
    cpu1.run(event + RADIO_EVENT_US + 100 - cpu1.chip.clock.nowUs, 1);
    expect(cpu1.read32(HSEM_R7)).toBe(0);
    expect(cpu1.command(FLASH_STORE_DATA, [0]).status).toBe(0x00);
    expect(cpu1.read32(HSEM_R7)).toBe(0x8000_0800);
    // 10 ms on: still no radio window (the next opens 1 ms before the event, 30 ms after the last).
    cpu1.run(10_000, 100);
    expect(stack.arbiter!.nextRadioEventUs(cpu1.chip.clock.nowUs) - cpu1.chip.clock.nowUs).toBeGreaterThan(10_000);
    expect(cpu1.read32(HSEM_R7)).toBe(0x8000_0800);
    expect(cpu1.command(FLASH_STORE_DATA, [3]).status).toBe(0x12);
  });

  test("a loader-style erase and program that ignore §4.5 are counted as disturbances; PES delays the program", () => {
    const { cpu1, stack } = bootedStack();
    const address = cpu1.board.cpu2.stack!.start - 0x8000;
    cpu1.stage(address, new Uint8Array(64).fill(0x42));
    const kinds = stack.disturbances.map((d) => d.what);
    expect(kinds.some((what) => what.includes("without FLASH_ERASE_ACTIVITY"))).toBe(true);
    expect(cpu1.board.flash[address - 0x0800_0000]).toBe(0x42); // the flash still took the data
  });

  test("an erase announced with FLASH_ERASE_ACTIVITY but started right before a radio event still disturbs it", () => {
    const { cpu1, stack } = bootedStack();
    expect(cpu1.command(FLASH_ERASE_ACTIVITY, [1]).status).toBe(0x00);
    expect(cpu1.command(SET_FLASH_ACTIVITY_CONTROL, [1]).status).toBe(0x00); // no PES to hold it off
    // 5 ms before an event: outside the 26 ms erase window only if CPU1 ignores HSEM 7, as here.
    const event = stack.arbiter!.nextRadioEventUs(cpu1.chip.clock.nowUs + 30_000);
    cpu1.run(event - 5_000 - cpu1.chip.clock.nowUs, 1);
    const page = (cpu1.board.cpu2.stack!.start - 0x0800_0000) / 4096 - 4;
    cpu1.write32(0x5800_4008, 0x4567_0123);
    cpu1.write32(0x5800_4008, 0xcdef_89ab);
    cpu1.write32(0x5800_4014, (1 << 1) | (page << 3) | (1 << 16));
    cpu1.run(30_000, 1_000);
    expect(stack.disturbances.map((d) => d.what).join("\n")).toMatch(/without holding HSEM 7[\s\S]*ran into the radio event/);
  });
});
