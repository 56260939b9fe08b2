// The FLASH block as CPU1 sees it (cpu2-interface §1.7; fus-behaviour §1.1, §7).
import { describe, expect, it } from "vitest";
import { Stm32wb } from "../../host-sim/chip/stm32wb.js";
import { Board } from "../../host-sim/board.js";
import {
  KEY1, KEY2, OPTKEY1, OPTKEY2, SR_PROGERR, SR_SIZERR, SR_PGAERR, SR_PGSERR, SR_WRPERR, SR_BSY, SR_EOP,
  CR_PG, CR_PER, CR_MER, CR_STRT, CR_LOCK, CR_OPTLOCK, CR_EOPIE, CR_OPTSTRT, FLASH_TIMING_US,
} from "../../host-sim/chip/flash.js";

const KEYR = 0x5800_4008;
const OPTKEYR = 0x5800_400c;
const SR = 0x5800_4010;
const CR = 0x5800_4014;
const OPTR = 0x5800_4020;
const SFR = 0x5800_4080;
const SRRVR = 0x5800_4084;
const ERRORS = 0x3fa;

function chip(): Stm32wb {
  return new Stm32wb(new Board({ family: "wb5x", flashKb: 1024, fus: "2.2.0" }));
}

function unlock(c: Stm32wb): void {
  c.bus.write(KEYR, 4, KEY1);
  c.bus.write(KEYR, 4, KEY2);
}

function eraseAt(c: Stm32wb, page: number): void {
  c.bus.write(CR, 4, CR_PER | (page << 3) | CR_STRT);
}

describe("FLASH unlock and programming rules (fus-behaviour §7 'programming granularity')", () => {
  it("CR is locked after reset; KEYR 0x45670123, 0xCDEF89AB unlocks; a wrong key locks until reset", () => {
    const c = chip();
    expect(c.bus.read(CR, 4) & CR_LOCK).not.toBe(0);
    c.bus.write(CR, 4, CR_PG);
    expect(c.bus.read(CR, 4) & CR_PG).toBe(0);
    unlock(c);
    expect(c.bus.read(CR, 4) & CR_LOCK).toBe(0);
    c.bus.write(CR, 4, CR_LOCK);
    c.bus.write(KEYR, 4, 0x1234_5678);
    unlock(c);
    expect(c.bus.read(CR, 4) & CR_LOCK).not.toBe(0);
    c.applySystemReset();
    unlock(c);
    expect(c.bus.read(CR, 4) & CR_LOCK).toBe(0);
  });

  it("programs one double word with two word writes; BSY for the program time; EOP with EOPIE", () => {
    const c = chip();
    unlock(c);
    c.bus.write(CR, 4, CR_PG | CR_EOPIE);
    c.bus.write(0x0801_0000, 4, 0x1122_3344);
    c.bus.write(0x0801_0004, 4, 0x5566_7788);
    expect(c.bus.read(SR, 4) & SR_BSY).not.toBe(0);
    expect(c.bus.read(0x0801_0000, 4)).toBe(0xffff_ffff);
    c.clock.advanceBy(FLASH_TIMING_US.programDoubleWord);
    expect(c.bus.read(SR, 4) & (SR_BSY | SR_EOP)).toBe(SR_EOP);
    expect(c.bus.read(0x0801_0000, 4)).toBe(0x1122_3344);
    expect(c.bus.read(0x0801_0004, 4)).toBe(0x5566_7788);
  });

  it("a programmed double word takes only all zeros again; anything else is PROGERR", () => {
    const c = chip();
    unlock(c);
    c.bus.write(CR, 4, CR_PG);
    c.bus.write(0x0801_0000, 4, 1);
    c.bus.write(0x0801_0004, 4, 2);
    c.bus.write(0x0801_0000, 4, 0);
    c.bus.write(0x0801_0004, 4, 0);
    c.clock.advanceBy(1000);
    expect(c.bus.read(0x0801_0000, 4)).toBe(0);
    expect(c.bus.read(SR, 4) & ERRORS).toBe(0);
    c.bus.write(0x0801_0000, 4, 5);
    c.bus.write(0x0801_0004, 4, 5);
    expect(c.bus.read(SR, 4) & SR_PROGERR).not.toBe(0);
    expect(c.bus.read(0x0801_0000, 4)).toBe(0);
  });

  it("byte writes raise SIZERR, a misaligned double word PGAERR, writing without PG PGSERR; errors block the next operation until cleared", () => {
    const c = chip();
    unlock(c);
    c.bus.write(CR, 4, CR_PG);
    c.bus.write(0x0801_0000, 1, 0x12);
    expect(c.bus.read(SR, 4) & SR_SIZERR).not.toBe(0);
    c.bus.write(SR, 4, ERRORS);
    c.bus.write(0x0801_0004, 4, 0x12);
    expect(c.bus.read(SR, 4) & SR_PGAERR).not.toBe(0);
    c.bus.write(0x0801_0008, 4, 1); // refused while an error flag is set
    c.bus.write(0x0801_000c, 4, 1);
    expect(c.bus.read(0x0801_0008, 4)).toBe(0xffff_ffff);
    c.bus.write(SR, 4, ERRORS);
    c.bus.write(CR, 4, 0);
    c.bus.write(0x0801_0010, 4, 1);
    expect(c.bus.read(SR, 4) & SR_PGSERR).not.toBe(0);
  });

  it("page erase takes the page-erase time and erases one 4 KB page; mass erase stops at the secure boundary", () => {
    const c = chip();
    const board = c.board;
    board.flash.fill(0x00, 0, 0x100000);
    unlock(c);
    eraseAt(c, 3);
    c.clock.advanceBy(FLASH_TIMING_US.pageErase - 1);
    expect(c.bus.read(0x0800_3000, 4)).toBe(0);
    c.clock.advanceBy(1);
    expect(c.bus.read(0x0800_3000, 4)).toBe(0xffff_ffff);
    expect(c.bus.read(0x0800_3ffc, 4)).toBe(0xffff_ffff);
    expect(c.bus.read(0x0800_4000, 4)).toBe(0);
    c.bus.write(CR, 4, CR_MER | CR_STRT);
    c.clock.advanceBy(FLASH_TIMING_US.massErase);
    expect(board.flash[0xf3fff]).toBe(0xff);
    expect(board.flash[0xf4000]).toBe(0x00); // FUS, at and above SFSA 0xF4, untouched
  });
});

