// Every FUS command with typed parameters (cpu2-interface §5.2; fus-behaviour §1.2). Parameters are
// checked before anything is sent; a FUS refusal comes back as CommandRejected with the status byte,
// and the FUS error byte when GET_STATE names one.
import { OperatorStatus, Cpu2Mode, FusState, FusError } from "../shared/codes";
import {
  sendCommand, responseStatus, responseByte, mode, commandParameters,
} from "../mailbox/system";
import { isBooted } from "../mailbox/boot";
import * as op from "./opcodes";
import { getState, lastState, lastError } from "./state";
import { delayUs, nowUs } from "../hal";

export const KEY_TYPE_SIMPLE: u32 = 1;
export const KEY_TYPE_MASTER: u32 = 2;
export const KEY_TYPE_ENCRYPTED: u32 = 3;
const IV_BYTES: u32 = 12;
/** Version word of FUS V1.2.0 (cpu2-interface §3.4 encoding). */
const FUS_V1_2_0: u32 = 0x0102_0000;
const AUTH_KEY_FIELD_BYTES: u32 = 64;

/**
 * Key material the caller fills before store/update: up to 64 key bytes, then a 12-byte IV. They
 * live in the upper half of the system command's parameter area, which no command fills that far
 * (the longest, UPDATE_AUTH_KEY, takes 65 bytes): the key is copied down into the parameters
 * without overlap, and the loader's 7.5 KiB of linear memory is spared 76 bytes.
 */
export const keyBuffer: usize = commandParameters + 128;
export const ivBuffer: usize = keyBuffer + 64;

let commandStatus: u8 = 0;
let storedKeyIndex: u8 = 0;

export function lastCommandStatus(): u8 {
  return commandStatus;
}
export function lastStoredKeyIndex(): u8 {
  return storedKeyIndex;
}

export function requireFus(): OperatorStatus {
  if (!isBooted()) return OperatorStatus.Cpu2NotBooted;
  if (mode() == Cpu2Mode.WirelessStack) return OperatorStatus.StackRunning;
  if (mode() != Cpu2Mode.Fus) return OperatorStatus.FusNotRunning;
  return OperatorStatus.Ok;
}

/** User-key commands are answered by FUS and by a running stack alike (§5.2 "both"). */
function requireCpu2(): OperatorStatus {
  return isBooted() ? OperatorStatus.Ok : OperatorStatus.Cpu2NotBooted;
}

function send(opcode: u16, length: u32): OperatorStatus {
  const sent = sendCommand(opcode, length);
  if (sent != OperatorStatus.Ok) return sent;
  commandStatus = responseStatus();
  return commandStatus == 0 ? OperatorStatus.Ok : OperatorStatus.CommandRejected;
}

/**
 * A FUS command. When FUS refuses it, the following GET_STATE names the reason (FUS reports an
 * error once, fus-behaviour §1.3), so it is read at once; lastState/lastError keep it.
 */
function sendFus(opcode: u16, length: u32): OperatorStatus {
  const ready = requireFus();
  if (ready != OperatorStatus.Ok) return ready;
  const sent = send(opcode, length);
  if (sent == OperatorStatus.CommandRejected) getState();
  return sent;
}

/**
 * FW_UPGRADE. FUS finds the image itself and ignores the optional addresses (fus-behaviour §1.2,
 * §1.4), so none are sent, as ST's own loader does. FUS then resets the part, maybe several times.
 */
export function fwUpgrade(): OperatorStatus {
  return sendFus(op.FUS_FW_UPGRADE, 0);
}

export function fwDelete(): OperatorStatus {
  return sendFus(op.FUS_FW_DELETE, 0);
}

export function fwPurge(): OperatorStatus {
  return sendFus(op.FUS_FW_PURGE, 0);
}

/** START_WS: refused when the device information says no stack is installed (`stackVersion`). */
export function startWirelessStack(stackVersion: u32): OperatorStatus {
  const ready = requireFus();
  if (ready != OperatorStatus.Ok) return ready;
  if (stackVersion == 0) return OperatorStatus.NoStackInstalled;
  return send(op.FUS_START_WS, 0);
}

/**
 * ACTIVATE_ANTIROLLBACK, irreversible. With no stack installed FUS takes 0xFFFFFFFF as reference
 * and refuses every later stack forever, and ST asks for FUS V1.2.0 or later (fus-behaviour
 * §1.12): both are refused here. `fusVersion` 0xFFFFFFFF and `stackVersion` 0xFFFFFFFF skip the checks.
 */
export function activateAntirollback(stackVersion: u32, fusVersion: u32): OperatorStatus {
  const ready = requireFus();
  if (ready != OperatorStatus.Ok) return ready;
  if (fusVersion < FUS_V1_2_0) return OperatorStatus.AntirollbackNeedsFus120;
  if (stackVersion == 0) return OperatorStatus.AntirollbackWithoutStack;
  return send(op.FUS_ACTIVATE_ANTIROLLBACK, 0);
}

