// Every row of test/fixtures/release-notes/fus-install-addresses.csv planned by the operator's wasm planner on a
// part with nothing installed: the planned staging address must be the release notes' address
// (fus-behaviour §5, §6.2, §6.3), rows published as "NA" must be refused as not fitting, and the
// few rows where the release notes are demonstrably wrong are listed below with the reason.
import { describe, expect, test } from "vitest";
import { ImageStatus } from "../../assembly/shared/image-codes.js";
import { UpgradePlanner, type ImageFile, type PartDescription } from "../../host-sim/images/planner.js";
import {
  MAGIC,
  addressRows,
  familyName,
  flashKb,
  footerIndex,
  realTail,
  syntheticImage,
  version,
  wordHex,
  type AddressRow,
} from "./support.js";

const planner = new UpgradePlanner();
const rows = addressRows();

/** Rows where the release notes, not the planner, are wrong. */
const releaseNoteErrors: { family: string; release: string; binary: string; flash: string; planned: string; reason: string }[] = [
  ...["1.24.0", "1.23.0"].map((release) => ({
    family: "STM32WB1x",
    release,
    binary: "stm32wb1x_Safeboot_fw.bin",
    flash: "320K",
    planned: "0x08044800",
    reason:
      "the 4 244-byte Safeboot V2.0.1 (3 × 2 KB sectors) gets the address of the 6 292-byte V2.0.0 (4 sectors); " +
      "RN1x §V1.23.0 even prints the V2.0.1 file's row with version V2.0.0. Every other family places V2.0.1 by the size rule (fus-behaviour §6.3)",
  })),
  {
    family: "STM32WB3x",
    release: "1.22.1",
    binary: "stm32wb3x_BLE_Mac_802_15_4_fw.bin",
    flash: "256K",
    planned: "0x0800B000",
    reason:
      "published as NA, yet the same 214 612-byte binary is published at 0x0800B000 for the 256 KB WB5x in the same release " +
      "(identical flash layout below the secure area), and the WB3x 256 KB column gets addresses for BLE_Mac again from V1.23.0",
  },
];

function isListedError(row: AddressRow): boolean {
  return releaseNoteErrors.some(
    (error) => error.family === row.family && error.release === row.rn_release && error.binary === row.binary && error.flash === row.device_flash,
  );
}

/** The real tail when testdata has this very file (v1.24.0), else a footer built from the row's facts (§4.3). */
function imageFor(row: AddressRow): { image: ImageFile; real: boolean } {
  const entry = footerIndex.find(
    (candidate) => candidate.family === row.family && candidate.original_name === row.binary && candidate.size === row.binary_size,
  );
  if (entry && row.cube_tag_checked === "v1.24.0") return { image: { file: row.binary, tail: realTail(entry), size: entry.size }, real: true };
  const magic = Number(row.footer_magic);
  const isNewFormat = magic === MAGIC.stackNew;
  const isSafebootV200 = magic === MAGIC.stackLegacy && row.binary.includes("Safeboot");
  const rnVersion = /^V(\d+)\.(\d+)\.(\d+)$/.exec(row.rn_version_column)!;
  const isFusV1 = magic === MAGIC.fus && row.binary_size === 24492; // the V1.2.0 files (§3.1)
  const image = syntheticImage(row.binary, row.binary_size, {
    info1: isNewFormat ? (row.sector_size === 0x800 ? 0x080208cd : 0x040104cd) : isSafebootV200 ? 0x5afeb007 : 0xabcdabcd,
    sectors: row.size_in_sectors,
    formatByte: isNewFormat ? 0x02 : 0xff,
    version: isFusV1 ? 0xffffffff : version(Number(rnVersion[1]), Number(rnVersion[2]), Number(rnVersion[3])),
    magic,
  });
  return { image, real: false };
}

/** The FUS a part runs when it takes this image on the release notes' path (§5.1, seed §3.3). */
function runningFus(row: AddressRow): string {
  if (row.binary.includes("for_fus_0_5_3")) return "0.5.3";
  if (Number(row.footer_magic) === MAGIC.fus) return row.binary_size === 24492 ? "1.1.0" : "1.2.0";
  return "2.2.0";
}

function plan(row: AddressRow) {
  const { image, real } = imageFor(row);
  const part: PartDescription = { family: familyName(row.family), flashKb: flashKb(row.device_flash), fusVersion: runningFus(row) };
  return { result: planner.plan(part, [image]), real };
}

describe("release-notes install addresses (fus-behaviour §5, §6; fus-install-addresses.csv)", () => {
  test.each(rows.map((row) => [`${row.family} RN ${row.rn_release} ${row.binary} ${row.device_flash}`, row] as const))(
    "%s",
    (_name, row) => {
      const { result } = plan(row);
      const listed = releaseNoteErrors.find(
        (error) => error.family === row.family && error.release === row.rn_release && error.binary === row.binary && error.flash === row.device_flash,
      );
      if (listed) {
        expect(result.ok && wordHex(result.steps[0].address!)).toBe(listed.planned);
      } else if (row.rn_install_address === "NA") {
        expect(result.ok ? "planned" : ImageStatus[result.status]).toBe("ImageDoesNotFit");
        expect(!result.ok && result.missingBytes).toBeGreaterThan(0);
      } else {
        expect(result.ok ? wordHex(result.steps[0].address!) : ImageStatus[result.status]).toBe(row.rn_install_address);
      }
    },
  );

  test("match counts over all rows", () => {
    const counts = { rows: 0, realTails: 0, published: 0, publishedMatched: 0, na: 0, naRefusedAsNotFitting: 0, releaseNoteErrors: 0 };
    for (const row of rows) {
      const { result, real } = plan(row);
      counts.rows++;
      if (real) counts.realTails++;
      if (isListedError(row)) {
        counts.releaseNoteErrors++;
      } else if (row.rn_install_address === "NA") {
        counts.na++;
        if (!result.ok && result.status === ImageStatus.ImageDoesNotFit) counts.naRefusedAsNotFitting++;
      } else {
        counts.published++;
        if (result.ok && wordHex(result.steps[0].address!) === row.rn_install_address) counts.publishedMatched++;
      }
    }
    expect(counts).toEqual({
      rows: 446,
      realTails: 154,
      published: 394,
      publishedMatched: 394,
      na: 48,
      naRefusedAsNotFitting: 48,
      // 3 WB1x Safeboot V2.0.1 rows (RN1x §V1.23.0 lists the file twice) + 1 NA row
      releaseNoteErrors: 4,
    });
  });

  test("a 'not fitting' refusal says how much is missing: BLE_Thread_dynamic 1.24.0 on a 512 KB WB5x (§6.2)", () => {
    const row = rows.find((candidate) => candidate.binary === "stm32wb5x_BLE_Thread_dynamic_fw.bin" && candidate.device_flash === "512K" && candidate.rn_release === "1.24.0")!;
    const { result } = plan(row);
    // T = 0x08080000, 16 KB NVM, 135 sectors: the image would start 0x0B000 below the flash base,
    // and 28 KB above it are kept for CPU1's boot code (no application end given).
    expect(!result.ok && result.missingBytes).toBe(0x08007000 - (0x08080000 - 0x4000 - 135 * 0x1000));
  });
});
