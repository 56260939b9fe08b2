// Carrying a long FUS operation through its system resets (fus-behaviour §1.7, §1.8, §1.15): after
// each CPU1 start the application calls `resume`, which boots CPU2 and reads what survived —
// READY, GET_STATE and the operator's journal — to tell whether the operation is still under way,
// finished, or failed. Loop: resume; while it says OperationInProgress, wait while FUS is busy
// (a reset ends that wait by restarting CPU1) and resume again.
import { OperatorStatus, Cpu2Mode, FusState, PendingOperation } from "../shared/codes";
import { mode } from "../mailbox/system";
import { bootCpu2, isBooted } from "../mailbox/boot";
import { getState, lastState, lastError, setReading, RESET_WAIT_US } from "./state";
import { awaitReset, isBusy } from "./commands";
import * as journal from "./journal";

const RESET_POLL_US: u32 = 20_000;

export function resume(readyTimeoutUs: u32): OperatorStatus {
  journal.countRestart();
  if (!isBooted()) {
    const booted = bootCpu2(readyTimeoutUs);
    if (booted != OperatorStatus.Ok) return booted;
  }
  const operation = journal.pending();
  const failed = journal.failure();
  if (operation != PendingOperation.None && failed != 0) {
    // FUS already named how it ended (maybe read by someone else, maybe before a reset).
    journal.clear();
    setReading(<u8>FusState.Error, <u8>failed);
    return OperatorStatus.FusReportedError;
  }
  if (mode() == Cpu2Mode.WirelessStack) {
    // A stack announced itself: an install or START_WS ended the way it should (§1.8, §1.11);
    // a delete or purge did not take effect.
    journal.clear();
    const removal = operation == PendingOperation.FwDelete || operation == PendingOperation.FwPurge;
    return removal ? OperatorStatus.OperationNotApplied : OperatorStatus.Ok;
  }
  if (mode() != Cpu2Mode.Fus) return OperatorStatus.FusNotRunning;
  // FUS knows its own work even when power loss took the journal: busy means it carries on.
  const status = getState();
  if (status != OperatorStatus.Ok) return status;
  if (isBusy(lastState(), lastError())) return OperatorStatus.OperationInProgress;
  if (lastState() == FusState.Error || lastError() != 0) {
    journal.clear();
    return OperatorStatus.FusReportedError;
  }
  if (operation != PendingOperation.None && journal.restartsSeen() == 0) {
    // Idle before the reset every one of these commands ends in: it is still to come.
    const waited = awaitReset(RESET_WAIT_US, RESET_POLL_US);
    journal.clear();
    return waited;
  }
  journal.clear();
  return OperatorStatus.Ok;
}
