// fusop benchmarks: sizes and measured speed, written to bench/results.md with the command that
// produced them. Instruction counts come from unicorn (deterministic); wall time only as ratios.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Board, type BoardConfig } from "../host-sim/board.js";
import { Stm32wb } from "../host-sim/chip/stm32wb.js";
import { Operator } from "../host-sim/operator.js";
import { WasmTier } from "../host-sim/tiers/tier1.js";
import { ArmTier } from "../host-sim/tiers/tier2.js";
import type { OperatorTier } from "../host-sim/tiers/tier.js";
import { SystemResetOccurred } from "../host-sim/tiers/tier.js";
import { deviceWasmPath, probeElfPath, projectRoot } from "../host-sim/paths.js";
import { Session } from "../host-sim/session.js";
import { buildImage } from "../host-sim/images/builder.js";
import { writeResultsKeepingSections } from "./campaign-results.js";
import { parseVersion } from "../host-sim/versions.js";

interface Scenario {
  name: string;
  board: BoardConfig;
  steps: (operator: Operator, session: Session, chip: Stm32wb) => void;
}

const fusImage = buildImage({ kind: "fus", version: parseVersion("2.2.0"), size: 24_464, family: "wb5x" });
const stackImage = buildImage({ kind: "stack", version: parseVersion("1.24.0"), size: 0x18000, family: "wb5x", format: "new", stackType: 1 });

const bareFus: BoardConfig = { family: "wb5x", flashKb: 1024, fus: "1.2.0" };
const withStack: BoardConfig = { family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 1, size: 0x20000 } };

const scenarios: Scenario[] = [
  { name: "boot CPU2 (FUS) + FUS_GET_STATE", board: bareFus, steps: (op) => { op.bootCpu2(); op.fusGetState(); } },
  { name: "boot + read device information", board: bareFus, steps: (op) => { op.bootCpu2(); op.deviceInformation(); } },
  {
    name: "stack -> start FUS (2 GET_STATE, reset) -> boot FUS",
    board: withStack,
    steps: (op) => {
      op.bootCpu2();
      try {
        op.startFus();
      } catch (error) {
        if (!(error instanceof SystemResetOccurred)) throw error;
      }
      op.bootCpu2();
    },
  },
  {
    name: "stage FUS 2.2.0 (24 KB) into flash",
    board: bareFus,
    steps: (op) => op.stage(fusImage, 0x080e_e000),
  },
  {
    name: "boot + preflight of a 96 KB stack already in flash (locate footer, decode, plan)",
    board: { family: "wb5x", flashKb: 1024, fus: "2.2.0" },
    steps: (op, session, chip) => {
      chip.board.flash.set(stackImage, 0xd_8000); // put there as a probe would, outside the count
      session.boot();
      op.tier.call("fusCheckStagedImage");
    },
  },
  {
    name: "FUS 1.2.0 -> 2.2.0: stage + FW_UPGRADE through 3 resets",
    board: bareFus,
    steps: (op, session) => {
      op.stage(fusImage, 0x080e_e000);
      session.runLongOperation((operator) => operator.fwUpgrade());
    },
  },
  {
    name: "BLE stack 1.24.0 (96 KB, new format) on FUS 2.2.0: stage + FW_UPGRADE",
    board: { family: "wb5x", flashKb: 1024, fus: "2.2.0" },
    steps: (op, session) => {
      op.stage(stackImage, 0x080d_8000);
      session.runLongOperation((operator) => operator.fwUpgrade());
    },
  },
];

function measure(scenario: Scenario, makeTier: (chip: Stm32wb) => OperatorTier, repeat: number) {
  let instructions = 0;
  let virtualUs = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) {
    const chip = new Stm32wb(new Board(scenario.board));
    const tier = makeTier(chip);
    const session = new Session(chip, tier);
    scenario.steps(session.operator, session, chip);
    if (tier instanceof ArmTier) instructions = tier.instructions;
    virtualUs = chip.clock.nowUs;
  }
  const wallNs = Number(process.hrtime.bigint() - start) / repeat;
  return { instructions, virtualUs, wallNs };
}

