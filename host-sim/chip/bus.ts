// The CPU1 view of the memory map (cpu2-interface §1.1): memories as byte arrays, peripherals as
// register files. Both tiers go through it: tier 1 from the hal imports, tier 2 from unicorn's MMIO
// hooks (memories are shared with unicorn directly).

export interface Peripheral {
  readonly name: string;
  readUint32(offset: number): number;
  writeUint32(offset: number, value: number): void;
  /**
   * Set by the bus when the peripheral is mapped: the peripheral calls it from its switch's default
   * branch for a register it does not model (read as 0, write ignored), and the bus warns once.
   */
  unmodelled?: (offset: number, access: "read" | "write") => void;
  /**
   * A byte or half-word write, for the few registers that take them (NVIC and SCB priority bytes,
   * which ST's HAL writes byte-wise). Returns false where only word writes are allowed (bus fault).
   */
  writeNarrow?(offset: number, size: 1 | 2, value: number): boolean;
}

export interface MemoryRegion {
  readonly name: string;
  readonly base: number;
  readonly bytes: Uint8Array;
  readonly writable: boolean;
  /** Bytes CPU1 can see from `base` (flash: up to the secure boundary); the whole array when absent. */
  readonly visibleLength?: () => number;
  /** Takes CPU1's writes instead of storing them (flash: they go to the FLASH controller). */
  readonly store?: (offset: number, size: 1 | 2 | 4, value: number) => void;
}

interface MappedPeripheral {
  base: number;
  size: number;
  peripheral: Peripheral;
}

/** An access no memory or peripheral answers, or one the target does not allow. */
export class BusFault extends Error {
  readonly code = "BUS_FAULT";
  constructor(readonly address: number, readonly access: string) {
    super(`bus fault: ${access} at 0x${(address >>> 0).toString(16).padStart(8, "0")}`);
  }
}

export class Bus {
  private readonly memories: MemoryRegion[] = [];
  private readonly peripherals: MappedPeripheral[] = [];
  private readonly warned = new Set<number>();
  /** Every warning so far ("unmodelled register ..."), in order. */
  readonly warnings: string[] = [];
  /** Called once per unmodelled register touched (the CLI prints it on stderr). */
  onWarning: (message: string) => void = () => {};

  mapMemory(region: MemoryRegion): void {
    this.memories.push(region);
  }

  mapPeripheral(base: number, size: number, peripheral: Peripheral): void {
    this.peripherals.push({ base, size, peripheral });
    peripheral.unmodelled = (offset, access) => this.warnUnmodelled(peripheral.name, base + offset, offset, access);
  }

  private warnUnmodelled(name: string, address: number, offset: number, access: "read" | "write"): void {
    if (this.warned.has(address)) return;
    this.warned.add(address);
    const message = `unmodelled register ${name}+0x${offset.toString(16)} (0x${(address >>> 0).toString(16).padStart(8, "0")}) ${access}: reads 0, writes are ignored`;
    this.warnings.push(message);
    this.onWarning(message);
  }

  get memoryRegions(): readonly MemoryRegion[] {
    return this.memories;
  }

  get peripheralRegions(): readonly MappedPeripheral[] {
    return this.peripherals;
  }

  private memoryAt(address: number, length: number): MemoryRegion | undefined {
    return this.memories.find((m) => {
      const visible = m.visibleLength ? m.visibleLength() : m.bytes.length;
      return address >= m.base && address + length <= m.base + visible;
    });
  }

  private peripheralAt(address: number): MappedPeripheral | undefined {
    return this.peripherals.find((p) => address >= p.base && address < p.base + p.size);
  }

  read(address: number, size: 1 | 2 | 4): number {
    address >>>= 0;
    const memory = this.memoryAt(address, size);
    if (memory) {
      const view = new DataView(memory.bytes.buffer, memory.bytes.byteOffset);
      const offset = address - memory.base;
      return size === 1 ? view.getUint8(offset) : size === 2 ? view.getUint16(offset, true) : view.getUint32(offset, true);
    }
    const mapped = this.peripheralAt(address);
    if (!mapped) throw new BusFault(address, `${size * 8}-bit read`);
    const offset = address - mapped.base;
    // Narrow reads of a register return the addressed lanes of the 32-bit value.
    const word = mapped.peripheral.readUint32(offset & ~3) >>> 0;
    const shift = (offset & 3) * 8;
    return size === 4 ? word : (word >>> shift) & (size === 1 ? 0xff : 0xffff);
  }

  write(address: number, size: 1 | 2 | 4, value: number): void {
    address >>>= 0;
    const memory = this.memoryAt(address, size);
    if (memory) {
      if (memory.store) return memory.store(address - memory.base, size, value >>> 0);
      if (!memory.writable) throw new BusFault(address, `${size * 8}-bit write to read-only ${memory.name}`);
      const view = new DataView(memory.bytes.buffer, memory.bytes.byteOffset);
      const offset = address - memory.base;
      if (size === 1) view.setUint8(offset, value);
      else if (size === 2) view.setUint16(offset, value, true);
      else view.setUint32(offset, value >>> 0, true);
      return;
    }
    const mapped = this.peripheralAt(address);
    if (!mapped) throw new BusFault(address, `${size * 8}-bit write`);
    // The registers the operator writes (IPCC, RCC, PWR, FLASH) take word writes only (§1.2);
    // a peripheral may accept narrow writes to some registers of its own (writeNarrow).
    if (size !== 4 || (address & 3) !== 0) {
      const accepted = size !== 4 && (address & (size - 1)) === 0 && mapped.peripheral.writeNarrow?.(address - mapped.base, size, value >>> 0);
      if (!accepted) throw new BusFault(address, `${size * 8}-bit write to ${mapped.peripheral.name}`);
      return;
    }
    mapped.peripheral.writeUint32(address - mapped.base, value >>> 0);
  }

  readBytes(address: number, length: number): Uint8Array {
    const memory = this.memoryAt(address >>> 0, length);
    if (!memory) throw new BusFault(address, `${length}-byte block read`);
    const offset = (address >>> 0) - memory.base;
    return memory.bytes.slice(offset, offset + length);
  }

  writeBytes(address: number, data: Uint8Array): void {
    const memory = this.memoryAt(address >>> 0, data.length);
    if (memory?.store) {
      // A block copy into flash is a run of word writes, as CPU1's copy loop would do.
      for (let i = 0; i < data.length; i += 4) {
        const size = data.length - i >= 4 ? 4 : 1;
        const word = size === 4 ? new DataView(data.buffer, data.byteOffset + i).getUint32(0, true) : data[i];
        memory.store((address >>> 0) - memory.base + i, size, word);
      }
      return;
    }
    if (!memory || !memory.writable) throw new BusFault(address, `${data.length}-byte block write`);
    memory.bytes.set(data, (address >>> 0) - memory.base);
  }
}
