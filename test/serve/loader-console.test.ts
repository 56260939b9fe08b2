// The loader's console on tier 2 (its firmware on the firmware runner behind `fusop sim serve --pty`):
// json mode kept through the system resets a command ends in (the mode word in RTC_BKP1R, which a
// system reset keeps: RM0434 "Backup registers"; start-fus from a running stack resets the part,
// cpu2-interface §4.4; FW_DELETE's resets, fus-behaviour §1.10), the WB55xE build on a 512 KB part, and the console build options — LPUART1
// instead of USART1 (build/fw/stm32wb55xg-lpuart1-57600, `--uart lpuart1`) and a speed other than
// 115200, which a line at another speed cannot talk to (the UART model misreads frames outside the
// receiver's tolerance, RM0434 USART "Tolerance of the USART receiver to clock deviation").
import { afterAll, describe, expect, test } from "vitest";
import { rmSync } from "node:fs";
import { loaderBuildElfPath } from "../../host-sim/paths.js";
import { Serve, Terminal, createBoard, directory, file, sendThroughPty, shown, stackImage, stopAllServes } from "./support.js";

afterAll(async () => {
  await stopAllServes();
  rmSync(directory, { recursive: true, force: true });
});

const LPUART1_BUILD = loaderBuildElfPath("stm32wb55xg-lpuart1-57600");

/** The JSON objects of an answer; throws on a line that is not one. */
function jsonLines(text: string): Record<string, unknown>[] {
  return text.split("\r\n").filter((line) => line !== "").map((line) => {
    const value = JSON.parse(line) as unknown;
    if (typeof value !== "object" || value === null) throw new Error(`not a JSON object: ${line}`);
    return value as Record<string, unknown>;
  });
}

