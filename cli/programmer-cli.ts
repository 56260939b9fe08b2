// The plan as STM32_Programmer_CLI command lines (ST's STM32CubeProgrammer, over SWD under reset), so
// a user with a NUCLEO board can act on a plan today: -startfus when a stack runs, one -fwupgrade
// FILE ADDR firstinstall=0|1 per image (firstinstall=1 only for a stack on a part without one),
// -startwirelessstack at the end when a stack is installed.
import type { PlannedStep } from "../host-sim/images/planner.js";
import { hexAddress } from "./command.js";

const PROGRAMMER = "STM32_Programmer_CLI -c port=swd mode=UR";

export interface ProgrammerContext {
  /** A wireless stack runs now (FUS must be started first). */
  stackRunning: boolean;
  /** A wireless stack is installed now. */
  stackInstalled: boolean;
}

export function programmerSteps(steps: PlannedStep[], part: ProgrammerContext): string[] {
  const lines: string[] = [];
  const installs = steps.filter((step) => step.file !== null && step.address !== null);
  if (installs.length > 0 && part.stackRunning) lines.push(`${PROGRAMMER} -startfus`);
  let stackInstalled = part.stackInstalled;
  for (const step of steps) {
    if (step.action === "activate-antirollback") {
      lines.push("# then activate anti-rollback (fusop antirollback; STM32CubeProgrammer: Firmware Upgrade Services)");
      continue;
    }
    if (step.file === null || step.address === null) continue;
    const firstInstall = step.action === "install-stack" && !stackInstalled ? 1 : 0;
    lines.push(`${PROGRAMMER} -fwupgrade ${quote(step.file)} ${hexAddress(step.address)} firstinstall=${firstInstall}`);
    if (step.action === "install-stack") stackInstalled = true;
  }
  if (stackInstalled && installs.length > 0) lines.push(`${PROGRAMMER} -startwirelessstack`);
  return lines;
}

function quote(file: string): string {
  return /^[\w./:-]+$/.test(file) ? file : `"${file.replace(/"/g, '\\"')}"`;
}
