// `fusop demo` (make demo): the main job on a virtual board. A WB55 (1 MB) fresh with FUS 1.2.0
// gets FUS 2.2.0, then a BLE stack, which is started — by the same install loop as `fusop install`
// (cli/board-command.ts installImages): the plan is computed by the operator module itself from the
// part as it reports itself, images are staged with its flash driver, FUS is followed through every
// system reset and each installed version is read back. Runs the ARM firmware (tier 2) unless
// --tier wasm (or tier 2 is not installed).
import { Board } from "../host-sim/board.js";
import { ArmTier } from "../host-sim/tiers/tier2.js";
import type { SessionEvent } from "../host-sim/session.js";
import { buildImage } from "../host-sim/images/builder.js";
import { ImageCodec } from "../host-sim/images/footer.js";
import { Cpu2Mode } from "../assembly/shared/codes.js";
import { parseVersion } from "../host-sim/versions.js";
import { CliError, hexAddress, hexValue, operandCount, type CommandContext, type CommandSpec } from "./command.js";
import { installImages, type LoadedImage, type Part } from "./board-command.js";
import { sbrvAddress, sfsaAddress } from "./flash-map.js";
import { chooseTier, tierOption } from "./targets/tier-choice.js";
import { virtualBoardTarget } from "./targets/virtual-board.js";
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
  const tierName = chooseTier(context.options, "arm", context.out);
  const say = (line: string) => context.out.event("demo", { message: line }, line);

  say("fusop demo: a virtual STM32WB55 (1 MB flash) as it leaves the factory, FUS 1.2.0, no stack");
  const board = new Board({ family: "wb5x", flashKb: 1024, fus: "1.2.0" });
  const target = virtualBoardTarget(board, tierName, (event: SessionEvent) => {
    if (event.kind === "reset") say(`  · system reset ${event.count} (${event.reason}); CPU1 restarts`);
    else if (event.kind === "boot") say(`  · READY: ${modeName(event.mode)} runs on CPU2`);
    else say(`  · FUS_GET_STATE: ${event.reading.stateName}, ${event.reading.errorName}`);
  }, () => {});
  const { session } = target;
  const part: Part = { target, session, operator: session.operator, tier: tierName, boardPath: "(demo board in memory)", out: context.out };
  say(tierName === "arm" ? "operator: the ARM firmware on an emulated Cortex-M4 (tier 2)" : "operator: the wasm module in V8 (tier 1)");

  const codec = new ImageCodec(session.tier);
  const images: LoadedImage[] = [
    ["stm32wb5x_FUS_fw.bin", buildImage({ kind: "fus", version: parseVersion("2.2.0"), size: 24_464, family: "wb5x" })],
    ["stm32wb5x_BLE_Stack_full_fw.bin", buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x18000, family: "wb5x", format: "new", stackType: 0x01 })],
  ].map(([file, data]) => {
    const bytes = data as Uint8Array;
    const decoded = codec.decodeTail(bytes.slice(-256), bytes.length);
    if (!decoded.ok) throw new CliError("DEMO_FAILED", `the demo's ${file} does not decode (status ${decoded.status})`);
    return { file: file as string, data: bytes, decoded: decoded.image };
  });
  say(`images (built and signed by the simulator's ST key): ${images.map((image) => `${image.file} (${image.data.length} bytes)`).join(", ")}`);

  const describePart = () => {
    const identity = session.operator.identify();
    return `SFSA ${hexValue(identity.sfsa)} = ${hexAddress(sfsaAddress(identity.sfsa, board.variant.sectorBytes))}, ` +
      `SBRV ${hexValue(identity.sbrv)} = ${hexAddress(sbrvAddress(identity.sbrv))}`;
  };
  session.boot();
  const before = session.operator.deviceInformation();
  say(`part: FUS ${before.fusVersion}, stack ${before.stackVersion ?? "none"}, ${describePart()}`);

  const outcome = installImages(part, images, { start: true });
  const information = session.operator.deviceInformation();
  say("");
  say(`final state: ${modeName(outcome.mode)} running; FUS ${information.fusVersion}; stack ${information.stackVersion ?? "none"} ` +
    `(${stackTypeName(information.stackType)}); ${describePart()}`);
  const instructions = session.tier instanceof ArmTier ? `, ${session.tier.instructions.toLocaleString("en")} CPU1 instructions` : "";
  say(`${session.resets} system resets, ${(session.chip.clock.nowUs / 1e6).toFixed(2)} s of virtual time${instructions}`);
  if (outcome.mode !== Cpu2Mode.WirelessStack || information.stackVersion !== "1.24.0" || information.fusVersion !== "2.2.0") {
    throw new CliError("DEMO_FAILED", `the demo ended with FUS ${information.fusVersion} and stack ${information.stackVersion ?? "none"}, not FUS 2.2.0 and stack 1.24.0 running`);
  }
  return { tier: tierName, fusVersion: information.fusVersion, stackVersion: information.stackVersion, resets: session.resets };
}
