// The N-API unicorn addon (host-sim/native/unicorn_addon.cc) under misuse: a closed emulator and
// arguments of the wrong type must come back as JS exceptions, never take the process down.
import { describe, expect, test } from "vitest";
import { createRequire } from "node:module";
import { unicornAddonPath } from "../../host-sim/paths.js";

interface Emulator {
  mapBuffer(...args: unknown[]): void;
  mapRam(...args: unknown[]): void;
  unmap(...args: unknown[]): void;
  mapMmio(...args: unknown[]): void;
  regRead(...args: unknown[]): number;
  regWrite(...args: unknown[]): void;
  addStopAddress(...args: unknown[]): void;
  run(...args: unknown[]): { error: string | null; errorCode: number; stoppedAt?: number };
  stop(): void;
  instructions(): number;
  close(): void;
}

const addon = createRequire(import.meta.url)(unicornAddonPath) as { Emulator: new () => Emulator; PROT_READ: number; PROT_WRITE: number; PROT_EXEC: number };
const RAM = 0x2000_0000;

describe("unicorn addon", () => {
  test("a working emulator: map RAM, run two Thumb instructions, read a register", () => {
    const emulator = new addon.Emulator();
    const memory = new Uint8Array(0x1000);
    memory.set([0x2a, 0x20, 0x00, 0xbf]); // movs r0, #42; nop
    emulator.mapBuffer(RAM, memory, addon.PROT_READ | addon.PROT_WRITE | addon.PROT_EXEC);
    const result = emulator.run(RAM, RAM + 4);
    expect(result.error).toBeNull();
    expect(emulator.regRead("r0")).toBe(42);
    expect(emulator.instructions()).toBe(2);
    emulator.close();
  });

  test("every engine method after close() throws 'emulator closed'", () => {
    const emulator = new addon.Emulator();
    emulator.close();
    const calls: [string, () => unknown][] = [
      ["mapBuffer", () => emulator.mapBuffer(RAM, new Uint8Array(0x1000), addon.PROT_READ)],
      ["mapRam", () => emulator.mapRam(RAM, 0x1000)],
      ["unmap", () => emulator.unmap(RAM, 0x1000)],
      ["mapMmio", () => emulator.mapMmio(0x4000_0000, 0x1000, () => 0, () => undefined)],
      ["regRead", () => emulator.regRead("r0")],
      ["regWrite", () => emulator.regWrite("r0", 1)],
      ["addStopAddress", () => emulator.addStopAddress(RAM)],
      ["run", () => emulator.run(RAM, RAM + 4, 10)],
      ["stop", () => emulator.stop()],
    ];
    for (const [name, call] of calls) expect(call, name).toThrow("emulator closed");
    expect(() => emulator.close()).not.toThrow(); // closing twice is harmless
    expect(emulator.instructions()).toBe(0); // the counter lives outside the engine
  });

  test("arguments of the wrong type are TypeErrors, out-of-range numbers RangeErrors", () => {
    const emulator = new addon.Emulator();
    const calls: [string, () => unknown, ErrorConstructor][] = [
      ["mapBuffer address", () => emulator.mapBuffer("0x20000000", new Uint8Array(0x1000), 7), TypeError],
      ["mapBuffer array", () => emulator.mapBuffer(RAM, [1, 2, 3], 7), TypeError],
      ["mapBuffer other typed array", () => emulator.mapBuffer(RAM, new Uint16Array(0x800), 7), TypeError],
      ["mapBuffer length", () => emulator.mapBuffer(RAM, new Uint8Array(0x1000), 7, "all"), TypeError],
      ["mapRam", () => emulator.mapRam(RAM), TypeError],
      ["mapRam negative", () => emulator.mapRam(-4096, 0x1000), RangeError],
      ["unmap", () => emulator.unmap(null, 0x1000), TypeError],
      ["mapMmio callbacks", () => emulator.mapMmio(0x4000_0000, 0x1000, 1, 2), TypeError],
      ["regRead", () => emulator.regRead(0), TypeError],
      ["regWrite value", () => emulator.regWrite("r0", "1"), TypeError],
      ["regWrite name", () => emulator.regWrite({}, 1), TypeError],
      ["addStopAddress", () => emulator.addStopAddress(), TypeError],
      ["run", () => emulator.run(RAM), TypeError],
      ["run fraction", () => emulator.run(RAM, RAM + 4, 1.5), RangeError],
      ["run NaN", () => emulator.run(Number.NaN, RAM + 4), RangeError],
    ];
    for (const [name, call, type] of calls) expect(call, name).toThrow(type);
    // The emulator is still usable after all of that.
    emulator.mapRam(RAM, 0x1000);
    emulator.regWrite("r0", 7);
    expect(emulator.regRead("r0")).toBe(7);
    emulator.close();
  });

  test("close() from a peripheral callback while run() executes is refused", () => {
    const emulator = new addon.Emulator();
    const memory = new Uint8Array(0x1000);
    memory.set([0x01, 0x68]); // ldr r1, [r0]
    emulator.mapBuffer(RAM, memory, addon.PROT_READ | addon.PROT_EXEC);
    emulator.mapMmio(0x4000_0000, 0x1000, () => {
      emulator.close();
      return 0;
    }, () => undefined);
    emulator.regWrite("r0", 0x4000_0000);
    expect(() => emulator.run(RAM, RAM + 2)).toThrow("not allowed while the emulator runs");
    expect(emulator.regRead("pc")).toBeGreaterThan(0); // still open
    emulator.close();
  });
});
