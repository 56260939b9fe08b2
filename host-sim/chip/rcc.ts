// RCC: clock enables (cpu2-interface §1.5) and the clock tree a firmware raises the clock with
// (MSI / HSI16 / HSE 32 MHz / main PLL, as ST's SystemClock_Config drives them). Register offsets and
// reset values from ST's SVD for the STM32WB55 (CR 0x00000061, CFGR 0x00070000, PLLCFGR 0x22040100,
// AHB3ENR 0x02080000, APB1ENR1 0x00000400) and stm32wb55xx.h (RCC_TypeDef offsets). CPU1's core
// clock (HCLK1) is what tier 2's virtual time, the DWT cycle counter and SysTick count at.
// Peripherals answer only while CPU1 has their clock on, as on silicon (IPCC, HSEM, GPIO, USART).
import type { Peripheral } from "./bus.js";

export const RCC_BASE = 0x5800_0000;
export const RCC_SIZE = 0x400;

const CR = 0x00;
const ICSCR = 0x04;
const CFGR = 0x08;
const PLLCFGR = 0x0c;
const PLLSAI1CFGR = 0x10;
const CIER = 0x18;
const CIFR = 0x1c;
const CICR = 0x20;
const SMPSCR = 0x24;
const AHB1RSTR = 0x28;
const AHB2RSTR = 0x2c;
const AHB3RSTR = 0x30;
const APB1RSTR1 = 0x38;
const APB1RSTR2 = 0x3c;
const APB2RSTR = 0x40;
const AHB1ENR = 0x48;
const AHB2ENR = 0x4c;
const AHB3ENR = 0x50;
const APB1ENR1 = 0x58;
const APB1ENR2 = 0x5c;
const APB2ENR = 0x60;
const CCIPR = 0x88;
const BDCR = 0x90;
const CSR = 0x94;
const HSECR = 0x9c;
const EXTCFGR = 0x108;
const C2AHB1ENR = 0x148;
const C2AHB3ENR = 0x150;

const CR_MSION = 1 << 0;
const CR_MSIRDY = 1 << 1;
const CR_MSIRANGE_SHIFT = 4;
const CR_HSION = 1 << 8;
const CR_HSIRDY = 1 << 10;
const CR_HSEON = 1 << 16;
const CR_HSERDY = 1 << 17;
const CR_HSEPRE = 1 << 20;
const CR_PLLON = 1 << 24;
const CR_PLLRDY = 1 << 25;
const CR_RESET = 0x0000_0061; // MSION, MSIRDY, MSIRANGE 6 (4 MHz)
const CFGR_RESET = 0x0007_0000; // prescaler flags HPREF/PPRE1F/PPRE2F set
const PLLCFGR_RESET = 0x2204_0100;
const PLLCFGR_PLLREN = 1 << 28;
const CSR_LSI1ON = 1 << 0;
const CSR_LSI1RDY = 1 << 1;
const CSR_RMVF = 1 << 23;
/** Reset flags (RCC_CSR 31:25): kept through a system reset, cleared by RMVF. */
export const CSR_OBLRSTF = 1 << 25;
export const CSR_PINRSTF = 1 << 26;
export const CSR_BORRSTF = 1 << 27;
export const CSR_SFTRSTF = 1 << 28;
export const CSR_IWDGRSTF = 1 << 29;
const CSR_RESET_FLAGS = 0xfe00_0000;

export const AHB2ENR_GPIOAEN = 1 << 0;
export const AHB3ENR_HSEMEN = 1 << 19;
export const AHB3ENR_IPCCEN = 1 << 20;
export const AHB3ENR_FLASHEN = 1 << 25;
// QUADSPI, PKA, AES2, RNG, HSEM, IPCC, FLASH
const AHB3ENR_IMPLEMENTED = (1 << 8) | (1 << 16) | (1 << 17) | (1 << 18) | AHB3ENR_HSEMEN | AHB3ENR_IPCCEN | AHB3ENR_FLASHEN;
/**
 * [choice] FLASHEN only. ST's SVD gives 0x02080000 (HSEMEN set too); the operator's flash driver
 * and its test (test/flash/hsem.test.ts) take HSEMEN as clear until the firmware enables it, as
 * cpu2-interface §1.8 describes. Left as it was pending a check against RM0434.
 */
