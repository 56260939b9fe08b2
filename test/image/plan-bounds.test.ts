// Bounds of every plan (issue 12 P1, P2, P3, D1): no plan reaches the first flash sector (CPU1's
// vector table), none ends beyond the part's flash, and no input wraps the planner's 32-bit
// arithmetic. Without an application end the planner keeps 28 KB for CPU1's boot code
// (assembly/image/geometry.ts CPU1_BOOT_RESERVE_BYTES) and says so in the result. The planner is
// the operator module on both tiers, so the device path is checked on tier 1 and tier 2 too.
import { describe, expect, test } from "vitest";
import { ImageStatus } from "../../assembly/shared/image-codes.js";
import { ImageCodec } from "../../host-sim/images/footer.js";
import { UpgradePlanner, type ImageFile, type PartDescription, type PlanResult } from "../../host-sim/images/planner.js";
import { SeededRandom } from "../../host-sim/faults.js";
import { Session } from "../../host-sim/session.js";
import { bareWb55, rig, tierNames } from "../support/tiers.js";
import { MAGIC, buildTail, imageFooter, realImage, syntheticImage, version } from "./support.js";

const FLASH_BASE = 0x0800_0000;
const BOOT_RESERVE_END = 0x0800_7000;

/** A legacy-format stack of `sectors` 4 KB sectors (a Thread-sized image when 64). */
function legacyStack(sectors: number, name = `stm32wb5x_Thread_${sectors}_sectors.bin`): ImageFile {
  return syntheticImage(name, sectors * 0x1000 - 100, {
    info1: 0xabcdabcd, sectors, formatByte: 0xff, version: version(1, 24, 0), magic: MAGIC.stackLegacy,
  });
}

function refusal(result: PlanResult): string {
  return result.ok ? "planned" : ImageStatus[result.status];
}

describe.each(tierNames)("tier %s", (tierName) => {
  const planner = new UpgradePlanner(new ImageCodec(rig(tierName, bareWb55).tier));
  const wb5x256: PartDescription = { family: "wb5x", flashKb: 256, fusVersion: "2.2.0" };

  test("P3: a 64-sector Thread image on a 256 KB part (release notes: not installable) is refused, not placed at 0x08000000", () => {
    const result = planner.plan(wb5x256, [legacyStack(64)]);
    expect(refusal(result)).toBe("ImageDoesNotFit");
    // It would fill the whole 256 KB; 28 KB are kept for CPU1's boot code.
    expect(!result.ok && result.missingBytes).toBe(BOOT_RESERVE_END - FLASH_BASE);
    expect(!result.ok && result.context.bootReserveEnd).toBe("0x08007000");
    // An application end inside the first sector still keeps that whole sector.
    for (const appEnd of [FLASH_BASE, FLASH_BASE + 1]) {
      const tiny = planner.plan({ ...wb5x256, appEnd }, [legacyStack(64)]);
      expect(!tiny.ok && [ImageStatus[tiny.status], tiny.missingBytes]).toEqual(["ImageDoesNotFit", 0x1000]);
    }
  });

  test("the plan says when it assumed the boot reserve; --app-end overrides it down to the first sector", () => {
    const assumed = planner.plan(wb5x256, [legacyStack(57)]);
    expect(assumed.ok && [assumed.steps[0].address, assumed.bootReserveEnd]).toEqual([BOOT_RESERVE_END, BOOT_RESERVE_END]);
    expect(refusal(planner.plan(wb5x256, [legacyStack(58)]))).toBe("ImageDoesNotFit");
    const given = planner.plan({ ...wb5x256, appEnd: 0x0800_1000 }, [legacyStack(63)]);
    expect(given.ok && [given.steps[0].address, given.bootReserveEnd]).toEqual([0x0800_1000, null]);
  });

  test("P1: an application end outside the flash is refused by name, not wrapped below it", () => {
    for (const appEnd of [0xffff_0000, 0xffff_f001, 0xffff_ffff, 0x0810_0001, 0x07ff_ffff, 1]) {
      const result = planner.plan({ family: "wb5x", flashKb: 1024, fusVersion: "2.2.0", appEnd }, [legacyStack(19)]);
      expect({ appEnd, status: refusal(result) }).toEqual({ appEnd, status: "AppEndOutsideFlash" });
    }
    // At the very end of the flash it is a valid input that leaves no room.
    expect(refusal(planner.plan({ family: "wb5x", flashKb: 1024, fusVersion: "2.2.0", appEnd: 0x0810_0000 }, [legacyStack(19)]))).toBe("ImageDoesNotFit");
  });

  test("P2: an SFSA beyond a small part's flash end never plans past the end of flash", () => {
    const installed = legacyStack(19, "stm32wb5x_BLE_HCILayer_19.bin");
    // A stack said to start at 0x080F0000 cannot be on a 256 KB part.
    expect(refusal(planner.plan({ ...wb5x256, sfsa: 0xf0, installedStack: installed }, [legacyStack(20)]))).toBe("PlanInputInconsistent");
    // SFSA is an 8-bit option byte: anything larger would wrap the boundary.
    expect(refusal(planner.plan({ ...wb5x256, sfsa: 0x100001, installedStack: installed }, [legacyStack(20)]))).toBe("PlanInputInconsistent");
    // Nothing installed: V0.5.3's 0xF4 above the flash end changes nothing, the plan ends at 0x08040000.
    const free = planner.plan({ ...wb5x256, sfsa: 0xf4 }, [legacyStack(20)]);
    expect(free.ok && [free.steps[0].address, free.steps[0].eraseEnd]).toEqual([0x0804_0000 - 20 * 0x1000, 0x0804_0000]);
  });
});

