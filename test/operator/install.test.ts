// Long FUS operations end to end on both tiers: stage an image with the operator's flash driver
// at the address the planner chose, FW_UPGRADE, follow the resets to the end; FUS's refusals
// surface as named errors (fus-behaviour §1.3-§1.8, §1.10-§1.13; cpu2-interface §5).
import { describe, expect, test } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import { Cpu2Mode } from "../../assembly/shared/codes.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { rawPublicKey } from "../../host-sim/images/signing.js";
import { UpgradePlanner } from "../../host-sim/images/planner.js";
import { Session } from "../../host-sim/session.js";
import { parseVersion } from "../../host-sim/versions.js";
import { codeOf, rig, tierNames, type Rig } from "../support/tiers.js";
import type { BoardConfig } from "../../host-sim/board.js";
import { expectSameBytes } from "../support/bytes.js";

const planner = new UpgradePlanner();
const fresh22: BoardConfig = { family: "wb5x", flashKb: 1024, fus: "2.2.0" };

function stackImage(version: string, options: { size?: number; stKey?: ReturnType<typeof generateKeyPairSync>["privateKey"] } = {}) {
  return buildImage({
    kind: "stack", version: parseVersion(version), size: options.size ?? 0x6000, family: "wb5x", format: "legacy",
    stackType: 0x01, stKey: options.stKey,
  });
}

function plannedAddress(setup: Rig, image: Uint8Array, fusVersion: string): number {
  const result = planner.plan(
    { family: "wb5x", flashKb: 1024, fusVersion, sfsa: setup.chip.board.optionBytes.sfsa },
    [{ file: "stack.bin", tail: image.slice(-256), size: image.length }],
  );
  if (!result.ok) throw new Error(`plan refused: ${result.status}`);
  return result.steps[0].address!;
}

