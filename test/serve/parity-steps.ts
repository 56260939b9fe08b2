// The board commands' parity script (test/serve/parity*.test.ts): one step per board command at
// least, refusals included, whose result must be the same on every target.
import { expect } from "vitest";
import { writeFileSync } from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { file, fusImage, stackImage } from "./support.js";

/** What names the target rather than the part. */
export const TARGET_FIELDS = new Set(["ok", "tier", "resets", "port", "flashMap", "flashRegions"]);

export interface Step {
  /** The command line after `fusop`, without the target. */
  argv: string[];
  /** The error code every target must give; undefined: every target must succeed. */
  refused?: string;
}

const appEnd = "0x08020000";
const key16 = "00112233445566778899aabbccddeeff";

/**
 * One step per board command at least (refusals included), in an order that gives each its
 * precondition: keys stored before they are loaded, an image staged before upgrade. FUS 2.2.0 on a
 * 1 MB WB55, no stack at first. Images go over the pty at its real speed: the steps that send one
 * (stage, install) are `slow` and run in `make test-slow` only.
 */
export function paritySteps(withStack: boolean): { command: string; step: Step; slow?: boolean }[] {
  const stack = file("stm32wb5x_BLE_Stack_full_fw.bin", stackImage("wb5x"));
  const olderFus = file("stm32wb5x_FUS_fw_1_2_0.bin", fusImage("1.2.0"));
  const authKey = file("pub.pem");
  writeFileSync(authKey, generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({ type: "spki", format: "pem" }));
  return [
    { command: "info", step: { argv: ["info"] } },
    { command: "state", step: { argv: ["state"] } },
    { command: "diagnose", step: { argv: ["diagnose", "--app-end", appEnd] } },
    { command: "erase", step: { argv: ["erase", "--range", "0x080C0000..0x080C2000", "--app-end", appEnd] } },
    { command: "erase", step: { argv: ["erase", "--range", "0x0800C000..0x0800D000", "--app-end", appEnd], refused: "ERASE_BELOW_APPLICATION_END" } },
    { command: "erase", step: { argv: ["erase", "--range", "0x080C0000..0x08100000", "--app-end", appEnd], refused: "ERASE_IN_SECURE_AREA" } },
    { command: "erase", step: { argv: ["erase", "--range", "0x080C0100..0x080C1000", "--app-end", appEnd], refused: "ERASE_NOT_SECTOR_ALIGNED" } },
    { command: "upgrade", step: { argv: ["upgrade"], refused: "NOTHING_STAGED" } },
    { command: "antirollback", step: { argv: ["antirollback"], refused: "ANTIROLLBACK_WITHOUT_STACK" } },
    { command: "user-key store", step: { argv: ["user-key", "store", "--type", "simple", "--key", key16] } },
    { command: "user-key store", step: { argv: ["user-key", "store", "--type", "encrypted", "--key", key16], refused: "INVALID_KEY_IV" } },
    { command: "user-key store", step: { argv: ["user-key", "store", "--type", "simple", "--key", "0011"], refused: "INVALID_KEY_SIZE" } },
    { command: "user-key load", step: { argv: ["user-key", "load", "1"] } },
    { command: "user-key unload", step: { argv: ["user-key", "unload", "1"] } },
    { command: "user-key lock", step: { argv: ["user-key", "lock", "1"] } },
    { command: "stage", step: { argv: ["stage", olderFus], refused: "FUS_DOWNGRADE" }, slow: true },
    { command: "stage", step: { argv: ["stage", stack, "--at", "0x08080000"], refused: "STAGE_ADDRESS_NOT_PLANNED" }, slow: true },
    { command: "stage", step: { argv: ["stage", stack] }, slow: true },
    { command: "upgrade", step: { argv: ["upgrade"] }, slow: true },
    // Without the image steps no stack was installed: these are then refusals, as FUS would refuse them.
    { command: "start-ws", step: { argv: ["start-ws"], refused: withStack ? undefined : "NO_STACK_INSTALLED" } },
    { command: "start-fus", step: { argv: ["start-fus"] } },
    { command: "antirollback", step: { argv: ["antirollback"], refused: withStack ? undefined : "ANTIROLLBACK_WITHOUT_STACK" } },
    { command: "delete", step: { argv: ["delete"], refused: withStack ? undefined : "NO_STACK_INSTALLED" } },
    { command: "purge", step: { argv: ["purge"], refused: "NO_STACK_INSTALLED" } },
    { command: "install", step: { argv: ["install", stack, "--no-start"] }, slow: true },
    // Last: an authentication key makes FUS ask for customer-signed images from then on (fus-behaviour §1.12).
    { command: "auth-key update", step: { argv: ["auth-key", "update", authKey] } },
    { command: "auth-key lock", step: { argv: ["auth-key", "lock"] } },
  ];
}

/** A command's --json result line (the last line of stdout) and its exit code, as the part reports it: without what names the target. */
export function comparable(exit: number, value: Record<string, unknown>): Record<string, unknown> {
  if (value.ok === false) return { refusedWith: (value.error as { code: string }).code, exit };
  return Object.fromEntries(Object.entries(value).filter(([key]) => !TARGET_FIELDS.has(key)));
}

/** Checks one step's results: --board's is the reference. */
export function expectParity(label: string, step: Step, viaBoard: Record<string, unknown>, others: { port?: Record<string, unknown>; gdb?: Record<string, unknown> }): void {
  if (step.refused === undefined) expect(viaBoard, `${label} on --board`).not.toHaveProperty("refusedWith");
  else expect(viaBoard, label).toMatchObject({ refusedWith: step.refused });
  if (others.port) expect(others.port, `${label} over --port`).toEqual(viaBoard);
  if (others.gdb) expect(others.gdb, `${label} over --gdb`).toEqual(viaBoard);
}
