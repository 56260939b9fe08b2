// Messages users read: the running FUS named in a downgrade refusal, a healthy part with its stack
// running not shown as a FUS error (a GET_STATE would switch CPU2 to FUS: fus-behaviour §1.8), the
// stack type by name (cpu2-interface §3.4), FUS's rollback refusal explained for a FUS image too
// (FUS never downgrades: fus-behaviour §1.3), and the auth-key file format (EC P-256 public key as
// PEM, DER or the raw X‖Y point FUS_UPDATE_AUTH_KEY carries: cpu2-interface §5.6).
import { describe, expect, test } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBoard } from "../../host-sim/board.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { rawPublicKey } from "../../host-sim/images/signing.js";
import { parseVersion } from "../../host-sim/versions.js";
import { fusop } from "../support/cli.js";
import { tierNames } from "../support/tiers.js";

const directory = mkdtempSync(join(tmpdir(), "fusop-messages-"));

async function newBoard(name: string, extra: string[] = []): Promise<string> {
  const path = join(directory, name);
  expect((await fusop(["sim", "create", path, "--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0", "--force", ...extra])).code).toBe(0);
  return path;
}

describe.each(tierNames)("tier %s", (tier) => {
  test("staging an older FUS names the running version and says what to do", async () => {
    const board = await newBoard(`downgrade-${tier}.json`);
    const old = join(directory, `old-fus-${tier}.bin`);
    writeFileSync(old, buildImage({ kind: "fus", version: parseVersion("2.1.0"), size: 24_464, family: "wb5x" }));
    const run = await fusop(["stage", old, "--board", board, "--tier", tier]);
    expect(run.code).toBe(1);
    expect(run.err.at(-1)).toMatch(/^fusop: error FUS_DOWNGRADE: .* holds FUS V2\.1\.0, older than the running V2\.2\.0: FUS never downgrades/);
    expect(run.err.at(-1)).not.toContain("V?");
  });

  test("a healthy part with its stack running: no FUS error, the stack type by name", async () => {
    const stack = join(directory, `ble-${tier}.bin`);
    writeFileSync(stack, buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x6000, family: "wb5x", format: "legacy", stackType: 0x10 }));
    const board = await newBoard(`healthy-${tier}.json`, ["--stack", stack]);
    const json = await fusop(["info", "--board", board, "--tier", tier, "--json"]);
    expect(json.result).toMatchObject({ mode: "stack", state: null, error: null, stackType: "0x10", stackTypeName: "Thread FTD" });
    const text = (await fusop(["info", "--board", board, "--tier", tier])).out.join("\n");
    expect(text).not.toMatch(/FUS_STATE_ERROR|NOT_RUNNING/);
    expect(text).toContain("FUS state: not asked (the wireless stack runs");
    expect(text).toContain("stack V1.24.0 (Thread FTD, type 0x10)");
    expect(text).toMatch(/SFSA 0x[0-9A-F]+ = 0x080[0-9A-F]{5} \(secure flash starts\); SBRV 0x[0-9A-F]+ = 0x080[0-9A-F]{5}/);
  });

  test("FUS's rollback refusal of an older FUS image says FUS never downgrades, not only anti-rollback", async () => {
    const board = await newBoard(`rollback-${tier}.json`);
    const old = join(directory, `rollback-${tier}.bin`);
    writeFileSync(old, buildImage({ kind: "fus", version: parseVersion("2.1.0"), size: 24_464, family: "wb5x" }));
    expect((await fusop(["stage", old, "--at", "0x080EE000", "--force", "--board", board, "--tier", tier])).code).toBe(0);
    const run = await fusop(["upgrade", "--force", "--board", board, "--tier", tier, "--json"]);
    expect(run.result.error.code).toBe("FUS_STATE_FW_ROLLBACK_ERROR");
    expect(run.result.error.message).toContain("FUS never downgrades");
    expect(run.result.error.message).toContain("fusop erase --range");
  });

  test("auth-key update takes a PEM public key and installs its raw X‖Y point", async () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const pem = join(directory, `pub-${tier}.pem`);
    writeFileSync(pem, publicKey.export({ type: "spki", format: "pem" }));
    const board = await newBoard(`auth-${tier}.json`);
    const run = await fusop(["auth-key", "update", pem, "--board", board, "--tier", tier, "--json"]);
    expect(run.result).toMatchObject({ ok: true, authKey: "updated", bytes: 64 });
    expect(loadBoard(board).cpu2.authKey.key).toBe(Buffer.from(rawPublicKey(publicKey)).toString("hex"));
  });
});

describe("auth-key file formats", () => {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const raw = Buffer.from(rawPublicKey(publicKey)).toString("hex");
  const files: Record<string, Uint8Array | string> = {
    "pub.der": publicKey.export({ type: "spki", format: "der" }),
    "pub.raw": rawPublicKey(publicKey),
    "private.pem": privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    "private.der": privateKey.export({ type: "pkcs8", format: "der" }),
    "rsa.pem": generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "pem" }) as string,
    "notes.txt": "my key is in the safe\n",
    "off-curve.raw": new Uint8Array(64).fill(7),
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(directory, name), content);

  test.each(["pub.der", "pub.raw"])("%s is accepted as the same 64-byte point", async (name) => {
    const board = await newBoard(`auth-${name}.json`);
    expect((await fusop(["auth-key", "update", join(directory, name), "--board", board, "--json"])).result).toMatchObject({ ok: true, bytes: 64 });
    expect(loadBoard(board).cpu2.authKey.key).toBe(raw);
  });

  test.each([
    ["private.pem", "AUTH_KEY_IS_PRIVATE", "openssl ec"],
    ["private.der", "AUTH_KEY_IS_PRIVATE", "-pubout"],
    ["rsa.pem", "AUTH_KEY_NOT_P256", "P-256"],
    ["notes.txt", "AUTH_KEY_FORMAT", "PEM or DER"],
    ["off-curve.raw", "AUTH_KEY_INVALID", "not a point on P-256"],
  ])("%s is refused as %s with a hint", async (name, code, hint) => {
    const board = await newBoard(`refused-${name}.json`);
    const before = readFileSync(board, "utf8");
    const run = await fusop(["auth-key", "update", join(directory, name), "--board", board, "--json"]);
    expect(run.code).toBe(1);
    expect(run.result.error.code).toBe(code);
    expect(run.result.error.message).toContain(hint);
    expect(readFileSync(board, "utf8")).toBe(before);
  });
});
