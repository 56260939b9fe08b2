// The GDB stub's packet codec and its answers to single packets (host-sim/serve/gdb-stub.ts), in
// process; the whole protocol with fusop's client and gdb-multiarch is in gdb.test.ts.
import { describe, expect, test } from "vitest";
import { Board } from "../../host-sim/board.js";
import { Stm32wb } from "../../host-sim/chip/stm32wb.js";
import { GdbStub, REGISTER_NAMES } from "../../host-sim/serve/gdb-stub.js";
import { RspDecoder, escapeBinary, frame, unescapeBinary } from "../../host-sim/serve/rsp-packet.js";
import { tier2Missing } from "../../cli/targets/tier-choice.js";

describe("RSP framing (GDB manual E.1)", () => {
  test("a packet carries the modulo-256 sum of its data", () => {
    expect(frame("OK").toString()).toBe("$OK#9a");
    expect(frame("").toString()).toBe("$#00");
  });

  test("binary data escapes #, $, } and * and comes back unchanged", () => {
    const data = Uint8Array.from([0x23, 0x24, 0x7d, 0x2a, 0x00, 0xff]);
    const escaped = escapeBinary(data);
    expect([...escaped]).not.toContain(0x23);
    expect([...unescapeBinary(escaped)]).toEqual([...data]);
  });

  test("the decoder joins packets split across chunks, and names acks, interrupts and bad checksums", () => {
    const decoder = new RspDecoder();
    const wire = Buffer.concat([Buffer.from("+"), frame("m20000000,4"), Buffer.from("\x03$g#00")]);
    expect(decoder.push(wire.subarray(0, 7))).toEqual([{ kind: "ack" }]);
    const items = decoder.push(wire.subarray(7));
    expect(items[0]).toEqual({ kind: "packet", data: Buffer.from("m20000000,4") });
    expect(items[1]).toEqual({ kind: "interrupt" });
    expect(items[2]).toEqual({ kind: "corrupt" });
  });
});

describe.skipIf(tier2Missing() !== null)("the stub's answers", () => {
  const stub = (): GdbStub => new GdbStub(new Stm32wb(new Board({ family: "wb5x", flashKb: 1024, fus: "1.2.0" })), 0);
  const ask = (target: GdbStub, packet: string): string => String(target.handle(Buffer.from(packet, "latin1")));

  test("registers in the target description's numbering, xPSR as register 16", () => {
    const target = stub();
    expect(ask(target, "P10=00000001")).toBe("OK"); // xPSR with the Thumb bit, little-endian
    expect(ask(target, "p10")).toBe("00000001");
    expect(ask(target, "g")).toHaveLength(REGISTER_NAMES.length * 8);
    const xml = ask(target, "qXfer:features:read:target.xml:0,3fff");
    expect(xml).toMatch(/^l/);
    expect(xml).toContain("org.gnu.gdb.arm.m-profile");
  });

  test("SRAM1 takes writes; flash refuses them (E03: no flash algorithm), and reads show it unchanged", () => {
    const target = stub();
    expect(ask(target, "M20000100,4:efbeadde")).toBe("OK");
    expect(ask(target, "m20000100,4")).toBe("efbeadde");
    expect(ask(target, "M08000000,4:00000000")).toBe("E03");
    expect(ask(target, "m08000000,4")).toBe("ffffffff");
  });

  test("the secure flash above SFSA is unreadable, as from CPU1 (fus-behaviour §1.1)", () => {
    expect(ask(stub(), "m080f4000,4")).toBe("E01");
  });

  test("monitor reset is a system reset of the part (SYSRESETREQ, as a debugger resets)", () => {
    const target = stub();
    const resets: string[] = [];
    target.onReset = (reason) => resets.push(reason);
    const answer = ask(target, `qRcmd,${Buffer.from("reset halt").toString("hex")}`);
    expect(Buffer.from(answer, "hex").toString()).toContain("system reset");
    expect(resets).toEqual(["AIRCR.SYSRESETREQ"]);
    expect(target.chip.systemResetCount).toBe(1);
  });
});
