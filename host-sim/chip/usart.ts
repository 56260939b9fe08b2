// USART1 and LPUART1 (one class; the LPUART divides differently): the registers a polling driver
// and ST's HAL touch. Offsets and reset values from ST's SVD for the STM32WB55 (CR1..PRESC; ISR
// resets to 0x000000C0, TXE and TC). Baud from the kernel clock (RCC_CCIPR selection):
// USART baud = fck / USARTDIV (16x oversampling; 8x: USARTDIV from BRR[15:4] and BRR[2:0]<<1 ... x2);
// LPUART baud = 256 × fck / BRR; both after the PRESC divider. A byte takes its frame (start, data,
// parity, stop bits) at that baud on the virtual clock, on both directions.
// Host side: `onTransmit` gets every byte the firmware sends; `receive` queues bytes that arrive one
// frame time apart. `lineBaud`, when set, is the other end's speed: a frame between ends whose
// speeds differ beyond the receiver's tolerance arrives damaged, in both directions, as on a wire. FIFO mode (CR1.FIFOEN, RM0434 USART "FIFO mode"): the receive side holds up
// to 8 bytes (ISR bit 5 reads RXFNE, "RX FIFO not empty"); an overrun is a byte completing with the
// FIFO full [choice: the shift register's extra byte is not counted]. The transmit FIFO, its
// thresholds, DMA, synchronous, LIN, smartcard and IrDA are not modelled (TDR holds one byte).
import type { Peripheral } from "./bus.js";
import type { VirtualClock, ScheduledHandle } from "./clock.js";

export const USART1_BASE = 0x4001_3800;
export const LPUART1_BASE = 0x4000_8000;
export const USART_SIZE = 0x400;

const CR1 = 0x00;
const CR2 = 0x04;
const CR3 = 0x08;
const BRR = 0x0c;
const GTPR = 0x10;
const RTOR = 0x14;
const RQR = 0x18;
const ISR = 0x1c;
const ICR = 0x20;
const RDR = 0x24;
const TDR = 0x28;
const PRESC = 0x2c;

const CR1_UE = 1 << 0;
const CR1_RE = 1 << 2;
const CR1_TE = 1 << 3;
const CR1_RXNEIE = 1 << 5;
const CR1_TCIE = 1 << 6;
const CR1_TXEIE = 1 << 7;
const CR1_PCE = 1 << 10;
const CR1_M0 = 1 << 12;
const CR1_OVER8 = 1 << 15;
const CR1_M1 = 1 << 28;
const CR1_FIFOEN = 1 << 29;
/** RXFIFO depth in FIFO mode (RM0434 USART "FIFO mode": 8 data). */
const RX_FIFO_DEPTH = 8;
const CR2_STOP_SHIFT = 12;
const CR3_OVRDIS = 1 << 12;
const ISR_FE = 1 << 1;
const ISR_ORE = 1 << 3;
const ISR_RXNE = 1 << 5;
const ISR_TC = 1 << 6;
const ISR_TXE = 1 << 7;
const ISR_TEACK = 1 << 21;
const ISR_REACK = 1 << 22;
const ISR_RESET = ISR_TXE | ISR_TC;
const RQR_RXFRQ = 1 << 3;
/** ICR bits that clear the ISR flag of the same position (PE, FE, NE, ORE, IDLE, TC, ...). */
const ICR_CLEARABLE = 0x0012_3b5f;
/**
 * A receiver samples each bit at its own clock; past about ±3.75 % between the two ends a frame
 * is misread (RM0434 USART "Tolerance of the USART receiver to clock deviation", 16x oversampling,
 * 1 stop bit) [choice: the LPUART, which samples differently, is given the same bound].
 */
export const BAUD_TOLERANCE = 0.0375;
/** PRESC 0..11 (SVD "Clock prescaler"). */
const PRESCALERS = [1, 2, 4, 6, 8, 10, 12, 16, 32, 64, 128, 256];

export type UsartKind = "usart" | "lpuart";