describe.each(tierNames)("planning on the part, tier %s", (tierName) => {
  test("the firmware's end (as fusop_init tells the flash driver) is kept when beyond the boot reserve", () => {
    const { chip, tier } = rig(tierName, { family: "wb5x", flashKb: 1024, fus: "2.2.0" });
    new Session(chip, tier).boot();
    const planner = new UpgradePlanner(new ImageCodec(tier));
    const bleFull = realImage("wb5x", "stm32wb5x_BLE_Stack_full_fw.bin"); // published at 0x080D0000 on 1 MB
    const free = planner.plan({ onDevice: true }, [bleFull]);
    expect(free.ok && free.steps[0].address).toBe(0x080d_0000);
    tier.call("flashSetFirmwareEnd", 0x080d_8000);
    const result = planner.plan({ onDevice: true }, [bleFull]);
    expect(!result.ok && [ImageStatus[result.status], result.missingBytes]).toEqual(["ImageDoesNotFit", 0x8000]);
  });
});

describe.each(tierNames)("the stale-image scan, tier %s", (tierName) => {
  test("a chunk whose addresses would wrap past 0xFFFFFFFF is refused, not reported at wrapped addresses", () => {
    const codec = new ImageCodec(rig(tierName, bareWb55).tier);
    codec.call("imageScanBegin", 0, 0);
    expect(ImageStatus[codec.call("imageScanChunk", 16, 0xffff_fff8)]).toBe("TailLengthInvalid");
    expect(ImageStatus[codec.call("imageScanChunk", 16, 0xffff_fff0)]).not.toBe("TailLengthInvalid");
  });
});

describe("D1: sizes at the top of the 32-bit range", () => {
  const codec = new ImageCodec();

  test("a '4 GiB' file whose footer says 1 sector is refused (ceilDiv must not wrap)", () => {
    const tail = buildTail(imageFooter({ info1: 0xabcdabcd, sectors: 1, formatByte: 0xff, version: version(1, 24, 0), magic: MAGIC.stackLegacy }));
    for (const size of [0xffff_f004, 0xffff_fffc]) {
      const result = codec.decodeTail(tail, size);
      expect(!result.ok && ImageStatus[result.status]).toBe("SectorCountMismatch");
    }
    // Files of 4 GiB and more are not read modulo 2^32 (2^32 + 0x1000 would look like one sector).
    expect(codec.decodeTail(tail, 0x1_0000_1000).ok).toBe(false);
    expect(codec.decodeTail(tail, 0x1000).ok).toBe(true);
  });
});

describe("invariants over random inputs (a seeded sample; the full fuzz is bench's)", () => {
  const planner = new UpgradePlanner();
  const parts: PartDescription[] = [
    { family: "wb5x", flashKb: 1024, fusVersion: "2.2.0" }, { family: "wb5x", flashKb: 256, fusVersion: "2.2.0" },
    { family: "wb3x", flashKb: 512, fusVersion: "1.2.0" }, { family: "wb1x", flashKb: 320, fusVersion: "2.2.0" },
  ];
  const images = [legacyStack(19), legacyStack(64), legacyStack(104), realImage("wb5x", "stm32wb5x_BLE_Stack_full_fw.bin")];
  const wb1x = realImage("wb1x", "stm32wb1x_BLE_Stack_full_fw.bin");

  test("every planned image lies above the first sector (and the application) and inside the part's flash", () => {
    const random = new SeededRandom(12);
    const word = () => Math.floor(random.next() * 2 ** 32);
    let planned = 0;
    for (let run = 0; run < 2000; run++) {
      const part = parts[run % parts.length];
      const sector = part.family === "wb1x" ? 0x800 : 0x1000;
      const flashEnd = FLASH_BASE + part.flashKb * 1024;
      const choice = random.next();
      const appEnd = choice < 0.3 ? undefined : choice < 0.6 ? word() : FLASH_BASE + Math.floor(random.next() * part.flashKb * 1024);
      const sfsa = random.next() < 0.5 ? Math.floor(random.next() * 0x100) : undefined;
      const image = part.family === "wb1x" ? wb1x : images[Math.floor(random.next() * images.length)];
      const result = planner.plan({ ...part, appEnd, sfsa }, [image]);
      if (!result.ok) continue;
      planned++;
      const step = result.steps[0];
      const low = appEnd === undefined ? BOOT_RESERVE_END : Math.max(FLASH_BASE + sector, appEnd);
      expect(step.address!).toBeGreaterThanOrEqual(low);
      expect(step.address! + Math.ceil(image.size / sector) * sector).toBeLessThanOrEqual(flashEnd);
      expect(step.eraseEnd!).toBeLessThanOrEqual(flashEnd);
    }
    expect(planned).toBeGreaterThan(100);
  });
});
