// The operator's one API: every export is callable from C (wasm2c, runtime-c/include/fusop.h) and
// from JavaScript (host-sim tiers). Exports take and return 32-bit integers only, so that both
// calling conventions stay trivial; results beyond a status are read through getters.
import { OperatorStatus } from "./shared/codes";
import * as boot from "./mailbox/boot";
import * as system from "./mailbox/system";
import * as state from "./fus/state";
import * as info from "./fus/info";

const DEFAULT_READY_TIMEOUT_MS: u32 = 1000;

/** Boots CPU2 and waits for READY; `readyTimeoutMs` 0 means the default (1 s). */
export function bootCpu2(readyTimeoutMs: u32): OperatorStatus {
  const timeoutMs = readyTimeoutMs == 0 ? DEFAULT_READY_TIMEOUT_MS : readyTimeoutMs;
  return boot.bootCpu2(timeoutMs * 1000);
}

/** Which firmware CPU2 said it runs (Cpu2Mode). */
export function cpu2Mode(): u32 {
  return system.mode();
}

export function setCommandTimeoutMs(ms: u32): void {
  system.setCommandTimeoutUs(ms * 1000);
}

export function pollEvents(): OperatorStatus {
  return system.drainEvents();
}
export function eventCount(): u32 {
  return system.eventCount();
}
export function lastEventSubcode(): u32 {
  return system.lastEventSubcode();
}

export function fusGetState(): OperatorStatus {
  return state.getState();
}
export function fusLastState(): u32 {
  return state.lastState();
}
export function fusLastError(): u32 {
  return state.lastError();
}
export function startFus(): OperatorStatus {
  return state.startFus();
}
export function getStatesSentToStack(): u32 {
  return state.getStatesSentToStack();
}

export function readDeviceInfo(): OperatorStatus {
  return info.readDeviceInfo();
}
export function infoLayout(): u32 {
  return info.infoLayout();
}
export function infoSafebootVersion(): u32 {
  return info.infoSafebootVersion();
}
export function infoFusVersion(): u32 {
  return info.infoFusVersion();
}
export function infoFusMemorySize(): u32 {
  return info.infoFusMemorySize();
}
export function infoStackVersion(): u32 {
  return info.infoStackVersion();
}
export function infoStackMemorySize(): u32 {
  return info.infoStackMemorySize();
}
export function infoStackType(): u32 {
  return info.infoStackType();
}
export function infoUid64Low(): u32 {
  return info.infoUid64Low();
}
export function infoUid64High(): u32 {
  return info.infoUid64High();
}
export function infoDeviceId(): u32 {
  return info.infoDeviceId();
}

/** Bytes of linear memory the module's static data occupies (the build checks it fits the device). */
export function linearMemoryUsed(): u32 {
  return <u32>__heap_base;
}
