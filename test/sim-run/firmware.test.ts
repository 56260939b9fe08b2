// `fusop sim run` on the command line (the built CLI, dist/), with firmware of the project's own
// (test/firmware/, built by the Makefile) and a few hand-assembled images for the runner's edges.
// Facts the tests rely on: cpu2-interface §4.1 (boot CPU2, READY), §4.2 and §5.3 (GET_STATE),
// RM0434 via the models' citations (RCC clock tree, USART baud, IWDG, RTC backup registers).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot, buildDirectory } from "../../host-sim/paths.js";

const cli = join(projectRoot, "dist", "fusop.js");
const firmware = (name: string): string => join(buildDirectory, "test-firmware", name);
const directory = mkdtempSync(join(tmpdir(), "fusop-sim-run-"));
let boards = 0;

function fusop(...args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: "latin1" });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A bare WB55 1 MB board with FUS 2.2.0 (CPU2 runs FUS after boot). */
function bareBoard(): string {
  const path = join(directory, `board-${++boards}.json`);
  expect(fusop("sim", "create", path, "--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0").status).toBe(0);
  return path;
}

interface RunReport {
  ok: boolean;
  exitCode: number;
  resets: string[];
  virtualMs: number;
  serial: { name: string; baud: number | null; text: string }[];
  error?: { code: string; message: string; exitCode?: number };
}

function runJson(...args: string[]): RunReport {
  const { stdout } = fusop("sim", "run", ...args, "--json");
  // Events (system resets...) come first as NDJSON lines; the result is the last line.
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as RunReport;
}

const usart1 = (report: RunReport): { baud: number | null; text: string } => report.serial.find((s) => s.name === "USART1")!;

/** A raw image: vector table (SP, reset vector at 0x08000009) and Thumb code from 0x08000008. */
function rawImage(name: string, code: number[]): string {
  const words = [0x2000_1000, 0x0800_0009];
  const bytes = Buffer.alloc(8 + code.length * 2);
  words.forEach((w, i) => bytes.writeUInt32LE(w, i * 4));
  code.forEach((h, i) => bytes.writeUInt16LE(h, 8 + i * 2));
  const path = join(directory, name);
  writeFileSync(path, bytes);
  return path;
}

describe("test firmware through fusop sim run", () => {
  it("boots CPU2 with ST's IPCC/EXTI sequence and its own tables, waits with WFE, prints READY and GET_STATE (cpu2-interface §4.1, §4.2)", () => {
    const board = bareBoard();
    const { status, stdout } = fusop("sim", "run", firmware("ipcc-boot.elf"), "--board", board);
    expect(status).toBe(0);
    // FUS runs on a bare part: READY payload 0x01 (§3.14), GET_STATE idle with no error (§5.3, §5.4).
    expect(stdout).toBe("booting CPU2\r\nREADY payload 0x01\r\nGET_STATE state 0x00 error 0x00\r\n");
  });

  it("runtime-c/clock.c raises the clock to 64 MHz with HSE and the PLL, prints at 115200 baud on USART1, and restores MSI 4 MHz", () => {
    const report = runJson(firmware("clock-64mhz.elf"), "--board", bareBoard());
    expect(report.ok).toBe(true);
    expect(report.exitCode).toBe(0);
    const { baud, text } = usart1(report);
    expect(text).toBe("SYSCLK 64000000 Hz from HSE+PLL, USART1 at 115200\r\nback on MSI 4000000 Hz\r\n");
    // The line's last setting: BRR 35 at MSI 4 MHz, 114286 bit/s, within a UART's tolerance of
    // 115200 (at 64 MHz the first line went out with BRR 556: at 4 MHz that BRR gives 7194 bit/s).
    expect(Math.abs(baud! - 115_200) / 115_200).toBeLessThan(0.01);
    expect(baud).toBe(Math.round(4e6 / 35));
  });

  it("reads the same firmware from Intel HEX", () => {
    const report = runJson(firmware("clock-64mhz.hex"), "--board", bareBoard());
    expect(usart1(report).text).toBe("SYSCLK 64000000 Hz from HSE+PLL, USART1 at 115200\r\nback on MSI 4000000 Hz\r\n");
  });

  it("loops until the IWDG resets the part; the boot counter in a backup register survives each reset", () => {
    const board = bareBoard();
    const report = runJson(firmware("watchdog-reset.elf"), "--board", board);
    expect(report.exitCode).toBe(0);
    expect(report.resets).toEqual(["IWDG timeout", "IWDG timeout"]);
    expect(usart1(report).text).toBe("boot 1\r\nboot 2 after an IWDG reset\r\nboot 3 after an IWDG reset\r\nwatchdog test done\r\n");
    // 4 × (100 + 1) / 32 kHz = 12.6 ms per watchdog period, twice.
    expect(report.virtualMs).toBeGreaterThan(2 * 12.625);
    const saved = JSON.parse(readFileSync(board, "utf8"));
    expect(saved.backup.registers[0]).toBe("0x00000003");

    // The next run is a power-on: without VBAT the backup domain starts cleared ...
    expect(usart1(runJson(firmware("watchdog-reset.elf"), "--board", board)).text).toMatch(/^boot 1\r\n/);
    // ... with VBAT kept the counter goes on from where it was.
    const keep = JSON.parse(readFileSync(board, "utf8"));
    keep.backup.vbatKept = true;
    writeFileSync(board, JSON.stringify(keep));
    expect(usart1(runJson(firmware("watchdog-reset.elf"), "--board", board)).text).toBe("boot 4\r\nwatchdog test done\r\n");
  });
});

