// The virtual STM32WB: memories, the peripherals CPU1 uses, and CPU2 running a firmware model.
// A system reset restarts the CPU1 side from scratch: the tier runner discards CPU1's state and
// calls `applySystemReset`; only the board (flash, option bytes, CPU2's NVM), SRAM and the clock
// carry over, as on silicon.
import { Bus, type MemoryRegion } from "./bus.js";
import { VirtualClock } from "./clock.js";
import { Ipcc, IPCC_BASE, IPCC_SIZE } from "./ipcc.js";
import { Pwr, PWR_BASE, PWR_SIZE } from "./pwr.js";
import {
  Rcc, RCC_BASE, RCC_SIZE, AHB3ENR_IPCCEN, AHB3ENR_HSEMEN, AHB2ENR_GPIOAEN, APB1ENR1_RTCAPBEN, APB1ENR2_LPUART1EN,
  APB2ENR_USART1EN, CSR_IWDGRSTF, CSR_SFTRSTF,
} from "./rcc.js";
import { Exti, EXTI_BASE, EXTI_SIZE } from "./exti.js";
import { Usart, USART1_BASE, LPUART1_BASE, USART_SIZE } from "./usart.js";
import { GpioPort, GPIO_BASE, GPIO_PORT_STRIDE, GPIO_PORTS } from "./gpio.js";
import { RtcBackup, RTC_BASE, RTC_SIZE } from "./rtc.js";
import { Iwdg, IWDG_BASE, IWDG_SIZE } from "./iwdg.js";
import { SysTick, SYSTICK_BASE, SYSTICK_SIZE } from "./systick.js";
import { Nvic, NVIC_BASE, NVIC_SIZE, IRQ_IPCC_C1_RX, IRQ_IPCC_C1_TX, IRQ_USART1, IRQ_LPUART1 } from "./nvic.js";
import { Scb, SCB_BASE, SCB_SIZE } from "./scb.js";
import { FlashRegisters, FLASH_REGS_BASE, FLASH_REGS_SIZE, cpu1VisibleFlashBytes } from "./flash.js";
import { Dwt, DWT_BASE, DWT_SIZE } from "./dwt.js";
import { Hsem, HSEM_BASE, HSEM_SIZE } from "./hsem.js";
import { Dbgmcu, DBGMCU_BASE, DBGMCU_SIZE } from "./dbgmcu.js";
import type { Board } from "../board.js";
import { Cpu2 } from "../cpu2/cpu2.js";
import type { StackFlashArbiter } from "../cpu2/flash-arbitration.js";

export const SRAM1_BASE = 0x2000_0000;
export const SRAM2A_BASE = 0x2003_0000;
export const SRAM2B_BASE = 0x2003_8000;
export const SYSTEM_INFO_BASE = 0x1fff_7000;
const UID64_OFFSET = 0x580;
const FLASH_SIZE_OFFSET = 0x5e0;
/** PWR_CR1.DBP: the backup domain (RTC backup registers) accepts writes. */
const PWR_CR1_DBP = 1 << 8;
/** DBGMCU revision of the simulated silicon: 0x2003, cut 2.2 (cpu2-interface §6.2 example). */
const SILICON_REVISION = 0x2003;

/** Bytes of an SRAM2 block CPU1 reaches: all of it with the secure mode disabled, else up to the secure start. */
function cpu1SramBytes(bytes: number, secureDisabled: boolean, secureStartKb: number): number {
  return secureDisabled ? bytes : Math.min(bytes, secureStartKb * 1024);
}

export class Stm32wb {
  readonly clock = new VirtualClock();
  readonly bus = new Bus();
  readonly ipcc = new Ipcc();
  readonly pwr = new Pwr();
  readonly rcc = new Rcc();
  readonly hsem = new Hsem();
  readonly exti = new Exti();
  readonly flashRegisters: FlashRegisters;
  readonly dwt: Dwt;
  readonly usart1: Usart;
  readonly lpuart1: Usart;
  readonly gpio: GpioPort[];
  readonly iwdg: Iwdg;
  readonly systick: SysTick;
  readonly nvic = new Nvic();
  readonly scb: Scb;
  readonly sram1: Uint8Array;
  readonly sram2a: Uint8Array;
  readonly sram2b: Uint8Array;
  readonly systemInfo = new Uint8Array(0x1000);
  readonly cpu2: Cpu2;
  /** Memory regions as CPU1 sees them (tier 2 maps exactly these into unicorn). */
  readonly flashRegion: MemoryRegion;
  private pendingReset: string | null = null;
  private pendingResetFlag = 0;
  private resets = 0;