describe("the secure area from SFSA (fus-behaviour §1.1; seed §2.2)", () => {
  it("reads and writes at or above SFSA fault; erasing a secure page is WRPERR and changes nothing", () => {
    const c = chip();
    expect(c.board.optionBytes.sfsa).toBe(0xf4);
    expect(() => c.bus.read(0x080f_4000, 4)).toThrow(/bus fault/);
    expect(c.bus.read(0x080f_3ffc, 4)).toBe(0xffff_ffff);
    unlock(c);
    c.bus.write(CR, 4, CR_PG);
    expect(() => c.bus.write(0x080f_4000, 4, 0)).toThrow(/bus fault/);
    c.board.flash[0xf4000] = 0x42;
    c.bus.write(CR, 4, 0);
    eraseAt(c, 0xf4);
    expect(c.bus.read(SR, 4) & SR_WRPERR).not.toBe(0);
    c.clock.advanceBy(FLASH_TIMING_US.pageErase);
    expect(c.board.flash[0xf4000]).toBe(0x42);
  });

  it("a 512 KB part sees 512 KB although FUS sits at 0x080F4000 with SFSA 0xF4 (F-SCAN)", () => {
    const c = new Stm32wb(new Board({ family: "wb5x", flashKb: 512, fus: "1.2.0" }));
    expect(c.board.optionBytes.sfsa).toBe(0xf4);
    expect(c.bus.read(0x0807_fffc, 4)).toBe(0xffff_ffff);
    expect(() => c.bus.read(0x0808_0000, 4)).toThrow(/bus fault/);
  });

  it("CPU1 cannot change SFR or SRRVR; OPTR changes with OPTKEYR + OPTSTRT", () => {
    const c = chip();
    const sfr = c.bus.read(SFR, 4);
    const srrvr = c.bus.read(SRRVR, 4);
    c.bus.write(SFR, 4, 0);
    c.bus.write(SRRVR, 4, 0);
    expect(c.bus.read(SFR, 4)).toBe(sfr);
    expect(c.bus.read(SRRVR, 4)).toBe(srrvr);
    expect(srrvr & 0x3ffff).toBe(0x3d000);
    unlock(c);
    c.bus.write(OPTKEYR, 4, OPTKEY1);
    c.bus.write(OPTKEYR, 4, OPTKEY2);
    expect(c.bus.read(CR, 4) & CR_OPTLOCK).toBe(0);
    c.bus.write(OPTR, 4, 0x3fff_e1bb);
    c.bus.write(CR, 4, CR_OPTSTRT);
    c.clock.advanceBy(FLASH_TIMING_US.optionProgram);
    expect(c.board.optionBytes.optr).toBe(0x3fff_e1bb);
  });
});

describe("a flash operation cut short (README 'partial flash states')", () => {
  it("a reset during a page erase leaves the first half of the page erased", () => {
    const c = chip();
    c.board.flash.fill(0x00, 0x5000, 0x6000);
    unlock(c);
    eraseAt(c, 5);
    c.clock.advanceBy(1000);
    c.applySystemReset();
    c.clock.advanceBy(FLASH_TIMING_US.pageErase);
    expect(c.board.flash[0x5000]).toBe(0xff);
    expect(c.board.flash[0x57ff]).toBe(0xff);
    expect(c.board.flash[0x5800]).toBe(0x00);
  });
});

describe("flash timings: STM32WB55 datasheet DS11929 'Flash memory characteristics', maxima (chip/flash-timing.ts)", () => {
  it("64-bit programming 90.8 µs, page erase 24.47 ms, mass erase 24.59 ms (rounded up to whole µs)", () => {
    const busyFor = (c: Stm32wb, start: () => void): number => {
      const begin = c.clock.nowUs;
      start();
      while (c.bus.read(SR, 4) & SR_BSY) c.clock.advanceBy(1);
      return c.clock.nowUs - begin;
    };
    const c = chip();
    unlock(c);
    c.bus.write(CR, 4, CR_PG);
    expect(busyFor(c, () => {
      c.bus.write(0x0801_0000, 4, 1);
      c.bus.write(0x0801_0004, 4, 2);
    })).toBe(91);
    c.bus.write(CR, 4, 0);
    expect(busyFor(c, () => eraseAt(c, 16))).toBe(24_470);
    expect(busyFor(c, () => c.bus.write(CR, 4, CR_MER | CR_STRT))).toBe(24_590);
  });
});
