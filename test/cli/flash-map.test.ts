// The flash map `info`, `plan` and `install` draw: its regions checked against the board (stack,
// NVM section, SFSA = the secure flash start at SFSA × sector size, SBRV × 4 = CPU2's boot
// address: cpu2-interface §2), the terminal picture and the SVG drawn from the same regions.
import { describe, expect, test } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBoard } from "../../host-sim/board.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { FLASH_BASE, flashRegions, renderFlashMapSvg, renderFlashMapText } from "../../cli/flash-map.js";
import { hexAddress } from "../../cli/command.js";
import { fusop } from "../support/cli.js";
import { tierNames } from "../support/tiers.js";

const directory = mkdtempSync(join(tmpdir(), "fusop-flash-map-"));

interface Region { kind: string; start: string; end: string; label: string }

function expectContiguous(regions: Region[], flashEnd: number): void {
  expect(regions[0].start).toBe(hexAddress(FLASH_BASE));
  expect(regions.at(-1)!.end).toBe(hexAddress(flashEnd));
  for (let index = 1; index < regions.length; index++) expect(regions[index].start).toBe(regions[index - 1].end);
  for (const region of regions) expect(Number(region.end)).toBeGreaterThan(Number(region.start));
}

describe.each(tierNames)("tier %s: info draws the board's flash", (tier) => {
  test("stack, NVM section, FUS, SFSA and SBRV where the board has them; the SVG shows the same regions", async () => {
    const stack = join(directory, `ble-${tier}.bin`);
    writeFileSync(stack, buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x18000, family: "wb5x", format: "new", stackType: 1 }));
    const path = join(directory, `map-${tier}.json`);
    expect((await fusop(["sim", "create", path, "--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0", "--stack", stack, "--nvm-section"])).code).toBe(0);
    const svgPath = join(directory, `map-${tier}.svg`);
    const run = await fusop(["info", "--board", path, "--tier", tier, "--svg", svgPath, "--json"]);
    expect(run.code).toBe(0);

    const board = loadBoard(path);
    const regions = run.result.flashRegions as Region[];
    expectContiguous(regions, 0x08100000);
    const stackInfo = board.cpu2.stack!;
    const nvm = board.cpu2.nvmSection!;
    expect(regions.find((region) => region.kind === "stack")).toMatchObject({ start: hexAddress(stackInfo.start), end: hexAddress(stackInfo.start + stackInfo.size) });
    expect(regions.find((region) => region.kind === "nvm")).toMatchObject({ start: hexAddress(nvm.start), end: hexAddress(nvm.start + nvm.bytes) });
    const secureStart = FLASH_BASE + board.optionBytes.sfsa * board.variant.sectorBytes;
    const firstSecure = regions.findIndex((region) => Number(region.start) >= secureStart);
    expect(regions[firstSecure].start).toBe(hexAddress(secureStart));
    expect(regions.slice(0, firstSecure).every((region) => ["application", "free", "staged"].includes(region.kind))).toBe(true);
    expect(regions.at(-1)).toMatchObject({ kind: "fus", end: "0x08100000" });
    if (tier === "arm") {
      // Tier 2 programs its firmware at the flash base: the map shows it as the application.
      expect(regions[0]).toMatchObject({ kind: "application", start: "0x08000000" });
    }

    // The terminal picture: one line per region and the option bytes with their addresses.
    const text = run.result.flashMap as string;
    for (const region of regions) expect(text).toContain(`${region.start}..${region.end}`);
    expect(text).toContain(`SFSA 0x${board.optionBytes.sfsa.toString(16).toUpperCase()} = ${hexAddress(secureStart)}`);
    expect(text).toContain(`SBRV 0x${board.optionBytes.sbrv.toString(16).toUpperCase()} = ${hexAddress(FLASH_BASE + board.optionBytes.sbrv * 4)}`);

    // The SVG: the same regions with the same addresses, and the two markers.
    const svg = readFileSync(svgPath, "utf8");
    const drawn = [...svg.matchAll(/data-region="(\w+)" data-start="(0x[0-9A-F]{8})" data-end="(0x[0-9A-F]{8})"/g)].map((m) => ({ kind: m[1], start: m[2], end: m[3] }));
    expect(drawn).toEqual(regions.map(({ kind, start, end }) => ({ kind, start, end })));
    expect(svg).toContain(`data-marker="SFSA" data-address="${hexAddress(secureStart)}"`);
    expect(svg).toContain(`data-marker="SBRV" data-address="${hexAddress(FLASH_BASE + board.optionBytes.sbrv * 4)}"`);
  });
});

test("plan draws each image where it is planned, with its exact size", async () => {
  const fus = join(directory, "stm32wb5x_FUS_fw.bin");
  writeFileSync(fus, buildImage({ kind: "fus", version: parseVersion("2.2.0"), size: 24_464, family: "wb5x" }));
  const run = await fusop(["plan", fus, "--family", "wb5x", "--flash-kb", "1024", "--fus", "1.2.0", "--app-end", "0x08020000", "--json"]);
  expect(run.code).toBe(0);
  const regions = run.result.flashRegions as Region[];
  expectContiguous(regions, 0x08100000);
  const address = Number(run.result.steps[0].address);
  expect(regions.find((region) => region.kind === "staged")).toMatchObject({ start: hexAddress(address), end: hexAddress(address + 24_464) });
  expect(regions[0]).toMatchObject({ kind: "application", start: "0x08000000", end: "0x08020000" });
});

test("the region model covers the flash without overlap whatever it is told", () => {
  const layouts = [
    { flashKb: 1024, sectorBytes: 4096, sfsa: 0xf4 },
    { flashKb: 512, sectorBytes: 4096, sfsa: 0xf4, appEnd: 0x08010000 }, // SFSA beyond a 512 KB part's end
    { flashKb: 320, sectorBytes: 2048, sfsa: 0x90, sbrv: 0x12000, staged: [{ start: 0x08030000, end: 0x08031000, label: "x" }] },
    { flashKb: 1024, sectorBytes: 4096, sfsa: 0xd0, stack: { start: 0x080d0000, end: 0x080f0000, label: "s" }, nvm: { start: 0x080f0000, end: 0x080f4000 } },
    { flashKb: 1024, sectorBytes: 4096, sfsa: 0xd0, appEnd: 0x080e0000 }, // an application end inside the secure area
  ];
  for (const layout of layouts) {
    const map = flashRegions(layout);
    expectContiguous(map.regions.map((region) => ({ ...region, start: hexAddress(region.start), end: hexAddress(region.end) })), FLASH_BASE + layout.flashKb * 1024);
    const text = renderFlashMapText(map);
    expect(text.split("\n")[1]).toMatch(/^\|.{64}\|$/);
    expect(renderFlashMapSvg(map, "t").match(/data-region=/g)).toHaveLength(map.regions.length);
  }
});