/** Types `line` in json mode and reads up to its final {"ok":...} line. */
async function jsonCommand(terminal: Terminal, line: string, seconds = 60): Promise<Record<string, unknown>[]> {
  terminal.take();
  terminal.type(line);
  return jsonLines(await terminal.until(/\{"ok":(true|false)[^\r]*\r\n$/, seconds));
}

function resultOf(stopped: { stdout: string }): Record<string, unknown> {
  return JSON.parse(stopped.stdout.trim().split("\n").at(-1)!);
}

describe("the loader's console on tier 2 (sim serve --pty)", () => {
  test("json on, then start-fus from a running stack and delete: the part resets and every line after it is JSON, the final lines included", async () => {
    const board = createBoard("--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0", "--stack", file("stack.bin", stackImage("wb5x")));
    const serve = new Serve(board, "--loader", "--json");
    await serve.ready();
    const terminal = new Terminal(serve.link);
    try {
      terminal.type("json on");
      // Typed in text mode: echoed; the answer is already JSON.
      expect(await terminal.until(/\{"ok":true\}\r\n$/, 30)).toMatch(/(^|\n)json on\r\n\{"ok":true\}\r\n$/);
      const answer = await jsonCommand(terminal, "start-fus");
      expect(answer).toContainEqual({ loader: "0.1.0" }); // the start after the reset
      expect(answer).toContainEqual({ resume: "start-fus" });
      expect(answer.at(-1)).toEqual({ ok: true });
      const info = await jsonCommand(terminal, "info");
      expect(info).toContainEqual({ cpu2: "fus" });
      // FW_DELETE: FUS's own resets (fus-behaviour §1.10), the outcome read back after the last one.
      const deleted = await jsonCommand(terminal, "delete");
      expect(deleted).toContainEqual({ resume: "delete" });
      expect(deleted).toContainEqual({ stack: "none" });
      expect(deleted.at(-1)).toEqual({ ok: true });
    } finally {
      await terminal.close();
    }
    const stopped = await serve.stop();
    expect(stopped.code, stopped.stderr).toBe(0);
    expect((resultOf(stopped).resets as string[]).length).toBeGreaterThanOrEqual(2);
  }, 120_000);

  test("a 512 KB WB55 part gets the WB55xE build (build/fw/stm32wb55xe): info says flash-kb 512, and a BLE stack sent with sb installs below its end of flash", async () => {
    const board = createBoard("--family", "wb5x", "--flash-kb", "512", "--fus", "2.2.0");
    const serve = new Serve(board, "--loader", "--json");
    await serve.ready();
    let terminal = new Terminal(serve.link);
    try {
      const info = await terminal.command("info");
      expect(info).toMatch(/\r\nflash-kb 512\r\n[\s\S]*\r\nfus 2\.2\.0\r\n[\s\S]*OK\r\n$/);
      const stack = await sendThroughPty(serve, terminal, "install", file("stm32wb5x_BLE_Stack_full_fw.bin", stackImage("wb5x")));
      terminal = stack.terminal;
      expect(stack.sb.code, stack.sb.stderr).toBe(0);
      // The install address follows from the part's end of flash, 0x08080000 (fus-behaviour §6.2).
      const placed = Number(/placed-at (0x[0-9a-f]+)/.exec(stack.text)?.[1]);
      expect(placed).toBeGreaterThan(0x0800_c000);
      expect(placed + 0x6000).toBeLessThanOrEqual(0x0808_0000);
      expect(stack.text).toMatch(/stack 1\.24\.0\r\nOK\r\n$/);
    } finally {
      await terminal.close();
    }
    const stopped = await serve.stop();
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(resultOf(stopped).loader).toBe(loaderBuildElfPath("stm32wb55xe"));
    expect(shown(board).stack?.version).toBe("1.24.0");
  }, 120_000);

  test("the LPUART1 build at 57600 bit/s: info through --uart lpuart1 --baud 57600", async () => {
    const board = createBoard("--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0");
    const serve = new Serve(board, "--loader", "--loader-elf", LPUART1_BUILD, "--uart", "lpuart1", "--baud", "57600");
    await serve.ready();
    const terminal = new Terminal(serve.link);
    try {
      expect(await terminal.command("info")).toMatch(/\r\nflash-kb 1024\r\n[\s\S]*\r\nfus 2\.2\.0\r\n[\s\S]*OK\r\n$/);
    } finally {
      await terminal.close();
    }
    const stopped = await serve.stop();
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toContain("57600 bit/s, LPUART1");
    expect(stopped.stderr).not.toContain("misread");
  }, 60_000);

  test("a line at another speed than the build's gets no intact byte either way (115200 against the 57600 build; USART1 against the LPUART1 build)", async () => {
    for (const args of [["--uart", "lpuart1", "--baud", "115200"], ["--baud", "57600"]]) {
      const board = createBoard("--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0");
      const serve = new Serve(board, "--loader", "--loader-elf", LPUART1_BUILD, ...args);
      await serve.ready();
      const terminal = new Terminal(serve.link);
      try {
        // The same command that the test above gets answered, typed three times over 3 s.
        for (let i = 0; i < 3; i++) {
          terminal.type("info");
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        expect(terminal.take(), args.join(" ")).not.toMatch(/OK|flash-kb|loader|info/);
      } finally {
        await terminal.close();
      }
      const stopped = await serve.stop();
      expect(stopped.code, stopped.stderr).toBe(0);
      // LPUART1 at 57600 against a 115200 line: misread both ways; USART1 is never set up by this build.
      // The rate LPUART1 runs at is 256 x 64 MHz / BRR (the loader's clock), 57600 to within BRR's rounding.
      if (args.includes("lpuart1")) {
        const rate = /warning: LPUART1 runs at (\d+) bit\/s, the line at 115200: frames are misread both ways/.exec(stopped.stderr)?.[1];
        expect(Math.abs(Number(rate) - 57600), stopped.stderr).toBeLessThanOrEqual(1);
      }
      else expect(stopped.stderr).toContain("57600 bit/s, USART1");
    }
  }, 60_000);
});
