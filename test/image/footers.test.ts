// Footer decoding by the operator's wasm module, on the 56 real tails and on damaged copies of them
// (fus-behaviour §4). The module runs with a hal whose every function throws: image code is pure.
import { describe, expect, test } from "vitest";
import { ImageStatus } from "../../assembly/shared/image-codes.js";
import { ImageCodec } from "../../host-sim/images/footer.js";
import {
  MAGIC,
  buildTail,
  familyName,
  footerIndex,
  imageFooter,
  realTail,
  signatureBlock,
  version,
  type IndexEntry,
} from "./support.js";

const codec = new ImageCodec();

/** Kind as the file name says it (independent of the footer being tested). */
function kindFromName(name: string): "fus" | "stack" | "safeboot" {
  if (name.includes("_FUS_fw")) return "fus";
  if (name.includes("_Safeboot_fw")) return "safeboot";
  return "stack";
}

/** Expected fields from index.json, which decodes the footers independently (§4.5). */
function expected(entry: IndexEntry) {
  const footer = entry.image_footer;
  const blankFusVersion = footer.version_word === "0xffffffff";
  const kind = kindFromName(entry.original_name);
  return {
    kind,
    format: kind !== "stack" ? null : footer.magic === "0xb10c8b99" ? "new" : "legacy",
    // FUS V1.2.0 files carry 0xFFFFFFFF on purpose and install V1.2.0 (§3.1, §4.3; seed FAQ).
    version: blankFusVersion ? "1.2.0" : `${footer.version.major}.${footer.version.minor}.${footer.version.sub}`,
    sectors: footer.flash_sectors_byte0,
    sectorBytes: footer.flash_sector_size,
    families: entry.family === "STM32WB1x" ? ["wb1x"] : ["wb5x", "wb3x"],
    signatures: entry.signature_footers_from_end.map((block) => (block.magic === "0xd3a12c5e" ? "st" : "customer")),
  };
}

describe("footers of the 56 real CubeWB v1.24.0 binaries (fus-behaviour §4.3-§4.5, §8)", () => {
  test("index holds 56 tails", () => {
    expect(footerIndex).toHaveLength(56);
  });

  test.each(footerIndex.map((entry) => [`${familyName(entry.family)} ${entry.original_name}`, entry] as const))(
    "%s: kind, format, version, sectors, signatures",
    (_name, entry) => {
      const decoded = codec.decodeTail(realTail(entry), entry.size);
      expect(decoded.ok, `status ${decoded.ok ? "" : ImageStatus[decoded.status]}`).toBe(true);
      if (!decoded.ok) return;
      const want = expected(entry);
      expect({
        kind: decoded.image.kind,
        format: decoded.image.format,
        version: decoded.image.version,
        sectors: decoded.image.sectors,
        sectorBytes: decoded.image.sectorBytes,
        families: decoded.image.families,
        signatures: decoded.image.signatures,
      }).toEqual(want);
      // The footer's count is the file's size in sectors for all 56 (§4.3, 653 of 656 overall).
      expect(decoded.image.stagingSectors).toBe(entry.ceil_size_over_sector);
      expect(decoded.image.versionWord).toBe(Number(entry.image_footer.version_word));
    },
  );

  test("match count: every tail decodes to the index's kind, format, version and sectors", () => {
    let matches = 0;
    for (const entry of footerIndex) {
      const decoded = codec.decodeTail(realTail(entry), entry.size);
      if (!decoded.ok) continue;
      const want = expected(entry);
      const image = decoded.image;
      if (image.kind === want.kind && image.format === want.format && image.version === want.version && image.sectors === want.sectors) {
        matches++;
      }
    }
    expect(`${matches}/${footerIndex.length}`).toBe("56/56");
  });

  test("Safeboot V2.0.1 is flagged FUS-V2-only, V2.0.0 (legacy container, info1 0x5AFEB007) is not (§4.4)", () => {
    const v201 = footerIndex.find((entry) => entry.original_name === "stm32wb5x_Safeboot_fw.bin")!;
    const v200 = footerIndex.find((entry) => entry.original_name === "stm32wb5x_Safeboot_fw_2_0_0.bin")!;
    const decoded201 = codec.decodeTail(realTail(v201), v201.size);
    const decoded200 = codec.decodeTail(realTail(v200), v200.size);
    expect(decoded201.ok && decoded201.image.safebootV2).toBe(true);
    expect(decoded200.ok && decoded200.image.safebootV2).toBe(false);
    expect(decoded200.ok && decoded200.image.version).toBe("2.0.0");
  });

  test("new-format stacks declare a 16 KB NVM section in either sector size (§2, §4.4)", () => {
    for (const entry of footerIndex.filter((candidate) => candidate.image_footer.magic === "0xb10c8b99")) {
      const decoded = codec.decodeTail(realTail(entry), entry.size);
      expect(decoded.ok && decoded.image.nvmBytes, entry.original_name).toBe(0x4000);
    }
  });

  test("the decoder reads only the file's end: the whole 256-byte tail or just the last 104 bytes give the same result (§4.1)", () => {
    const entry = footerIndex.find((candidate) => candidate.original_name === "stm32wb5x_BLE_Stack_full_fw.bin")!;
    const tail = realTail(entry);
    const whole = codec.decodeTail(tail, entry.size);
    const minimal = codec.decodeTail(tail.subarray(256 - 104), entry.size);
    expect(minimal).toEqual(whole);
  });
});

