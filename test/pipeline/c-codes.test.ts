// The C names of the operator's codes (build/gen/fusop_codes.h, written by scripts/gen-c-api.mjs)
// carry the same values as the TypeScript enums both sides share.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as codes from "../../assembly/shared/codes.js";
import * as imageCodes from "../../assembly/shared/image-codes.js";
import { buildDirectory } from "../../host-sim/paths.js";

const header = readFileSync(join(buildDirectory, "gen", "fusop_codes.h"), "utf8");

/** enum tag -> [constant, value] in header order. */
function headerEnums(): Map<string, [string, number][]> {
  const enums = new Map<string, [string, number][]>();
  for (const [, tag, body] of header.matchAll(/enum (\w+) \{\n([\s\S]*?)\n\};/g)) {
    const members = [...body.matchAll(/^ {2}(FUSOP_\w+) = (0x[0-9a-fA-F]+|\d+),$/gm)].map(([, name, value]) => [name, Number(value)] as [string, number]);
    enums.set(tag, members);
  }
  return enums;
}

/** Members of a TypeScript numeric enum, in declaration order. */
function members(enumObject: Record<string, string | number>): [string, number][] {
  return Object.entries(enumObject).filter((entry): entry is [string, number] => typeof entry[1] === "number");
}

describe("fusop_codes.h", () => {
  const inHeader = headerEnums();
  const shared = { ...codes, ...imageCodes } as unknown as Record<string, Record<string, string | number>>;

  test("every shared enum is in the header with the same values, in the same order", () => {
    const names = Object.keys(shared);
    expect(names.length).toBe(inHeader.size);
    for (const name of names) {
      const comment = header.indexOf(`/* ${name} (assembly/shared/`);
      expect(comment, name).toBeGreaterThan(0);
      const tag = header.slice(comment).match(/\nenum (\w+) \{/)![1];
      expect(inHeader.get(tag)!.map(([, value]) => value), name).toEqual(members(shared[name]).map(([, value]) => value));
    }
  });

  test("the names C code uses", () => {
    const all = new Map([...inHeader.values()].flat());
    expect(all.get("FUSOP_STATUS_OK")).toBe(codes.OperatorStatus.Ok);
    expect(all.get("FUSOP_STATUS_READY_TIMEOUT")).toBe(codes.OperatorStatus.ReadyTimeout);
    expect(all.get("FUSOP_STATUS_CPU2_ALREADY_BOOTED")).toBe(codes.OperatorStatus.Cpu2AlreadyBooted);
    expect(all.get("FUSOP_CPU2_MODE_FUS")).toBe(codes.Cpu2Mode.Fus);
    expect(all.get("FUSOP_DIAGNOSIS_SAFEBOOT_FORCED")).toBe(codes.Diagnosis.SafebootForced);
    expect(all.get("FUSOP_FUS_STATE_ERROR")).toBe(0xff);
    expect(all.get("FUSOP_FUS_ERROR_IMG_NOT_AUTHENTIC")).toBe(codes.FusError.ImgNotAuthentic);
    expect(all.get("FUSOP_IMAGE_STATUS_STALE_IMAGE_IN_STAGING")).toBe(imageCodes.ImageStatus.StaleImageInStaging);
    expect(all.get("FUSOP_IMAGE_STATUS_FUS_NEEDS_V120_FIRST")).toBe(imageCodes.ImageStatus.FusNeedsV120First);
    expect(header).toMatch(/\/\* CPU2 did not post its READY event on the system channel in time \(cpu2-interface §4\.1 step 9\)\. \*\/\n {2}FUSOP_STATUS_READY_TIMEOUT = 1,/);
  });
});