/** UPDATE_AUTH_KEY: size byte + a 64-byte key field, always sent whole as ST does (§5.2). */
export function updateAuthKey(size: u32): OperatorStatus {
  if (size == 0 || size > AUTH_KEY_FIELD_BYTES) return OperatorStatus.InvalidAuthKeySize;
  store<u8>(commandParameters, <u8>size);
  for (let i: u32 = 0; i < AUTH_KEY_FIELD_BYTES; i++) {
    store<u8>(commandParameters + 1 + i, i < size ? load<u8>(keyBuffer + i) : 0);
  }
  return sendFus(op.FUS_UPDATE_AUTH_KEY, 1 + AUTH_KEY_FIELD_BYTES);
}

export function lockAuthKey(): OperatorStatus {
  return sendFus(op.FUS_LOCK_AUTH_KEY, 0);
}

/** STORE_USR_KEY: type, size, key bytes (+ 12-byte IV when encrypted); FUS returns the index (§5.2, §5.6). */
export function storeUserKey(keyType: u32, size: u32): OperatorStatus {
  if (keyType < KEY_TYPE_SIMPLE || keyType > KEY_TYPE_ENCRYPTED) return OperatorStatus.InvalidKeyType;
  if (size != 16 && size != 32) return OperatorStatus.InvalidKeySize;
  const ready = requireCpu2();
  if (ready != OperatorStatus.Ok) return ready;
  store<u8>(commandParameters, <u8>keyType);
  store<u8>(commandParameters + 1, <u8>size);
  for (let i: u32 = 0; i < size; i++) store<u8>(commandParameters + 2 + i, load<u8>(keyBuffer + i));
  let length = 2 + size;
  if (keyType == KEY_TYPE_ENCRYPTED) {
    for (let i: u32 = 0; i < IV_BYTES; i++) store<u8>(commandParameters + length + i, load<u8>(ivBuffer + i));
    length += IV_BYTES;
  }
  const sent = sendAnswered(op.FUS_STORE_USR_KEY, length);
  if (sent == OperatorStatus.Ok) storedKeyIndex = responseByte(0);
  return sent;
}

function keyIndexCommand(opcode: u16, index: u32): OperatorStatus {
  const ready = requireCpu2();
  if (ready != OperatorStatus.Ok) return ready;
  store<u8>(commandParameters, <u8>index);
  return sendAnswered(opcode, 1);
}

/** Key commands are answered by FUS and the stack; only FUS may be asked why it refused. */
function sendAnswered(opcode: u16, length: u32): OperatorStatus {
  const sent = send(opcode, length);
  if (sent == OperatorStatus.CommandRejected && mode() == Cpu2Mode.Fus) getState();
  return sent;
}

export function loadUserKey(index: u32): OperatorStatus {
  return keyIndexCommand(op.FUS_LOAD_USR_KEY, index);
}
export function lockUserKey(index: u32): OperatorStatus {
  return keyIndexCommand(op.FUS_LOCK_USR_KEY, index);
}
export function unloadUserKey(index: u32): OperatorStatus {
  return keyIndexCommand(op.FUS_UNLOAD_USR_KEY, index);
}

/**
 * FUS is working: states 0x10-0x3F with no error (cpu2-interface §5.3). A busy state that names an
 * error is FUS's answer (SERVICE_ONGOING + IMG_NOT_FOUND for a delete with nothing to delete,
 * fus-behaviour §1.10). During stack installs FUS has also been seen to answer (0xFF, 0xFE) for a
 * moment and carry on (§1.3, MPY): re-asked like a busy state, not taken as a failure.
 */
export function isBusy(state: u8, error: u8): bool {
  if (state == FusState.Error) return error == FusError.StateNotRunning;
  return state >= 0x10 && state <= 0x3f && error == 0;
}

/**
 * Polls GET_STATE while FUS is busy (states 0x10-0x3F), as Flipper does every 20 ms
 * (fus-behaviour §1.8). Ok when FUS is idle; FusReportedError when it reports an error; a reset
 * in between ends the call (CPU1 restarts), which is how long operations end on silicon.
 */
export function waitWhileBusy(timeoutUs: u32, pollUs: u32): OperatorStatus {
  const start = nowUs();
  let status = getState();
  while (status == OperatorStatus.Ok && isBusy(lastState(), lastError())) {
    if (nowUs() - start >= timeoutUs) return OperatorStatus.FusBusyTimeout;
    delayUs(pollUs);
    status = getState();
  }
  if (status != OperatorStatus.Ok) return status;
  return lastState() == FusState.Error || lastError() != 0 ? OperatorStatus.FusReportedError : OperatorStatus.Ok;
}

/**
 * After a command that ends in a system reset (START_WS, FW_UPGRADE, FW_DELETE; fus-behaviour
 * §1.7) while FUS already reads idle: keeps polling GET_STATE until the reset comes (the call then
 * never returns, CPU1 restarts) or `timeoutUs` passes. An error FUS reports meanwhile ends it.
 */
export function awaitReset(timeoutUs: u32, pollUs: u32): OperatorStatus {
  const start = nowUs();
  while (nowUs() - start < timeoutUs) {
    const status = getState();
    if (status != OperatorStatus.Ok) return status;
    if (lastState() == FusState.Error || lastError() != 0) return OperatorStatus.FusReportedError;
    delayUs(pollUs);
  }
  return OperatorStatus.ResetDidNotHappen;
}
