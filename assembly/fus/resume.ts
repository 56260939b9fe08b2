// Carrying a long FUS operation through its system resets (fus-behaviour §1.7, §1.8, §1.15): after
// each CPU1 start the application calls `resume`, which boots CPU2 and reads what survived —
// READY, GET_STATE and the operator's journal — to tell whether the operation is still under way,
// finished, or failed. Loop: resume; while it says OperationInProgress, wait while FUS is busy
// (a reset ends that wait by restarting CPU1) and resume again.
import { OperatorStatus, Cpu2Mode, FusState, FusError, PendingOperation, DeviceInfoLayout } from "../shared/codes";
import { ImageKind } from "../shared/image-codes";
import * as info from "./info";
import { mode } from "../mailbox/system";
import { isBooted } from "../mailbox/boot";
import { bootOrAttach } from "../mailbox/attach";
import { getState, lastState, lastError, setReading, RESET_WAIT_US } from "./state";
import { awaitReset, isBusy } from "./commands";
import * as journal from "./journal";

const RESET_POLL_US: u32 = 20_000;

export function resume(readyTimeoutUs: u32): OperatorStatus {
  journal.countRestart();
  if (!isBooted()) {
    // Next to ST's middleware the application has booted CPU2 already: use its tables.
    const booted = bootOrAttach(readyTimeoutUs);
    if (booted != OperatorStatus.Ok) return booted;
  }
  const operation = journal.pending();
  if (mode() == Cpu2Mode.WirelessStack && journal.failure() == 0) {
    // A stack announced itself: an install or START_WS ended the way it should (§1.8, §1.11);
    // a delete or purge did not take effect.
    journal.clear();
    const removal = operation == PendingOperation.FwDelete || operation == PendingOperation.FwPurge;
    return removal ? OperatorStatus.OperationNotApplied : OperatorStatus.Ok;
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
    const upgradeDone = operation == PendingOperation.FwUpgrade && error == FusError.ImgNotAuthentic && fusIsNow(journal.targetKind(), journal.targetVersion());
    journal.clear();
    // Off FUS V0.5.3 the upgrade commonly ends with IMG_NOT_AUTHENTIC although it worked; ST calls
    // the message not meaningful (fus-behaviour §1.3, F-053): the FUS version decides.
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
  journal.clear();
  return OperatorStatus.Ok;
}

/** FUS now runs the version a recorded FUS upgrade sent. */
function fusIsNow(kind: u32, version: u32): bool {
  if (kind != ImageKind.Fus || version == 0 || mode() != Cpu2Mode.Fus) return false;
  if (info.readDeviceInfo() != OperatorStatus.Ok || info.infoLayout() != DeviceInfoLayout.Fus) return false;
  return info.infoFusVersion() >> 8 == version >> 8;
}
