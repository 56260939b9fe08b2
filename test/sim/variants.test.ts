// Device variants and the option-byte defaults per FUS version and situation (fus-behaviour §1.1,
// §1.6, §6.2; seed §3.4).
import { describe, expect, it } from "vitest";
import { deviceVariant, defaultOptionBytes, fusVersionUnavailable, nvmSectionStart, type Family } from "../../host-sim/chip/variants.js";
import { parseVersion } from "../../host-sim/versions.js";

const v = parseVersion;

describe("device variants (fus-behaviour §1.1, §6.2 'T')", () => {
  const table: [Family, number, number, number, number, boolean][] = [
    // family, KB, sector, FUS start, T (install top), user keys
    ["wb5x", 1024, 4096, 0x080f_4000, 0x080f_4000, true],
    ["wb5x", 640, 4096, 0x080f_4000, 0x080a_0000, true],
    ["wb5x", 512, 4096, 0x080f_4000, 0x0808_0000, true],
    ["wb5x", 256, 4096, 0x080f_4000, 0x0804_0000, true],
    ["wb3x", 512, 4096, 0x080f_4000, 0x0808_0000, true],
    ["wb3x", 256, 4096, 0x080f_4000, 0x0804_0000, true],
    ["wb1x", 320, 2048, 0x0804_6000, 0x0804_6000, false],
  ];
  for (const [family, kb, sector, fusStart, top, keys] of table) {
    it(`${family} ${kb} KB`, () => {
      const variant = deviceVariant(family, kb);
      expect(variant).toMatchObject({ sectorBytes: sector, fusStart, installTop: top, hasCustomerKeyStorage: keys, flashTop: 0x0800_0000 + kb * 1024 });
      expect(nvmSectionStart(variant)).toBe(top - 0x4000);
    });
  }

  it("rejects sizes a family does not come in", () => {
    expect(() => deviceVariant("wb1x", 512)).toThrow(/320/);
    expect(() => deviceVariant("wb3x", 1024)).toThrow();
  });
});

describe("SFSA/SBRV defaults (fus-behaviour §1.6 option-byte table; seed §3.4)", () => {
  const wb55 = deviceVariant("wb5x", 1024);
  const wb15 = deviceVariant("wb1x", 320);
  it("factory FUS V1.x/V2: 0xF4 / 0x3D000; V0.5.3: 0xF6 / 0x3D800; WB1x 0x8C / 0x11800", () => {
    expect(defaultOptionBytes(wb55, { fusVersion: v("2.2.0"), stackStart: null, nvmSection: false }, false)).toEqual({ sfsa: 0xf4, sbrv: 0x3d000 });
    expect(defaultOptionBytes(wb55, { fusVersion: v("1.2.0"), stackStart: null, nvmSection: false }, false)).toEqual({ sfsa: 0xf4, sbrv: 0x3d000 });
    expect(defaultOptionBytes(wb55, { fusVersion: v("0.5.3"), stackStart: null, nvmSection: false }, false)).toEqual({ sfsa: 0xf6, sbrv: 0x3d800 });
    expect(defaultOptionBytes(wb15, { fusVersion: v("2.2.0"), stackStart: null, nvmSection: false }, false)).toEqual({ sfsa: 0x8c, sbrv: 0x11800 });
  });
  it("NVM section kept: 0xF0 (WB5x 1M), 0x84 (WB1x)", () => {
    expect(defaultOptionBytes(wb55, { fusVersion: v("2.2.0"), stackStart: null, nvmSection: true }, false).sfsa).toBe(0xf0);
    expect(defaultOptionBytes(wb15, { fusVersion: v("2.2.0"), stackStart: null, nvmSection: true }, false).sfsa).toBe(0x84);
  });
  it("stack at A: SFSA = A's sector; SBRV = A/4 while it runs, the FUS vector while FUS runs", () => {
    const situation = { fusVersion: v("2.2.0"), stackStart: 0x080d_0000, nvmSection: true };
    expect(defaultOptionBytes(wb55, situation, true)).toEqual({ sfsa: 0xd0, sbrv: 0x34000 });
    expect(defaultOptionBytes(wb55, situation, false)).toEqual({ sfsa: 0xd0, sbrv: 0x3d000 });
  });
});

describe("which FUS a part can run (seed §3.2, §3.3)", () => {
  it("WB1x never had FUS before 1.2.0; 1.0.1 only on a 5xG; 640 KB from 1.1.1", () => {
    expect(fusVersionUnavailable(deviceVariant("wb1x", 320), "1.1.2")).toMatch(/never/);
    expect(fusVersionUnavailable(deviceVariant("wb1x", 320), "2.2.0")).toBeNull();
    expect(fusVersionUnavailable(deviceVariant("wb5x", 512), "1.0.1")).toMatch(/5xG/);
    expect(fusVersionUnavailable(deviceVariant("wb5x", 1024), "1.0.1")).toBeNull();
    expect(fusVersionUnavailable(deviceVariant("wb5x", 640), "1.1.0")).toMatch(/640/);
    expect(fusVersionUnavailable(deviceVariant("wb5x", 1024), "3.0.0")).toMatch(/does not exist/);
  });
});