describe("interrupts on tier 2", () => {
  it("takes SysTick and USART1 interrupts: a tick counter while sleeping in WFI, then a TXE-driven line (ARMv7-M B1.5)", () => {
    const report = runJson(firmware("systick-interrupt.elf"), "--board", bareBoard());
    expect(report).toMatchObject({ ok: true, exitCode: 0 });
    expect(usart1(report).text).toBe("5 ticks, then sent from the USART1 interrupt\r\n");
    expect(report.virtualMs).toBeGreaterThan(5);
  });
});

describe("the runner's edges", () => {
  it("BKPT ends the run with r0 as the exit code", () => {
    const image = rawImage("bkpt.bin", [0x2007, 0xbe00]); // movs r0, #7; bkpt #0
    const report = runJson(image, "--at", "0x08000000", "--board", bareBoard());
    // A non-zero exit is a failure of the run (FIRMWARE_EXIT, exit 1) that carries the report.
    expect(report).toMatchObject({ ok: false, error: { code: "FIRMWARE_EXIT", exitCode: 7 } });
    expect(fusop("sim", "run", image, "--at", "0x08000000", "--board", bareBoard()).status).toBe(1);
  });

  it("semihosting SYS_EXIT with ADP_Stopped_ApplicationExit is exit code 0", () => {
    // movs r0, #0x18; ldr r1, [pc, #4]; bkpt #0xab; (pad); .word 0x20026
    const image = rawImage("exit.bin", [0x2018, 0x4901, 0xbeab, 0xbf00, 0x0026, 0x0002]);
    expect(runJson(image, "--at", "0x08000000", "--board", bareBoard())).toMatchObject({ ok: true, exitCode: 0 });
  });

  it("an access to an unmodelled address stops with UNMAPPED_ACCESS naming PC, address and size", () => {
    // ldr r0, [pc, #4]; ldr r0, [r0]; b .; (pad); .word 0x40000000 (TIM2, not modelled)
    const image = rawImage("unmapped.bin", [0x4801, 0x6800, 0xe7fe, 0xbf00, 0x0000, 0x4000]);
    const report = runJson(image, "--at", "0x08000000", "--board", bareBoard());
    expect(report.ok).toBe(false);
    expect(report.error!.code).toBe("UNMAPPED_ACCESS");
    expect(report.error!.message).toContain("32-bit read at 0x40000000");
    expect(report.error!.message).toContain("pc 0x0800000a");
  });

  it("WFI with nothing left to wake the core is CPU1_ASLEEP", () => {
    const image = rawImage("sleep.bin", [0xbf30, 0xe7fe]); // wfi; b .
    expect(runJson(image, "--at", "0x08000000", "--board", bareBoard()).error!.code).toBe("CPU1_ASLEEP");
  });

  it("SEV then WFE does not sleep (the event register is set)", () => {
    const image = rawImage("sev.bin", [0xbf40, 0xbf20, 0x2000, 0xbe00]); // sev; wfe; movs r0, #0; bkpt
    expect(runJson(image, "--at", "0x08000000", "--board", bareBoard())).toMatchObject({ ok: true, exitCode: 0 });
  });

  it("a firmware that uses the process stack gets INTERRUPT_NOT_MODELLED when SysTick would be taken", () => {
    // ldr r0, =0x20000800; msr psp, r0; movs r0, #2; msr control, r0 (SPSEL); isb;
    // ldr r0, =0xE000E010; ldr r1, =3999; str r1, [r0, #4]; movs r1, #7; str r1, [r0]; b .
    const image = rawImage("psp.bin", [0x4806, 0xf380, 0x8809, 0x2002, 0xf380, 0x8814, 0xf3bf, 0x8f6f,
      0x4803, 0x4904, 0x6041, 0x2107, 0x6001, 0xe7fe, 0x0800, 0x2000, 0xe010, 0xe000, 0x0f9f, 0x0000]);
    const report = runJson(image, "--at", "0x08000000", "--board", bareBoard());
    expect(report.error!.code).toBe("INTERRUPT_NOT_MODELLED");
    expect(report.error!.message).toContain("process stack");
  });

  it("a firmware that never ends stops at the virtual timeout with SIM_TIMEOUT", () => {
    const image = rawImage("loop.bin", [0xe7fe]); // b .
    const report = runJson(image, "--at", "0x08000000", "--timeout-ms", "5", "--board", bareBoard());
    expect(report.error!.code).toBe("SIM_TIMEOUT");
  });

  it("a raw binary without --at is a usage error", () => {
    const image = rawImage("noat.bin", [0xe7fe]);
    expect(runJson(image, "--board", bareBoard()).error!.code).toBe("USAGE");
  });
});