export class Usart implements Peripheral {
  unmodelled?: (offset: number, access: "read" | "write") => void;
  private cr1 = 0;
  private cr2 = 0;
  private cr3 = 0;
  private brr = 0;
  private presc = 0;
  private isr = ISR_RESET;
  /** What RDR reads when nothing new arrived: the last byte again. */
  private lastRead = 0;
  /** Received bytes not read yet: one (RDR) without FIFO mode, up to RX_FIFO_DEPTH with it. */
  private readonly rxFifo: number[] = [];
  /** The byte waiting in TDR while the shift register still sends the previous one. */
  private pendingTdr: number | null = null;
  private shifting: ScheduledHandle | null = null;
  private receiving: ScheduledHandle | null = null;
  /** Bytes on the line, each with whether the receiver misreads its frame (a baud mismatch). */
  private readonly inbound: { byte: number; framingError: boolean }[] = [];
  /** Every byte the firmware transmits, as it leaves the shift register. */
  onTransmit: (byte: number) => void = () => {};
  /** Bytes that arrived while RXNE was still set (overrun) and were lost. */
  overruns = 0;
  /** The most received bytes ever waiting at once (the RX FIFO's fill; the bench reports it). */
  rxPeak = 0;
  /** The other end's speed in bit/s; null: it follows this one (a test's byte queue). */
  lineBaud: number | null = null;

  constructor(readonly name: string, readonly kind: UsartKind, private readonly clock: VirtualClock,
    private readonly kernelHz: () => number, readonly clockEnabled: () => boolean) {}

  reset(): void {
    this.shifting?.cancel();
    this.receiving?.cancel();
    this.shifting = this.receiving = null;
    this.cr1 = this.cr2 = this.cr3 = this.brr = this.presc = 0;
    this.isr = ISR_RESET;
    this.rxFifo.length = 0;
    this.lastRead = 0;
    this.pendingTdr = null;
    this.inbound.length = 0;
  }

  /** The line speed the registers give now, in bit/s; 0 when BRR is not set. */
  get baud(): number {
    const fck = this.kernelHz() / PRESCALERS[Math.min(this.presc & 0xf, PRESCALERS.length - 1)];
    if (this.kind === "lpuart") return this.brr >= 0x300 ? (256 * fck) / this.brr : 0;
    if (this.cr1 & CR1_OVER8) {
      const usartdiv = (this.brr & 0xfff0) | ((this.brr & 7) << 1);
      return usartdiv >= 16 ? (2 * fck) / usartdiv : 0;
    }
    return this.brr >= 16 ? fck / this.brr : 0;
  }

  /** Whether the two ends' speeds differ beyond a receiver's tolerance (frames are misread). */
  get baudMismatch(): boolean {
    const baud = this.baud;
    return this.lineBaud !== null && baud > 0 && Math.abs(baud - this.lineBaud) / this.lineBaud > BAUD_TOLERANCE;
  }

  /** Bits of one frame: start, data (7/8/9 with M1:M0), stop (CR2.STOP: 1, 0.5, 2, 1.5). */
  private frameBits(): number {
    const data = this.cr1 & CR1_M1 ? 7 : this.cr1 & CR1_M0 ? 9 : 8;
    const stop = [1, 0.5, 2, 1.5][(this.cr2 >>> CR2_STOP_SHIFT) & 3];
    return 1 + data + stop;
  }

  private frameUs(): number {
    const baud = this.baud;
    return baud > 0 ? (this.frameBits() * 1e6) / baud : Infinity;
  }

  /** Interrupt request line: an enabled flag is set (NVIC input). */
  get interruptLine(): boolean {
    return ((this.cr1 & CR1_RXNEIE) !== 0 && (this.isr & (ISR_RXNE | ISR_ORE)) !== 0)
      || ((this.cr1 & CR1_TCIE) !== 0 && (this.isr & ISR_TC) !== 0)
      || ((this.cr1 & CR1_TXEIE) !== 0 && (this.isr & ISR_TXE) !== 0);
  }

  /**
   * Host side: bytes arriving on RX, one frame time apart at the configured baud. `framingError`
   * (or a `lineBaud` outside the receiver's tolerance when the frame completes): each frame sets
   * FE and its data is not the byte sent [choice: the model delivers the byte with its bits inverted].
   */
  receive(bytes: Iterable<number>, line?: { framingError: boolean }): void {
    const framingError = line?.framingError === true;
    for (const byte of bytes) this.inbound.push({ byte: byte & 0xff, framingError });
    this.scheduleReceive();
  }