const repeat = 5;
const rows: string[] = [];
for (const scenario of scenarios) {
  const wasm = measure(scenario, (chip) => new WasmTier(chip), repeat);
  const arm = measure(scenario, (chip) => new ArmTier(chip), repeat);
  rows.push(`| ${scenario.name} | ${arm.instructions} | ${(arm.virtualUs / 1000).toFixed(2)} | ${(arm.wallNs / wasm.wallNs).toFixed(1)} |`);
}

/**
 * Cold start of the command line: a fresh `node` process printing `fusop --version`, from the tsc
 * output (one module per source file) and from the rollup bundle the package ships. Median of runs.
 */
function coldStartMs(script: string, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [join(projectRoot, script), "--version"], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`${script} --version failed: ${run.stderr}`);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}

function countModules(directory: string): number {
  return readdirSync(directory, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".js")).length;
}

const coldRuns = 21;
const unbundledMs = coldStartMs("dist/cli/main.js", coldRuns);
const bundledMs = coldStartMs("dist/fusop.js", coldRuns);
const unbundledModules = countModules(join(projectRoot, "dist", "cli")) + countModules(join(projectRoot, "dist", "host-sim")) + countModules(join(projectRoot, "dist", "assembly"));

const size = execFileSync("arm-none-eabi-size", [probeElfPath], { encoding: "utf8" }).trim().split("\n")[1].trim().split(/\s+/);
const wasmBytes = statSync(deviceWasmPath).size;
const staticEnd = /FUSOP_STATIC_DATA_END (\d+)u/.exec(readFileSync(join(projectRoot, "build", "gen", "linear_layout.h"), "utf8"))![1];

const report = `# fusop benchmark results

Produced by \`make bench\` (runs \`node dist/bench/run.js\` after building). Instruction counts are
CPU1 instructions executed by the probe firmware in unicorn (tier 2), from power-on, deterministic.
Virtual time is the chip clock at the end (CPU1 at 4 MHz MSI; CPU2 latencies and flash timings
are simulator assumptions, host-sim/cpu2/timing.ts and host-sim/chip/flash.ts). Most CPU1
instructions of the long scenarios are the operator's polling loops waiting on the virtual clock. Wall time of the scenarios appears only as the ratio tier 2 / tier 1
for the same scenario (mean of ${repeat} runs), never as an absolute number; only the CLI cold start is in milliseconds.

## Size

| artefact | bytes |
|---|---|
| operator wasm module (build/fusop.wasm) | ${wasmBytes} |
| static data in linear memory (of 4096) | ${staticEnd} |
| probe firmware .text (arm-none-eabi-size) | ${size[0]} |
| probe firmware .data | ${size[1]} |
| probe firmware .bss (incl. 4096 linear memory) | ${size[2]} |

## CLI cold start

\`node <file> --version\` in a fresh process, median of ${coldRuns} runs on the machine that ran the
bench (absolute times vary from machine to machine; compare the two rows with each other).

| command | JavaScript files | bytes | median ms |
|---|---|---|---|
| \`node dist/cli/main.js --version\` (tsc output, unbundled) | ${unbundledModules} (of dist/cli, dist/host-sim, dist/assembly) | - | ${unbundledMs.toFixed(0)} |
| \`node dist/fusop.js --version\` (rollup bundle, the package's \`fusop\`) | 1 | ${statSync(join(projectRoot, "dist", "fusop.js")).size} | ${bundledMs.toFixed(0)} |

## Speed

| scenario | tier-2 instructions | virtual ms | wall time tier 2 / tier 1 |
|---|---|---|---|
${rows.join("\n")}
`;
// The fuzz and campaign sections of the file are their runners' (bench/campaign-results.ts).
writeResultsKeepingSections(report);
console.log(report);
