// `app` and `boot` on tier 1: an application written to its slot at 0x0800C000 (README "Flash
// layout"), then handed the part only when its vector table is sane (initial SP in SRAM1, reset
// handler inside the slot) and CPU2 was not started since the last reset.
import { describe, expect, test } from "vitest";
import { expectSameBytes } from "../support/bytes.js";
import { APPLICATION_START, C, LoaderRig, fileBytes, sendFile } from "./support.js";

/** An application image: vector table (SP, reset handler), then code-like bytes. */
function application(stackPointer: number, reset: number, length = 3000): Uint8Array {
  const image = fileBytes(length, 21);
  const view = new DataView(image.buffer);
  view.setUint32(0, stackPointer, true);
  view.setUint32(4, reset, true);
  return image;
}

function sendApp(rig: LoaderRig, image: Uint8Array): string {
  expect(rig.exchange("app\r").at(-1)).toBe(C);
  return sendFile(rig, "app.bin", image);
}

describe("loader app + boot (tier 1)", () => {
  test("a sane application is written, read back, and boot hands the part over (LoaderAction 2)", () => {
    const rig = new LoaderRig();
    rig.text();
    const image = application(0x2003_0000, APPLICATION_START + 0x101);
    expect(sendApp(rig, image)).toMatch(/received-bytes 3000\r\nOK\r\n$/);
    expectSameBytes(rig.flash(APPLICATION_START, image.length), image, "application slot");
    expect(rig.command("boot")).toMatch(/\r\nOK\r\n$/);
    expect(rig.actions).toEqual([2]);
  });

  test.each([
    ["an initial SP outside SRAM1", 0x1000_0000, APPLICATION_START + 0x101],
    ["an initial SP past SRAM1's end", 0x2003_0008, APPLICATION_START + 0x101],
    ["a reset handler outside the slot", 0x2003_0000, 0x0800_0101],
    ["an ARM (even) reset handler address", 0x2003_0000, APPLICATION_START + 0x100],
  ])("%s: boot stays in the loader with NO_APPLICATION", (_name, stackPointer, reset) => {
    const rig = new LoaderRig();
    rig.text();
    sendApp(rig, application(stackPointer, reset));
    expect(rig.command("boot")).toMatch(/ERROR NO_APPLICATION boot: /);
    expect(rig.actions).toEqual([]);
  });

  test("a 12 KiB SRAM1 (WB15CC): an SP at the WB55's SRAM1 end is not sane there", () => {
    const rig = new LoaderRig({ family: "wb1x", flashKb: 320, fus: "1.2.0" });
    rig.text();
    sendApp(rig, application(0x2003_0000, APPLICATION_START + 0x101));
    expect(rig.command("boot")).toMatch(/ERROR NO_APPLICATION /);
    sendApp(rig, application(0x2000_3000, APPLICATION_START + 0x101));
    expect(rig.command("boot")).toMatch(/\r\nOK\r\n$/);
  });

  test("after a command that started CPU2, boot refuses: the application must start with CPU2 untouched", () => {
    const rig = new LoaderRig();
    rig.text();
    sendApp(rig, application(0x2003_0000, APPLICATION_START + 0x101));
    expect(rig.command("info")).toMatch(/OK\r\n$/);
    expect(rig.command("boot")).toMatch(/ERROR CPU2_ALREADY_BOOTED boot: /);
    expect(rig.actions).toEqual([]);
  });

  test("a second app replaces the whole first one, also the sectors it no longer needs", () => {
    const rig = new LoaderRig();
    rig.text();
    sendApp(rig, application(0x2003_0000, APPLICATION_START + 0x101, 6000));
    const second = application(0x2002_0000, APPLICATION_START + 0x201, 1000);
    sendApp(rig, second);
    expectSameBytes(rig.flash(APPLICATION_START, 1000), second, "application slot");
    expect(rig.flash(APPLICATION_START + 1000, 8192 - 1000).every((b) => b === 0xff)).toBe(true);
  });

  test("on start with a valid application: the boot window, then the application (LoaderAction 2)", () => {
    const rig = new LoaderRig();
    rig.text();
    sendApp(rig, application(0x2003_0000, APPLICATION_START + 0x101));
    rig.start(); // the next CPU1 start
    expect(rig.text()).toBe("loader 0.1.0\r\nboot-window-ms 1000\r\n");
    expect(new TextDecoder().decode(rig.wait(900_000))).toBe("");
    expect(rig.actions).toEqual([]);
    expect(new TextDecoder().decode(rig.wait(200_000))).toBe("boot 0x0800c000\r\n");
    expect(rig.actions).toEqual([2]);
  });

  test("a key within the boot window keeps the loader, and the key is console input", () => {
    const rig = new LoaderRig();
    rig.text();
    sendApp(rig, application(0x2003_0000, APPLICATION_START + 0x101));
    rig.start();
    rig.text();
    expect(rig.command("help")).toMatch(/^stay loader\r\nhelp\r\n.*OK\r\n$/s);
    rig.wait(5_000_000);
    expect(rig.actions).toEqual([]);
  });

  test("boot window 0: a valid application starts at once; without one the loader stays", () => {
    const rig = new LoaderRig(undefined, 0);
    expect(rig.actions).toEqual([]); // nothing to start yet
    sendApp(rig, application(0x2003_0000, APPLICATION_START + 0x101));
    rig.start();
    expect(rig.actions).toEqual([2]);
  });

  test("the application's request word in RTC_BKP0R keeps the loader once; the loader clears it, so the next start boots", () => {
    const rig = new LoaderRig(undefined, 0);
    sendApp(rig, application(0x2003_0000, APPLICATION_START + 0x101));
    rig.text();
    // What fusop_request_loader() (runtime-c/include/fusop_loader_request.h) leaves before its reset;
    // backup registers survive a system reset (RM0434 "Backup registers").
    rig.chip.board.backupRegisters[0] = 0x4c4f_4144;
    rig.start();
    expect(rig.text()).toBe("loader 0.1.0\r\nstay requested\r\n");
    expect(rig.actions).toEqual([]);
    expect(rig.chip.board.backupRegisters[0]).toBe(0);
    rig.start();
    expect(rig.actions).toEqual([2]);
  });

  test("the console's mode word (RTC_BKP1R) is cleared when the application gets the part, by boot or by the boot window", () => {
    const rig = new LoaderRig(undefined, 0);
    sendApp(rig, application(0x2003_0000, APPLICATION_START + 0x101));
    rig.command("json on");
    expect(rig.chip.board.backupRegisters[1]).toBe(0x4a53_4f4e);
    expect(rig.command("boot")).toBe('{"ok":true}\r\n');
    expect(rig.actions).toEqual([2]);
    expect(rig.chip.board.backupRegisters[1]).toBe(0);
    rig.command("json on");
    rig.start(); // the boot window (0 ms here) starts the application at once
    expect(rig.text()).toBe('{"loader":"0.1.0"}\r\n{"boot":"0x0800c000"}\r\n');
    expect(rig.actions).toEqual([2, 2]);
    expect(rig.chip.board.backupRegisters[1]).toBe(0);
  });

  test("another value in RTC_BKP0R is no request: the application starts and the register keeps its value", () => {
    const rig = new LoaderRig(undefined, 0);
    sendApp(rig, application(0x2003_0000, APPLICATION_START + 0x101));
    rig.chip.board.backupRegisters[0] = 0x1234_5678; // the application's own use of BKP0R
    rig.start();
    expect(rig.actions).toEqual([2]);
    expect(rig.chip.board.backupRegisters[0]).toBe(0x1234_5678);
  });
});