  private scheduleReceive(): void {
    if (this.receiving || this.inbound.length === 0) return;
    const frame = this.frameUs();
    if (!Number.isFinite(frame)) return; // no baud yet: the bytes wait on the line
    this.receiving = this.clock.schedule(frame, () => {
      this.receiving = null;
      const { byte, framingError: sentMisread } = this.inbound.shift()!;
      const framingError = sentMisread || this.baudMismatch;
      const listening = (this.cr1 & (CR1_UE | CR1_RE)) === (CR1_UE | CR1_RE);
      if (listening) {
        const depth = this.cr1 & CR1_FIFOEN ? RX_FIFO_DEPTH : 1;
        if (this.rxFifo.length >= depth) {
          this.overruns++;
          if (!(this.cr3 & CR3_OVRDIS)) this.isr |= ISR_ORE;
        } else {
          this.rxFifo.push(framingError ? ~byte & 0xff : byte);
          this.rxPeak = Math.max(this.rxPeak, this.rxFifo.length);
          this.isr |= ISR_RXNE | (framingError ? ISR_FE : 0);
        }
      }
      this.scheduleReceive();
    });
  }

  private startShifting(byte: number): void {
    this.isr |= ISR_TXE;
    this.isr &= ~ISR_TC;
    this.shifting = this.clock.schedule(this.frameUs(), () => {
      this.shifting = null;
      // The other end's receiver misreads a frame sent at a speed outside its tolerance [choice: as
      // received above, the byte with its bits inverted].
      this.onTransmit(this.baudMismatch ? ~byte & 0xff : byte);
      if (this.pendingTdr !== null) {
        const next = this.pendingTdr;
        this.pendingTdr = null;
        this.startShifting(next);
      } else {
        this.isr |= ISR_TC;
      }
    });
  }

  private writeTdr(value: number): void {
    if ((this.cr1 & (CR1_UE | CR1_TE)) !== (CR1_UE | CR1_TE)) return; // transmitter off: the byte is lost
    const byte = value & (this.cr1 & CR1_PCE ? 0x7f : 0xff);
    this.isr &= ~(ISR_TXE | ISR_TC);
    if (this.shifting) this.pendingTdr = byte;
    else this.startShifting(byte);
  }

  private writeCr1(value: number): void {
    this.cr1 = value >>> 0;
    if (!(value & CR1_UE)) {
      // Disabling the USART stops transfers and resets the status flags (RM0434 USART_CR1.UE).
      this.shifting?.cancel();
      this.shifting = null;
      this.pendingTdr = null;
      this.isr = ISR_RESET;
      return;
    }
    this.isr = (this.isr & ~(ISR_TEACK | ISR_REACK)) | (value & CR1_TE ? ISR_TEACK : 0) | (value & CR1_RE ? ISR_REACK : 0);
    this.scheduleReceive();
  }

  readUint32(offset: number): number {
    if (!this.clockEnabled()) return 0;
    switch (offset) {
      case CR1: return this.cr1;
      case CR2: return this.cr2;
      case CR3: return this.cr3;
      case BRR: return this.brr;
      case PRESC: return this.presc;
      case ISR: return this.isr;
      case RDR: {
        // Reading RDR takes the oldest byte; RXNE/RXFNE stays set while more wait.
        const byte = this.rxFifo.length > 0 ? this.rxFifo.shift()! : this.lastRead;
        this.lastRead = byte;
        if (this.rxFifo.length === 0) this.isr &= ~ISR_RXNE;
        return byte;
      }
      case TDR: return 0;
      case GTPR: case RTOR: case RQR: case ICR: return 0;
      default:
        this.unmodelled?.(offset, "read");
        return 0;
    }
  }

  writeUint32(offset: number, value: number): void {
    if (!this.clockEnabled()) return;
    switch (offset) {
      case CR1: this.writeCr1(value); break;
      case CR2: this.cr2 = value >>> 0; break;
      case CR3: this.cr3 = value >>> 0; break;
      case BRR: this.brr = value & 0xfffff; break;
      case PRESC: this.presc = value & 0xf; break;
      case ICR: this.isr &= ~(value & ICR_CLEARABLE); break;
      case RQR:
        if (value & RQR_RXFRQ) {
          this.rxFifo.length = 0; // RXFRQ flushes the receive data (RM0434 USART_RQR)
          this.isr &= ~ISR_RXNE;
        }
        break;
      case TDR: this.writeTdr(value); break;
      case GTPR: case RTOR: break; // smartcard guard time, receiver timeout: not modelled
      default: this.unmodelled?.(offset, "write"); break;
    }
  }
}
