// The test-image builder writes the real footer layout (fus-behaviour §4), and the table of genuine
// ST images matches test/fixtures/copro-footers/index.json.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { buildImage } from "../../host-sim/images/builder.js";
import { KNOWN_IMAGES } from "../../host-sim/images/known-images.js";
import { verifyImage, simStPublicKey, rawPublicKey, publicKeyFromRaw } from "../../host-sim/images/signing.js";
import { projectRoot } from "../../host-sim/paths.js";
import { parseVersion } from "../../host-sim/versions.js";

function wordFromEnd(image: Uint8Array, offset: number): number {
  return new DataView(image.buffer, image.byteOffset).getUint32(image.length + offset, true);
}

describe("image layout (fus-behaviour §4.1–§4.4)", () => {
  it("a legacy stack: magic at −88, version at −92, sectors at −96, 0xFF at −95, ST signature footer at the end", () => {
    const image = buildImage({ kind: "stack", family: "wb5x", version: 0x0118_0003, size: 76_104 });
    expect(wordFromEnd(image, -88)).toBe(0x2337_2991);
    expect(wordFromEnd(image, -92)).toBe(0x0118_0003);
    expect(image[image.length - 96]).toBe(19); // ceil(76 104 / 4 KB)
    expect(image[image.length - 95]).toBe(0xff);
    expect(wordFromEnd(image, -104)).toBe(0xabcd_abcd);
    expect(wordFromEnd(image, -4)).toBe(0xd3a1_2c5e);
    expect(wordFromEnd(image, -20)).toBe(0x1234_1234);
    expect(image[image.length - 12]).toBe(64);
    expect(wordFromEnd(image, -8)).toBe(0x2211_0045);
    const signature = image.subarray(image.length - 84, image.length - 20);
    expect(verifyImage(image.subarray(0, image.length - 84), signature, simStPublicKey())).toBe(true);
  });

  it("a new-format WB1x stack: magic 0xB10C8B99, info1 0x080208CD, −95 = 0x02, sectors of 2 KB", () => {
    const image = buildImage({ kind: "stack", family: "wb1x", format: "new", version: 0x0118_0003, size: 128_848 });
    expect(wordFromEnd(image, -88)).toBe(0xb10c_8b99);
    expect(wordFromEnd(image, -104)).toBe(0x0802_08cd);
    expect(image[image.length - 95]).toBe(0x02);
    expect(image[image.length - 96]).toBe(63);
  });

  it("FUS V1.2.0 carries 0xFFFFFFFF as version (fus-behaviour §3.1); Safeboot 2.0.1 and 2.0.0 their own magics", () => {
    const fus = buildImage({ kind: "fus", family: "wb5x", version: parseVersion("1.2.0"), size: 24_492 });
    expect(wordFromEnd(fus, -92)).toBe(0xffff_ffff);
    expect(wordFromEnd(fus, -88)).toBe(0x3227_9221);
    expect(wordFromEnd(fus, -8)).toBe(0x2000_00ff);
    const safeboot = buildImage({ kind: "safeboot", family: "wb5x", version: 0x0200_0100, size: 4_244 });
    expect(wordFromEnd(safeboot, -88)).toBe(0x927a_6741);
    const old = buildImage({ kind: "safeboot", family: "wb5x", version: 0x0200_0003, size: 7_316 });
    expect(wordFromEnd(old, -88)).toBe(0x2337_2991);
    expect(wordFromEnd(old, -104)).toBe(0x5afe_b007);
  });

  it("a customer-signed image ends with the customer block (0xE2B51D4A) over the ST-signed image", () => {
    const customer = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    const image = buildImage({ kind: "stack", family: "wb5x", version: 0x0118_0003, size: 10_000, customerKey: customer });
    expect(wordFromEnd(image, -4)).toBe(0xe2b5_1d4a);
    expect(wordFromEnd(image, -88)).toBe(0xd3a1_2c5e);
    expect(wordFromEnd(image, -172)).toBe(0x2337_2991); // image footer 84 bytes further from the end
    const key = publicKeyFromRaw(rawPublicKey(customer))!;
    expect(verifyImage(image.subarray(0, image.length - 84), image.subarray(image.length - 84, image.length - 20), key)).toBe(true);
  });

  it("refuses sizes below the layout's minimum", () => {
    expect(() => buildImage({ kind: "stack", family: "wb5x", version: 1, size: 100 })).toThrow(/at least/);
  });
});

describe("genuine ST images (known-images.ts ← index.json)", () => {
  it("every entry of index.json is in the table with its sha256, size and footer version", () => {
    const index = JSON.parse(readFileSync(join(projectRoot, "test", "fixtures", "copro-footers", "index.json"), "utf8")) as {
      entries: { original_name: string; sha256: string; size: number; image_footer: { version_word: string } }[];
    };
    expect(KNOWN_IMAGES).toHaveLength(index.entries.length);
    for (const entry of index.entries) {
      const known = KNOWN_IMAGES.find((image) => image.file === entry.original_name);
      expect(known, entry.original_name).toBeDefined();
      expect(known!.sha256).toBe(entry.sha256);
      expect(known!.size).toBe(entry.size);
      expect(known!.footerVersionWord).toBe(Number(entry.image_footer.version_word));
    }
  });

  it("the two FUS V1.2.0 binaries install as V1.2.0 and are told apart by sha256 (fus-behaviour §3.1)", () => {
    const fus = KNOWN_IMAGES.filter((image) => image.file.startsWith("stm32wb5x_FUS_fw_"));
    expect(fus.map((image) => [image.fusVariant, image.version])).toEqual(expect.arrayContaining([["for-1.x", 0x0102_0000], ["for-0.5.3", 0x0102_0000]]));
    expect(new Set(fus.map((image) => image.sha256)).size).toBe(fus.length);
  });
});
