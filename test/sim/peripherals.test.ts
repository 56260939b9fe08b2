// The CPU1 peripherals added for other people's firmware (host-sim/chip/): reset values from ST's
// SVD for the STM32WB55, behaviour from RM0434 and the ARMv7-M ARM as cited in each model. These
// are chip-level: both tiers reach them through the same bus; tier 2 runs firmware on them in
// test/sim-run/firmware.test.ts.
import { describe, expect, it } from "vitest";
import { Board } from "../../host-sim/board.js";
import { Stm32wb } from "../../host-sim/chip/stm32wb.js";

const chipOf = (): Stm32wb => new Stm32wb(new Board({ family: "wb5x", flashKb: 1024, fus: "2.2.0" }));
const RCC = 0x5800_0000;
const RCC_CR = RCC + 0x00;
const RCC_CFGR = RCC + 0x08;
const RCC_PLLCFGR = RCC + 0x0c;
const RCC_AHB2ENR = RCC + 0x4c;
const RCC_APB1ENR2 = RCC + 0x5c;
const RCC_APB2ENR = RCC + 0x60;
const RCC_EXTCFGR = RCC + 0x108;
const C2HPRE_DIV2 = 8 << 4; // RCC_EXTCFGR.C2HPRE 7:4 = 0b1000: HCLK2 = SYSCLK / 2
const SHDHPRE_DIV2 = 8; // RCC_EXTCFGR.SHDHPRE 3:0: HCLK4 = SYSCLK / 2
const FLASH_ACR = 0x5800_4000;
const USART1 = 0x4001_3800;
const LPUART1 = 0x4000_8000;
const GPIOA = 0x4800_0000;
const GPIOC = 0x4800_0800;
const IWDG = 0x4000_3000;
const SYSTICK = 0xe000_e010;
const IPCC_C1MR = 0x5800_0c04;

