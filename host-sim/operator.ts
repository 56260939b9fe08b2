// The operator as the host sees it: typed calls over either tier. Tests, the CLI and the demo all
// go through this one wrapper; the logic itself lives in the wasm module.
import { OperatorStatus, Cpu2Mode, DeviceInfoLayout, FusState, FusError } from "../assembly/shared/codes.js";
import type { OperatorTier } from "./tiers/tier.js";
import { formatVersion } from "./versions.js";

/** An operator call returned a non-Ok OperatorStatus. `code` is the stable name (e.g. READY_TIMEOUT). */
export class OperatorError extends Error {
  constructor(readonly status: OperatorStatus, readonly code: string, message: string) {
    super(message);
  }
}

export function statusCode(status: OperatorStatus): string {
  const name = OperatorStatus[status] ?? `STATUS_${status}`;
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** What each failure means for the user, and what to do about it. */
const statusAdvice: Partial<Record<OperatorStatus, string>> = {
  [OperatorStatus.ReadyTimeout]: "CPU2 did not announce itself: check SBRV/SFSA (Safeboot forced? FUS corrupted?) and that CPU2 was not already started",
  [OperatorStatus.CommandTimeout]: "CPU2 stopped answering system commands; reset the part and boot CPU2 again",
  [OperatorStatus.ChannelBusy]: "a previous system command is still pending on IPCC channel 2",
  [OperatorStatus.MailboxOffsetUnsupported]: "FLASH_IPCCBR.IPCCDBA must be 0; its unit is disputed between ST sources",
  [OperatorStatus.Cpu2AlreadyBooted]: "C2BOOT was already set by other code; reset the part so the operator can boot CPU2 with its own tables",
  [OperatorStatus.StackRunning]: "the wireless stack runs; start FUS first (start-fus), a stray GET_STATE would reset the part",
  [OperatorStatus.Cpu2NotBooted]: "boot CPU2 first",
};

export function describeStatus(status: OperatorStatus, doing: string): OperatorError {
  const advice = statusAdvice[status];
  return new OperatorError(status, statusCode(status), `${doing}: ${statusCode(status)}${advice ? ` — ${advice}` : ""}`);
}

export function fusStateName(state: number): string {
  if (state === FusState.Idle) return "FUS_STATE_IDLE";
  if (state >= 0x10 && state <= 0x1f) return "FUS_STATE_FW_UPGRD_ONGOING";
  if (state >= 0x20 && state <= 0x2f) return "FUS_STATE_FUS_UPGRD_ONGOING";
  if (state >= 0x30 && state <= 0x3f) return "FUS_STATE_SERVICE_ONGOING";
  if (state === FusState.Error) return "FUS_STATE_ERROR";
  return `FUS_STATE_0x${state.toString(16).padStart(2, "0")}`;
}

export function fusErrorName(error: number): string {
  const name = FusError[error];
  if (!name) return `FUS_STATE_ERROR_0x${error.toString(16).padStart(2, "0")}`;
  return `FUS_STATE_${name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`;
}

export interface FusStateReading {
  state: number;
  error: number;
  stateName: string;
  errorName: string;
}

export interface DeviceInformation {
  layout: "fus" | "stack";
  safebootVersion: string;
  fusVersion: string;
  stackVersion: string | null;
  stackType: number;
  uid64: bigint | null;
  deviceId: number | null;
}

export class Operator {
  constructor(readonly tier: OperatorTier) {}

  private check(status: number, doing: string): void {
    if (status !== OperatorStatus.Ok) throw describeStatus(status, doing);
  }

  /** Boots CPU2 and returns which firmware announced itself. */
  bootCpu2(readyTimeoutMs = 0): Cpu2Mode {
    this.check(this.tier.call("bootCpu2", readyTimeoutMs), "boot CPU2");
    return this.tier.call("cpu2Mode") as Cpu2Mode;
  }

  get mode(): Cpu2Mode {
    return this.tier.call("cpu2Mode") as Cpu2Mode;
  }

  setCommandTimeoutMs(ms: number): void {
    this.tier.call("setCommandTimeoutMs", ms);
  }

  fusGetState(): FusStateReading {
    this.check(this.tier.call("fusGetState"), "FUS_GET_STATE");
    const state = this.tier.call("fusLastState");
    const error = this.tier.call("fusLastError");
    return { state, error, stateName: fusStateName(state), errorName: fusErrorName(error) };
  }

  /** Leaves the wireless stack for FUS: ends in a system reset (SystemResetOccurred) when it works. */
  startFus(): void {
    this.check(this.tier.call("startFus"), "start FUS");
  }

  deviceInformation(): DeviceInformation {
    this.check(this.tier.call("readDeviceInfo"), "read the device-information table");
    const layout = this.tier.call("infoLayout") === DeviceInfoLayout.Fus ? "fus" : "stack";
    const stackVersion = this.tier.call("infoStackVersion");
    return {
      layout,
      safebootVersion: formatVersion(this.tier.call("infoSafebootVersion")),
      fusVersion: formatVersion(this.tier.call("infoFusVersion")),
      stackVersion: stackVersion === 0 ? null : formatVersion(stackVersion),
      stackType: this.tier.call("infoStackType"),
      uid64: layout === "fus" ? (BigInt(this.tier.call("infoUid64High")) << 32n) | BigInt(this.tier.call("infoUid64Low")) : null,
      deviceId: layout === "fus" ? this.tier.call("infoDeviceId") : null,
    };
  }
}