  constructor(readonly board: Board) {
    const variant = board.variant;
    this.sram1 = new Uint8Array(variant.sram1Bytes);
    this.sram2a = new Uint8Array(variant.sram2aBytes);
    this.sram2b = new Uint8Array(variant.sram2bBytes);
    this.flashRegisters = new FlashRegisters(this);
    this.dwt = new Dwt(this.clock, () => this.rcc.hclkHz());
    this.systick = new SysTick(this.clock, () => this.rcc.hclkHz());
    this.scb = new Scb(this.systick);
    this.iwdg = new Iwdg(this.clock);
    this.usart1 = new Usart("USART1", "usart", this.clock, () => this.rcc.usart1KernelHz(), () => this.rcc.isApb2Enabled(APB2ENR_USART1EN));
    this.lpuart1 = new Usart("LPUART1", "lpuart", this.clock, () => this.rcc.lpuart1KernelHz(), () => this.rcc.isApb1Enabled(2, APB1ENR2_LPUART1EN));
    this.gpio = GPIO_PORTS.map((port, i) => new GpioPort(port, () => this.rcc.isAhb2Enabled(AHB2ENR_GPIOAEN << i)));
    this.rcc.schedule = (delayUs, run) => { this.clock.schedule(delayUs, run); };
    this.rcc.flashLatency = () => this.flashRegisters.readUint32(0) & 7;
    this.flashRegisters.onLatencyChange = () => this.rcc.checkFlashLatency();
    this.rcc.onClockChange = (previousHz) => {
      this.dwt.rebase(previousHz);
      this.systick.rebase(previousHz);
    };
    this.iwdg.onStart = () => this.rcc.forceLsiOn();
    this.iwdg.onTimeout = (reason) => this.requestSystemReset(reason, CSR_IWDGRSTF);
    this.scb.onSystemResetRequest = () => this.requestSystemReset("AIRCR.SYSRESETREQ", CSR_SFTRSTF);
    this.nvic.lines = () => this.interruptLines();

    const info = new DataView(this.systemInfo.buffer);
    info.setBigUint64(UID64_OFFSET, board.uid64, true);
    info.setUint16(FLASH_SIZE_OFFSET, variant.flashKb, true);

    this.flashRegion = {
      name: "flash", base: variant.flashBase, bytes: board.flash, writable: false,
      // Everything from SFSA up belongs to CPU2: CPU1 cannot even read it (fus-behaviour §1.1).
      visibleLength: () => cpu1VisibleFlashBytes(board),
      store: (offset, size, value) => this.flashRegisters.cpu1Store(offset, size, value),
    };
    this.bus.mapMemory(this.flashRegion);
    this.bus.mapMemory({ name: "SRAM1", base: SRAM1_BASE, bytes: this.sram1, writable: true });
    // The secure parts of SRAM2a/SRAM2b (SRRVR SBRSA/SNBRSA, 1 KB units, unless BRSD/NBRSD) are
    // CPU2's: a CPU1 access there bus-faults [choice: RM0434's exact response not retrieved],
    // as CPU1 accesses to the secure flash do (README "Secure SRAM2").
    this.bus.mapMemory({
      name: "SRAM2a", base: SRAM2A_BASE, bytes: this.sram2a, writable: true,
      visibleLength: () => cpu1SramBytes(this.sram2a.length, board.optionBytes.brsd, board.optionBytes.sbrsa),
    });
    this.bus.mapMemory({
      name: "SRAM2b", base: SRAM2B_BASE, bytes: this.sram2b, writable: true,
      visibleLength: () => cpu1SramBytes(this.sram2b.length, board.optionBytes.nbrsd, board.optionBytes.snbrsa),
    });
    this.bus.mapMemory({ name: "system info", base: SYSTEM_INFO_BASE, bytes: this.systemInfo, writable: false });
    this.bus.mapPeripheral(RCC_BASE, RCC_SIZE, this.rcc);
    this.bus.mapPeripheral(PWR_BASE, PWR_SIZE, this.pwr);
    this.bus.mapPeripheral(IPCC_BASE, IPCC_SIZE, this.ipcc);
    this.bus.mapPeripheral(FLASH_REGS_BASE, FLASH_REGS_SIZE, this.flashRegisters);
    this.bus.mapPeripheral(DWT_BASE, DWT_SIZE, this.dwt);
    this.bus.mapPeripheral(HSEM_BASE, HSEM_SIZE, this.hsem);
    this.bus.mapPeripheral(DBGMCU_BASE, DBGMCU_SIZE, new Dbgmcu(variant.deviceId, SILICON_REVISION));
    this.bus.mapPeripheral(EXTI_BASE, EXTI_SIZE, this.exti);
    this.bus.mapPeripheral(USART1_BASE, USART_SIZE, this.usart1);
    this.bus.mapPeripheral(LPUART1_BASE, USART_SIZE, this.lpuart1);
    this.gpio.forEach((port, i) => this.bus.mapPeripheral(GPIO_BASE + i * GPIO_PORT_STRIDE, GPIO_PORT_STRIDE, port));
    this.bus.mapPeripheral(RTC_BASE, RTC_SIZE, new RtcBackup(board.backupRegisters,
      () => (this.pwr.readUint32(0) & PWR_CR1_DBP) !== 0, () => this.rcc.isApb1Enabled(1, APB1ENR1_RTCAPBEN)));
    this.bus.mapPeripheral(IWDG_BASE, IWDG_SIZE, this.iwdg);
    this.bus.mapPeripheral(SYSTICK_BASE, SYSTICK_SIZE, this.systick);
    this.bus.mapPeripheral(NVIC_BASE, NVIC_SIZE, this.nvic);
    this.bus.mapPeripheral(SCB_BASE, SCB_SIZE, this.scb);

    this.ipcc.cpu1ClockEnabled = () => this.rcc.isEnabled(AHB3ENR_IPCCEN);
    this.hsem.cpu1ClockEnabled = () => this.rcc.isEnabled(AHB3ENR_HSEMEN);
    this.hsem.beforeCpu1Access = () => this.cpu2.flashArbiter?.syncSemaphores(this.clock.nowUs);
    this.cpu2 = new Cpu2(this);
    this.pwr.onCpu2Boot = () => this.cpu2.boot();
    this.ipcc.onCpu1Post = (channel) => this.cpu2.onCpu1Post(channel);
  }