describe("RCC clock tree (RM0434 RCC; SVD reset values)", () => {
  it("comes out of reset on MSI 4 MHz: CR 0x00000061, CFGR 0x00070000, PLLCFGR 0x22040100", () => {
    const chip = chipOf();
    expect(chip.bus.read(RCC_CR, 4)).toBe(0x61);
    expect(chip.bus.read(RCC_CFGR, 4)).toBe(0x0007_0000);
    expect(chip.bus.read(RCC_PLLCFGR, 4)).toBe(0x2204_0100);
    expect(chip.rcc.hclkHz()).toBe(4e6);
  });

  it("HSERDY and PLLRDY come after their start-up on the virtual clock; SW does not switch to a source not ready", () => {
    const chip = chipOf();
    chip.bus.write(FLASH_ACR, 4, 3);
    chip.bus.write(RCC_CR, 4, chip.bus.read(RCC_CR, 4) | (1 << 16));
    expect(chip.bus.read(RCC_CR, 4) & (1 << 17)).toBe(0);
    chip.bus.write(RCC_CFGR, 4, 2); // HSE before it is ready: SWS stays on MSI
    expect((chip.bus.read(RCC_CFGR, 4) >> 2) & 3).toBe(0);
    chip.clock.advanceBy(2000);
    expect(chip.bus.read(RCC_CR, 4) & (1 << 17)).not.toBe(0);
    chip.bus.write(RCC_PLLCFGR, 4, 3 | (1 << 4) | (8 << 8) | (1 << 29) | (1 << 28)); // HSE /2 x8 /2
    chip.bus.write(RCC_CR, 4, chip.bus.read(RCC_CR, 4) | (1 << 24));
    chip.clock.advanceBy(200);
    chip.bus.write(RCC_EXTCFGR, 4, C2HPRE_DIV2);
    chip.bus.write(RCC_CFGR, 4, 3);
    expect((chip.bus.read(RCC_CFGR, 4) >> 2) & 3).toBe(3);
    expect(chip.rcc.hclkHz()).toBe(64e6);
  });

  /** HSE on, PLL (HSE /2 x8 /2) locked: a switch to it is 64 MHz. */
  const pllReady = () => {
    const chip = chipOf();
    chip.bus.write(RCC_CR, 4, chip.bus.read(RCC_CR, 4) | (1 << 16));
    chip.clock.advanceBy(2000);
    chip.bus.write(RCC_PLLCFGR, 4, 3 | (1 << 4) | (8 << 8) | (1 << 29) | (1 << 28));
    chip.bus.write(RCC_CR, 4, chip.bus.read(RCC_CR, 4) | (1 << 24));
    chip.clock.advanceBy(200);
    return chip;
  };

  it("stops when FLASH_ACR.LATENCY is lowered below what HCLK4 needs, after the switch too (RM0434 flash read access latency)", () => {
    const chip = pllReady();
    chip.bus.write(FLASH_ACR, 4, 3);
    chip.bus.write(RCC_EXTCFGR, 4, C2HPRE_DIV2);
    chip.bus.write(RCC_CFGR, 4, 3);
    expect(() => chip.bus.write(FLASH_ACR, 4, 2)).toThrow(expect.objectContaining({ code: "FLASH_LATENCY_TOO_LOW" }));
  });

  it("HCLK4 follows SHDHPRE in RCC_EXTCFGR bits 3:0, not CPU2's C2HPRE: 2 wait states do for 32 MHz", () => {
    const chip = pllReady();
    chip.bus.write(FLASH_ACR, 4, 2);
    chip.bus.write(RCC_EXTCFGR, 4, C2HPRE_DIV2 | SHDHPRE_DIV2);
    chip.bus.write(RCC_CFGR, 4, 3);
    expect(chip.rcc.hclkHz()).toBe(64e6);
    // HCLK4 back to 64 MHz with 2 wait states: the flash would misread.
    expect(() => chip.bus.write(RCC_EXTCFGR, 4, C2HPRE_DIV2)).toThrow(expect.objectContaining({ code: "FLASH_LATENCY_TOO_LOW" }));
  });

  it("stops when CPU2 would run above its 32 MHz (C2HPRE left at /1 at 64 MHz)", () => {
    const chip = pllReady();
    chip.bus.write(FLASH_ACR, 4, 3);
    expect(() => chip.bus.write(RCC_CFGR, 4, 3)).toThrow(expect.objectContaining({ code: "CPU2_CLOCK_TOO_HIGH" }));
  });

  it("refuses 64 MHz with too few flash wait states (FLASH_LATENCY_TOO_LOW)", () => {
    const chip = pllReady();
    chip.bus.write(RCC_EXTCFGR, 4, C2HPRE_DIV2);
    expect(() => chip.bus.write(RCC_CFGR, 4, 3)).toThrow(/LATENCY/);
  });

  it("the DWT cycle counter keeps what it counted at 4 MHz when the clock goes to 64 MHz, and counts on at 64 MHz", () => {
    const chip = pllReady();
    chip.bus.write(0xe000_1000, 4, 1); // CYCCNTENA
    chip.clock.advanceBy(1000);
    chip.bus.write(FLASH_ACR, 4, 3);
    chip.bus.write(RCC_EXTCFGR, 4, C2HPRE_DIV2);
    chip.bus.write(RCC_CFGR, 4, 3);
    expect(chip.bus.read(0xe000_1004, 4)).toBe(4000);
    chip.clock.advanceBy(1000);
    expect(chip.bus.read(0xe000_1004, 4)).toBe(4000 + 64_000);
  });

  it("the DWT cycle counter counts at the configured clock", () => {
    const chip = chipOf();
    chip.bus.write(0xe000_1000, 4, 1); // CYCCNTENA
    chip.clock.advanceBy(1000);
    expect(chip.bus.read(0xe000_1004, 4)).toBe(4000);
  });
});

