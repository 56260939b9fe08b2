// The field loader firmware on tier 2 (build/fw/stm32wb55xg/fusop-loader.elf on the firmware runner)
// behind `fusop sim serve --pty`, with Debian's lrzsz `sb` as the sender through the pty — the
// issue's "from a terminal" path. Virtual time follows wall time there, so these tests take as long
// as the transfers do at the line's speed (a few seconds each). Facts relied on: the FUS upgrade
// resets (fus-behaviour §1.7), the upgrade policy's refusals (fus-behaviour §1.4, §3.2, §4.3), and
// the install address from the footer (fus-behaviour §1.6).
import { afterAll, describe, expect, test } from "vitest";
import { rmSync } from "node:fs";
import { Serve, Terminal, createBoard, stopAllServes, directory, file, fusImage, sendThroughPty, shown, stackImage } from "./support.js";

afterAll(async () => {
  await stopAllServes();
  rmSync(directory, { recursive: true, force: true });
});

describe("sim serve --pty: the loader on tier 2 with lrzsz sb through the pty", () => {
  test("from a fresh part: FUS 1.2.0 -> 2.2.0, then a BLE stack that ends running; each install ends in OK and the board is saved", async () => {
    const board = createBoard("--family", "wb5x", "--flash-kb", "1024", "--fus", "1.2.0");
    const serve = new Serve(board, "--loader");
    await serve.ready();
    let terminal = new Terminal(serve.link);
    try {
      expect(await terminal.command("info")).toMatch(/fus 1\.2\.0\r\n[\s\S]*stack none\r\nOK\r\n$/);

      const fus = await sendThroughPty(serve, terminal, "install", file("stm32wb5x_FUS_fw.bin", fusImage("2.2.0")));
      terminal = fus.terminal;
      expect(fus.sb.code, fus.sb.stderr).toBe(0);
      // The outcome comes after FUS's resets, unasked, with the versions read back.
      expect(fus.text).toContain("resume install");
      expect(fus.text).toMatch(/fus 2\.2\.0\r\nstack none\r\nOK\r\n$/);

      const stack = await sendThroughPty(serve, terminal, "install", file("stm32wb5x_BLE_Stack_full_fw.bin", stackImage("wb5x")));
      terminal = stack.terminal;
      expect(stack.sb.code, stack.sb.stderr).toBe(0);
      expect(stack.text).toMatch(/stack 1\.24\.0\r\nOK\r\n$/);

      // The install ends with the new stack running (start-ws would answer STACK_RUNNING).
      expect(await terminal.command("info")).toMatch(/cpu2 stack\r\n[\s\S]*OK\r\n$/);
    } finally {
      await terminal.close();
    }
    const stopped = await serve.stop("SIGINT");
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toContain("system reset");
    const saved = shown(board);
    expect(saved.fusVersion).toBe("2.2.0");
    expect(saved.stack?.version).toBe("1.24.0");
  }, 180_000);

  test("an application sent with app is written, verified and booted: the loader hands CPU1 over and the application runs", async () => {
    const board = createBoard("--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0");
    const serve = new Serve(board, "--loader");
    await serve.ready();
    // A vector table (initial SP in SRAM1, reset handler at 0x0800C101, Thumb), and at 0x0800C100
    // `movs r0, #42; bkpt #0`: the firmware's end on tier 2 with exit code r0 (README "Boot decision").
    const image = new Uint8Array(0x200).fill(0xff);
    const view = new DataView(image.buffer);
    view.setUint32(0, 0x2003_0000, true);
    view.setUint32(4, 0x0800_c101, true);
    view.setUint16(0x100, 0x202a, true);
    view.setUint16(0x102, 0xbe00, true);
    let terminal = new Terminal(serve.link);
    try {
      const sent = await sendThroughPty(serve, terminal, "app", file("app.bin", image));
      terminal = sent.terminal;
      expect(sent.sb.code, sent.sb.stderr).toBe(0);
      // sb may have read the start of the loader's answer before it left the line.
      expect(sent.text).toMatch(/bytes 512\r\nOK\r\n$/);
      terminal.type("boot");
      await terminal.until(/boot\r\nOK\r\n/);
    } finally {
      await terminal.close();
    }
    const ended = await serve.ended();
    expect(ended.code, ended.stderr).toBe(0);
    expect(ended.stdout).toContain("the firmware stopped (BKPT or semihosting exit, code 42)");
  }, 120_000);
});