describe.each(tierNames)("tier %s", (tierName) => {
  test("stage + FW_UPGRADE installs a stack through several resets; READY then says stack (§1.6-§1.8)", () => {
    const setup = rig(tierName, fresh22);
    const session = new Session(setup.chip, setup.tier);
    const image = stackImage("1.24.0");
    const address = plannedAddress(setup, image, "2.2.0");
    setup.operator.stage(image, address);
    expectSameBytes(setup.chip.board.flash.subarray(address - 0x0800_0000, address - 0x0800_0000 + image.length), image);

    const done = session.runLongOperation((operator) => operator.fwUpgrade());
    expect(done.mode).toBe(Cpu2Mode.WirelessStack);
    expect(done.resets).toBeGreaterThanOrEqual(1);
    const information = setup.operator.deviceInformation();
    expect(information).toMatchObject({ layout: "stack", stackVersion: "1.24.0", fusVersion: "2.2.0", stackType: 0x01 });
    // SFSA now starts at the installed stack (fus-behaviour §1.6).
    const identity = setup.operator.identify();
    expect(identity.sbrvSelectsFus).toBe(false);
    expect(identity.sfsa * 4096 + 0x0800_0000).toBe(setup.chip.board.cpu2.stack!.start);
  });

  test("FUS answering (0xFF, 0xFE) for a moment during a stack install is re-asked, not a failure (fus-behaviour §1.3, MPY)", () => {
    const setup = rig(tierName, fresh22);
    const session = new Session(setup.chip, setup.tier);
    const image = stackImage("1.24.0");
    setup.operator.stage(image, plannedAddress(setup, image, "2.2.0"));
    setup.chip.cpu2.notRunningBlips = 3;
    const done = session.runLongOperation((operator) => operator.fwUpgrade());
    expect(setup.chip.cpu2.notRunningBlips).toBe(0); // the quirk did show
    expect(done.mode).toBe(Cpu2Mode.WirelessStack);
    expect(setup.operator.deviceInformation().stackVersion).toBe("1.24.0");
  });

  test("an image signed with another key is refused: FUS_STATE_IMG_NOT_AUTHENTIC, nothing installed (§1.5)", () => {
    const setup = rig(tierName, fresh22);
    const session = new Session(setup.chip, setup.tier);
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const image = stackImage("1.24.0", { stKey: privateKey });
    setup.operator.stage(image, plannedAddress(setup, image, "2.2.0"));
    expect(codeOf(() => session.runLongOperation((operator) => operator.fwUpgrade()))).toBe("FUS_STATE_IMG_NOT_AUTHENTIC");
    expect(setup.chip.board.cpu2.stack).toBeNull();
    expect(setup.operator.fusGetState().stateName).toBe("FUS_STATE_IDLE"); // the error was reported once
  });

  test("FW_UPGRADE with nothing staged: the operator says NO_IMAGE_STAGED; FUS itself says IMG_NOT_FOUND (§1.3)", () => {
    const setup = rig(tierName, fresh22);
    const session = new Session(setup.chip, setup.tier);
    expect(codeOf(() => session.runLongOperation((operator) => operator.fwUpgrade()))).toBe("NO_IMAGE_STAGED");
    setup.operator.setSafetyPolicy(false);
    expect(codeOf(() => session.runLongOperation((operator) => operator.fwUpgrade()))).toBe("FUS_STATE_IMG_NOT_FOUND");
  });

  test("the leftover-image trap (seed FAQ): a refused FUS 1.2.0 image above a staged stack is caught before FW_UPGRADE", () => {
    const setup = rig(tierName, fresh22);
    const session = new Session(setup.chip, setup.tier);
    // Someone forced a FUS V1.2.0 image onto this V2.2 part; FUS refused it and left it in flash.
    setup.operator.setSafetyPolicy(false);
    const oldFus = buildImage({ kind: "fus", version: parseVersion("1.2.0"), size: 0x7ff0, family: "wb5x" });
    setup.operator.stage(oldFus, 0x080e_c000);
    expect(codeOf(() => session.runLongOperation((operator) => operator.fwUpgrade()))).toMatch(/^FUS_STATE_/);
    setup.operator.setSafetyPolicy(true);
    // Now a stack is staged lower; FUS would pick the leftover again. The operator sees it first.
    const stack = stackImage("1.24.0");
    setup.operator.stage(stack, 0x080c_0000);
    const refused = codeOf(() => setup.operator.fwUpgrade());
    expect(refused).toBe("FUS_DOWNGRADE");
    expect(setup.tier.call("stagedImageStart")).toBe(0x080e_c000);
    // Erasing the leftover (FAQ: 0x080F0000-0x080F3FFF; here the whole image) clears the way.
    setup.tier.call("flashErase", 0x080e_c000, 0x8000);
    expect(setup.tier.call("fusCheckStagedImage")).toBe(0);
    expect(setup.tier.call("stagedImageStart")).toBe(0x080c_0000);
  });

  test("FW_DELETE removes the stack and FUS keeps running; START_WS then has nothing to start (§1.10, §1.11)", () => {
    const setup = rig(tierName, { ...fresh22, stack: { version: "1.24.0", type: 1, size: 0x6000 } });
    const session = new Session(setup.chip, setup.tier);
    const done = session.runLongOperation((operator) => operator.fwDelete());
    expect(done.mode).toBe(Cpu2Mode.Fus);
    expect(setup.operator.deviceInformation().stackVersion).toBeNull();
    expect(codeOf(() => setup.operator.startWirelessStack())).toBe("NO_STACK_INSTALLED");
  });

  test("FW_DELETE keeps a new-format stack's NVM section (SFSA 0xF0); FW_PURGE removes it (SFSA 0xF4) (§1.10, §2)", () => {
    const withNewStack: BoardConfig = { ...fresh22, stack: { version: "1.24.0", type: 1, size: 0x6000, format: "new" } };
    const deleting = rig(tierName, withNewStack);
    new Session(deleting.chip, deleting.tier).runLongOperation((operator) => operator.fwDelete());
    expect(deleting.operator.identify().sfsa).toBe(0xf0);
    const purging = rig(tierName, withNewStack);
    new Session(purging.chip, purging.tier).runLongOperation((operator) => operator.fwPurge());
    expect(purging.operator.identify().sfsa).toBe(0xf4);
    expect(purging.operator.deviceInformation().stackVersion).toBeNull();
  });

  test("start-fus then START_WS returns to the stack (§1.11)", () => {
    const setup = rig(tierName, { ...fresh22, stack: { version: "1.24.0", type: 1, size: 0x6000 } });
    const session = new Session(setup.chip, setup.tier);
    session.ensureFus();
    expect(setup.operator.mode).toBe(Cpu2Mode.Fus);
    const done = session.runLongOperation((operator) => operator.startWirelessStack());
    expect(done.mode).toBe(Cpu2Mode.WirelessStack);
  });

  test("FUS self-upgrade 1.2.0 -> 2.2.0 through the operator: three resets, FUS_UPGRD_ONGOING, user keys gone (§1.6, §1.13, §2)", () => {
    const setup = rig(tierName, { family: "wb5x", flashKb: 1024, fus: "1.2.0" });
    const phases: string[] = [];
    const session = new Session(setup.chip, setup.tier, (event) => {
      if (event.kind === "state") phases.push(event.reading.stateName);
    });
    session.boot();
    setup.operator.storeUserKey(1, new Uint8Array(16).fill(3));
    const fus = buildImage({ kind: "fus", version: parseVersion("2.2.0"), size: 24_464, family: "wb5x" });
    const plan = planner.plan({ family: "wb5x", flashKb: 1024, fusVersion: "1.2.0", sfsa: setup.chip.board.optionBytes.sfsa },
      [{ file: "stm32wb5x_FUS_fw.bin", tail: fus.slice(-256), size: fus.length }]);
    if (!plan.ok) throw new Error(`plan refused: ${plan.status}`);
    setup.operator.stage(fus, plan.steps[0].address!, undefined, plan.steps[0].eraseEnd ?? undefined);
    const done = session.runLongOperation((operator) => operator.fwUpgrade());
    expect(done.mode).toBe(Cpu2Mode.Fus);
    expect(done.resets).toBeGreaterThanOrEqual(2);
    expect(phases).toContain("FUS_STATE_FUS_UPGRD_ONGOING");
    expect(setup.operator.deviceInformation().fusVersion).toBe("2.2.0");
    expect(setup.operator.fusGetState().stateName).toBe("FUS_STATE_IDLE");
    expect(setup.chip.board.cpu2.userKeys).toEqual([]); // every FUS upgrade erases user keys (WIKI FAQ)
  });

  test("off FUS V0.5.3 with the dedicated V1.2.0 binary: FUS's IMG_NOT_AUTHENTIC at the end is taken for what it is (fus-behaviour §1.3 F-053)", () => {
    const setup = rig(tierName, { family: "wb5x", flashKb: 1024, fus: "0.5.3" });
    const session = new Session(setup.chip, setup.tier);
    session.boot();
    const file = "stm32wb5x_FUS_fw_for_fus_0_5_3.bin";
    const fus = buildImage({ kind: "fus", version: parseVersion("1.2.0"), size: 24_464, family: "wb5x", fusVariant: "for-0.5.3" });
    const plan = planner.plan({ family: "wb5x", flashKb: 1024, fusVersion: "0.5.3", sfsa: setup.chip.board.optionBytes.sfsa },
      [{ file, tail: fus.slice(-256), size: fus.length }]);
    if (!plan.ok) throw new Error(`plan refused: ${plan.status}`);
    setup.operator.stage(fus, plan.steps[0].address!, undefined, plan.steps[0].eraseEnd ?? undefined);
    const done = session.runLongOperation((operator) => operator.fwUpgrade());
    expect(done.mode).toBe(Cpu2Mode.Fus);
    expect(setup.operator.deviceInformation().fusVersion).toBe("1.2.0");
    expect(setup.operator.identify().sbrv).toBe(0x3d000); // FUS moved down from V0.5.3's 0x3D800 (fus-behaviour §1.1)
  });

  test("a 512 KB WB55 (SFSA 0xF4 beyond its flash): planned, staged, checked and installed (fus-behaviour §6.1)", () => {
    const setup = rig(tierName, { family: "wb5x", flashKb: 512, fus: "2.2.0" });
    const session = new Session(setup.chip, setup.tier);
    const image = stackImage("1.24.0");
    const result = planner.plan({ family: "wb5x", flashKb: 512, fusVersion: "2.2.0", sfsa: setup.chip.board.optionBytes.sfsa },
      [{ file: "stack.bin", tail: image.slice(-256), size: image.length }]);
    if (!result.ok) throw new Error(`plan refused: ${result.status}`);
    expect(result.steps[0].address! + image.length).toBeLessThanOrEqual(0x0808_0000);
    setup.operator.stage(image, result.steps[0].address!);
    const done = session.runLongOperation((operator) => operator.fwUpgrade());
    expect(done.mode).toBe(Cpu2Mode.WirelessStack);
    expect(setup.operator.deviceInformation().stackVersion).toBe("1.24.0");
  });

  test("preflight: an image the part already has (FUS 2.2.0 on FUS 2.2.0) never reaches FUS (FW_ROLLBACK_ERROR leftover)", () => {
    const setup = rig(tierName, fresh22);
    const session = new Session(setup.chip, setup.tier);
    session.boot();
    setup.operator.setSafetyPolicy(false);
    setup.operator.stage(buildImage({ kind: "fus", version: parseVersion("2.2.0"), size: 24_464, family: "wb5x" }), 0x080e_e000);
    setup.operator.setSafetyPolicy(true);
    const sent = [] as number[];
    const readCommand = setup.chip.cpu2.mailbox.readCommand.bind(setup.chip.cpu2.mailbox);
    setup.chip.cpu2.mailbox.readCommand = () => {
      const command = readCommand();
      sent.push(command.opcode);
      return command;
    };
    expect(codeOf(() => setup.operator.fwUpgrade())).toMatch(/^FUS_/);
    setup.chip.clock.advanceBy(1000);
    expect(sent.filter((opcode) => opcode === 0xfc54)).toEqual([]);
  });

  test("preflight: a stack staged higher than the part can take it from is STAGED_IMAGE_MISPLACED (§1.6)", () => {
    const setup = rig(tierName, { ...fresh22, stack: { version: "1.23.0", type: 1, size: 0x6000 } });
    const session = new Session(setup.chip, setup.tier);
    session.ensureFus();
    const image = stackImage("1.24.0");
    // Right against the installed stack, with no free sector between (FUS >= V1.1.2 needs one).
    setup.operator.stage(image, setup.chip.board.cpu2.stack!.start - image.length);
    expect(codeOf(() => setup.operator.fwUpgrade())).toBe("STAGED_IMAGE_MISPLACED");
    expect(setup.tier.call("stagedImagePlannedAddress")).toBe(setup.chip.board.cpu2.stack!.start - 0x1000 - image.length);
  });

  test("auth key: update, lock, then a second update is refused with FUS_STATE_AUTH_KEY_LOCKED (§1.13)", () => {
    const setup = rig(tierName, fresh22);
    setup.operator.bootCpu2();
    // The model's authentication key is a raw P-256 public point X||Y (its documented choice).
    const key = rawPublicKey(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
    setup.operator.updateAuthKey(key);
    setup.operator.lockAuthKey();
    expect(codeOf(() => setup.operator.updateAuthKey(key))).toBe("FUS_STATE_AUTH_KEY_LOCKED");
  });

  test("user keys: store returns an index, then load, lock, unload (§1.13, cpu2-interface §5.6)", () => {
    const setup = rig(tierName, fresh22);
    setup.operator.bootCpu2();
    const index = setup.operator.storeUserKey(1, Uint8Array.from({ length: 16 }, (_, i) => i));
    expect(index).toBeGreaterThanOrEqual(1);
    const second = setup.operator.storeUserKey(1, Uint8Array.from({ length: 32 }, (_, i) => 255 - i));
    expect(second).not.toBe(index);
    setup.operator.loadUserKey(index);
    setup.operator.unloadUserKey(index);
    setup.operator.lockUserKey(index);
    const master = setup.operator.storeUserKey(2, new Uint8Array(32).fill(7));
    const encrypted = setup.operator.storeUserKey(3, new Uint8Array(16).fill(9), new Uint8Array(12).fill(1));
    expect(new Set([index, second, master, encrypted]).size).toBe(4);
  });

  test("anti-rollback: activated over an installed stack, an older stack is then refused (FW_ROLLBACK_ERROR, §1.12)", () => {
    const setup = rig(tierName, { ...fresh22, stack: { version: "1.24.0", type: 1, size: 0x6000 } });
    const session = new Session(setup.chip, setup.tier);
    session.ensureFus();
    setup.operator.activateAntirollback();
    const older = stackImage("1.23.0");
    const address = setup.chip.board.cpu2.stack!.start - 0x1000 - older.length;
    // Staging below the installed stack, one sector of separation (fus-behaviour §1.6, FUS >= V1.1.2).
    setup.operator.stage(older, address);
    expect(codeOf(() => session.runLongOperation((operator) => operator.fwUpgrade()))).toBe("FUS_STATE_FW_ROLLBACK_ERROR");
    expect(setup.chip.board.cpu2.stack!.version).toBe(parseVersion("1.24.0"));
  });
});
