// The first end-to-end slice on both tiers: boot CPU2, tell FUS from the stack, read FUS state,
// read the device-information table in both layouts, leave the stack for FUS.
import { describe, expect, test } from "vitest";
import { Cpu2Mode, OperatorStatus, ShciStatus } from "../../assembly/shared/codes.js";
import { SystemResetOccurred } from "../../host-sim/tiers/tier.js";
import { OperatorError } from "../../host-sim/operator.js";
import { sbrvFor } from "../../host-sim/chip/variants.js";
import { formatVersion } from "../../host-sim/versions.js";
import { bareWb55, rig, tierNames, wb55WithStack } from "../support/tiers.js";

const IPCC_C1TOC2SR = 0x5800_0c0c;
const PWR_CR4 = 0x5800_040c;

describe.each(tierNames)("tier %s", (tierName) => {
  test("boot into FUS: READY says FUS, GET_STATE says idle (cpu2-interface §4.1, §3.14, §5.3)", () => {
    const { chip, operator, tier } = rig(tierName, bareWb55);
    expect(operator.bootCpu2()).toBe(Cpu2Mode.Fus);
    expect(chip.pwr.readUint32(PWR_CR4 - 0x5800_0400) & (1 << 15)).not.toBe(0); // C2BOOT set (§1.4)
    expect(tier.call("eventCount")).toBe(1);
    expect(tier.call("lastEventSubcode")).toBe(0x9200);
    const reading = operator.fusGetState();
    expect(reading).toMatchObject({ state: 0x00, error: 0x00, stateName: "FUS_STATE_IDLE", errorName: "FUS_STATE_NO_ERROR" });
    expect(chip.bus.read(IPCC_C1TOC2SR, 4) & 0x2).toBe(0); // channel 2 handed back (§4.2 step 6)
    // The response sits at buffer offset 0: type 0x11, code 0x0E, plen 5, numcmd 0xFF, opcode (§3.13)
    const commandBuffer = chip.bus.read(chip.bus.read(0x2003_0000 + 0x0c, 4), 4);
    expect([...chip.bus.readBytes(commandBuffer, 8)]).toEqual([0x11, 0x0e, 0x05, 0xff, 0x52, 0xfc, 0x00, 0x00]);
  });

  test("FUS READY event is not released to FUS (cpu2-interface §4.1 step 10b, §4.3)", () => {
    const { chip, operator } = rig(tierName, bareWb55);
    operator.bootCpu2();
    const freeQueue = 0x2003_0000 + 0xa0;
    expect(chip.bus.read(freeQueue, 4)).toBe(freeQueue); // nothing appended to the free-buffer list
    expect(chip.ipcc.isCpu1Posted(4)).toBe(false);
  });

  test("FUS layout of the device-information table (cpu2-interface §3.3)", () => {
    const { operator, chip } = rig(tierName, { ...bareWb55, uid64: 0x0123_4567_89ab_cdefn });
    operator.bootCpu2();
    expect(operator.deviceInformation()).toEqual({
      layout: "fus", safebootVersion: formatVersion(chip.board.cpu2.safebootVersion), fusVersion: "1.2.0", stackVersion: null, stackSectors: 0, stackType: 0,
      uid64: 0x0123_4567_89ab_cdefn, deviceId: 0x495,
    });
  });

  test("boot with a stack: READY says stack and the event buffer goes back over channel 4 (§4.1 step 10a, §4.3)", () => {
    const { chip, operator } = rig(tierName, wb55WithStack);
    expect(operator.bootCpu2()).toBe(Cpu2Mode.WirelessStack);
    chip.clock.advanceBy(100); // let CPU2 take the released buffer
    const stack = chip.cpu2.firmware as unknown as { eventBufferOutstanding: boolean };
    expect(stack.eventBufferOutstanding).toBe(false);
  });

  test("stack layout of the device-information table: FUS and stack versions, stack type (§3.2, §3.4)", () => {
    const { operator, chip } = rig(tierName, wb55WithStack);
    operator.bootCpu2();
    expect(operator.deviceInformation()).toEqual({
      layout: "stack", safebootVersion: formatVersion(chip.board.cpu2.safebootVersion), fusVersion: "2.2.0", stackVersion: "1.24.0", stackSectors: 0x20, stackType: 0x01,
      uid64: null, deviceId: null,
    });
  });

  test("GET_STATE is refused while the stack runs: nothing reaches CPU2 (§5.5)", () => {
    const { chip, operator } = rig(tierName, wb55WithStack);
    operator.bootCpu2();
    const before = chip.clock.pendingEvents;
    expect(() => operator.fusGetState()).toThrow(OperatorError);
    try {
      operator.fusGetState();
    } catch (error) {
      expect((error as OperatorError).code).toBe("STACK_RUNNING");
    }
    expect(chip.clock.pendingEvents).toBe(before);
    expect(chip.systemResetCount).toBe(0);
  });

  test("stack -> two GET_STATE -> system reset -> FUS runs (§4.4, §5.5)", () => {
    const { chip, operator, tier } = rig(tierName, wb55WithStack);
    operator.bootCpu2();
    expect(() => operator.startFus()).toThrow(SystemResetOccurred);
    expect(tier.call("getStatesSentToStack")).toBe(0); // CPU1 restarted from scratch: its state is gone
    expect(chip.systemResetCount).toBe(1);
    expect(chip.board.optionBytes.sbrv).toBe(sbrvFor(chip.board.variant.fusStart));
    expect(chip.pwr.c2boot).toBe(false); // CPU2 held again until CPU1 boots it
    expect(operator.bootCpu2()).toBe(Cpu2Mode.Fus);
    expect(operator.fusGetState().stateName).toBe("FUS_STATE_IDLE");
    expect(operator.deviceInformation()).toMatchObject({ layout: "fus", stackVersion: "1.24.0", stackType: 0x01 });
    expect(tier.cpu1Starts).toBe(2);
  });

  test("the first GET_STATE to a stack is answered not-supported (§5.5, §6.4)", () => {
    const { chip, operator, tier } = rig(tierName, wb55WithStack);
    operator.bootCpu2();
    // Two GET_STATEs are sent by startFus; the answer to the first is kept in the command buffer
    // until the second overwrites it. Look at the stack's first answer through the CPU2 side.
    const responses: number[][] = [];
    const respond = chip.cpu2.mailbox.respond.bind(chip.cpu2.mailbox);
    chip.cpu2.mailbox.respond = (opcode, parameters) => {
      responses.push(parameters);
      respond(opcode, parameters);
    };
    expect(() => tier.call("startFus")).toThrow(SystemResetOccurred);
    expect(responses[0][0]).toBe(ShciStatus.FusCmdNotSupported);
  });

  test("CPU2 that never speaks: READY times out with a named error, no hang (§4.1 step 9)", () => {
    // SBRV pointing at erased flash: CPU2 runs astray and never posts READY.
    const { operator, chip } = rig(tierName, { ...bareWb55, optionBytes: { sbrv: 0x1000 } });
    const start = chip.clock.nowUs;
    expect(() => operator.bootCpu2(50)).toThrow(expect.objectContaining({ code: "READY_TIMEOUT" }));
    expect(chip.clock.nowUs - start).toBeGreaterThanOrEqual(50_000);
  });

  test("CPU2 that stops answering: a system command times out with a named error (§4.2)", () => {
    const { operator, chip, tier } = rig(tierName, bareWb55);
    operator.bootCpu2();
    chip.cpu2.unresponsive = true;
    operator.setCommandTimeoutMs(20);
    expect(() => operator.fusGetState()).toThrow(expect.objectContaining({ code: "COMMAND_TIMEOUT" }));
    // The channel stays occupied: the next command is refused at once instead of overwriting it.
    expect(tier.call("fusGetState")).toBe(OperatorStatus.ChannelBusy);
  });

  test("booting twice without a reset is refused: C2BOOT cannot restart CPU2 (§1.4)", () => {
    const { operator } = rig(tierName, bareWb55);
    operator.bootCpu2();
    expect(() => operator.bootCpu2()).toThrow(expect.objectContaining({ code: "CPU2_ALREADY_BOOTED" }));
  });

  test("a mailbox offset other than 0 is refused (IPCCDBA units disputed, §1.7)", () => {
    const { operator, chip } = rig(tierName, { ...bareWb55, optionBytes: { ipccdba: 4 } });
    expect(() => operator.bootCpu2()).toThrow(expect.objectContaining({ code: "MAILBOX_OFFSET_UNSUPPORTED" }));
    expect(chip.pwr.c2boot).toBe(false);
  });
});
