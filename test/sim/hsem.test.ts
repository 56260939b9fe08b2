// HSEM as ST's flash driver uses it (cpu2-interface §1.8, §4.5).
import { describe, expect, it } from "vitest";
import { Stm32wb } from "../../host-sim/chip/stm32wb.js";
import { Board } from "../../host-sim/board.js";

const HSEM = 0x5800_1400;
const RCC_AHB3ENR = 0x5800_0050;

function chip(): Stm32wb {
  const c = new Stm32wb(new Board({ family: "wb5x", flashKb: 1024, fus: "2.2.0" }));
  c.bus.write(RCC_AHB3ENR, 4, c.bus.read(RCC_AHB3ENR, 4) | (1 << 19));
  return c;
}

describe("HSEM (cpu2-interface §1.8)", () => {
  it("answers only with RCC_AHB3ENR.HSEMEN set", () => {
    const c = new Stm32wb(new Board({ family: "wb5x", flashKb: 1024, fus: "2.2.0" }));
    expect(c.bus.read(HSEM + 0x80 + 4 * 2, 4)).toBe(0);
    expect(c.hsem.owner(2)).toBe(0);
  });

  it("1-step lock: reading RLR[n] locks for CPU1 (0x80000400); a second read sees the same owner; release by writing COREID", () => {
    const c = chip();
    expect(c.bus.read(HSEM + 0x80 + 4 * 2, 4)).toBe(0x8000_0400);
    expect(c.bus.read(HSEM + 4 * 2, 4)).toBe(0x8000_0400);
    c.bus.write(HSEM + 4 * 2, 4, 0x0000_0400);
    expect(c.bus.read(HSEM + 4 * 2, 4)).toBe(0);
    expect(c.bus.read(HSEM + 0x108, 4) & (1 << 2)).not.toBe(0); // C1ISR: semaphore 2 freed
  });

  it("CPU2 holding SEM7 keeps CPU1 from taking it (the flash-driver handshake of §4.5)", () => {
    const c = chip();
    expect(c.hsem.cpu2Lock(7)).toBe(true);
    expect(c.bus.read(HSEM + 0x80 + 4 * 7, 4)).toBe(0x8000_0800);
    c.hsem.cpu2Release(7);
    expect(c.bus.read(HSEM + 0x80 + 4 * 7, 4)).toBe(0x8000_0400);
  });

  it("2-step lock with a process id; HSEM_CR with the key releases all of CPU1's semaphores; a reset frees everything", () => {
    const c = chip();
    c.bus.write(HSEM + 4 * 6, 4, 0x8000_0401);
    expect(c.bus.read(HSEM + 4 * 6, 4)).toBe(0x8000_0401);
    c.bus.read(HSEM + 0x80 + 4 * 9, 4);
    c.bus.write(HSEM + 0x144, 4, 0x1234_0000);
    c.bus.write(HSEM + 0x140, 4, 0x1234_0400);
    expect(c.bus.read(HSEM + 4 * 6, 4)).toBe(0);
    expect(c.bus.read(HSEM + 4 * 9, 4)).toBe(0);
    c.bus.read(HSEM + 0x80, 4);
    c.applySystemReset();
    c.bus.write(RCC_AHB3ENR, 4, c.bus.read(RCC_AHB3ENR, 4) | (1 << 19));
    expect(c.bus.read(HSEM, 4)).toBe(0);
  });
});
