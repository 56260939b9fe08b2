// The system channel under load: several events in the queue, an event appended while CPU1 drains,
// event buffers handed back to a running stack (cpu2-interface §3.9, §4.3, §8.5).
import { describe, expect, test } from "vitest";
import { codeOf, rig, tierNames, wb55WithStack } from "../support/tiers.js";
import { OperatorStatus } from "../../assembly/shared/codes.js";

const SUBEVENT_NVM_START_WRITE = 0x9204;
const SUBEVENT_NVM_END_WRITE = 0x9205;

describe.each(tierNames)("tier %s", (tierName) => {
  test("every queued event is drained and its buffer released to the stack (§4.3)", () => {
    const { chip, operator, tier } = rig(tierName, wb55WithStack);
    operator.bootCpu2();
    const mailbox = chip.cpu2.mailbox;
    const pool = chip.bus.read(0x2003_0000 + 0x78 + 0x08, 4); // memory-manager table: event pool (§3.6)
    mailbox.postEvent(pool, SUBEVENT_NVM_START_WRITE, [4, 0, 0, 0]);
    mailbox.postEvent(pool + 0x110, SUBEVENT_NVM_END_WRITE, []);
    expect(tier.call("pollEvents")).toBe(0);
    expect(tier.call("eventCount")).toBe(3); // READY + the two
    expect(tier.call("lastEventSubcode")).toBe(SUBEVENT_NVM_END_WRITE);
    chip.clock.advanceBy(100);
    expect(chip.ipcc.isCpu2Posted(2)).toBe(false);
    // Both buffers went back over channel 4 (after READY's): the free list is empty again once CPU2 took them.
    const freeQueue = 0x2003_00a0;
    expect(chip.bus.read(freeQueue, 4)).toBe(freeQueue);
  });

  test("an event CPU2 appends while CPU1 drains is not stranded (§8.5)", () => {
    const { chip, operator, tier } = rig(tierName, wb55WithStack);
    operator.bootCpu2();
    const mailbox = chip.cpu2.mailbox;
    const pool = chip.bus.read(0x2003_0000 + 0x78 + 0x08, 4);
    // CPU2 appends a second event the moment CPU1 acknowledges the first post.
    let appended = false;
    chip.ipcc.onCpu1Acknowledge = (channel) => {
      if (channel === 2 && !appended) {
        appended = true;
        mailbox.postEvent(pool + 0x110, SUBEVENT_NVM_END_WRITE, []);
      }
    };
    mailbox.postEvent(pool, SUBEVENT_NVM_START_WRITE, [0, 0, 0, 0]);
    expect(tier.call("pollEvents")).toBe(0);
    // Whatever the interleaving, after a second poll nothing is left in the queue or flagged.
    expect(tier.call("pollEvents")).toBe(0);
    expect(appended).toBe(true);
    expect(tier.call("eventCount")).toBe(3);
    expect(chip.ipcc.isCpu2Posted(2)).toBe(false);
    const systemQueue = 0x2003_0098;
    expect(chip.bus.read(systemQueue, 4)).toBe(systemQueue);
  });

  test("the raw event is readable from linear memory: type, code 0xFF, plen, sub-event, payload (§3.12)", () => {
    const { chip, operator, tier } = rig(tierName, wb55WithStack);
    operator.bootCpu2();
    const pool = chip.bus.read(0x2003_0000 + 0x78 + 0x08, 4);
    chip.cpu2.mailbox.postEvent(pool, SUBEVENT_NVM_START_WRITE, [0x10, 0x20, 0x30, 0x40]);
    tier.call("pollEvents");
    const length = tier.call("eventLength");
    const event = tier.readLinear(tier.call("eventPointer"), length);
    expect([...event]).toEqual([0x12, 0xff, 6, 0x04, 0x92, 0x10, 0x20, 0x30, 0x40]);
  });
});

describe.each(tierNames)("tier %s: a corrupted event queue", (tierName) => {
  test("a node outside SRAM2a is not followed: EVENT_MALFORMED, and the queue is usable again (§3.9)", () => {
    const { chip, operator, tier } = rig(tierName, wb55WithStack);
    operator.bootCpu2();
    const systemQueue = 0x2003_0098;
    // What power-on garbage could leave: the head pointing into SRAM1.
    chip.bus.write(systemQueue, 4, 0x2000_1000);
    chip.ipcc.cpu2Post(2);
    expect(tier.call("pollEvents")).toBe(OperatorStatus.EventMalformed);
    expect(chip.bus.read(systemQueue, 4)).toBe(systemQueue);
    const pool = chip.bus.read(0x2003_0000 + 0x78 + 0x08, 4);
    chip.cpu2.mailbox.postEvent(pool, SUBEVENT_NVM_END_WRITE, []);
    expect(tier.call("pollEvents")).toBe(OperatorStatus.Ok);
    expect(tier.call("lastEventSubcode")).toBe(SUBEVENT_NVM_END_WRITE);
  });

  test("a READY with a payload nobody documented is reported, not taken for FUS or a stack (§3.14)", () => {
    const { chip, operator } = rig(tierName, { ...wb55WithStack, optionBytes: { sbrv: 0x1000 } }); // CPU2 runs nothing
    const start = chip.clock.nowUs;
    chip.clock.schedule(3_000, () => chip.cpu2.mailbox.postEvent(chip.cpu2.mailbox.spareSystemEventBuffer(), 0x9200, [0x42]));
    expect(codeOf(() => operator.bootCpu2())).toBe("READY_PAYLOAD_UNKNOWN");
    expect(chip.clock.nowUs - start).toBeLessThan(1_000_000); // answered, not timed out
  });
});
