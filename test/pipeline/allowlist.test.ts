// One sandbox for both tiers: the device hal (generated from runtime-c/allowlist.json) and tier 1
// (host-sim/tiers/allowlist.ts, from the same file) allow and refuse exactly the same accesses.
import { describe, expect, test } from "vitest";
import { Allowlist, HalDenied } from "../../host-sim/tiers/allowlist.js";
import { DeviceFault } from "../../host-sim/tiers/tier.js";
import type { ArmTier } from "../../host-sim/tiers/tier2.js";
import { rig } from "../support/tiers.js";
import type { BoardConfig } from "../../host-sim/board.js";

const boards: { name: string; config: BoardConfig; addresses: number[] }[] = [
  {
    name: "WB55 1 MB",
    config: { family: "wb5x", flashKb: 1024, fus: "2.2.0" },
    addresses: [0x2000_0000, 0x2003_0010, 0x2003_7ffc, 0x2003_bffc, 0x2003_c000, 0x4000_0000, 0x4000_284c, 0x4000_2850, 0x4000_2854, 0x4000_2858, 0x5800_0c0c,
      0x5800_1400, 0x5800_4080, 0x5800_2000, 0xe004_2000, 0x1fff_7580, 0x080f_3ff8, 0x080f_4000],
  },
  {
    name: "WB15 320 KB",
    config: { family: "wb1x", flashKb: 320, fus: "2.2.0" },
    addresses: [0x2003_0010, 0x2003_67fc, 0x2003_6800, 0x2003_8000, 0x0804_5ff8, 0x0804_6000, 0x5800_0c0c],
  },
];

function onDevice(tier: ArmTier, address: number, write: boolean): string {
  try {
    if (write) tier.callSymbol("fusop_hal_write32", address, 0);
    else tier.callSymbol("fusop_hal_read32", address);
    return "ALLOWED";
  } catch (error) {
    if (error instanceof DeviceFault && error.code.startsWith("HAL_")) return error.code;
    // The hal let it through and the bus refused it (CPU2's secure flash is not mapped for CPU1):
    // allowed by the sandbox.
    if (error instanceof DeviceFault && error.code === "UNMAPPED_ACCESS") return "ALLOWED";
    throw error;
  }
}

function onTier1(allowlist: Allowlist, address: number, write: boolean): string {
  try {
    allowlist.require(address, 4, write);
    return "ALLOWED";
  } catch (error) {
    if (error instanceof HalDenied) return error.code;
    throw error;
  }
}

describe.each(boards)("$name", ({ config, addresses }) => {
  test.each([false, true])("write=%s: tier 1 decides as the device does", (write) => {
    for (const address of addresses) {
      const { tier, chip } = rig("arm", config);
      const device = onDevice(tier as ArmTier, address, write);
      const hosted = onTier1(new Allowlist(chip), address, write);
      expect({ address: address.toString(16), hosted }).toEqual({ address: address.toString(16), hosted: device });
    }
  });
});
