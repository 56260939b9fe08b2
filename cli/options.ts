// Option values shared by several commands: versions, tiers, families.
import { parseVersion } from "../host-sim/versions.js";
import { usageError } from "./command.js";

/** X.Y.Z as a version word; a malformed version is a usage error. */
export function parseVersionOption(text: string, what: string): number {
  try {
    return parseVersion(text);
  } catch (cause) {
    throw usageError("BAD_VERSION", `${what}: ${(cause as Error).message}`);
  }
}
