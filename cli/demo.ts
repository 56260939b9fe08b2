// `fusop demo` (make demo): the main job on a virtual board. A WB55 (1 MB) fresh with FUS 1.2.0
// gets FUS 2.2.0, then a BLE stack, which is started, all through the operator: the upgrade plan is
// computed by the operator module itself, images are staged with its flash driver, and FUS is
// followed through every system reset. Runs the ARM firmware (tier 2) unless --tier wasm.
import { Board } from "../host-sim/board.js";
import { Stm32wb } from "../host-sim/chip/stm32wb.js";
import { WasmTier } from "../host-sim/tiers/tier1.js";
import { ArmTier } from "../host-sim/tiers/tier2.js";
import type { OperatorTier, TierName } from "../host-sim/tiers/tier.js";
import { Session, type SessionEvent } from "../host-sim/session.js";
import { buildImage } from "../host-sim/images/builder.js";
import { ImageCodec } from "../host-sim/images/footer.js";
import { UpgradePlanner, type ImageFile } from "../host-sim/images/planner.js";
import { Cpu2Mode } from "../assembly/shared/codes.js";
import { parseVersion } from "../host-sim/versions.js";
import { CliError, hexAddress as hex, hexValue, operandCount, type CommandContext, type CommandSpec } from "./command.js";
import { chooseTier, tierOption } from "./targets/tier-choice.js";
import { stackTypeName } from "./stack-types.js";
const modeName = (mode: Cpu2Mode) => (mode === Cpu2Mode.Fus ? "FUS" : mode === Cpu2Mode.WirelessStack ? "wireless stack" : `mode ${mode}`);

export const demoCommand: CommandSpec = {
  words: ["demo"],
  operands: "",
  summary: "the main job on a virtual STM32WB55: FUS 1.2.0 -> 2.2.0, then a BLE stack, started (tier 2 by default)",
  options: { tier: tierOption("arm") },
  example: "fusop demo --tier wasm",
  run: demo,
  text: () => "",
};

function demo(context: CommandContext): Record<string, unknown> {
  operandCount(context, 0, 0);
  const tierName: TierName = chooseTier(context.options, "arm", context.out);
  const say = (line: string) => context.out.event("demo", { message: line }, line);

  say("fusop demo: a virtual STM32WB55 (1 MB flash) as it leaves the factory, FUS 1.2.0, no stack");
  const chip = new Stm32wb(new Board({ family: "wb5x", flashKb: 1024, fus: "1.2.0" }));
  const tier: OperatorTier = tierName === "wasm" ? new WasmTier(chip) : new ArmTier(chip);
  say(tierName === "arm" ? "operator: the ARM firmware on an emulated Cortex-M4 (tier 2)" : "operator: the wasm module in V8 (tier 1)");
  const session = new Session(chip, tier, (event: SessionEvent) => {
    if (event.kind === "reset") say(`  · system reset ${event.count} (${event.reason}); CPU1 restarts`);
    else if (event.kind === "boot") say(`  · READY: ${modeName(event.mode)} runs on CPU2`);
    else say(`  · FUS_GET_STATE: ${event.reading.stateName}, ${event.reading.errorName}`);
  });
  const operator = session.operator;

  const images: Record<string, Uint8Array> = {
    "stm32wb5x_FUS_fw.bin": buildImage({ kind: "fus", version: parseVersion("2.2.0"), size: 24_464, family: "wb5x" }),
    "stm32wb5x_BLE_Stack_full_fw.bin": buildImage({
      kind: "stack", version: parseVersion("1.24.0"), size: 0x18000, family: "wb5x", format: "new", stackType: 0x01,
    }),
  };
  say(`images (built and signed by the simulator's ST key): ${Object.entries(images).map(([name, data]) => `${name} (${data.length} bytes)`).join(", ")}`);

  session.boot();
  const before = operator.deviceInformation();
  let identity = operator.identify();
  say(`part: FUS ${before.fusVersion}, stack ${before.stackVersion ?? "none"}, SFSA ${hexValue(identity.sfsa)}, SBRV ${hexValue(identity.sbrv)}`);

  // The plan comes from the operator module running on this very tier.
  const planner = new UpgradePlanner(new ImageCodec(tier));
  const files: ImageFile[] = Object.entries(images).map(([file, data]) => ({ file, tail: data.slice(-256), size: data.length }));
  let fusVersion = before.fusVersion;
  while (files.length > 0) {
    identity = operator.identify();
    const plan = planner.plan({ family: "wb5x", flashKb: 1024, fusVersion, sfsa: identity.sfsa }, files);
    if (!plan.ok) throw new CliError("PLAN_REFUSED", `the plan was refused: ${plan.status}`);
    const step = plan.steps[0];
    if (!step || step.address === null || step.file === null) break;
    say(`plan: ${plan.steps.map((s) => `${s.action} ${s.file} at ${s.address === null ? "-" : hex(s.address)}`).join("; then ")}`);
    const image = images[step.file];
    say(`${step.action}: erasing ${hex(step.address)}..${hex(step.eraseEnd ?? step.address + image.length)} and staging ${step.file}`);
    operator.stage(image, step.address, undefined, step.eraseEnd ?? undefined);
    say(`FUS_FW_UPGRADE`);
    const done = session.runLongOperation((op) => op.fwUpgrade());
    const information = operator.deviceInformation();
    say(`→ ${modeName(done.mode)} runs; FUS ${information.fusVersion}, stack ${information.stackVersion ?? "none"} (${done.resets} resets)`);
    fusVersion = information.fusVersion;
    files.splice(files.findIndex((f) => f.file === step.file), 1);
  }

  const finalMode = session.boot();
  const information = operator.deviceInformation();
  identity = operator.identify();
  say("");
  say(`final state: ${modeName(finalMode)} running; FUS ${information.fusVersion}; stack ${information.stackVersion ?? "none"} ` +
    `(${stackTypeName(information.stackType)}); SFSA ${hexValue(identity.sfsa)}; SBRV ${hexValue(identity.sbrv)}`);
  const instructions = tier instanceof ArmTier ? `, ${tier.instructions.toLocaleString("en")} CPU1 instructions` : "";
  say(`${session.resets} system resets, ${(chip.clock.nowUs / 1e6).toFixed(2)} s of virtual time${instructions}`);
  if (finalMode !== Cpu2Mode.WirelessStack || information.stackVersion !== "1.24.0" || information.fusVersion !== "2.2.0") {
    throw new CliError("DEMO_FAILED", `the demo ended with FUS ${information.fusVersion} and stack ${information.stackVersion ?? "none"}, not FUS 2.2.0 and stack 1.24.0 running`);
  }
  return { tier: tierName, fusVersion: information.fusVersion, stackVersion: information.stackVersion, resets: session.resets };
}