const AHB3ENR_RESET = AHB3ENR_FLASHEN;
export const APB1ENR1_RTCAPBEN = 1 << 10;
export const APB1ENR2_LPUART1EN = 1 << 0;
export const APB2ENR_USART1EN = 1 << 14;

/** MSI at 4 MHz is the system clock after reset (CR reset value, MSIRANGE 6). */
export const RESET_SYSCLK_HZ = 4_000_000;
/** MSIRANGE 0..11 (RM0434 RCC_CR). */
const MSI_RANGES_HZ = [100e3, 200e3, 400e3, 800e3, 1e6, 2e6, 4e6, 8e6, 16e6, 24e6, 32e6, 48e6];
const HSI16_HZ = 16_000_000;
/** The STM32WB's HSE is the 32 MHz radio crystal (HSEPRE divides it by 2 for SYSCLK and the PLL). */
const HSE_HZ = 32_000_000;
/** [assumption] startup times (datasheet figures not at hand): HSE 1 ms, PLL lock 100 µs, HSI16 5 µs. */
const HSE_STARTUP_US = 1000;
const PLL_LOCK_US = 100;
const HSI_STARTUP_US = 5;
/** AHB prescaler HPRE codes (RM0434 RCC_CFGR; WB adds /3, /5, /6, /10, /32). */
const AHB_DIVIDERS = [1, 3, 5, 1, 1, 6, 10, 32, 2, 4, 8, 16, 64, 128, 256, 512];
const APB_DIVIDERS = [1, 1, 1, 1, 2, 4, 8, 16];
/** Flash wait states needed for HCLK4 in range 1 (RM0434 "Flash read access latency"): 18/36/54/64 MHz. */
const LATENCY_LIMITS_HZ = [18e6, 36e6, 54e6, 64e6];
/** CPU2 (Cortex-M0+) runs at up to 32 MHz (STM32WB55 datasheet); ST's SystemClock_Config sets C2HPRE /2 at 64 MHz. */
const CPU2_MAX_HZ = 32e6;
/** RCC_EXTCFGR: SHDHPRE 3:0 (HCLK4: flash, shared SRAM), C2HPRE 7:4 (HCLK2: CPU2), RM0434 / stm32wb55xx.h. */
const EXTCFGR_SHDHPRE_SHIFT = 0;
const EXTCFGR_C2HPRE_SHIFT = 4;

/** A clock configuration silicon would not run with (flash read at too few wait states). */
export class ClockConfigurationError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

type Source = "msi" | "hsi" | "hse" | "pll";
const SW_SOURCES: Source[] = ["msi", "hsi", "hse", "pll"];

export class Rcc implements Peripheral {
  readonly name = "RCC";
  unmodelled?: (offset: number, access: "read" | "write") => void;
  private cr = CR_RESET;
  private cfgr = CFGR_RESET;
  private pllcfgr = PLLCFGR_RESET;
  private extcfgr = 0;
  private ccipr = 0;
  private ahb1enr = 0x100;
  private ahb2enr = 0;
  private ahb3enr = AHB3ENR_RESET;
  private apb1enr1 = APB1ENR1_RTCAPBEN;
  private apb1enr2 = 0;
  private apb2enr = 0;
  private c2ahb1enr = 0;
  private c2ahb3enr = 0;
  private bdcr = 0;
  /** Reset flags; power-on sets BOR and PIN (RM0434 RCC_CSR). */
  private csr = CSR_BORRSTF | CSR_PINRSTF;
  private readonly plain = new Map<number, number>();
  /** HCLK1 as last computed (CR, CFGR, PLLCFGR, EXTCFGR writes and reset recompute it). */
  private lastHclk = RESET_SYSCLK_HZ;
  /** Schedules the ready flags (HSERDY, PLLRDY) on the chip's clock. */
  schedule: (delayUs: number, run: () => void) => void = (_delay, run) => run();
  /** FLASH_ACR.LATENCY now (the FLASH file owns the register). */
  flashLatency: () => number = () => 0;
  /** HCLK1 changed: DWT and SysTick settle their counts at `previousHz`, then count at the new clock. */
  onClockChange: (previousHz: number) => void = () => {};

