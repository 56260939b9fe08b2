// Power loss at every CPU1 flash operation of `app` and of an `install` transfer, on tier 1
// (host-sim/faults.ts: SRAM and backup registers lost, flash kept). The loader's journal page
// (assembly/loader/journal.ts) decides after the restart: a half-written application is never
// booted, a half-received image is erased, and sending again succeeds.
import { describe, expect, test } from "vitest";
import { expectSameBytes } from "../support/bytes.js";
import { FaultInjector } from "../../host-sim/faults.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { SystemResetOccurred } from "../../host-sim/tiers/tier.js";
import { parseVersion } from "../../host-sim/versions.js";
import { APPLICATION_START, C, LoaderRig, fileBytes, sendFile, throughResets } from "./support.js";

function application(length: number): Uint8Array {
  const image = fileBytes(length, 31);
  const view = new DataView(image.buffer);
  view.setUint32(0, 0x2003_0000, true);
  view.setUint32(4, APPLICATION_START + 0x101, true);
  return image;
}

/** Sends `data` after `command`; true when power was lost on the way. */
function sendLosingPower(rig: LoaderRig, command: string, data: Uint8Array): boolean {
  try {
    expect(rig.exchange(`${command}\r`).at(-1)).toBe(C);
    sendFile(rig, "file.bin", data);
    return false;
  } catch (error) {
    if (error instanceof SystemResetOccurred) return true;
    throw error;
  }
}

/** CPU1 starts again after power-on: the loader's start, and what it says. */
function restart(rig: LoaderRig): string {
  rig.start();
  return rig.text();
}

function cpu1FlashSteps(run: (rig: LoaderRig) => void): number {
  const rig = new LoaderRig();
  rig.text();
  const counter = new FaultInjector({ kinds: ["cpu1-flash"] });
  counter.attach(rig.chip);
  run(rig);
  return counter.steps;
}

describe("loader power loss (tier 1)", () => {
  test("app: power lost at each flash operation — boot never takes a half-written application; sending again works", () => {
    const image = application(1000);
    const total = cpu1FlashSteps((rig) => sendLosingPower(rig, "app", image));
    expect(total).toBeGreaterThan(125); // 125 double words, the erase, the journal records
    for (let step = 1; step <= total; step++) {
      const rig = new LoaderRig();
      rig.text();
      new FaultInjector({ at: [{ step, action: "power-loss" }], kinds: ["cpu1-flash"] }).attach(rig.chip);
      expect(sendLosingPower(rig, "app", image), `step ${step}`).toBe(true);
      restart(rig);
      const boot = rig.command("boot");
      if (boot.endsWith("\r\nOK\r\n")) {
        // Only possible once the journal said valid: then the whole application is there.
        expectSameBytes(rig.flash(APPLICATION_START, image.length), image, `application after power loss at step ${step}`);
      } else {
        expect(boot, `step ${step}`).toMatch(/ERROR NO_APPLICATION boot: /);
      }
      expect(sendLosingPower(rig, "app", image)).toBe(false);
      expect(rig.command("boot"), `step ${step}`).toMatch(/\r\nOK\r\n$/);
    }
  });

  test("install: power lost while the image arrives or is moved up to its place — the next start erases all of it", () => {
    const image = buildImage({ kind: "fus", version: parseVersion("2.2.0"), size: 24_464, family: "wb5x" });
    // Ends in FUS's reset after FW_UPGRADE: every CPU1 flash operation comes before it.
    const total = cpu1FlashSteps((rig) => expect(sendLosingPower(rig, "install", image)).toBe(true));
    // Every 97th operation (block boundaries fall at every 128th double word) and the last ones.
    const steps = [...Array.from({ length: Math.floor(total / 97) }, (_, i) => 1 + i * 97), total - 2, total - 1];
    for (const step of steps) {
      const rig = new LoaderRig();
      rig.text();
      new FaultInjector({ at: [{ step, action: "power-loss" }], kinds: ["cpu1-flash"] }).attach(rig.chip);
      expect(sendLosingPower(rig, "install", image)).toBe(true);
      const said = restart(rig);
      // Both copies — where it arrived and where placement was moving it — are gone: all of the
      // free flash up to the secure area is erased again.
      const secure = 0x0800_0000 + rig.chip.board.optionBytes.sfsa * 4096;
      expect(rig.flash(APPLICATION_START, secure - APPLICATION_START).every((byte) => byte === 0xff), `step ${step}: ${said}`).toBe(true);
      expect(rig.command("info")).toContain("fus 1.2.0");
    }
  });
});

