// The serial target's pure parts: --port auto's choice among USB serial ports (ST-LINK VCP ids as
// in OpenOCD's interface/stlink.cfg), and reading the loader's answer lines in json mode, the one
// the client keeps (assembly/loader/README.md: json on's objects; text lines are no answer).
import { describe, expect, test } from "vitest";
import { parseConsoleLine } from "../../cli/targets/loader-console.js";
import { describePart, stlinkPorts } from "../../cli/targets/serial-board.js";

describe("--port auto", () => {
  test("only ST-LINK ports with a virtual COM port are taken, ids in any case", () => {
    const ports = [
      { path: "/dev/ttyACM0", vendorId: "0483", productId: "374B" }, // ST-LINK/V2-1 (NUCLEO-WB55)
      { path: "/dev/ttyACM1", vendorId: "0483", productId: "3748" }, // ST-LINK/V2: no VCP
      { path: "/dev/ttyACM2", vendorId: "0483", productId: "374e" }, // STLINK-V3
      { path: "/dev/ttyUSB0", vendorId: "0403", productId: "6001" }, // an FTDI cable
      { path: "/dev/ttyS0" },
    ];
    expect(stlinkPorts(ports).map((port) => port.path)).toEqual(["/dev/ttyACM0", "/dev/ttyACM2"]);
  });
});

describe("the loader's answer lines", () => {
  test.each([
    ['{"fus":"2.2.0"}', { kind: "field", key: "fus", value: "2.2.0" }],
    ['{"flash-kb":1024}', { kind: "field", key: "flash-kb", value: 1024 }],
    ['{"ok":true}', { kind: "ok" }],
    ['{"ok":false,"error":{"code":"STAGED_IMAGE_REFUSED","message":"install: failed"}}', { kind: "error", code: "STAGED_IMAGE_REFUSED", message: "install: failed" }],
    // Text mode is what a terminal gets; the client keeps json on, which holds through resets: a
    // text line is no answer (the echo of `json on` typed in text mode, a start after a power loss).
    ["json on", { kind: "other", text: "json on" }],
    ["OK", { kind: "other", text: "OK" }],
    ["ERROR TRANSFER_CANCELLED install: transfer failed", { kind: "other", text: "ERROR TRANSFER_CANCELLED install: transfer failed" }],
    ['{"fus":', { kind: "other", text: '{"fus":' }],
    ["1024", { kind: "other", text: "1024" }],
  ])("%s", (line, expected) => {
    expect(parseConsoleLine(line)).toEqual(expected);
  });

  test("a part description needs every field; an older loader's answer is named, not guessed", () => {
    expect(() => describePart({ fields: { cpu2: "fus", sfsa: "0x000000f4" } }, null)).toThrow(/lacks 'device-id'/);
  });
});
