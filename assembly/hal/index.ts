// The hardware doorway. Every register access, every touch of physical memory and every notion of
// time the operator has goes through these imports, and nothing else in the module may reach the
// hardware. On the device they are implemented in runtime-c/hal.c (with an address allowlist); in
// the simulator they are bound to the host-sim chip model.
// Contract: 16- and 32-bit accesses are naturally aligned (the device runtime faults otherwise).

@external("hal", "read8") export declare function read8(address: u32): u32;
@external("hal", "read16") export declare function read16(address: u32): u32;
@external("hal", "read32") export declare function read32(address: u32): u32;
@external("hal", "write8") export declare function write8(address: u32, value: u32): void;
@external("hal", "write16") export declare function write16(address: u32, value: u32): void;
@external("hal", "write32") export declare function write32(address: u32, value: u32): void;

/** Copies `length` bytes from physical memory into linear memory at `pointer`. */
@external("hal", "copyIn") export declare function copyIn(pointer: usize, address: u32, length: u32): void;
/** Copies `length` bytes from linear memory at `pointer` to physical memory. */
@external("hal", "copyOut") export declare function copyOut(address: u32, pointer: usize, length: u32): void;

/** Busy-waits at least `us` microseconds. */
@external("hal", "delayUs") export declare function delayUs(us: u32): void;
/** Free-running microsecond counter; wraps at 2^32, so compare with wrapping subtraction only. */
@external("hal", "nowUs") export declare function nowUs(): u32;

/** Read-modify-write helpers: registers such as PWR_CR4 hold bits the operator must preserve. */
export function setBits32(address: u32, bits: u32): void {
  write32(address, read32(address) | bits);
}

export function clearBits32(address: u32, bits: u32): void {
  write32(address, read32(address) & ~bits);
}

/** A deadline that survives the counter wrapping. */
export function elapsedUs(since: u32): u32 {
  return nowUs() - since;
}

// The loader's console line (USART1 on the device, runtime-c/usart.c; a byte queue on tier 1).
/** Sends `length` bytes from linear memory at `pointer`; returns when they are handed to the line. */
@external("hal", "uartWrite") export declare function uartWrite(pointer: usize, length: u32): void;
/** The next received byte, or -1 when none is waiting (never blocks). */
@external("hal", "uartRead") export declare function uartRead(): i32;
