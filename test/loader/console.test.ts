// The loader's console on tier 1 (assembly/loader/console.ts, output.ts): line editing, the one
// final line per command (`OK` / `ERROR <CODE> <message>` with the CLI's code names), `json on`.
import { describe, expect, test } from "vitest";
import { OperatorStatus } from "../../assembly/shared/codes.js";
import { LoaderError } from "../../assembly/loader/codes.js";
import { statusCode } from "../../host-sim/operator.js";
import { powerLoss, SeededRandom } from "../../host-sim/faults.js";
import { SystemResetOccurred } from "../../host-sim/tiers/tier.js";
import { LoaderRig, throughResets } from "./support.js";

/** The lines of an answer, without the echoed command line. */
function lines(answer: string): string[] {
  return answer.split("\r\n").filter((line) => line !== "");
}

/** Every line that ends a command: exactly one per command. */
function finalLines(answer: string): string[] {
  return lines(answer).filter((line) => /^(OK|ERROR |\{"ok":)/.test(line));
}

describe("loader console (tier 1)", () => {
  test("announces itself at start", () => {
    const rig = new LoaderRig();
    expect(rig.text()).toBe("loader 0.1.0\r\n");
  });

  test("echo, backspace and CR / LF / CRLF line ends; one final line per command", () => {
    const rig = new LoaderRig();
    rig.text();
    const answer = rig.command("hepl\b\blp");
    expect(answer.startsWith("hepl\b \b\b \blp\r\n")).toBe(true);
    expect(finalLines(answer)).toEqual(["OK"]);
    expect(finalLines(new TextDecoder().decode(rig.exchange("help\nhelp\r\nhelp\r")))).toEqual(["OK", "OK", "OK"]);
    // An empty line runs nothing.
    expect(finalLines(rig.command(""))).toEqual([]);
  });

  test("unknown commands and bad arguments end in ERROR with a name", () => {
    const rig = new LoaderRig();
    rig.text();
    expect(finalLines(rig.command("frobnicate"))).toEqual(["ERROR UNKNOWN_COMMAND unknown command; type help"]);
    expect(finalLines(rig.command("json maybe"))[0]).toMatch(/^ERROR USAGE_ERROR /);
    expect(finalLines(rig.command("json on off"))[0]).toMatch(/^ERROR USAGE_ERROR /);
  });

  test("a line longer than the buffer is refused whole", () => {
    const rig = new LoaderRig();
    rig.text();
    expect(finalLines(rig.command(`help ${"x".repeat(70)}`))[0]).toMatch(/^ERROR LINE_TOO_LONG /);
    expect(finalLines(rig.command("help"))).toEqual(["OK"]);
  });

  test("info: the part, the loader, and FUS's versions read from CPU2 (cpu2-interface §3.3)", () => {
    const rig = new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "1.2.0" });
    rig.text();
    const answer = lines(rig.command("info"));
    expect(answer).toContain("loader 0.1.0");
    expect(answer).toContain("flash-kb 1024");
    expect(answer).toContain("application 0x0800c000");
    expect(answer).toContain("cpu2 fus");
    expect(answer).toContain("fus 1.2.0");
    expect(answer).toContain("stack none");
    expect(answer.at(-1)).toBe("OK");
  });

  test("state: FUS_GET_STATE's state and error bytes (cpu2-interface §5.3)", () => {
    const rig = new LoaderRig();
    rig.text();
    const answer = lines(rig.command("state"));
    expect(answer).toContain("fus-state 0x00000000");
    expect(answer).toContain("fus-error 0x00000000");
    expect(answer.at(-1)).toBe("OK");
  });

  test("delete with no stack installed: the operator's refusal by its name", () => {
    const rig = new LoaderRig();
    rig.text();
    expect(finalLines(rig.command("delete"))).toEqual(["ERROR NO_STACK_INSTALLED delete: failed"]);
  });

  test("json on: one JSON object per line, no echo; failures in the CLI's shape", () => {
    const rig = new LoaderRig();
    rig.text();
    // The answer to `json on` is already JSON.
    expect(lines(rig.command("json on"))).toEqual(["json on", '{"ok":true}']);
    const answer = lines(rig.command("info"));
    for (const line of answer) expect(() => JSON.parse(line)).not.toThrow();
    expect(answer.map((line) => JSON.parse(line))).toContainEqual({ fus: "1.2.0" });
    expect(answer.map((line) => JSON.parse(line))).toContainEqual({ "flash-kb": 1024 });
    expect(JSON.parse(answer.at(-1)!)).toEqual({ ok: true });
    const failed = lines(rig.command("nope"));
    expect(failed).toHaveLength(1);
    expect(JSON.parse(failed[0])).toEqual({ ok: false, error: { code: "UNKNOWN_COMMAND", message: "unknown command; type help" } });
    // Typed in JSON mode (no echo), answered in text mode.
    expect(lines(rig.command("json off"))).toEqual(["OK"]);
    expect(finalLines(rig.command("help"))).toEqual(["OK"]);
  });

  test("boot with an empty slot stays in the loader: NO_APPLICATION", () => {
    const rig = new LoaderRig();
    rig.text();
    expect(finalLines(rig.command("boot"))[0]).toMatch(/^ERROR NO_APPLICATION /);
    expect(rig.actions).toEqual([]);
  });

  test("reset answers OK and asks the caller for a system reset (LoaderAction 1)", () => {
    const rig = new LoaderRig();
    rig.text();
    expect(finalLines(rig.command("reset"))).toEqual(["OK"]);
    expect(rig.actions).toEqual([1]);
  });

  test("the device's code-name table spells every code as the CLI does", () => {
    const rig = new LoaderRig();
    rig.text();
    rig.command("json on");
    // Each code reaches the console only in its own situation, so the tables themselves are read
    // from the module's static data (ASCII, code-names.ts), as output.ts indexes them.
    const memory = new TextDecoder("latin1").decode(rig.tier.readLinear(0, 7680));
    const table = (first: string) => {
      const start = memory.indexOf(first);
      expect(start).toBeGreaterThan(0);
      return memory.slice(start).split("\0")[0].split(" ");
    };
    const operatorNames = table("OK READY_TIMEOUT");
    for (const value of Object.values(OperatorStatus).filter((v): v is number => typeof v === "number")) {
      expect(operatorNames[value]).toBe(statusCode(value));
    }
    const loaderNames = table("UNKNOWN_COMMAND USAGE");
    for (const value of Object.values(LoaderError).filter((v): v is number => typeof v === "number")) {
      expect(loaderNames[value - 100]).toBe(LoaderError[value].replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase());
    }
    expect(operatorNames).toHaveLength(Math.max(...Object.values(OperatorStatus).filter((v): v is number => typeof v === "number")) + 1);
    expect(loaderNames).toHaveLength(Object.values(LoaderError).filter((v) => typeof v === "number").length);
  });
});

