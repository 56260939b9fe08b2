// FUS_GET_STATE and leaving a running wireless stack for FUS (cpu2-interface §5.2-§5.5, §4.4).
import { OperatorStatus, Cpu2Mode, ShciStatus } from "../shared/codes";
import * as journal from "./journal";
import { sendCommand, responseStatus, responseByte, mode, setMode } from "../mailbox/system";
import { isBooted } from "../mailbox/boot";
import { FUS_GET_STATE } from "./opcodes";
import { delayUs, nowUs } from "../hal";

/** A reset is expected within 10 s of the 2nd GET_STATE, START_WS or an install's end (fus-behaviour §7). */
export const RESET_WAIT_US: u32 = 10_000_000;

let state: u8 = 0;
let error: u8 = 0;
let getStatesToStack: u32 = 0;

export function lastState(): u8 {
  return state;
}
export function lastError(): u8 {
  return error;
}

/**
 * Asks FUS for its state. Refused while the wireless stack runs: there a second GET_STATE resets
 * the whole part into FUS (§5.5), which must only ever happen on purpose (`startFus`).
 */
export function getState(): OperatorStatus {
  if (!isBooted()) return OperatorStatus.Cpu2NotBooted;
  if (mode() == Cpu2Mode.WirelessStack) return OperatorStatus.StackRunning;
  const sent = sendCommand(FUS_GET_STATE, 0);
  if (sent != OperatorStatus.Ok) return sent;
  state = responseStatus();
  error = responseByte(0);
  journal.fail(error); // an error FUS names ends the recorded operation (journal.fail)
  return OperatorStatus.Ok;
}

/** Puts back a reading (fusResume reporting the error a recorded operation ended with). */
export function setReading(newState: u8, newError: u8): void {
  state = newState;
  error = newError;
}

/**
 * Sends GET_STATE to the running stack: the first is answered "not supported", the second makes
 * the stack reset the whole device into FUS (§4.4, §5.5). Whether an answer to the second one
 * arrives before the reset is not specified, so the operator does not count on it.
 */
export function startFus(): OperatorStatus {
  if (!isBooted()) return OperatorStatus.Cpu2NotBooted;
  if (mode() == Cpu2Mode.Fus) return OperatorStatus.Ok;
  getStatesToStack = 0;
  for (let attempt = 0; attempt < 2; attempt++) {
    const sent = sendCommand(FUS_GET_STATE, 0);
    getStatesToStack++;
    if (sent != OperatorStatus.Ok) return sent;
    if (responseStatus() != ShciStatus.FusCmdNotSupported) {
      // Something that answers GET_STATE properly is FUS after all.
      state = responseStatus();
      error = responseByte(0);
      journal.fail(error); // as getState: whoever reads an error FUS names records it
      setMode(Cpu2Mode.Fus);
      return OperatorStatus.Ok;
    }
    state = responseStatus();
    error = responseByte(0);
  }
  // The reset is on its way: CPU1 sits still until it comes, so nothing else reaches the stack.
  const start = nowUs();
  while (nowUs() - start < RESET_WAIT_US) delayUs(100);
  return OperatorStatus.ResetDidNotHappen;
}

export function getStatesSentToStack(): u32 {
  return getStatesToStack;
}