  cpu2FlashSide(): StackFlashArbiter | null {
    return this.cpu2?.flashArbiter ?? null;
  }

  /** Asked by CPU2 (or a watchdog, or a test): the whole part resets at the next CPU1 step. */
  requestSystemReset(reason: string, resetFlag = 0): void {
    if (this.pendingReset === null) this.pendingResetFlag = resetFlag;
    this.pendingReset ??= reason;
  }

  /** CPU1's interrupt request lines (NVIC inputs) from the modelled peripherals, a bit per IRQ. */
  private interruptLines(): Uint32Array {
    const lines = new Uint32Array(2);
    const raise = (irq: number, high: boolean): void => { if (high) lines[irq >> 5] |= 1 << (irq & 31); };
    raise(IRQ_IPCC_C1_RX, this.ipcc.cpu1RxInterrupt);
    raise(IRQ_IPCC_C1_TX, this.ipcc.cpu1TxInterrupt);
    raise(IRQ_USART1, this.usart1.interruptLine);
    raise(IRQ_LPUART1, this.lpuart1.interruptLine);
    return lines;
  }

  /** The supply went away and came back: the backup domain is lost unless VBAT was kept. */
  powerCycleBackupDomain(): void {
    if (!this.board.vbatKept) this.board.backupRegisters.fill(0);
  }

  get resetPending(): string | null {
    return this.pendingReset;
  }

  get systemResetCount(): number {
    return this.resets;
  }

  /** Resets everything a system reset resets; the caller restarts CPU1 afterwards. */
  applySystemReset(): void {
    this.pendingReset = null;
    this.resets++;
    this.cpu2.halt();
    this.ipcc.reset();
    this.pwr.reset(); // C2BOOT back to 0: CPU2 waits for CPU1 again
    this.rcc.reset(this.pendingResetFlag);
    this.pendingResetFlag = 0;
    this.flashRegisters.reset();
    this.dwt.reset();
    this.hsem.reset();
    this.exti.reset();
    this.usart1.reset();
    this.lpuart1.reset();
    for (const port of this.gpio) port.reset();
    this.iwdg.reset();
    this.systick.reset();
    this.nvic.reset();
    this.scb.reset();
  }
}