describe("loader power loss between FW_UPGRADE and FUS's install (tier 1)", () => {
  // FUS's steps (host-sim/faults.ts: the system commands CPU2 receives and FUS's phases), counted
  // from the `install` line on: FW_UPGRADE, FUS's verify phase, the loader's GET_STATE polls, then
  // the first phase that writes (FUS's temporary copy: FUS has committed, fus-behaviour §1.7).
  const image = buildImage({ kind: "fus", version: parseVersion("2.2.0"), size: 24_464, family: "wb5x" });
  const fusSteps = { kinds: ["command", "phase"] as ("command" | "phase")[] };
  const secureOf = (rig: LoaderRig) => 0x0800_0000 + rig.chip.board.optionBytes.sfsa * 4096;
  const stagingErased = (rig: LoaderRig) => rig.flash(APPLICATION_START, secureOf(rig) - APPLICATION_START).every((byte) => byte === 0xff);

  /** `install` of the FUS image, through FUS's resets; what the loader said. */
  function install(rig: LoaderRig): string {
    expect(rig.exchange("install\r").at(-1)).toBe(C);
    return throughResets(rig, () => sendFile(rig, "stm32wb5x_FUS_fw.bin", image)).text;
  }

  const clean = new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "1.2.0" });
  clean.text();
  const log = new FaultInjector(fusSteps).attach(clean.chip).log;
  install(clean);
  const upgrade = log.find((record) => /command 0xfc54 to fus/.test(record.label))!.step;
  const committed = log.find((record) => record.kind === "phase" && /copy|install/.test(record.label) && !/verify/.test(record.label))!.step;

  test("the window exists: FW_UPGRADE, FUS's verify phase and polls come before its first copy", () => {
    expect(upgrade).toBeGreaterThan(0);
    expect(committed - upgrade).toBeGreaterThan(2);
  });

  // A reset keeps SRAM2a's operator record, power loss does not (the journal's record stands in):
  // both end the same way, with the same final line.
  test.each(["power-loss", "reset"] as const)("%s in the window: the next start asks FUS, which never took the image — OPERATION_NOT_APPLIED, staging erased; the same image then installs", (action) => {
    for (let step = upgrade; step < committed; step++) {
      const rig = new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "1.2.0" });
      rig.text();
      new FaultInjector({ ...fusSteps, at: [{ step, action }] }).attach(rig.chip);
      expect(sendLosingPower(rig, "install", image), `step ${step}`).toBe(true);
      const said = throughResets(rig, () => rig.start()).text;
      expect(said, `step ${step}`).toMatch(/resume install\r\n(.*\r\n)*ERROR OPERATION_NOT_APPLIED install: failed\r\n$/);
      expect(stagingErased(rig), `step ${step}: ${said}`).toBe(true);
      expect(rig.command("info")).toContain("fus 1.2.0");
      // A start after that resumes nothing more.
      rig.start();
      expect(rig.text()).not.toContain("resume");
      // Before the fix the stale image above made the preflight refuse this (STAGED_IMAGE_REFUSED).
      expect(install(rig), `step ${step}`).toMatch(/fus 2\.2\.0\r\nstack none\r\nOK\r\n$/);
      expect(stagingErased(rig)).toBe(true);
    }
  });

  test("stage keeps its image through a start; power lost right after upgrade's FW_UPGRADE ends as for install", () => {
    const rig = new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "1.2.0" });
    rig.text();
    expect(rig.exchange("stage\r").at(-1)).toBe(C);
    expect(sendFile(rig, "stm32wb5x_FUS_fw.bin", image)).toMatch(/\r\nOK\r\n$/);
    const staged = rig.flash(APPLICATION_START, secureOf(rig) - APPLICATION_START);
    expect(staged.some((byte) => byte !== 0xff)).toBe(true);
    // A start with a staged image, never handed to FUS: nothing resumed, nothing erased.
    rig.start();
    expect(rig.text()).not.toContain("resume");
    expectSameBytes(rig.flash(APPLICATION_START, staged.length), staged, "the staged image after a start");
    const faults = new FaultInjector({ kinds: ["command"], at: [{ step: 1, action: "power-loss" }] }).attach(rig.chip);
    expect(() => rig.command("upgrade")).toThrow(SystemResetOccurred);
    expect(faults.log[0].label).toMatch(/command 0xfc54 to fus/);
    const said = throughResets(rig, () => rig.start()).text;
    expect(said).toMatch(/resume install\r\n(.*\r\n)*ERROR OPERATION_NOT_APPLIED install: failed\r\n$/);
    expect(stagingErased(rig)).toBe(true);
    expect(rig.command("upgrade")).toMatch(/ERROR NO_IMAGE_STAGED/);
  });

  test("power lost once FUS had committed: the next start follows FUS through its install to the new version, OK", () => {
    const rig = new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "1.2.0" });
    rig.text();
    new FaultInjector({ ...fusSteps, at: [{ step: committed, action: "power-loss" }] }).attach(rig.chip);
    expect(sendLosingPower(rig, "install", image)).toBe(true);
    const said = throughResets(rig, () => rig.start()).text;
    expect(said).toContain("resume install");
    expect(said).toMatch(/fus 2\.2\.0\r\nstack none\r\nOK\r\n$/);
    expect(stagingErased(rig)).toBe(true);
    rig.start();
    expect(rig.text()).not.toContain("resume");
  });
});
