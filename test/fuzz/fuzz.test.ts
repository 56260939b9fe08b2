// The seeded quick subset of `make fuzz` (bench/fuzz-targets.ts): a few thousand inputs per target
// on tier 1, a sample of them against tier 2, and the reproducers of what the full run finds.
import { describe, expect, test } from "vitest";
import { boardInput, compareTiers, footerInput, loaderConsoleInput, plannerInput, runTarget, violationTotal } from "../../bench/fuzz-targets.js";

const SEED = 7;
const INPUTS = 3000;


describe.each(["footer", "planner", "board"] as const)(`fuzz target %s, ${INPUTS} seeded inputs`, (target) => {
  const counts = runTarget(target, SEED, 0, INPUTS);

  test("every input was answered: no trap (wasm trap, device fault, TypeError)", () => {
    expect(counts.inputs).toBe(INPUTS);
    expect({ traps: counts.traps, findings: counts.findings.filter((finding) => finding.includes(" trap: ")) }).toEqual({ traps: 0, findings: [] });
    // The generators reach both sides of the code: some inputs are accepted, most are refused.
    expect(counts.accepted).toBeGreaterThan(INPUTS / 50);
    expect(counts.accepted).toBeLessThan(INPUTS);
  });

  test("no invariant is broken (D1, P1-P3 are fixed: none is tolerated)", () => {
    expect({ violations: counts.violations, findings: counts.findings }).toEqual({ violations: {}, findings: [] });
    expect(violationTotal(counts)).toBe(0);
  });

  if (target !== "board") {
    test("tier 1 and tier 2 (the probe in unicorn) give the same answers on a sample", () => {
      const { compared, disagreements } = compareTiers(target, SEED, INPUTS, 150);
      expect(compared).toBe(20);
      expect(disagreements).toEqual([]);
    });
  }
});

// The field loader's targets run a fresh virtual board per input (a few ms each): a few hundred here.
const LOADER_INPUTS = 300;

describe.each(["console", "ymodem"] as const)(`fuzz target %s (field loader, tier 1), ${LOADER_INPUTS} seeded inputs`, (target) => {
  const counts = runTarget(target, SEED, 0, LOADER_INPUTS);

  test("no trap, no hang, no broken invariant (one final line per command line; a failed transfer leaves no valid application)", () => {
    expect(counts.inputs).toBe(LOADER_INPUTS);
    expect({ traps: counts.traps, hangs: counts.hangs, violations: counts.violations, findings: counts.findings }).toEqual({ traps: 0, hangs: 0, violations: {}, findings: [] });
  });

  test("the generator reaches both answers: commands run / files received, and refusals", () => {
    expect(counts.accepted).toBeGreaterThan(LOADER_INPUTS / 50);
    if (target === "ymodem") expect(counts.accepted).toBeLessThan(LOADER_INPUTS);
  });
});

describe("reproducers of what `make fuzz` found in the field loader (fixed)", () => {
  // Seed 1, console #8404: `json on`, then start-fus on a part whose stack runs; the part resets and
  // the resumed command answered `OK` in text, the console's mode having been RAM state. The mode
  // is now kept in RTC_BKP1R through the reset (assembly/loader/request.ts).
  test("json mode survives the reset of start-fus (#8404): every line after it is JSON", () => {
    const counts = runTarget("console", 1, 8404, 8405);
    expect({ violations: counts.violations, findings: counts.findings }).toEqual({ violations: {}, findings: [] });
  });
  test("#8404 is that input: json on, then start-fus on a part whose stack runs", () => {
    const input = loaderConsoleInput(1, 8404);
    expect(input.board.stack).toBeDefined();
    expect(input.text.indexOf("json on")).toBeGreaterThanOrEqual(0);
    expect(input.text.indexOf("start-fus")).toBeGreaterThan(input.text.indexOf("json on"));
  });
});

describe("reproducers of what `make fuzz` found (D1, P1–P3: fixed in the planner and footer decoder)", () => {
  // Seed 1 indices from bench/results.md; each replays one input.
  const one = (target: "footer" | "planner", index: number) => runTarget(target, 1, index, index + 1);

  test("D1: a file of 0xFFFFFxxx bytes whose footer counts 1 sector is refused (#347)", () => {
    expect(one("footer", 347).violations).toEqual({});
  });
  test("P1: --app-end near 2^32 does not wrap into a plan below the application (#128)", () => {
    expect(violationTotal(one("planner", 128))).toBe(0);
  });
  test("P2: --sfsa 163 on a 512 KB part does not plan past the end of flash (#1992)", () => {
    expect(violationTotal(one("planner", 1992))).toBe(0);
  });
  test("P3: no plan on the first flash sector, --app-end or not (#15923: WB1x, FUS + BLE_Stack_full, SFSA 63)", () => {
    expect(violationTotal(one("planner", 15923))).toBe(0);
  });
  test("board #261085, #363147, #446028: the input generator no longer traps (it set a prototype where it meant a \"__proto__\" key)", () => {
    for (const index of [261085, 363147, 446028]) expect({ index, traps: runTarget("board", 1, index, index + 1).traps }).toEqual({ index, traps: 0 });
    // The hostile key now reaches the loader as JSON text, which refuses it (seed 1, input #1).
    expect(Buffer.from(boardInput(1, 1)).toString("utf8")).toContain('"__proto__":[1]');
    expect(runTarget("board", 1, 1, 2)).toMatchObject({ inputs: 1, accepted: 0, traps: 0 });
  });
  test("the reproducer indices still name the inputs described (so the .fails above are not vacuous)", () => {
    expect(footerInput(1, 347).size).toBeGreaterThan(0xffff_f000);
    expect(plannerInput(1, 128).part.appEnd).toBeGreaterThan(0xffff_0000);
    expect(plannerInput(1, 1992).part).toMatchObject({ family: "wb5x", flashKb: 512, sfsa: 163 });
    expect(plannerInput(1, 15923).part).toMatchObject({ family: "wb1x", sfsa: 63 });
    expect(plannerInput(1, 15923).part.appEnd).toBeUndefined();
  });
});