describe("USART1 and LPUART1", () => {
  it("ISR resets to 0x000000C0; the baud follows BRR and the kernel clock (USART fck/BRR, LPUART 256·fck/BRR)", () => {
    const chip = chipOf();
    chip.bus.write(RCC_APB2ENR, 4, 1 << 14);
    chip.bus.write(RCC_APB1ENR2, 4, 1);
    expect(chip.bus.read(USART1 + 0x1c, 4)).toBe(0xc0);
    chip.bus.write(USART1 + 0x0c, 4, 35);
    expect(Math.round(chip.usart1.baud)).toBe(114_286);
    chip.bus.write(LPUART1 + 0x0c, 4, 0x22b8); // 256 * 4 MHz / 8888
    expect(Math.round(chip.lpuart1.baud)).toBe(115_212);
  });

  it("a byte takes its frame time to leave; bytes in arrive one frame apart; an unread byte overruns", () => {
    const chip = chipOf();
    chip.bus.write(RCC_APB2ENR, 4, 1 << 14);
    chip.bus.write(USART1 + 0x0c, 4, 35);
    chip.bus.write(USART1, 4, 0b1101); // UE, RE, TE
    const sent: number[] = [];
    chip.usart1.onTransmit = (byte) => sent.push(byte);
    chip.bus.write(USART1 + 0x28, 4, 0x41);
    expect(sent).toEqual([]);
    chip.clock.advanceBy(10 * 1e6 / 114_286 + 1);
    expect(sent).toEqual([0x41]);
    expect(chip.bus.read(USART1 + 0x1c, 4) & (1 << 6)).not.toBe(0); // TC
    chip.usart1.receive([1, 2]);
    chip.clock.advanceBy(100);
    expect(chip.bus.read(USART1 + 0x1c, 4) & (1 << 5)).not.toBe(0); // RXNE
    chip.clock.advanceBy(100);
    expect(chip.bus.read(USART1 + 0x1c, 4) & (1 << 3)).not.toBe(0); // ORE: byte 2 lost
    expect(chip.bus.read(USART1 + 0x24, 4)).toBe(1);
  });

  it("FIFO mode (CR1.FIFOEN): 8 received bytes wait in order, RXFNE stays set until the last is read, the 9th overruns (RM0434 USART FIFO mode)", () => {
    const chip = chipOf();
    chip.bus.write(RCC_APB2ENR, 4, 1 << 14);
    chip.bus.write(USART1 + 0x0c, 4, 35);
    chip.bus.write(USART1, 4, (1 << 29) | 0b1101); // FIFOEN, UE, RE, TE
    chip.usart1.receive([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    chip.clock.advanceBy(9 * 100);
    expect(chip.bus.read(USART1 + 0x1c, 4) & (1 << 3)).not.toBe(0); // ORE: byte 9 lost
    const read: number[] = [];
    while (chip.bus.read(USART1 + 0x1c, 4) & (1 << 5)) read.push(chip.bus.read(USART1 + 0x24, 4));
    expect(read).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("a sender outside the receiver's baud tolerance: each byte sets FE and its data is not what was sent", () => {
    const chip = chipOf();
    chip.bus.write(RCC_APB2ENR, 4, 1 << 14);
    chip.bus.write(USART1 + 0x0c, 4, 35);
    chip.bus.write(USART1, 4, 0b1101);
    chip.usart1.receive([0x41], { framingError: true });
    chip.clock.advanceBy(100);
    expect(chip.bus.read(USART1 + 0x1c, 4) & (1 << 1)).not.toBe(0); // FE
    expect(chip.bus.read(USART1 + 0x24, 4)).not.toBe(0x41);
  });

  it("the line's other end at another speed (lineBaud): outside the ±3.75 % tolerance frames arrive damaged both ways, inside it intact (RM0434 USART/LPUART baud rate; receiver tolerance)", () => {
    for (const [lineBaud, intact] of [[57_600, true], [58_600, true], [115_200, false], [55_000, false]] as const) {
      const chip = chipOf();
      chip.bus.write(RCC_APB1ENR2, 4, 1); // LPUART1EN
      chip.bus.write(LPUART1 + 0x0c, 4, 17_778); // BRR = 256 × 4 MHz / 57600, rounded: 57599 bit/s
      chip.bus.write(LPUART1, 4, 0b1101);
      chip.lpuart1.lineBaud = lineBaud;
      expect(chip.lpuart1.baudMismatch, `line ${lineBaud}`).toBe(!intact);
      const sent: number[] = [];
      chip.lpuart1.onTransmit = (byte) => sent.push(byte);
      chip.bus.write(LPUART1 + 0x28, 4, 0x41);
      chip.lpuart1.receive([0x42]);
      chip.clock.advanceBy(200);
      expect(sent, `line ${lineBaud}`).toEqual([intact ? 0x41 : 0xbe]);
      expect(chip.bus.read(LPUART1 + 0x1c, 4) & (1 << 1), `line ${lineBaud}: FE`).toBe(intact ? 0 : 1 << 1);
      expect(chip.bus.read(LPUART1 + 0x24, 4), `line ${lineBaud}`).toBe(intact ? 0x42 : 0xbd);
    }
  });

  it("without its clock the USART reads 0 and ignores writes", () => {
    const chip = chipOf();
    chip.bus.write(USART1 + 0x0c, 4, 35);
    expect(chip.bus.read(USART1 + 0x0c, 4)).toBe(0);
  });
});

describe("GPIO", () => {
  it("port A resets to MODER 0xABFFFFFF, PUPDR 0x64000000, OSPEEDR 0x0C000000 (SVD); others all analog", () => {
    const chip = chipOf();
    chip.bus.write(RCC_AHB2ENR, 4, 0b101);
    expect(chip.bus.read(GPIOA, 4)).toBe(0xabff_ffff);
    expect(chip.bus.read(GPIOA + 0x0c, 4)).toBe(0x6400_0000);
    expect(chip.bus.read(GPIOA + 0x08, 4)).toBe(0x0c00_0000);
    expect(chip.bus.read(GPIOC, 4)).toBe(0xffff_ffff);
  });

  it("a button on an input with pull-up reads 1, pressed (driven low) 0; BSRR sets before it resets", () => {
    const chip = chipOf();
    chip.bus.write(RCC_AHB2ENR, 4, 0b100);
    chip.bus.write(GPIOC, 4, 0xffff_fff0); // PC0, PC1 inputs
    chip.bus.write(GPIOC + 0x0c, 4, 0b01); // PC0 pull-up
    expect(chip.bus.read(GPIOC + 0x10, 4) & 1).toBe(1);
    chip.gpio[2].drive(0, false);
    expect(chip.bus.read(GPIOC + 0x10, 4) & 1).toBe(0);
    chip.bus.write(GPIOC, 4, 0xffff_fff4); // PC1 output
    chip.bus.write(GPIOC + 0x18, 4, (1 << 17) | (1 << 1));
    expect(chip.bus.read(GPIOC + 0x14, 4)).toBe(0b10);
    expect(chip.gpio[2].output(1)).toBe(true);
  });
});

describe("IWDG", () => {
  it("resets the part (4·2^PR·(RLR+1)/32 kHz) unless refreshed; RCC_CSR.IWDGRSTF survives the reset", () => {
    const chip = chipOf();
    expect(chip.bus.read(IWDG + 0x08, 4)).toBe(0xfff);
    chip.bus.write(IWDG, 4, 0xcccc);
    chip.bus.write(IWDG, 4, 0x5555);
    chip.bus.write(IWDG + 0x08, 4, 99); // 4 * 100 / 32 kHz = 12.5 ms
    chip.bus.write(IWDG, 4, 0xaaaa);
    chip.clock.advanceBy(12_000);
    expect(chip.resetPending).toBeNull();
    chip.bus.write(IWDG, 4, 0xaaaa);
    chip.clock.advanceBy(12_000);
    expect(chip.resetPending).toBeNull();
    chip.clock.advanceBy(1_000);
    expect(chip.resetPending).toBe("IWDG timeout");
    chip.applySystemReset();
    expect(chip.bus.read(RCC + 0x94, 4) & (1 << 29)).not.toBe(0);
  });
});

describe("SysTick, NVIC, IPCC masks", () => {
  it("SysTick counts at the core clock (CLKSOURCE 1) and COUNTFLAG reads once per wrap", () => {
    const chip = chipOf();
    chip.bus.write(SYSTICK + 4, 4, 3999); // 1 ms at 4 MHz
    chip.bus.write(SYSTICK + 8, 4, 0);
    chip.bus.write(SYSTICK, 4, 0b101);
    chip.clock.advanceBy(500);
    expect(chip.bus.read(SYSTICK, 4) & (1 << 16)).not.toBe(0); // first tick wraps 0 -> RVR
    expect(chip.bus.read(SYSTICK, 4) & (1 << 16)).toBe(0);
    expect(chip.bus.read(SYSTICK + 8, 4)).toBe(3999 - 1999);
  });

  it("IPCC C1MR/C2MR come out of reset all masked (SVD 0xFFFFFFFF): the RX line stays low until unmasked", () => {
    const chip = chipOf();
    chip.bus.write(RCC + 0x50, 4, chip.bus.read(RCC + 0x50, 4) | (1 << 20));
    expect(chip.bus.read(IPCC_C1MR, 4)).toBe(0x003f_003f);
    chip.bus.write(0x5800_0c00, 4, 1); // RXOIE
    chip.ipcc.cpu2Post(2);
    expect(chip.ipcc.cpu1RxInterrupt).toBe(false);
    chip.bus.write(IPCC_C1MR, 4, 0x003f_003d);
    expect(chip.ipcc.cpu1RxInterrupt).toBe(true);
    expect(chip.nvic.sample()).toBe(true); // IRQ 44 pends
    expect(chip.bus.read(0xe000_e204, 4) & (1 << 12)).not.toBe(0); // ISPR1
  });
});

describe("unmodelled registers", () => {
  it("an access to a register a model does not cover warns once, naming it", () => {
    const chip = chipOf();
    chip.bus.read(RCC + 0x98, 4); // CRRCR
    chip.bus.read(RCC + 0x98, 4);
    expect(chip.bus.warnings).toEqual(["unmodelled register RCC+0x98 (0x58000098) read: reads 0, writes are ignored"]);
  });
});

describe("EXTI", () => {
  it("interrupt masks reset as ST's SVD gives them (C1IMR1 0x7FC00000, C2IMR2 0x0001FCFD); ST's IPCC bring-up bits stick", () => {
    const chip = chipOf();
    const EXTI = 0x5800_0800;
    expect(chip.bus.read(EXTI + 0x80, 4)).toBe(0x7fc0_0000);
    expect(chip.bus.read(EXTI + 0xd0, 4)).toBe(0x0001_fcfd);
    chip.bus.write(EXTI + 0x20, 4, 1 << 9); // RTSR2 line 41 (cpu2-interface §1.6)
    chip.bus.write(EXTI + 0xd4, 4, 1 << 9); // C2EMR2 line 41
    expect(chip.bus.read(EXTI + 0x20, 4)).toBe(1 << 9);
    expect(chip.exti.cpu2EventEnabled(41)).toBe(true);
  });
});

describe("narrow writes", () => {
  it("NVIC and SCB priority bytes take byte writes (CMSIS NVIC_SetPriority), 4 bits kept; other registers still fault", () => {
    const chip = chipOf();
    chip.bus.write(0xe000_e400 + 44, 1, 0xff); // NVIC IPR for IRQ 44
    expect(chip.bus.read(0xe000_e400 + 44, 4)).toBe(0xf0);
    chip.bus.write(0xe000_ed23, 1, 0x50); // SHPR3 byte 3: SysTick priority
    expect(chip.bus.read(0xe000_ed20, 4)).toBe(0x5000_0000);
    expect(() => chip.bus.write(0xe000_e100, 1, 1)).toThrow(/8-bit write to NVIC/);
    expect(() => chip.bus.write(0x5800_0c00, 1, 1)).toThrow(/8-bit write to IPCC/);
  });
});
