// Signatures of simulator images: ECDSA P-256 over SHA-256, 64 raw bytes r‖s, the size of the
// signature block real coprocessor images carry (fus-behaviour §4.1). The "sim ST key" below stands
// in for ST's signing key; it is public on purpose: it proves nothing outside the simulator. Real ST
// images are accepted by identity instead (known-images.ts).
import { createECDH, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";

/** Private scalar of the simulator's stand-in for the ST signing key (not a secret). */
const SIM_ST_PRIVATE_SCALAR = "5f3c1d2e8a4b6c7d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f";

export const SIGNATURE_BYTES = 64;
export const PUBLIC_KEY_BYTES = 64;

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

function keyFromScalar(scalarHex: string): KeyObject {
  const ecdh = createECDH("prime256v1");
  const d = Buffer.from(scalarHex, "hex");
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey(); // 0x04 ‖ X ‖ Y
  return createPrivateKey({
    key: { kty: "EC", crv: "P-256", d: base64url(d), x: base64url(point.subarray(1, 33)), y: base64url(point.subarray(33, 65)) },
    format: "jwk",
  });
}

let simStKey: KeyObject | undefined;

/** The simulator's "ST" signing key. */
export function simStPrivateKey(): KeyObject {
  simStKey ??= keyFromScalar(SIM_ST_PRIVATE_SCALAR);
  return simStKey;
}

export function simStPublicKey(): KeyObject {
  return createPublicKey(simStPrivateKey());
}

/** Reads a customer signing key (PEM, EC P-256), e.g. from `openssl ecparam -name prime256v1 -genkey`. */
export function loadCustomerKey(path: string): KeyObject {
  const key = createPrivateKey(readFileSync(path));
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new Error(`${path}: the customer key must be an EC P-256 (prime256v1) private key`);
  }
  return key;
}

export function signImage(data: Uint8Array, key: KeyObject): Uint8Array {
  return new Uint8Array(sign("sha256", data, { key, dsaEncoding: "ieee-p1363" }));
}

export function verifyImage(data: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
  if (signature.length !== SIGNATURE_BYTES) return false;
  try {
    return verify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, signature);
  } catch {
    return false;
  }
}

/**
 * The customer authentication key as FUS_UPDATE_AUTH_KEY carries it in the model: the raw public
 * point X‖Y (64 bytes, the command's maximum; the real key format is not documented, cpu2-interface §5.6).
 */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = (key.type === "public" ? key : createPublicKey(key)).export({ format: "jwk" });
  return new Uint8Array(Buffer.concat([Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]));
}

/** The inverse of rawPublicKey; null when the 64 bytes are not a point on P-256. */
export function publicKeyFromRaw(raw: Uint8Array): KeyObject | null {
  if (raw.length !== PUBLIC_KEY_BYTES) return null;
  try {
    return createPublicKey({
      key: { kty: "EC", crv: "P-256", x: base64url(raw.subarray(0, 32)), y: base64url(raw.subarray(32, 64)) },
      format: "jwk",
    });
  } catch {
    return null;
  }
}