describe("damaged, truncated and forged files are refused with named errors (fus-behaviour §4, §1.5)", () => {
  const fullStack = footerIndex.find((entry) => entry.original_name === "stm32wb5x_BLE_Stack_full_fw.bin")!;
  const fusV120 = footerIndex.find((entry) => entry.original_name === "stm32wb5x_FUS_fw_1_2_0.bin")!;

  function mutated(entry: IndexEntry, offsetFromEnd: number, change: (view: DataView, at: number) => void): Uint8Array {
    const tail = realTail(entry).slice();
    change(new DataView(tail.buffer), tail.length - offsetFromEnd);
    return tail;
  }

  const status = (tail: Uint8Array, size: number) => {
    const decoded = codec.decodeTail(tail, size);
    return decoded.ok ? ImageStatus.Ok : decoded.status;
  };

  test("random bytes are not an image", () => {
    const junk = new Uint8Array(256).map((_, index) => (index * 97 + 31) & 0xff);
    expect(status(junk, 4096)).toBe(ImageStatus.NoSignatureFooter);
  });

  test("a file cut short loses its signature footer", () => {
    // The last 256 bytes of the same file cut 40 bytes earlier.
    const cut = realTail(fullStack).slice(0, 216);
    expect(status(cut, fullStack.size - 40)).toBe(ImageStatus.NoSignatureFooter);
  });

  test("a size that is not a whole number of words is refused, as FUS does (§1.5)", () => {
    expect(status(realTail(fullStack), fullStack.size + 2)).toBe(ImageStatus.SizeNotWordMultiple);
  });

  test("a file smaller than footer + signature block", () => {
    expect(status(realTail(fullStack).subarray(256 - 100), 100)).toBe(ImageStatus.FileTooShort);
  });

  test("a tail that stops before the image footer", () => {
    expect(status(realTail(fullStack).subarray(256 - 96), fullStack.size)).toBe(ImageStatus.TailTooShort);
  });

  test("a size that does not match the footer's sector count (padded or truncated file, §4.3)", () => {
    expect(status(realTail(fullStack), fullStack.size + 3 * 4096)).toBe(ImageStatus.SectorCountMismatch);
    expect(status(realTail(fusV120), fusV120.size - 2 * 4096)).toBe(ImageStatus.SectorCountMismatch);
  });

  test("signature footer with other reserved words or signature length (§4.2)", () => {
    expect(status(mutated(fullStack, 20, (view, at) => view.setUint32(at, 0, true)), fullStack.size)).toBe(
      ImageStatus.SignatureFooterInvalid,
    );
    expect(status(mutated(fullStack, 12, (view, at) => view.setUint8(at, 0x20)), fullStack.size)).toBe(
      ImageStatus.SignatureFooterInvalid,
    );
  });

  test("unknown image magic, and Flipper's 'other' magic (§4.4)", () => {
    expect(status(mutated(fullStack, 88, (view, at) => view.setUint32(at, 0x11223344, true)), fullStack.size)).toBe(
      ImageStatus.ImageMagicUnknown,
    );
    expect(status(mutated(fullStack, 88, (view, at) => view.setUint32(at, MAGIC.other, true)), fullStack.size)).toBe(
      ImageStatus.ImageKindNotInstallable,
    );
  });

  test("info words or format marker that contradict the magic (§4.3, §4.4)", () => {
    // info word 2 is 0xABCDABCD in every file
    expect(status(mutated(fullStack, 100, (view, at) => view.setUint32(at, 0, true)), fullStack.size)).toBe(
      ImageStatus.ImageFooterInconsistent,
    );
    // new-format magic with the legacy format byte
    expect(status(mutated(fullStack, 95, (view, at) => view.setUint8(at, 0xff)), fullStack.size)).toBe(
      ImageStatus.ImageFooterInconsistent,
    );
    // new-format info word 1 whose two NVM-size bytes disagree
    expect(status(mutated(fullStack, 104, (view, at) => view.setUint8(at + 3, 0x05)), fullStack.size)).toBe(
      ImageStatus.ImageFooterInconsistent,
    );
    // a FUS image claiming the new-format marker
    expect(status(mutated(fusV120, 95, (view, at) => view.setUint8(at, 0x02)), fusV120.size)).toBe(
      ImageStatus.ImageFooterInconsistent,
    );
  });

  test("blank version word outside FUS V1.2.0, and an empty one (§3.1, §4.3)", () => {
    expect(status(mutated(fullStack, 92, (view, at) => view.setUint32(at, 0xffffffff, true)), fullStack.size)).toBe(
      ImageStatus.VersionInvalid,
    );
    expect(status(mutated(fusV120, 92, (view, at) => view.setUint32(at, 0, true)), fusV120.size)).toBe(ImageStatus.VersionInvalid);
  });

  test("a customer-signed file: ST block, then the customer block appended (§4.1, §4.2)", () => {
    const footer = imageFooter({ info1: 0xabcdabcd, sectors: 19, formatByte: 0xff, version: version(1, 24, 0, 3), magic: MAGIC.stackLegacy });
    const tail = buildTail(footer, [signatureBlock(MAGIC.signatureSt), signatureBlock(MAGIC.signatureCustomer)]);
    const decoded = codec.decodeTail(tail, 76104 + 84);
    expect(decoded.ok && decoded.image.signatures).toEqual(["st", "customer"]);
    expect(decoded.ok && decoded.image.kind).toBe("stack");
  });

  test("signature blocks in an order no real file has (§4.1)", () => {
    const footer = imageFooter({ info1: 0xabcdabcd, sectors: 19, formatByte: 0xff, version: version(1, 24, 0, 3), magic: MAGIC.stackLegacy });
    const customerFirst = buildTail(footer, [signatureBlock(MAGIC.signatureCustomer), signatureBlock(MAGIC.signatureSt)]);
    expect(status(customerFirst, 76104 + 84)).toBe(ImageStatus.SignatureOrderInvalid);
    const onlyCustomer = buildTail(footer, [signatureBlock(MAGIC.signatureCustomer)]);
    expect(status(onlyCustomer, 76104)).toBe(ImageStatus.SignatureOrderInvalid);
    const threeBlocks = buildTail(footer, [
      signatureBlock(MAGIC.signatureSt),
      signatureBlock(MAGIC.signatureCustomer),
      signatureBlock(MAGIC.signatureCustomer),
    ]);
    expect(status(threeBlocks, 76104 + 168)).toBe(ImageStatus.SignatureOrderInvalid);
  });

  test("a failed decode leaves nothing behind for the planner", () => {
    expect(status(new Uint8Array(256), 4096)).toBe(ImageStatus.NoSignatureFooter);
    expect(codec.call("planAddImage", 0)).toBe(ImageStatus.ImageSlotInvalid);
    expect(codec.call("imageKind")).toBe(0);
  });
});