describe("commands that reset the part (tier 1)", () => {
  test("start-fus from a running stack: the part resets (cpu2-interface §4.4) and the next start gives the one final line", () => {
    const rig = new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 0x01, size: 0x20000 } });
    rig.text();
    const { text, resets } = throughResets(rig, () => rig.type("start-fus"));
    expect(resets).toBe(1);
    expect(text).toContain("resume start-fus");
    expect(finalLines(text)).toEqual(["OK"]);
    expect(lines(rig.command("info"))).toContain("cpu2 fus");
    // The mark is used once: a later restart answers nothing more.
    rig.start();
    expect(finalLines(rig.text())).toEqual([]);
  });

  test("delete: FW_DELETE through FUS's resets, the outcome read back (stack none) after the last one", () => {
    const rig = new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 0x01, size: 0x20000 } });
    rig.text();
    throughResets(rig, () => rig.type("start-fus"));
    const { text } = throughResets(rig, () => rig.type("delete"));
    expect(text).toContain("resume delete");
    expect(finalLines(text)).toEqual(["OK"]);
    expect(lines(text)).toContain("stack none");
  });

  test("start-ws after start-fus: back to the stack through the reset, one final line", () => {
    const rig = new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 0x01, size: 0x20000 } });
    rig.text();
    throughResets(rig, () => rig.type("start-fus"));
    const { text, resets } = throughResets(rig, () => rig.type("start-ws"));
    expect(resets).toBeGreaterThanOrEqual(1);
    expect(finalLines(text)).toEqual(["OK"]);
    expect(lines(text)).toContain("stack 1.24.0");
  });

  test("json on holds through the resets a command ends in: start-fus, then delete, answer only JSON lines (mode kept in RTC_BKP1R)", () => {
    const rig = new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 0x01, size: 0x20000 } });
    rig.text();
    expect(lines(rig.command("json on")).at(-1)).toBe('{"ok":true}');
    expect(rig.chip.board.backupRegisters[1]).toBe(0x4a53_4f4e); // "JSON"
    for (const command of ["start-fus", "delete"]) {
      const { text, resets } = throughResets(rig, () => rig.type(command));
      expect(resets, command).toBeGreaterThanOrEqual(1);
      const answer = lines(text).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(answer, command).toContainEqual({ loader: "0.1.0" });
      expect(answer, command).toContainEqual({ resume: command });
      expect(answer.at(-1), command).toEqual({ ok: true });
    }
    // json off gives the register back; the next start is in text mode.
    expect(lines(rig.command("json off"))).toEqual(["OK"]);
    expect(rig.chip.board.backupRegisters[1]).toBe(0);
    rig.start();
    expect(rig.text()).toBe("loader 0.1.0\r\n");
  });

  test("a power loss without VBAT clears the backup domain: the loader starts in text mode; with VBAT kept, in json mode", () => {
    for (const vbatKept of [false, true]) {
      const rig = new LoaderRig();
      rig.chip.board.vbatKept = vbatKept;
      rig.command("json on");
      powerLoss(rig.chip, new SeededRandom(1));
      expect(() => rig.command("info")).toThrow(SystemResetOccurred); // the part restarts
      rig.start();
      expect(rig.text(), `VBAT kept: ${vbatKept}`).toBe(vbatKept ? '{"loader":"0.1.0"}\r\n' : "loader 0.1.0\r\n");
    }
  });

  test("another value in RTC_BKP1R is the application's: text mode, and the value is kept", () => {
    const rig = new LoaderRig();
    rig.text();
    rig.chip.board.backupRegisters[1] = 0x1234_5678;
    rig.start();
    expect(rig.text()).toBe("loader 0.1.0\r\n");
    rig.command("json off");
    expect(rig.chip.board.backupRegisters[1]).toBe(0x1234_5678);
  });

  test("install and app while the wireless stack runs: refused before the transfer (cpu2-interface §4.5)", () => {
    const rig = new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 0x01, size: 0x20000 } });
    rig.text();
    expect(finalLines(rig.command("install"))).toEqual(["ERROR STACK_RUNNING install: the wireless stack runs; start-fus first"]);
    expect(finalLines(rig.command("app"))).toEqual(["ERROR STACK_RUNNING app: the wireless stack runs; start-fus first"]);
    throughResets(rig, () => rig.type("start-fus"));
    expect(rig.exchange("install\r").at(-1)).toBe(0x43); // C: the transfer starts
  });
});
