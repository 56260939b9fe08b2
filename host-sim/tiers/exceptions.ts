// Exception entry and return for tier 2's CPU1 (ARMv7-M ARM B1.5.6–B1.5.8), done by the runner
// because unicorn has no NVIC: it neither takes interrupts nor returns from them (an EXC_RETURN
// value in PC stops it as an unhandled exception). What is modelled: SysTick (15) and the NVIC's
// external interrupts taken from thread mode on the main stack, PRIMASK and BASEPRI respected,
// priority from NVIC IPR / SCB SHPR3, the 8-word basic frame with 8-byte alignment (xPSR bit 9),
// EXC_RETURN 0xFFFFFFF9. What is not, and stops with INTERRUPT_NOT_MODELLED instead of running on:
// nesting (an interrupt that would preempt a handler waits until it returns: tail-chained after),
// the process stack (CONTROL.SPSEL), the extended FPU frame (CONTROL.FPCA), other EXC_RETURN values.
import type { Stm32wb } from "../chip/stm32wb.js";
import { DeviceFault } from "./tier.js";

const SYSTICK_EXCEPTION = 15;
const FIRST_IRQ_EXCEPTION = 16;
const EXC_RETURN_THREAD_MSP = 0xffff_fff9;
const XPSR_ALIGNED = 1 << 9;
const IPSR_MASK = 0x1ff;
const CONTROL_SPSEL = 1 << 1;
const CONTROL_FPCA = 1 << 2;
/** Values from 0xF0000000 up in PC are EXC_RETURN (B1.5.8). */
const EXC_RETURN_MIN = 0xf000_0000;

interface Core {
  regRead(name: string): number;
  regWrite(name: string, value: number): void;
}

const FRAME = ["r0", "r1", "r2", "r3", "r12", "lr"] as const;

export class ExceptionModel {
  constructor(private readonly chip: Stm32wb) {}

  /** Something could be taken at all (cheap test before reading core registers). */
  get anyEnabled(): boolean {
    return this.chip.nvic.anyEnabled || this.chip.systick.pending;
  }

  /** The exception the core would take now, or null (masked, none pending, or in a handler). */
  takeable(core: Core): number | null {
    const chip = this.chip;
    const candidates: { exception: number; priority: number }[] = [];
    if (chip.systick.pending) candidates.push({ exception: SYSTICK_EXCEPTION, priority: chip.scb.systemPriority(SYSTICK_EXCEPTION) });
    for (const irq of chip.nvic.enabledPendingIrqs()) {
      candidates.push({ exception: FIRST_IRQ_EXCEPTION + irq, priority: chip.nvic.priority(irq) });
    }
    if (candidates.length === 0) return null;
    if ((core.regRead("primask") & 1) !== 0) return null;
    if ((core.regRead("xpsr") & IPSR_MASK) !== 0) return null; // in a handler: waits for its return
    const basepri = core.regRead("basepri") & 0xff;
    const allowed = candidates.filter((c) => basepri === 0 || c.priority < basepri);
    if (allowed.length === 0) return null;
    allowed.sort((a, b) => a.priority - b.priority || a.exception - b.exception);
    return allowed[0].exception;
  }

  /** Exception entry: stacks the frame, then PC from the vector table, LR = EXC_RETURN. */
  enter(core: Core, exception: number, returnAddress: number): number {
    const control = core.regRead("control");
    if (control & (CONTROL_SPSEL | CONTROL_FPCA)) {
      throw new DeviceFault("INTERRUPT_NOT_MODELLED", returnAddress,
        `exception ${exception} from ${control & CONTROL_SPSEL ? "the process stack" : "a context with FPU state"}: tier 2 takes exceptions only on the main stack without FPU context`);
    }
    const bus = this.chip.bus;
    let sp = core.regRead("sp") >>> 0;
    const xpsr = core.regRead("xpsr") >>> 0;
    const aligned = (sp & 4) !== 0;
    sp = (sp - 32 - (aligned ? 4 : 0)) >>> 0;
    const words = [...FRAME.map((r) => core.regRead(r)), returnAddress & ~1, (xpsr & ~XPSR_ALIGNED) | (aligned ? XPSR_ALIGNED : 0)];
    words.forEach((word, i) => bus.write(sp + 4 * i, 4, word >>> 0));
    core.regWrite("sp", sp);
    core.regWrite("lr", EXC_RETURN_THREAD_MSP);
    core.regWrite("xpsr", ((xpsr & ~IPSR_MASK) | exception) >>> 0);
    if (exception === SYSTICK_EXCEPTION) this.chip.systick.pending = false;
    else this.chip.nvic.acknowledge(exception - FIRST_IRQ_EXCEPTION);
    // VTOR 0 is the boot alias of flash at 0x00000000 (the part boots from main flash).
    const table = this.chip.scb.vectorTable || this.chip.board.variant.flashBase;
    return bus.read(table + 4 * exception, 4) & ~1;
  }

  /** Whether the core stopped on an exception return (PC holds EXC_RETURN in a handler). */
  isReturn(core: Core): boolean {
    return (core.regRead("pc") >>> 0) >= EXC_RETURN_MIN && (core.regRead("xpsr") & IPSR_MASK) !== 0;
  }

  /** Exception return: unstacks the frame; returns the address execution resumes at. */
  leave(core: Core): number {
    const excReturn = (core.regRead("pc") | 1) >>> 0;
    if (excReturn !== EXC_RETURN_THREAD_MSP) {
      throw new DeviceFault("INTERRUPT_NOT_MODELLED", excReturn, `EXC_RETURN 0x${excReturn.toString(16)}: tier 2 returns only to thread mode on the main stack`);
    }
    const bus = this.chip.bus;
    let sp = core.regRead("sp") >>> 0;
    const words = Array.from({ length: 8 }, (_, i) => bus.read(sp + 4 * i, 4));
    FRAME.forEach((r, i) => core.regWrite(r, words[i]));
    const xpsr = words[7];
    sp = (sp + 32 + (xpsr & XPSR_ALIGNED ? 4 : 0)) >>> 0;
    core.regWrite("sp", sp);
    core.regWrite("xpsr", (xpsr & ~XPSR_ALIGNED) >>> 0);
    return words[6] & ~1;
  }
}
