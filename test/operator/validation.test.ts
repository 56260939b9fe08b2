// Bad requests are refused by the operator, by name, before anything reaches CPU2
// (cpu2-interface §5.2, §5.5, §5.6; fus-behaviour §1.11, §1.12).
import { describe, expect, test } from "vitest";
import { bareWb55, codeOf, rig, tierNames, wb55WithStack, type Rig } from "../support/tiers.js";
import { Session } from "../../host-sim/session.js";

/** Commands CPU2 received so far, seen from the CPU2 side. */
function recordCommands(setup: Rig): number[] {
  const opcodes: number[] = [];
  const readCommand = setup.chip.cpu2.mailbox.readCommand.bind(setup.chip.cpu2.mailbox);
  setup.chip.cpu2.mailbox.readCommand = () => {
    const command = readCommand();
    opcodes.push(command.opcode);
    return command;
  };
  return opcodes;
}

describe.each(tierNames)("tier %s", (tierName) => {
  test("before CPU2 is booted, FUS commands are refused", () => {
    const setup = rig(tierName, bareWb55);
    expect(codeOf(() => setup.operator.fwUpgrade())).toBe("CPU2_NOT_BOOTED");
    expect(codeOf(() => setup.operator.loadUserKey(1))).toBe("CPU2_NOT_BOOTED");
  });

  test("user keys: type and size checked (§5.6), IV required for encrypted keys", () => {
    const setup = rig(tierName, bareWb55);
    setup.operator.bootCpu2();
    const sent = recordCommands(setup);
    expect(codeOf(() => setup.operator.storeUserKey(4, new Uint8Array(16)))).toBe("INVALID_KEY_TYPE");
    expect(codeOf(() => setup.operator.storeUserKey(0, new Uint8Array(16)))).toBe("INVALID_KEY_TYPE");
    expect(codeOf(() => setup.operator.storeUserKey(1, new Uint8Array(24)))).toBe("INVALID_KEY_SIZE");
    expect(codeOf(() => setup.operator.storeUserKey(1, new Uint8Array(64)))).toBe("INVALID_KEY_SIZE");
    expect(codeOf(() => setup.operator.storeUserKey(3, new Uint8Array(16)))).toBe("INVALID_KEY_IV");
    expect(codeOf(() => setup.operator.updateAuthKey(new Uint8Array(0)))).toBe("INVALID_AUTH_KEY_SIZE");
    expect(codeOf(() => setup.operator.updateAuthKey(new Uint8Array(65)))).toBe("INVALID_AUTH_KEY_SIZE");
    setup.chip.clock.advanceBy(1000);
    expect(sent).toEqual([]);
  });

  test("anti-rollback with no stack installed is refused: it would lock out every stack (fus-behaviour §1.12)", () => {
    const setup = rig(tierName, bareWb55);
    setup.operator.bootCpu2();
    const sent = recordCommands(setup);
    expect(codeOf(() => setup.operator.activateAntirollback())).toBe("ANTIROLLBACK_WITHOUT_STACK");
    setup.chip.clock.advanceBy(1000);
    expect(sent).toEqual([]);
  });

  test("START_WS with no stack installed is refused (fus-behaviour §1.11, Flipper's rule)", () => {
    const setup = rig(tierName, bareWb55);
    setup.operator.bootCpu2();
    const sent = recordCommands(setup);
    expect(codeOf(() => setup.operator.startWirelessStack())).toBe("NO_STACK_INSTALLED");
    setup.chip.clock.advanceBy(1000);
    expect(sent).toEqual([]);
  });

  test("FUS-only commands while the stack runs are refused without touching the stack (§5.5)", () => {
    const setup = rig(tierName, wb55WithStack);
    setup.operator.bootCpu2();
    const sent = recordCommands(setup);
    for (const command of [() => setup.operator.fwUpgrade(), () => setup.operator.fwDelete(), () => setup.operator.fwPurge(),
      () => setup.operator.lockAuthKey(), () => setup.operator.activateAntirollback(), () => setup.operator.startWirelessStack()]) {
      expect(codeOf(command)).toBe("STACK_RUNNING");
    }
    setup.chip.clock.advanceBy(1000);
    expect(sent).toEqual([]);
    expect(setup.chip.systemResetCount).toBe(0);
  });

  test("system command parameters: 255 bytes go through whole, 256 are refused (§3.11)", () => {
    const setup = rig(tierName, wb55WithStack);
    setup.operator.bootCpu2();
    const received: Uint8Array[] = [];
    const readCommand = setup.chip.cpu2.mailbox.readCommand.bind(setup.chip.cpu2.mailbox);
    setup.chip.cpu2.mailbox.readCommand = () => {
      const command = readCommand();
      received.push(command.parameters);
      return command;
    };
    const parameters = Uint8Array.from({ length: 255 }, (_, i) => (i * 7) & 0xff);
    const answer = setup.operator.systemCommand(0xfc75, parameters); // CONFIG, which a stack accepts (§6.1)
    expect(answer.status).toBe(0);
    expect(received[0]).toEqual(parameters);
    expect(codeOf(() => setup.operator.systemCommand(0xfc75, new Uint8Array(256)))).toBe("PARAMETERS_TOO_LONG");
  });

  test("the raw channel never sends GET_STATE to a running stack: only startFus may (§5.5)", () => {
    const setup = rig(tierName, wb55WithStack);
    setup.operator.bootCpu2();
    const sent = recordCommands(setup);
    expect(codeOf(() => setup.operator.systemCommand(0xfc52, new Uint8Array(0)))).toBe("STACK_RUNNING");
    setup.chip.clock.advanceBy(1000);
    expect(sent).toEqual([]);
  });

  test("anti-rollback is refused below FUS V1.2.0 (fus-behaviour §1.12 known limitation)", () => {
    const setup = rig(tierName, { family: "wb5x", flashKb: 1024, fus: "1.1.2", stack: { version: "1.12.0", type: 1, size: 0x6000 } });
    new Session(setup.chip, setup.tier).ensureFus();
    const sent = recordCommands(setup);
    expect(codeOf(() => setup.operator.activateAntirollback())).toBe("ANTIROLLBACK_NEEDS_FUS120");
    setup.chip.clock.advanceBy(1000);
    expect(sent.filter((opcode) => opcode === 0xfc5f)).toEqual([]);
  });
});
