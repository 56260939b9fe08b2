// The public C header (runtime-c/include/fusop.h) is written for people: every prototype names its
// parameters, and every call says whether it blocks and whether it resets the part (issue: "a comment
// per function: blocks? at most how long? causes a system reset?").
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../host-sim/paths.js";

const header = readFileSync(join(projectRoot, "runtime-c", "include", "fusop.h"), "utf8");
/** [the comment right before it, return type, name, parameter list] of every prototype. */
const prototypes = [...header.matchAll(/(\/\*(?:(?!\*\/)[\s\S])*\*\/)\n((?:const )?\w+ \*?)(fusop_\w+)\(([^)]*)\);/g)]
  .map(([, comment, , name, parameters]) => ({ comment, name, parameters }));

describe("fusop.h", () => {
  test("declares the calls of the API", () => {
    expect(prototypes.length).toBe((header.match(/^\w[\w ]*\*? ?fusop_\w+\(/gm) ?? []).length);
    expect(prototypes.map((p) => p.name)).toEqual(expect.arrayContaining([
      "fusop_init", "fusop_resume", "fusop_identify", "fusop_stage_begin", "fusop_stage_write", "fusop_stage_end",
      "fusop_install", "fusop_start_stack", "fusop_delete_stack", "fusop_key_store", "fusop_fault_hook",
    ]));
  });

  test("no prototype has an unnamed parameter", () => {
    for (const { name, parameters } of prototypes) {
      if (parameters.trim() === "void") continue;
      for (const parameter of parameters.split(",")) {
        expect(parameter.trim(), name).toMatch(/^(const )?[\w ]+[ *]+\w+$/);
        expect(parameter.trim().split(/[ *]+/).length, `${name}: ${parameter}`).toBeGreaterThan(1);
      }
    }
  });

  test("every call except the fault hook says whether it blocks and whether it resets", () => {
    for (const { name, comment } of prototypes.filter((p) => p.name !== "fusop_fault_hook")) {
      expect(comment, name).toMatch(/Blocks/);
      expect(comment, name).toMatch(/Resets/);
    }
  });
});
