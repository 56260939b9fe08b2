// `fusop demo` (make demo): the main job on a virtual board, with readable progress.
import { Board } from "../board.js";
import { Stm32wb } from "../chip/stm32wb.js";
import { Operator } from "../operator.js";
import { WasmTier } from "../tiers/tier1.js";
import { ArmTier } from "../tiers/tier2.js";
import type { OperatorTier, TierName } from "../tiers/tier.js";
import { Cpu2Mode } from "../../assembly/shared/codes.js";

function say(line: string): void {
  console.log(line);
}

export async function run(args: string[]): Promise<number> {
  const tierName: TierName = args.includes("--tier") && args[args.indexOf("--tier") + 1] === "wasm" ? "wasm" : "arm";
  say("fusop demo: a virtual STM32WB55 (1 MB flash) fresh from the factory with FUS 1.2.0");
  const chip = new Stm32wb(new Board({ family: "wb5x", flashKb: 1024, fus: "1.2.0" }));
  const tier: OperatorTier = tierName === "wasm" ? new WasmTier(chip) : new ArmTier(chip);
  say(`operator: ${tierName === "arm" ? "the ARM probe firmware on an emulated Cortex-M4 (tier 2)" : "the wasm module in V8 (tier 1)"}`);
  const operator = new Operator(tier);
  const ob = chip.board.optionBytes;
  say(`option bytes: SFSA=0x${ob.sfsa.toString(16)} SBRV=0x${ob.sbrv.toString(16)}`);
  say("booting CPU2: shared tables in SRAM2a, PWR_CR4.C2BOOT, waiting for READY ...");
  const mode = operator.bootCpu2();
  say(`READY: ${mode === Cpu2Mode.Fus ? "FUS is running" : mode === Cpu2Mode.WirelessStack ? "the wireless stack is running" : `mode ${mode}`}`);
  const state = operator.fusGetState();
  say(`FUS_GET_STATE: ${state.stateName}, ${state.errorName}`);
  const info = operator.deviceInformation();
  say(`device information (${info.layout} layout): FUS ${info.fusVersion}, Safeboot ${info.safebootVersion}, ` +
    `stack ${info.stackVersion ?? "none"}, device id 0x${(info.deviceId ?? 0).toString(16)}, UID64 0x${(info.uid64 ?? 0n).toString(16)}`);
  const instructions = tier instanceof ArmTier ? `, ${tier.instructions} CPU1 instructions` : "";
  say(`done in ${(chip.clock.nowUs / 1000).toFixed(2)} ms of virtual time${instructions}`);
  return 0;
}
