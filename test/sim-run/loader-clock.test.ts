// The field loader firmware on tier 2 (build/fw/stm32wb55xg/fusop-loader.elf on the firmware runner,
// its console line on the virtual clock: bench/campaign-loader-part.ts) and its clock (runtime-c/clock.c):
// 64 MHz from HSE through the PLL as ST's SystemClock_Config sets it (RM0434 RCC: PLL M/N/R, SW/SWS;
// FLASH_ACR.LATENCY 3 for 64 MHz; CPU2 at most 32 MHz), the console's baud and the operator's
// microseconds from that clock (runtime-c/hal.c), and the reset clock again for the application it
// starts (assembly/loader/README.md "Boot decision").
import { describe, expect, test } from "vitest";
import { join } from "node:path";
import { Tier2Part, sendFile } from "../../bench/campaign-loader-part.js";
import { applicationImage } from "../../bench/campaign-loader.js";
import { Board } from "../../host-sim/board.js";
import { Stm32wb } from "../../host-sim/chip/stm32wb.js";
import { buildDirectory } from "../../host-sim/paths.js";
import { Session } from "../../host-sim/session.js";
import { ArmTier } from "../../host-sim/tiers/tier2.js";

const RCC_CR = 0x5800_0000;
const RCC_CFGR = 0x5800_0008;
const RCC_PLLCFGR = 0x5800_000c;
const RCC_EXTCFGR = 0x5800_0108;
const FLASH_ACR = 0x5800_4000;

/** The WB55xG loader on a fresh part, powered on, its line looked at every 50 virtual µs. */
function loaderOnTier2(): Tier2Part {
  const part = new Tier2Part({ family: "wb5x", flashKb: 1024, fus: "2.2.0" }, { answerWithinUs: 50 });
  part.powerOn();
  return part;
}

describe("the field loader's clock on tier 2", () => {
  test("runs at 64 MHz with 3 flash wait states and CPU2 at 32 MHz; the console is at 115200 baud from that clock", () => {
    const loader = loaderOnTier2();
    expect(loader.runUntil((text) => text.includes("\r\n"), 100_000) && loader.take()).toMatch(/^loader /);
    const { chip } = loader;
    expect(chip.rcc.hclkHz()).toBe(64e6);
    expect(chip.bus.read(FLASH_ACR, 4) & 7).toBe(3);
    expect((chip.bus.read(RCC_EXTCFGR, 4) >> 4) & 0xf).toBe(8); // C2HPRE: SYSCLK / 2
    expect(Math.abs(chip.usart1.baud - 115_200) / 115_200).toBeLessThan(0.01);
    expect(loader.command("help", 0.2)).toContain("OK\r\n");
  });

  test("an application it received starts on the reset clock (MSI 4 MHz, PLL and HSE off, reset values)", () => {
    const loader = loaderOnTier2();
    const { chip } = loader;
    loader.runUntil((text) => text.includes("\r\n"), 100_000);
    loader.send("app\r");
    expect(loader.runUntil((text) => text.endsWith("C"), 2e6)).toBe(true);
    // Its first instructions: `mrs r0, primask; bkpt #0` — the exit code is PRIMASK as it starts.
    const application = applicationImage(2048, 0, 1);
    new DataView(application.buffer).setUint32(0x100, 0x8010_f3ef, true);
    new DataView(application.buffer).setUint16(0x104, 0xbe00, true);
    expect(sendFile(loader, "app.bin", application)).toEqual({ kind: "sent" });
    expect(loader.runUntil((text) => text.endsWith("OK\r\n"), 1e6) && loader.take()).toMatch(/bytes 2048\r\nOK\r\n$/);
    loader.send("boot\r");
    loader.runUntil(() => loader.inApplication, 10e6);
    expect(loader.applicationExit).toEqual({ kind: "exit", code: 0, via: "bkpt" }); // interrupts not masked
    expect(chip.rcc.hclkHz()).toBe(4e6);
    expect(chip.bus.read(RCC_CR, 4) & ((1 << 16) | (1 << 24))).toBe(0); // HSEON, PLLON
    expect(chip.bus.read(RCC_CFGR, 4)).toBe(0x0007_0000); // SW = SWS = MSI, prescalers /1 (reset value)
    expect(chip.bus.read(RCC_PLLCFGR, 4)).toBe(0x2204_0100); // reset value
    expect(chip.bus.read(RCC_EXTCFGR, 4) & 0xff).toBe(0);
    expect(chip.bus.read(FLASH_ACR, 4) & 7).toBe(0);
    // The loader's idle (WFI with PRIMASK set, woken by USART1 or the SysTick tick) is undone too.
    expect(chip.bus.read(0xe000_e010, 4) & 3).toBe(0); // SysTick ENABLE, TICKINT
    expect(chip.bus.read(0xe000_e104, 4) & (1 << 4)).toBe(0); // NVIC ISER1: USART1 (IRQ 36)
  });

  test("the operator's microseconds follow the clock: the hal counts at 4 MHz, then at 64 MHz (bench firmware: the probe with runtime-c/clock.c)", () => {
    const chip = new Stm32wb(new Board({ family: "wb5x", flashKb: 1024, fus: "2.2.0" }));
    const tier = new ArmTier(chip, join(buildDirectory, "fw", "bench", "fusop-bench.elf"));
    new Session(chip, tier);
    const elapsed = (run: () => void) => {
      const [halBefore, virtualBefore] = [tier.callSymbol("Z_halZ_nowUs", 0), chip.clock.nowUs];
      run();
      return { hal: tier.callSymbol("Z_halZ_nowUs", 0) - halBefore, virtual: chip.clock.nowUs - virtualBefore };
    };
    // A page erase (24.47 ms busy, chip/flash-timing.ts) polled at each clock.
    const erase = () => expect(tier.call("flashErase", 0x080e_e000, 0x1000)).toBe(0);
    const atReset = elapsed(erase);
    expect(Math.abs(atReset.hal - atReset.virtual)).toBeLessThan(20);
    const raise = elapsed(() => {
      tier.callSymbol("fusop_clock_raise"); // HSE start-up and PLL lock take virtual time at 4 MHz
      tier.callSymbol("fusop_time_set_core_hz", tier.callSymbol("fusop_clock_hz"));
    });
    expect(chip.rcc.hclkHz()).toBe(64e6);
    expect(Math.abs(raise.hal - raise.virtual)).toBeLessThan(20);
    const at64 = elapsed(erase);
    expect(at64.virtual).toBeGreaterThan(24_000);
    expect(Math.abs(at64.hal - at64.virtual)).toBeLessThan(5);
  });
});