  /** A system reset: everything back to reset values except the reset flags, which gain `flags`. */
  reset(flags = 0): void {
    const kept = this.csr & CSR_RESET_FLAGS;
    const before = this.lastHclk;
    this.cr = CR_RESET;
    this.cfgr = CFGR_RESET;
    this.pllcfgr = PLLCFGR_RESET;
    this.extcfgr = 0;
    this.ccipr = 0;
    this.ahb1enr = 0x100;
    this.ahb2enr = 0;
    this.ahb3enr = AHB3ENR_RESET;
    this.apb1enr1 = APB1ENR1_RTCAPBEN;
    this.apb1enr2 = 0;
    this.apb2enr = 0;
    this.c2ahb1enr = 0;
    this.c2ahb3enr = 0;
    this.plain.clear();
    this.csr = kept | flags | CSR_PINRSTF;
    this.lastHclk = this.computeHclkHz();
    if (this.lastHclk !== before) this.onClockChange(before);
  }

  isEnabled(bit: number): boolean {
    return (this.ahb3enr & bit) !== 0;
  }
  isAhb2Enabled(bit: number): boolean {
    return (this.ahb2enr & bit) !== 0;
  }
  isApb1Enabled(register: 1 | 2, bit: number): boolean {
    return ((register === 1 ? this.apb1enr1 : this.apb1enr2) & bit) !== 0;
  }
  isApb2Enabled(bit: number): boolean {
    return (this.apb2enr & bit) !== 0;
  }
  /** IWDG start (KR 0xCCCC) forces LSI1 on (RM0434 IWDG). */
  forceLsiOn(): void {
    this.csr |= CSR_LSI1ON | CSR_LSI1RDY;
  }

  private sourceHz(source: Source): number {
    switch (source) {
      case "msi": return MSI_RANGES_HZ[(this.cr >>> CR_MSIRANGE_SHIFT) & 0xf] ?? MSI_RANGES_HZ[6];
      case "hsi": return HSI16_HZ;
      case "hse": return (this.cr & CR_HSEPRE) ? HSE_HZ / 2 : HSE_HZ;
      case "pll": {
        const input = [0, this.sourceHz("msi"), HSI16_HZ, this.sourceHz("hse")][this.pllcfgr & 3];
        const m = ((this.pllcfgr >>> 4) & 7) + 1;
        const n = (this.pllcfgr >>> 8) & 0x7f;
        const r = ((this.pllcfgr >>> 29) & 7) + 1;
        return (input / m) * n / r;
      }
    }
  }

  private ready(source: Source): boolean {
    switch (source) {
      case "msi": return (this.cr & CR_MSIRDY) !== 0;
      case "hsi": return (this.cr & CR_HSIRDY) !== 0;
      case "hse": return (this.cr & CR_HSERDY) !== 0;
      case "pll": return (this.cr & CR_PLLRDY) !== 0 && (this.pllcfgr & PLLCFGR_PLLREN) !== 0;
    }
  }

  /** The source SYSCLK runs from now (CFGR.SWS). */
  private get activeSource(): Source {
    return SW_SOURCES[(this.cfgr >>> 2) & 3];
  }

  get sysclkHz(): number {
    return this.sourceHz(this.activeSource);
  }
  /** CPU1's core and AHB clock (kept up to date on every register change: tier 2 asks per access). */
  hclkHz(): number {
    return this.lastHclk;
  }

