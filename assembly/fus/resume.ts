// Carrying a long FUS operation through its system resets (fus-behaviour §1.7, §1.8, §1.15): after
// each CPU1 start the application calls `resume`, which boots CPU2 and reads what survived —
// READY, GET_STATE and the operator's journal — to tell whether the operation is still under way,
// finished, or failed. Loop: resume; while it says OperationInProgress, wait while FUS is busy
// (a reset ends that wait by restarting CPU1) and resume again.
//
// "Finished" is verified, never inferred from an idle FUS: the device information (stack present
// and its version, the FUS and Safeboot versions; cpu2-interface §3.3, §3.4) must show what the
// operation was to achieve, else the answer is OperationNotApplied with a ResumeFinding.
import { OperatorStatus, Cpu2Mode, FusState, FusError, PendingOperation, ResumeFinding } from "../shared/codes";
import { ImageKind } from "../shared/image-codes";
import * as info from "./info";
import { mode } from "../mailbox/system";
import { isBooted } from "../mailbox/boot";
import { bootOrAttach } from "../mailbox/attach";
import { getState, lastState, lastError, setReading, RESET_WAIT_US } from "./state";
import { awaitReset, isBusy } from "./commands";
import * as journal from "./journal";

const RESET_POLL_US: u32 = 20_000;

let finding: ResumeFinding = ResumeFinding.None;
let foundVersion: u32 = 0;

/** Why the last resume answered OperationNotApplied (ResumeFinding.None otherwise). */
export function lastFinding(): ResumeFinding {
  return finding;
}
/** The version the device information shows for what the operation changed (0: none). */
export function lastFoundVersion(): u32 {
  return foundVersion;
}

export function resume(readyTimeoutUs: u32): OperatorStatus {
  finding = ResumeFinding.None;
  foundVersion = 0;
  journal.countRestart();
  if (!isBooted()) {
    // Next to ST's middleware the application has booted CPU2 already: use its tables.
    const booted = bootOrAttach(readyTimeoutUs);
    if (booted != OperatorStatus.Ok) return booted;
  }
  const operation = journal.pending();
  if (mode() == Cpu2Mode.WirelessStack && journal.failure() == 0) {
    // A stack announced itself: an install or START_WS ended the way it should (§1.8, §1.11) if
    // its version is the one sent; a delete or purge did not take effect.
    return concluded(verify(operation));
  }
  if (mode() != Cpu2Mode.Fus && journal.failure() == 0) return OperatorStatus.FusNotRunning;
  if (journal.failure() == 0) {
    // FUS knows its own work even when power loss took the journal: busy means it carries on.
    const status = getState();
    if (status != OperatorStatus.Ok) return status;
    if (isBusy(lastState(), lastError())) return OperatorStatus.OperationInProgress;
  }
  // An error FUS named, now or earlier (kept in the journal whoever read it, fus-behaviour §1.3).
  const error = journal.failure() != 0 ? journal.failure() : (lastState() == FusState.Error || lastError() != 0 ? <u32>lastError() : 0);
  if (error != 0) {
    // Off FUS V0.5.3 the upgrade commonly ends with IMG_NOT_AUTHENTIC although it worked; ST calls
    // the message not meaningful (fus-behaviour §1.3, F-053): the FUS version decides.
    const upgradeDone = operation == PendingOperation.FwUpgrade && error == FusError.ImgNotAuthentic &&
      journal.targetKind() == ImageKind.Fus && verify(operation) == ResumeFinding.None;
    journal.clear();
    if (upgradeDone) {
      setReading(<u8>FusState.Idle, 0);
      return OperatorStatus.Ok;
    }
    setReading(<u8>FusState.Error, <u8>error);
    return OperatorStatus.FusReportedError;
  }
  if (operation != PendingOperation.None && journal.restartsSeen() == 0) {
    // Idle before the reset every one of these commands ends in: it is still to come.
    const waited = awaitReset(RESET_WAIT_US, RESET_POLL_US);
    journal.clear();
    return waited;
  }
  return concluded(verify(operation));
}

/** Clears the record and answers Ok when the outcome was verified, else OperationNotApplied. */
function concluded(found: ResumeFinding): OperatorStatus {
  journal.clear();
  finding = found;
  return found == ResumeFinding.None ? OperatorStatus.Ok : OperatorStatus.OperationNotApplied;
}

/**
 * Compares the device information with what `operation` was to achieve. A version the operator
 * did not check before sending (0: the safety policy was off) is not compared.
 */
function verify(operation: PendingOperation): ResumeFinding {
  if (operation == PendingOperation.None) return ResumeFinding.None;
  const stack = mode() == Cpu2Mode.WirelessStack;
  if (operation == PendingOperation.StartWirelessStack) return stack ? ResumeFinding.None : ResumeFinding.StackNotStarted;
  if (info.readDeviceInfo() != OperatorStatus.Ok) return ResumeFinding.DeviceInfoUnreadable;
  // In the FUS layout the stack version is 0 when none is registered (§3.3); a running stack is one.
  const stackVersion = info.infoStackVersion();
  if (operation != PendingOperation.FwUpgrade) {
    foundVersion = stackVersion;
    return stack || stackVersion != 0 ? ResumeFinding.StackStillInstalled : ResumeFinding.None;
  }
  const kind = journal.targetKind();
  const expectedVersion = journal.targetVersion();
  if (expectedVersion == 0) return ResumeFinding.None;
  let result = ResumeFinding.StackVersionDiffers;
  foundVersion = stackVersion;
  if (kind == ImageKind.Fus) {
    result = ResumeFinding.FusVersionDiffers;
    foundVersion = info.infoFusVersion();
  } else if (kind == ImageKind.Safeboot) {
    result = ResumeFinding.SafebootVersionDiffers;
    foundVersion = info.infoSafebootVersion();
  }
  // major.minor.sub decide; the low byte is the build/branch (§3.4).
  return foundVersion >> 8 == expectedVersion >> 8 ? ResumeFinding.None : result;
}