  private computeHclkHz(): number {
    return this.sysclkHz / AHB_DIVIDERS[(this.cfgr >>> 4) & 0xf];
  }
  /** HCLK4: AHB4 (flash, RCC...), SHDHPRE in EXTCFGR. */
  private hclk4Hz(): number {
    return this.sysclkHz / AHB_DIVIDERS[(this.extcfgr >>> EXTCFGR_SHDHPRE_SHIFT) & 0xf];
  }
  /** HCLK2: CPU2's clock, C2HPRE in EXTCFGR. */
  private hclk2Hz(): number {
    return this.sysclkHz / AHB_DIVIDERS[(this.extcfgr >>> EXTCFGR_C2HPRE_SHIFT) & 0xf];
  }
  pclk1Hz(): number {
    return this.computeHclkHz() / APB_DIVIDERS[(this.cfgr >>> 8) & 7];
  }
  pclk2Hz(): number {
    return this.computeHclkHz() / APB_DIVIDERS[(this.cfgr >>> 11) & 7];
  }
  /** USART1 kernel clock (CCIPR.USART1SEL 1:0: PCLK2, SYSCLK, HSI16, LSE). */
  usart1KernelHz(): number {
    return [this.pclk2Hz(), this.sysclkHz, HSI16_HZ, 32_768][this.ccipr & 3];
  }
  /** LPUART1 kernel clock (CCIPR.LPUART1SEL 11:10: PCLK1, SYSCLK, HSI16, LSE). */
  lpuart1KernelHz(): number {
    return [this.pclk1Hz(), this.sysclkHz, HSI16_HZ, 32_768][(this.ccipr >>> 10) & 3];
  }

  private writeCr(value: number): void {
    const on = value & (CR_MSION | CR_HSION | CR_HSEON | CR_PLLON | CR_HSEPRE | (0xf << CR_MSIRANGE_SHIFT) | (1 << 2) | (1 << 9) | (1 << 11) | (1 << 18) | (1 << 19));
    const ready = this.cr & (CR_MSIRDY | CR_HSIRDY | CR_HSERDY | CR_PLLRDY);
    const previous = this.cr;
    this.cr = on | ready;
    // A source switched off loses its ready flag at once; one switched on gets it after its startup.
    if (!(on & CR_MSION)) this.cr &= ~CR_MSIRDY;
    else this.cr |= CR_MSIRDY;
    this.startOrStop(previous, CR_HSION, CR_HSIRDY, HSI_STARTUP_US);
    this.startOrStop(previous, CR_HSEON, CR_HSERDY, HSE_STARTUP_US);
    this.startOrStop(previous, CR_PLLON, CR_PLLRDY, PLL_LOCK_US);
    this.checkClockChange();
  }

  private startOrStop(previous: number, onBit: number, readyBit: number, startupUs: number): void {
    if (!(this.cr & onBit)) {
      this.cr &= ~readyBit;
    } else if (!(previous & onBit)) {
      this.schedule(startupUs, () => {
        if (this.cr & onBit) this.cr |= readyBit;
      });
    }
  }

  private writeCfgr(value: number): void {
    const requested = SW_SOURCES[value & 3];
    // SWS follows SW only to a source that is ready (RM0434: the switch waits for the clock).
    const sws = this.ready(requested) ? (value & 3) : (this.cfgr >>> 2) & 3;
    this.cfgr = (value & 0x7f00_fff3) | (sws << 2) | (this.cfgr & 0x0007_0000);
    this.checkClockChange();
  }

  /**
   * The flash read at too few wait states for HCLK4 (silicon fetches garbage and faults): a named
   * stop. Called on every clock change and on every FLASH_ACR write (chip/flash.ts).
   */
  checkFlashLatency(): void {
    const hclk4 = this.hclk4Hz();
    const latency = this.flashLatency();
    if (latency < LATENCY_LIMITS_HZ.length && hclk4 > LATENCY_LIMITS_HZ[latency]) {
      throw new ClockConfigurationError("FLASH_LATENCY_TOO_LOW",
        `HCLK4 ${hclk4 / 1e6} MHz needs more than FLASH_ACR.LATENCY ${latency} wait states (RM0434: 0 WS up to 18 MHz, 1 up to 36, 2 up to 54, 3 up to 64 MHz)`);
    }
  }

  private checkClockChange(): void {
    this.checkFlashLatency();
    const hclk2 = this.hclk2Hz();
    if (hclk2 > CPU2_MAX_HZ) {
      throw new ClockConfigurationError("CPU2_CLOCK_TOO_HIGH",
        `HCLK2 ${hclk2 / 1e6} MHz is above CPU2's 32 MHz: set RCC_EXTCFGR.C2HPRE (/2 at 64 MHz) before raising SYSCLK`);
    }
    const hclk = this.computeHclkHz();
    if (hclk !== this.lastHclk) {
      const previous = this.lastHclk;
      this.lastHclk = hclk;
      this.onClockChange(previous);
    }
  }

  readUint32(offset: number): number {
    switch (offset) {
      case CR: return this.cr;
      case ICSCR: return 0x4000_0000;
      case CFGR: return this.cfgr;
      case PLLCFGR: return this.pllcfgr;
      case PLLSAI1CFGR: return this.plain.get(offset) ?? 0x2204_0100;
      case SMPSCR: return this.plain.get(offset) ?? 0x0000_0301;
      case CIER: case CIFR: case CICR: case AHB1RSTR: case AHB2RSTR: case AHB3RSTR:
      case APB1RSTR1: case APB1RSTR2: case APB2RSTR: case HSECR: return this.plain.get(offset) ?? 0;
      case AHB1ENR: return this.ahb1enr;
      case AHB2ENR: return this.ahb2enr;
      case AHB3ENR: return this.ahb3enr;
      case APB1ENR1: return this.apb1enr1;
      case APB1ENR2: return this.apb1enr2;
      case APB2ENR: return this.apb2enr;
      case CCIPR: return this.ccipr;
      case BDCR: return this.bdcr;
      case CSR: return this.csr;
      case EXTCFGR: return this.extcfgr | 0x0003_0000; // C2HPREF, SHDHPREF
      case C2AHB1ENR: return this.c2ahb1enr;
      case C2AHB3ENR: return this.c2ahb3enr;
      default:
        this.unmodelled?.(offset, "read");
        return 0;
    }
  }

  writeUint32(offset: number, value: number): void {
    switch (offset) {
      case CR: this.writeCr(value); break;
      case CFGR: this.writeCfgr(value); break;
      case PLLCFGR: this.pllcfgr = value & 0xff3f_7f73; this.checkClockChange(); break;
      case EXTCFGR: this.extcfgr = value & 0x0010_00ff; this.checkClockChange(); break;
      case PLLSAI1CFGR: case SMPSCR: case CIER: case CICR: case AHB1RSTR: case AHB2RSTR: case AHB3RSTR:
      case APB1RSTR1: case APB1RSTR2: case APB2RSTR: case HSECR: this.plain.set(offset, value); break;
      case AHB1ENR: this.ahb1enr = value & 0x0001_1007; break;
      case AHB2ENR: this.ahb2enr = value & 0x0001_209f; break;
      case AHB3ENR: this.ahb3enr = value & AHB3ENR_IMPLEMENTED; break;
      case APB1ENR1: this.apb1enr1 = value; break;
      case APB1ENR2: this.apb1enr2 = value & 0x21; break;
      case APB2ENR: this.apb2enr = value & 0x0026_5800; break;
      case CCIPR: this.ccipr = value; break;
      case BDCR: this.bdcr = value; break;
      case CSR: {
        if (value & CSR_RMVF) this.csr &= ~CSR_RESET_FLAGS;
        this.csr = (this.csr & ~CSR_LSI1ON) | (value & CSR_LSI1ON);
        this.csr = (this.csr & CSR_LSI1ON) ? this.csr | CSR_LSI1RDY : this.csr & ~CSR_LSI1RDY;
        break;
      }
      case C2AHB1ENR: this.c2ahb1enr = value; break;
      case C2AHB3ENR: this.c2ahb3enr = value; break;
      default: this.unmodelled?.(offset, "write"); break;
    }
  }
}
