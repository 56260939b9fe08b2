// `fusop --board BOARD <command>`: the operator run against a part. Every command first checks its
// inputs (files readable and decodable, keys parsed, numbers strict) without touching the part;
// only then is the target opened, CPU2 booted or switched, flash changed and the board saved.
// The target is chosen by one option (cli/targets/): `--board FILE`, a virtual board on tier 1 or
// tier 2; `--gdb HOST:PORT`, a real board behind a debug probe's GDB server (the probe firmware runs
// from SRAM1, cli/targets/gdb-board.ts) — in both the operator's calls come from this process; or
// `--port DEVICE`, a part running the fusop loader, whose operator runs on the part and is driven
// through the loader's console. The input checks (prepare) are the same code for all three; the plan
// and the upgrade policy are the operator's own (preflight.ts), run here or on the part.
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { Cpu2Mode } from "../assembly/shared/codes.js";
import { ImageStatus } from "../assembly/shared/image-codes.js";
import { ImageCodec, hex32, type DecodedImage } from "../host-sim/images/footer.js";
import { UpgradePlanner, refusalJson, type ImageFile, type PlannedStep } from "../host-sim/images/planner.js";
import { imageStatusCode, imageStatusMessage } from "../host-sim/images/messages.js";
import { publicKeyFromRaw, rawPublicKey } from "../host-sim/images/signing.js";
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { diagnosisAdvice, diagnosisCode, type Operator } from "../host-sim/operator.js";
import type { Diagnosis } from "../assembly/shared/codes.js";
import type { Session, SessionEvent } from "../host-sim/session.js";
import type { ResetCounting, TierName } from "../host-sim/tiers/tier.js";
import {
  CliError, EXIT, fileError, hexAddress, hexValue, operandCount, optionString, parseInteger, requiredString, usageError,
  type CommandContext, type CommandSpec, type OptionSpec, type Output,
} from "./command.js";
import { flashRegions, renderFlashMapSvg, renderFlashMapText, sbrvAddress, sfsaAddress, FLASH_BASE, type FlashLayout } from "./flash-map.js";
import { inspectImage } from "./image-command.js";
import { stackTypeName } from "./stack-types.js";
import { chooseTier, tierOption } from "./targets/tier-choice.js";
import { DEFAULT_BAUD, openSerialTarget, type PortPart, type SerialTarget } from "./targets/serial-board.js";
import { openVirtualBoard, type PartTarget } from "./targets/virtual-board.js";
import { openGdbBoard } from "./targets/gdb-board.js";

/** A part opened for one command. */
export interface Part {
  target: PartTarget;
  session: Session<ResetCounting>;
  operator: Operator;
  /** Where the operator runs: tier 1 or 2 of the simulator, or the probe firmware behind --gdb. */
  tier: TierName | "gdb";
  boardPath: string;
  out: Output;
}

const boardOption: OptionSpec = { type: "string", value: "BOARD", help: "the part: a virtual board file (fusop sim create)" };
const portOption: OptionSpec = { type: "string", value: "DEVICE", help: "the part: a board running the fusop loader on this serial port (auto: the ST-LINK's virtual COM port)" };
const baudOption: OptionSpec = { type: "string", value: "N", help: `serial speed for --port (default ${DEFAULT_BAUD})` };
const gdbOption: OptionSpec = { type: "string", value: "HOST:PORT", help: "the part: a real board behind a debug probe's GDB server (the probe firmware runs from SRAM1)" };
const svgOption: OptionSpec = { type: "string", value: "FILE", help: "also write the flash map as SVG to FILE" };
const appEndOption: OptionSpec = { type: "string", value: "ADDR", help: "first address after the CPU1 application (0x... hex)" };
const forceOption: OptionSpec = { type: "boolean", help: "skip fusop's safety policy (simulator boards: shows what FUS itself does)" };

interface BoardAction<Input> {
  words: string[];
  operands: string;
  summary: string;
  options?: Record<string, OptionSpec>;
  example: string;
  /** Checks and reads every input; never touches the part. */
  prepare(context: CommandContext): Input;
  /** Checks that need to read the part (never change it); a refusal here leaves the board file as it was. */
  check?(part: Part, input: Input, context: CommandContext): void;
  act(part: Part, input: Input, context: CommandContext): Record<string, unknown>;
  /** The same command on a part behind the loader's console; absent: NOT_SUPPORTED_ON_PORT. */
  port?(target: SerialTarget, input: Input, context: CommandContext): Promise<Record<string, unknown>>;
  text?(result: Record<string, unknown>): string;
}

function modeName(mode: Cpu2Mode): "fus" | "stack" | "unknown" {
  return mode === Cpu2Mode.Fus ? "fus" : mode === Cpu2Mode.WirelessStack ? "stack" : "unknown";
}

function eventOf(event: SessionEvent): { kind: string; fields: Record<string, unknown>; line: string } {
  if (event.kind === "reset") return { kind: "reset", fields: { count: event.count, reason: event.reason }, line: `system reset ${event.count}: ${event.reason}` };
  if (event.kind === "boot") return { kind: "boot", fields: { mode: modeName(event.mode) }, line: `CPU2 ready: ${modeName(event.mode) === "fus" ? "FUS" : modeName(event.mode) === "stack" ? "wireless stack" : "unknown firmware"}` };
  return { kind: "state", fields: { state: event.reading.stateName, error: event.reading.errorName }, line: `FUS: ${event.reading.stateName} / ${event.reading.errorName}` };
}

/** The part a board command names: --board FILE (a virtual board) or --gdb HOST:PORT (a real one). */
function requirePart(context: CommandContext): void {
  const gdb = optionString(context.options, "gdb");
  const board = optionString(context.options, "board");
  if (gdb !== undefined && board !== undefined) throw usageError("TWO_PARTS", "--board and --gdb name two parts: give one");
  if (gdb === undefined && board === undefined) {
    throw usageError("MISSING_OPTION", "a target is required: --board BOARD (a virtual board file), --gdb HOST:PORT (a debug probe's GDB server) or --port DEVICE (a part running the fusop loader)");
  }
}

export function openPart(context: CommandContext, defaultTier: TierName): Part {
  const onEvent = (event: SessionEvent): void => {
    const { kind, fields, line } = eventOf(event);
    context.out.event(kind, fields, line);
  };
  const gdb = optionString(context.options, "gdb");
  if (gdb !== undefined) {
    const target = openGdbBoard(gdb, onEvent);
    return { target, session: target.session, operator: target.session.operator, tier: "gdb", boardPath: gdb, out: context.out };
  }
  const boardPath = requiredString(context.options, "board", "BOARD");
  const tier = chooseTier(context.options, defaultTier, context.out);
  const target = openVirtualBoard(boardPath, tier, onEvent);
  return { target, session: target.session, operator: target.session.operator, tier, boardPath, out: context.out };
}

function boardCommand<Input>(action: BoardAction<Input>): CommandSpec {
  const spec: CommandSpec = {
    words: action.words,
    operands: action.operands,
    summary: action.summary,
    options: { board: boardOption, gdb: gdbOption, port: portOption, baud: baudOption, tier: tierOption("wasm"), ...action.options },
    example: action.example,
    async run(context) {
      const input = action.prepare(context);
      const port = optionString(context.options, "port");
      if (port !== undefined && optionString(context.options, "gdb") !== undefined) throw usageError("TARGET_CONFLICT", "--gdb and --port name two targets; give one");
      if (port !== undefined) return runOnPort(action, port, input, context);
      requirePart(context);
      const part = openPart(context, "wasm");
      if (context.options.force === true) part.operator.setSafetyPolicy(false);
      action.check?.(part, input, context);
      let result: Record<string, unknown>;
      try {
        result = action.act(part, input, context);
      } finally {
        // Whatever CPU2 did before a failure (option bytes, flash, its NVM) happened to the part.
        part.target.save();
      }
      return { ...result, tier: part.tier, resets: part.session.resets };
    },
    text: action.text,
  };
  return spec;
}

/** A board command on the part behind `--port`: its console opened, the command run, the port closed. */
async function runOnPort<Input>(action: BoardAction<Input>, port: string, input: Input, context: CommandContext): Promise<Record<string, unknown>> {
  const command = `fusop ${action.words.join(" ")}`;
  if (optionString(context.options, "board") !== undefined) throw usageError("TARGET_CONFLICT", "--board and --port name two targets; give one");
  if (optionString(context.options, "tier") !== undefined) throw usageError("TARGET_CONFLICT", "--tier chooses how a virtual board runs; with --port the operator runs on the part");
  if (!action.port) {
    throw new CliError("NOT_SUPPORTED_ON_PORT", `${command}: the fusop loader's console has no command for this; ` +
      "run it through a debug probe (--gdb HOST:PORT) instead, or with FUS's own tools (STM32CubeProgrammer)", { command }, EXIT.refused);
  }
  if (context.options.force === true) {
    throw new CliError("NOT_SUPPORTED_ON_PORT", `${command} --force: the safety policy can be switched off on simulator boards only (--board); the loader always applies it`, { command }, EXIT.refused);
  }
  const baudText = optionString(context.options, "baud");
  const baud = baudText === undefined ? DEFAULT_BAUD : parseInteger(baudText, "--baud", 12_000_000);
  if (baud === 0) throw usageError("BAD_VALUE", "--baud must be above 0 (the loader's console runs at 115200 unless built otherwise)");
  const target = await openSerialTarget(port, baud, context.out);
  try {
    return { ...(await action.port(target, input, context)), port: target.where };
  } finally {
    await target.close();
  }
}

/** The part as the loader reports it, with its flash map (fewer details than a board file has: what the part tells). */
async function portInfo(target: SerialTarget, context: CommandContext): Promise<Record<string, unknown>> {
  const part = await target.describe();
  const drawn = drawLayout({ ...part.layout, staged: [] }, context, target.where);
  return { ...part.fields, flashRegions: drawn.regions, flashMap: drawn.map };
}

function afterPortOperation(part: PortPart): Record<string, unknown> {
  const { mode, fusVersion, stackVersion, sfsa, sfsaAddress, sbrv, sbrvAddress } = part.fields;
  return { mode, fusVersion, stackVersion, sfsa, sfsaAddress, sbrv, sbrvAddress };
}

// ---- reading the part ----

function optionBytesJson(part: Part): Record<string, unknown> {
  const identity = part.operator.identify();
  const sectorBytes = part.target.variant.sectorBytes;
  return {
    sfsa: hexValue(identity.sfsa),
    sfsaAddress: hexAddress(sfsaAddress(identity.sfsa, sectorBytes)),
    sbrv: hexValue(identity.sbrv),
    sbrvAddress: hexAddress(sbrvAddress(identity.sbrv)),
  };
}

function partInfo(part: Part): Record<string, unknown> {
  const mode = part.session.boot();
  const identity = part.operator.identify();
  const information = part.operator.deviceInformation();
  // A running stack must not get GET_STATE (a second one resets the part, fus-behaviour §1.8): FUS is not asked.
  const reading = mode === Cpu2Mode.Fus ? part.operator.fusGetState() : null;
  const hasStack = information.layout === "stack" || information.stackVersion !== null;
  return {
    mode: modeName(mode),
    fusVersion: information.fusVersion,
    stackVersion: information.stackVersion,
    stackType: hasStack ? `0x${information.stackType.toString(16).toUpperCase().padStart(2, "0")}` : null,
    stackTypeName: hasStack ? stackTypeName(information.stackType) : null,
    safebootVersion: information.safebootVersion,
    ...optionBytesJson(part),
    state: reading?.stateName ?? null,
    error: reading?.errorName ?? null,
    flashKb: identity.flashKb,
    deviceId: hexValue(identity.deviceId),
    revisionId: hexValue(identity.revisionId),
    uid64: `0x${identity.uid64.toString(16).toUpperCase().padStart(16, "0")}`,
  };
}

function partText(result: Record<string, unknown>): string {
  const stack = result.stackVersion ? `V${result.stackVersion} (${result.stackTypeName}, type ${result.stackType})` : "none";
  const lines = [
    `CPU2 runs: ${result.mode === "fus" ? "FUS" : result.mode === "stack" ? "the wireless stack" : "unknown firmware"}`,
    `FUS V${result.fusVersion}, Safeboot V${result.safebootVersion}, stack ${stack}`,
    `SFSA ${result.sfsa} = ${result.sfsaAddress} (secure flash starts); SBRV ${result.sbrv} = ${result.sbrvAddress} (CPU2 boots here)`,
    result.state ? `FUS state: ${result.state} / ${result.error}` : "FUS state: not asked (the wireless stack runs; a GET_STATE would switch CPU2 to FUS)",
    `part: ${result.flashKb} KB flash, device ${result.deviceId} rev ${result.revisionId}, UID64 ${result.uid64}`,
  ];
  return [...lines, ...(typeof result.flashMap === "string" ? ["", result.flashMap] : [])].join("\n");
}

/**
 * Image footers FUS could find in CPU1's flash from `start` (default: the application end) up to
 * SFSA: staged images and leftovers of earlier installs.
 */
export function findImageFooters(part: Part, start = part.target.applicationEnd(), codec = new ImageCodec(part.session.tier)): { address: string; magic: string }[] {
  const end = sfsaAddress(part.operator.identify().sfsa, part.target.variant.sectorBytes);
  const flashEnd = FLASH_BASE + part.target.variant.flashKb * 1024;
  const found: { address: string; magic: string }[] = [];
  let from = start;
  const last = Math.min(end, flashEnd);
  while (from < last && found.length < 16) {
    const scan = codec.scanForStaleImages(part.target.readFlash(from, last), from);
    if (scan.status === ImageStatus.Ok) break;
    found.push({ address: hex32(scan.firstAddress), magic: hex32(scan.firstMagic) });
    from = scan.firstAddress + 4;
  }
  return found;
}

function boardLayout(part: Part, staged: FlashLayout["staged"], appEnd: number | undefined): FlashLayout {
  const variant = part.target.variant;
  const identity = part.operator.identify();
  const { stack, nvm } = part.target.cpu2Regions?.() ?? {};
  return {
    flashKb: variant.flashKb,
    sectorBytes: variant.sectorBytes,
    sfsa: identity.sfsa,
    sbrv: identity.sbrv,
    appEnd,
    staged,
    stack: stack && { start: stack.start, end: stack.end, label: `wireless stack ${stackTypeName(stack.type)}` },
    nvm,
  };
}

/** The flash map of the part; also written as SVG with --svg. Returned for the result. */
export function drawFlashMap(part: Part, context: CommandContext, staged: FlashLayout["staged"] = [], appEnd?: number): { map: string; regions: unknown } {
  return drawLayout(boardLayout(part, staged, appEnd ?? applicationEndIfAny(part)), context, basename(part.boardPath));
}

function drawLayout(layout: FlashLayout, context: CommandContext, title: string): { map: string; regions: unknown } {
  const map = flashRegions(layout);
  const svg = optionString(context.options, "svg");
  if (svg !== undefined) {
    try {
      writeFileSync(svg, renderFlashMapSvg(map, title));
    } catch (cause) {
      throw fileError(svg, cause, "write");
    }
  }
  const regions = map.regions.map((region) => ({ kind: region.kind, start: hexAddress(region.start), end: hexAddress(region.end), label: region.label }));
  return { map: renderFlashMapText(map), regions };
}

/** The application's end when firmware lies in flash; undefined when the flash base is erased. */
function applicationEndIfAny(part: Part): number | undefined {
  const end = part.target.applicationEnd();
  return end > FLASH_BASE ? end : undefined;
}

function afterOperation(part: Part, mode: Cpu2Mode): Record<string, unknown> {
  const information = part.operator.deviceInformation();
  return { mode: modeName(mode), fusVersion: information.fusVersion, stackVersion: information.stackVersion, ...optionBytesJson(part) };
}

export function optionalAddress(context: CommandContext, name: string): number | undefined {
  const text = optionString(context.options, name);
  return text === undefined ? undefined : parseInteger(text, `--${name}`);
}

// ---- images ----

export interface LoadedImage {
  file: string;
  data: Uint8Array;
  decoded: DecodedImage | null;
}

/** Reads a whole image file and checks it is one (unless `force`): before the part is touched. */
function loadImage(file: string, force: boolean): LoadedImage {
  let data: Uint8Array;
  try {
    data = new Uint8Array(readFileSync(file));
  } catch (cause) {
    throw fileError(file, cause);
  }
  if (data.length === 0) throw new CliError("FILE_EMPTY", `'${file}' is empty: pass a coprocessor image (ST's *_fw.bin)`, { file }, 3);
  return { file, data, decoded: force ? null : inspectImage(file) };
}

/**
 * Where the operator's planner (on this tier, for the part as it reports itself with FUS running,
 * preflight.ts) puts `image`. Refusals carry the planner's code and what to do.
 */
function plannedStep(part: Part, image: LoadedImage, appEnd: number | undefined): PlannedStep {
  part.session.ensureFus();
  const planner = new UpgradePlanner(new ImageCodec(part.session.tier));
  const plan = planner.plan({ onDevice: true, appEnd }, [{ file: image.file, tail: image.data.slice(-256), size: image.data.length }]);
  if (!plan.ok) {
    plan.context.fusVersion ??= part.operator.deviceInformation().fusVersion;
    const refusal = refusalJson(plan);
    throw new CliError(refusal.code, refusal.message, refusal);
  }
  const step = plan.steps.find((candidate) => candidate.file === image.file && candidate.address !== null);
  if (!step) {
    const skipped = plan.skipped.find((entry) => entry.file === image.file);
    const fusVersion = part.operator.deviceInformation().fusVersion;
    if (skipped) throw new CliError(imageStatusCode(skipped.status), imageStatusMessage(skipped.status, { file: image.file, fusVersion }), { file: image.file });
    throw new CliError("NOTHING_TO_STAGE", `${image.file}: nothing to install on this part`, { file: image.file });
  }
  return step;
}

// ---- the commands ----

const info = boardCommand({
  words: ["info"],
  operands: "",
  summary: "what the part runs: FUS, Safeboot and stack versions, stack type, SFSA/SBRV, FUS state, and its flash map",
  options: { svg: svgOption },
  example: "fusop info --board part.json --svg part.svg",
  prepare: () => null,
  act(part, _input, context) {
    const result = partInfo(part);
    const drawn = drawFlashMap(part, context, footerRegions(part));
    return { ...result, flashRegions: drawn.regions, flashMap: drawn.map };
  },
  port: (target, _input, context) => portInfo(target, context),
  text: partText,
});

/** The image footers in CPU1's flash, each drawn as the sector that holds it. */
function footerRegions(part: Part): NonNullable<FlashLayout["staged"]> {
  const sector = part.target.variant.sectorBytes;
  return findImageFooters(part).map(({ address }) => {
    const start = Math.floor((Number(address) - FLASH_BASE) / sector) * sector + FLASH_BASE;
    return { start, end: start + sector, label: `image footer at ${address} (a staged or leftover image ends here)` };
  });
}

const state = boardCommand({
  words: ["state"],
  operands: "",
  summary: "what CPU2 runs and, when FUS runs, its state",
  example: "fusop state --board part.json",
  prepare: () => null,
  act(part) {
    const result = partInfo(part);
    return { mode: result.mode, state: result.state, error: result.error };
  },
  async port(target) {
    const { mode, state, error } = (await target.describe()).fields;
    return { mode, state, error };
  },
});

const diagnose = boardCommand({
  words: ["diagnose"],
  operands: "",
  summary: "why a part does not boot CPU2 or install images: option bytes, FUS, and leftover image fragments in flash",
  options: { "app-end": { ...appEndOption, help: "scan for leftovers from here (default: the end of the firmware in flash)" } },
  example: "fusop diagnose --board part.json --app-end 0x08020000",
  prepare: (context) => ({ appEnd: optionalAddress(context, "app-end") }),
  act(part, input) {
    // Diagnosis first reads the part as it is; CPU2 is booted only if that is safe.
    let diagnosis = part.operator.diagnose();
    if (diagnosis.code === "CPU2_NOT_ENABLED") {
      part.session.boot();
      diagnosis = part.operator.diagnose();
    }
    return diagnosisResult(diagnosis.diagnosis, findImageFooters(part, input.appEnd));
  },
  async port(target, input) {
    // The loader diagnoses as act() does, on the part, and lists the footers it finds from the application's end (or --app-end).
    const answer = await target.console.command(input.appEnd === undefined ? "diagnose" : `diagnose ${hexAddress(input.appEnd)}`);
    const footers: { address: string; magic: string }[] = [];
    for (const [key, value] of answer.lines) {
      if (key === "footer") footers.push({ address: hex32(Number(value)), magic: hex32(0) });
      if (key === "magic" && footers.length > 0) footers[footers.length - 1].magic = hex32(Number(value));
    }
    return diagnosisResult(Number(answer.fields.diagnosis) as Diagnosis, footers);
  },
  text: (r) => [`diagnosis: ${r.diagnosis}`, `advice: ${r.advice}`,
    ...(r.imageFooters as { address: string; magic: string }[]).map((f) => `image footer at ${f.address} (magic ${f.magic})`)].join("\n"),
});

/** diagnose's result, whichever target read the part: the operator's diagnosis and the footers FUS could take. */
function diagnosisResult(diagnosis: Diagnosis, leftovers: { address: string; magic: string }[]): Record<string, unknown> {
  const code = diagnosisCode(diagnosis);
  const advice = leftovers.length === 0 ? diagnosisAdvice[diagnosis]
    : `${code === "HEALTHY" ? "" : `${diagnosisAdvice[diagnosis]}; `}image footers lie in CPU1's flash at ${leftovers.map((l) => l.address).join(", ")}: ` +
      "FUS may take a leftover for the next image; erase them (fusop erase --range) unless you staged them on purpose";
  return { diagnosis: code, advice, imageFooters: leftovers };
}

const startFus = boardCommand({
  words: ["start-fus"],
  operands: "",
  summary: "switch CPU2 to FUS (from a running stack this takes a system reset)",
  example: "fusop start-fus --board part.json",
  prepare: () => null,
  act(part) {
    part.session.ensureFus();
    return afterOperation(part, Cpu2Mode.Fus);
  },
  async port(target) {
    await target.console.fusOperation("start-fus");
    return afterPortOperation(await target.describe());
  },
});

const startWs = boardCommand({
  words: ["start-ws"],
  operands: "",
  summary: "start the installed wireless stack (FUS_START_WS)",
  example: "fusop start-ws --board part.json",
  prepare: () => null,
  act(part) {
    // Already running: nothing to do (going through FUS would cost two resets for nothing).
    if (part.session.boot() === Cpu2Mode.WirelessStack) return afterOperation(part, Cpu2Mode.WirelessStack);
    const done = part.session.runLongOperation((op) => op.startWirelessStack());
    return afterOperation(part, done.mode);
  },
  async port(target) {
    const before = await target.describe();
    if (before.mode === "stack") return afterPortOperation(before);
    await target.console.fusOperation("start-ws");
    return afterPortOperation(await target.describe());
  },
});

function longOperation(words: string, summary: string, send: (operator: Operator) => void,
  precheck?: { board(part: Part): void; port(target: SerialTarget): Promise<void> }, loaderCommand?: string): CommandSpec {
  return boardCommand({
    words: [words],
    operands: "",
    summary,
    options: { force: forceOption },
    example: `fusop ${words} --board part.json`,
    prepare: () => null,
    check(part, _input, context) {
      if (context.options.force !== true) precheck?.board(part);
    },
    act(part) {
      const done = part.session.runLongOperation(send);
      return { ...afterOperation(part, done.mode), state: done.finalState?.stateName ?? null, error: done.finalState?.errorName ?? null };
    },
    port: loaderCommand === undefined ? undefined : async (target) => {
      await precheck?.port(target);
      await target.ensureFus();
      // The loader prints the outcome after FUS's last reset; the part is then read back.
      await target.console.fusOperation(loaderCommand);
      const after = await target.describe();
      return { ...afterPortOperation(after), state: after.fields.state, error: after.fields.error };
    },
  });
}

const remove = longOperation("delete", "delete the installed wireless stack (FUS_FW_DELETE)", (op) => op.fwDelete(), undefined, "delete");
const purge = longOperation("purge", "delete the stack and its NVM section (FUS_FW_PURGE, FUS V2)", (op) => op.fwPurge(), undefined, "purge");
/** Nothing staged: FUS would only answer IMG_NOT_FOUND after the switch; refuse before touching CPU2. */
function requireStaged(footers: unknown[]): void {
  if (footers.length === 0) {
    throw new CliError("NOTHING_STAGED", "no image is staged in flash below SFSA: stage one first (fusop stage FILE), or use fusop install FILE");
  }
}

const upgrade = longOperation("upgrade", "install the image staged in flash (FUS_FW_UPGRADE) and follow the resets", (op) => op.fwUpgrade(), {
  board: (part) => requireStaged(findImageFooters(part)),
  port: async (target) => requireStaged((await target.console.command("diagnose")).lines.filter(([key]) => key === "footer")),
}, "upgrade");

const stage = boardCommand({
  words: ["stage"],
  operands: "FILE",
  summary: "write an image where the operator's planner puts it (checked against the part first)",
  options: {
    at: { type: "string", value: "ADDR", help: "confirm the address (must equal the planned one unless --force)" },
    "app-end": appEndOption,
    force: forceOption,
  },
  example: "fusop stage stm32wb5x_FUS_fw.bin --board part.json",
  prepare(context) {
    operandCount(context, 1, 1);
    const force = context.options.force === true;
    const at = optionalAddress(context, "at");
    if (force && at === undefined) throw usageError("MISSING_OPTION", "stage --force needs --at ADDR: without the policy nothing chooses the address");
    return { image: loadImage(context.operands[0], force), at, force, appEnd: optionalAddress(context, "app-end") };
  },
  act(part, input) {
    let address: number;
    let eraseEnd: number | undefined;
    if (input.force) {
      address = input.at!;
    } else {
      const step = plannedStep(part, input.image, input.appEnd);
      if (input.at !== undefined && input.at !== step.address) throw stageNotPlanned(input.image, step.address!, input.at);
      address = step.address!;
      eraseEnd = step.eraseEnd ?? undefined;
    }
    // Flash is CPU1's only while no stack runs on CPU2 (the driver refuses otherwise).
    part.session.ensureFus();
    part.operator.stage(input.image.data, address, undefined, eraseEnd);
    return stageResult(input.image, address, eraseEnd);
  },
  async port(target, input, context) {
    if (input.appEnd !== undefined) throw appEndOnPort("stage");
    // The loader receives the image, places it where the operator's planner puts it on the part
    // (preflight.ts, as install does), checks it against --at, and journals it as staged.
    await target.ensureFus();
    const { image, at } = input;
    context.out.event("send", { file: image.file, bytes: image.data.length }, `sending ${basename(image.file)} (${image.data.length} bytes) to the loader`);
    let answer: Awaited<ReturnType<SerialTarget["send"]>>;
    try {
      answer = await target.send(at === undefined ? "stage" : `stage ${hexAddress(at)}`, basename(image.file), image.data, context.out);
    } catch (error) {
      const planned = error instanceof CliError ? error.details["planned-at"] : undefined;
      if (at !== undefined && error instanceof CliError && error.code === "STAGED_IMAGE_MISPLACED" && planned !== undefined) throw stageNotPlanned(image, Number(planned), at);
      throw namedImageRefusal(error, image);
    }
    const eraseEnd = Number(answer.fields["erase-end"]);
    return stageResult(image, Number(answer.fields["placed-at"]), eraseEnd === 0 ? undefined : eraseEnd);
  },
});

/**
 * The loader's STAGED_IMAGE_REFUSED carries its preflight's ImageStatus: named as the planner names
 * it on the other targets (refusalJson), so a refusal has one code whichever target saw it.
 */
function namedImageRefusal(error: unknown, image: LoadedImage): unknown {
  if (!(error instanceof CliError) || error.code !== "STAGED_IMAGE_REFUSED" || error.details["image-status"] === undefined) return error;
  const status = Number(error.details["image-status"]) as ImageStatus;
  return new CliError(imageStatusCode(status), imageStatusMessage(status, { file: image.file }), { ...error.details, file: image.file });
}

function stageResult(image: LoadedImage, address: number, eraseEnd: number | undefined): Record<string, unknown> {
  return { staged: image.file, address: hexAddress(address), bytes: image.data.length, erasedTo: hexAddress(eraseEnd ?? address + image.data.length) };
}

function stageNotPlanned(image: LoadedImage, planned: number, at: number): CliError {
  return new CliError("STAGE_ADDRESS_NOT_PLANNED", `${image.file} belongs at ${hexAddress(planned)} on this part, not ${hexAddress(at)}; ` +
    "stage without --at (or --force on a simulator board)");
}

function appEndOnPort(command: string): CliError {
  return new CliError("NOT_SUPPORTED_ON_PORT", `${command} --app-end: behind the loader the application end is the loader's (its journal knows the application); leave --app-end out`, {}, EXIT.refused);
}

const install = boardCommand({
  words: ["install"],
  operands: "FILE...",
  summary: "plan from the part, stage, FW_UPGRADE, follow the resets, verify the installed version, start the stack",
  options: { "no-start": { type: "boolean", help: "leave FUS running at the end (do not start the stack)" }, "app-end": appEndOption, svg: svgOption },
  example: "fusop install stm32wb5x_FUS_fw.bin stm32wb5x_BLE_Stack_full_fw.bin --board part.json",
  prepare(context) {
    operandCount(context, 1, 16);
    return { images: context.operands.map((file) => loadImage(file, false)), appEnd: optionalAddress(context, "app-end") };
  },
  act(part, input, context) {
    const outcome = installImages(part, input.images, { appEnd: input.appEnd, start: context.options["no-start"] !== true });
    const drawn = drawFlashMap(part, context, footerRegions(part), input.appEnd);
    return { ...outcome, ...afterOperation(part, outcome.mode), flashRegions: drawn.regions, flashMap: drawn.map };
  },
  async port(target, input, context) {
    if (input.appEnd !== undefined) throw appEndOnPort("install");
    // The loader takes one image per `install`: it plans it on the part with the operator's planner
    // and policy (preflight.ts), places it, runs FW_UPGRADE and prints the outcome after the resets.
    const installed: Record<string, unknown>[] = [];
    for (const image of input.images) {
      context.out.event("send", { file: image.file, bytes: image.data.length }, `sending ${basename(image.file)} (${image.data.length} bytes) to the loader`);
      const answer = await target.install(basename(image.file), image.data, context.out).catch((error: unknown) => {
        const named = namedImageRefusal(error, image);
        if (named instanceof CliError) Object.assign(named.details, { installed });
        throw named;
      });
      const after = await target.describe();
      verifyVersion(image, { fusVersion: String(after.fields.fusVersion), stackVersion: after.fields.stackVersion as string | null, safebootVersion: String(after.fields.safebootVersion) });
      installed.push({ file: image.file, kind: image.decoded!.kind, version: image.decoded!.version, address: hexAddress(Number(answer.fields["placed-at"])) });
    }
    let part = await target.describe();
    if (context.options["no-start"] !== true && part.mode === "fus" && part.fields.stackVersion !== null) {
      context.out.event("start", {}, "FUS_START_WS");
      await target.console.fusOperation("start-ws");
      part = await target.describe();
    }
    const drawn = drawLayout({ ...part.layout, staged: [] }, context, target.where);
    return { installed, skipped: [], ...afterPortOperation(part), flashRegions: drawn.regions, flashMap: drawn.map };
  },
  text: (r) => [
    ...(r.installed as { file: string; kind: string; version: string }[]).map((i) => `installed ${basename(i.file)}: ${i.kind} V${i.version}`),
    ...(r.skipped as string[]).map((file) => `skipped ${basename(file)}: nothing to do on this part`),
    `CPU2 runs ${r.mode === "stack" ? "the wireless stack" : r.mode === "fus" ? "FUS" : "unknown firmware"}; FUS V${r.fusVersion}, stack ${r.stackVersion ? `V${r.stackVersion}` : "none"}`,
    "",
    r.flashMap as string,
  ].join("\n"),
});

/**
 * The install loop (`fusop install`, and the demo): plan from the part as the operator reads it,
 * stage the first image, FW_UPGRADE through its resets, read the version back; again until the plan
 * is empty. Then start the stack if one is installed and FUS runs (unless `start` is false).
 */
export function installImages(part: Part, images: LoadedImage[], options: { appEnd?: number; start: boolean }): {
  installed: Record<string, unknown>[]; skipped: string[]; mode: Cpu2Mode;
} {
  const installed: Record<string, unknown>[] = [];
  const remaining = [...images];
  while (remaining.length > 0) {
    part.session.ensureFus();
    const planner = new UpgradePlanner(new ImageCodec(part.session.tier));
    const files: ImageFile[] = remaining.map((image) => ({ file: image.file, tail: image.data.slice(-256), size: image.data.length }));
    const plan = planner.plan({ onDevice: true, appEnd: options.appEnd }, files);
    if (!plan.ok) {
      plan.context.fusVersion ??= part.operator.deviceInformation().fusVersion;
      const refusal = refusalJson(plan);
      throw new CliError(refusal.code, refusal.message, { ...refusal, installed });
    }
    const step = plan.steps.find((candidate) => candidate.file !== null && candidate.address !== null);
    if (!step) break;
    const image = remaining.find((candidate) => candidate.file === step.file)!;
    const end = step.eraseEnd ?? step.address! + image.data.length;
    part.out.event("stage", { file: image.file, address: hexAddress(step.address!), end: hexAddress(end) },
      `${step.action}: staging ${basename(image.file)} at ${hexAddress(step.address!)} (erasing to ${hexAddress(end)})`);
    part.operator.stage(image.data, step.address!, undefined, step.eraseEnd ?? undefined);
    part.out.event("upgrade", { file: image.file }, "FUS_FW_UPGRADE");
    part.session.runLongOperation((op) => op.fwUpgrade());
    verifyInstalled(part, image);
    installed.push({ file: image.file, kind: image.decoded!.kind, version: image.decoded!.version, address: hexAddress(step.address!) });
    remaining.splice(remaining.indexOf(image), 1);
  }
  let mode = part.session.boot();
  if (options.start && mode === Cpu2Mode.Fus && part.operator.deviceInformation().stackVersion !== null) {
    part.out.event("start", {}, "FUS_START_WS");
    mode = part.session.runLongOperation((op) => op.startWirelessStack()).mode;
  }
  return { installed, skipped: remaining.map((image) => image.file), mode };
}

/** The outcome is read back from the part, not inferred: the installed version must be the image's. */
function verifyInstalled(part: Part, image: LoadedImage): void {
  part.session.boot();
  verifyVersion(image, part.operator.deviceInformation());
}

function verifyVersion(image: LoadedImage, information: { fusVersion: string; stackVersion: string | null; safebootVersion: string }): void {
  const decoded = image.decoded!;
  const running = decoded.kind === "fus" ? information.fusVersion : decoded.kind === "stack" ? information.stackVersion : information.safebootVersion;
  if (running !== decoded.version) {
    throw new CliError("INSTALL_NOT_APPLIED", `${image.file}: the part reports ${decoded.kind} ${running === null ? "absent" : `V${running}`} after FW_UPGRADE, ` +
      `not V${decoded.version}; read fusop info and fusop diagnose, then stage and upgrade again`, { file: image.file, expected: decoded.version, found: running });
  }
}

function parseRange(text: string): { start: number; end: number } {
  const match = /^(.*)\.\.(.*)$/.exec(text);
  if (!match) throw usageError("BAD_RANGE", `--range is START..END (addresses, end excluded), e.g. 0x080C0000..0x080D0000; not '${text}'`);
  const start = parseInteger(match[1], "--range start");
  const end = parseInteger(match[2], "--range end");
  if (end <= start) throw usageError("BAD_RANGE", `--range ${text}: the end must lie above the start`);
  return { start, end };
}

const erase = boardCommand({
  words: ["erase"],
  operands: "",
  summary: "erase staging flash: never below the application end, never at or above SFSA",
  options: {
    range: { type: "string", value: "START..END", help: "sector-aligned range to erase (END excluded)" },
    "app-end": { ...appEndOption, help: "first address after the CPU1 application (default: the end of the firmware in flash)" },
  },
  example: "fusop erase --range 0x080C0000..0x080D0000 --app-end 0x08020000 --board part.json",
  prepare(context) {
    const range = parseRange(requiredString(context.options, "range", "START..END"));
    return { ...range, appEnd: optionalAddress(context, "app-end") };
  },
  act(part, input) {
    const sectorBytes = part.target.variant.sectorBytes;
    erasePolicy(input, { appEnd: input.appEnd ?? part.target.applicationEnd(), sectorBytes, sfsa: part.operator.identify().sfsa, flashKb: part.target.variant.flashKb });
    // Flash is CPU1's only while no stack runs on CPU2.
    part.session.ensureFus();
    part.operator.flashErase(input.start, input.end - input.start);
    return { erased: { start: hexAddress(input.start), end: hexAddress(input.end) }, sectors: (input.end - input.start) / sectorBytes };
  },
  async port(target, input) {
    // The same policy on the part as the loader reports it; the loader applies it again (its own application end).
    const { layout } = await target.describe();
    erasePolicy(input, { appEnd: input.appEnd ?? layout.appEnd ?? LOADER_APPLICATION_START, sectorBytes: layout.sectorBytes, sfsa: layout.sfsa, flashKb: layout.flashKb });
    await target.ensureFus();
    await target.operatorCommand(`erase ${hexAddress(input.start)} ${hexAddress(input.end)}`);
    return { erased: { start: hexAddress(input.start), end: hexAddress(input.end) }, sectors: (input.end - input.start) / layout.sectorBytes };
  },
});

/** Where the fusop loader's application slot starts (assembly/loader/transfer.ts): below it are the loader and its journal. */
const LOADER_APPLICATION_START = 0x0800c000;

/**
 * erase's policy, whichever target: staging flash only — never below the application end, never
 * at or above SFSA, never beyond the flash, whole sectors. Throws the refusal's named error.
 */
function erasePolicy(input: { start: number; end: number }, part: { appEnd: number; sectorBytes: number; sfsa: number; flashKb: number }): void {
  const { appEnd, sectorBytes } = part;
  const secureStart = sfsaAddress(part.sfsa, sectorBytes);
  if (input.start < appEnd) {
    throw new CliError("ERASE_BELOW_APPLICATION_END", `${hexAddress(input.start)} lies below the application end ${hexAddress(appEnd)}: ` +
      "fusop erases staging flash only; start the range at or above the application end");
  }
  const flashEnd = FLASH_BASE + part.flashKb * 1024;
  if (input.end > flashEnd && flashEnd <= secureStart) {
    throw new CliError("ERASE_BEYOND_FLASH", `the range reaches ${hexAddress(input.end)}, beyond this part's flash end ${hexAddress(flashEnd)}: end it there or below`);
  }
  if (input.end > secureStart) {
    throw new CliError("ERASE_IN_SECURE_AREA", `the range reaches ${hexAddress(input.end)}, above SFSA ${hexAddress(secureStart)} where the stack and FUS live: ` +
      `end the range at or below ${hexAddress(secureStart)} (fusop delete removes a stack)`);
  }
  if ((input.start - FLASH_BASE) % sectorBytes !== 0 || (input.end - FLASH_BASE) % sectorBytes !== 0) {
    throw new CliError("ERASE_NOT_SECTOR_ALIGNED", `${hexAddress(input.start)}..${hexAddress(input.end)} is not aligned to this part's ${sectorBytes / 1024} KB sectors`);
  }
}

const antirollback = boardCommand({
  words: ["antirollback"],
  operands: "",
  summary: "activate anti-rollback (FUS_ACTIVATE_ANTIROLLBACK): FUS then refuses stacks older than the installed one",
  options: { force: forceOption },
  example: "fusop antirollback --board part.json",
  prepare: () => null,
  act(part) {
    part.session.ensureFus();
    part.operator.activateAntirollback();
    return { antirollback: "activated" };
  },
  async port(target) {
    // The loader asks for a confirmation word at its console; the operator's policy is the same module's.
    await target.ensureFus();
    await target.operatorCommand("antirollback on");
    return { antirollback: "activated" };
  },
});

/**
 * Key bytes to the loader: `key` lines (the console's lines hold 64 characters: 24 bytes of hex a
 * line), collected on the part for the key command that follows; `key` alone forgets earlier ones.
 */
async function sendKeyBytes(target: SerialTarget, bytes: Uint8Array): Promise<void> {
  await target.console.command("key");
  for (let offset = 0; offset < bytes.length; offset += 24) {
    await target.console.command(`key ${Buffer.from(bytes.subarray(offset, offset + 24)).toString("hex")}`);
  }
}

/**
 * The customer authentication key as FUS_UPDATE_AUTH_KEY takes it: the raw EC P-256 public point X‖Y
 * (64 bytes). Accepted: that raw file, or a public key in PEM or DER (SubjectPublicKeyInfo), converted.
 */
export function readAuthKey(file: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw fileError(file, cause);
  }
  const hint = "an EC P-256 public key: PEM or DER (openssl ec -in key.pem -pubout -out pub.pem) or the raw 64-byte X‖Y point";
  if (bytes.length === 64) {
    if (publicKeyFromRaw(new Uint8Array(bytes)) === null) throw new CliError("AUTH_KEY_INVALID", `${file}: 64 bytes, but not a point on P-256; the key file is ${hint}`, { file });
    return new Uint8Array(bytes);
  }
  const text = bytes.toString("latin1");
  if (/-----BEGIN (EC |ENCRYPTED )?PRIVATE KEY-----/.test(text)) {
    throw new CliError("AUTH_KEY_IS_PRIVATE", `${file} holds a private key; FUS takes the public key only, never give the private one to a tool: ` +
      `openssl ec -in ${basename(file)} -pubout -out pub.pem, then pass pub.pem`, { file });
  }
  let key: KeyObject;
  try {
    key = text.includes("-----BEGIN PUBLIC KEY-----") ? createPublicKey(text) : createPublicKey({ key: bytes, format: "der", type: "spki" });
  } catch {
    try {
      createPrivateKey({ key: bytes, format: "der", type: "pkcs8" });
      throw new CliError("AUTH_KEY_IS_PRIVATE", `${file} holds a private key (DER); pass the public key: openssl ec -inform DER -in ${basename(file)} -pubout -out pub.pem`, { file });
    } catch (error) {
      if (error instanceof CliError) throw error;
    }
    throw new CliError("AUTH_KEY_FORMAT", `${file} (${bytes.length} bytes) is not a key fusop reads; the key file is ${hint}`, { file });
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new CliError("AUTH_KEY_NOT_P256", `${file} is a ${key.asymmetricKeyType} key; FUS authenticates with EC P-256 (prime256v1) keys`, { file });
  }
  return rawPublicKey(key);
}

const authKeyUpdate = boardCommand({
  words: ["auth-key", "update"],
  operands: "FILE",
  summary: "install the customer authentication key (FUS_UPDATE_AUTH_KEY): an EC P-256 public key, PEM, DER or raw 64-byte X‖Y",
  example: "fusop auth-key update pub.pem --board part.json",
  prepare(context) {
    operandCount(context, 1, 1);
    return readAuthKey(context.operands[0]);
  },
  act(part, key) {
    part.session.ensureFus();
    part.operator.updateAuthKey(key);
    return { authKey: "updated", bytes: key.length };
  },
  async port(target, key) {
    await target.ensureFus();
    await sendKeyBytes(target, key);
    await target.operatorCommand("auth-key update");
    return { authKey: "updated", bytes: key.length };
  },
});

const authKeyLock = boardCommand({
  words: ["auth-key", "lock"],
  operands: "",
  summary: "lock the authentication key for good (FUS_LOCK_AUTH_KEY)",
  example: "fusop auth-key lock --board part.json",
  prepare: () => null,
  act(part) {
    part.session.ensureFus();
    part.operator.lockAuthKey();
    return { authKey: "locked" };
  },
  async port(target) {
    await target.ensureFus();
    await target.operatorCommand("auth-key lock");
    return { authKey: "locked" };
  },
});

const keyTypes: Record<string, number> = { simple: 1, master: 2, encrypted: 3 };

function parseHexBytes(text: string, what: string): Uint8Array {
  const clean = text.replace(/^0x/i, "");
  if (!/^([0-9a-f]{2})+$/i.test(clean)) throw usageError("BAD_HEX", `${what}: '${text}' is not hex bytes (e.g. 00112233...)`);
  return Uint8Array.from(clean.match(/../g)!.map((byte) => parseInt(byte, 16)));
}

const userKeyStore = boardCommand({
  words: ["user-key", "store"],
  operands: "",
  summary: "store a user key in FUS (FUS_STORE_USR_KEY); prints its index",
  options: {
    type: { type: "string", value: "simple|master|encrypted", help: "key type" },
    key: { type: "string", value: "HEX", help: "the key bytes (16 or 32)" },
    iv: { type: "string", value: "HEX", help: "the IV of an encrypted key" },
  },
  example: "fusop user-key store --type simple --key 00112233445566778899aabbccddeeff --board part.json",
  prepare(context) {
    operandCount(context, 0, 0);
    const typeName = requiredString(context.options, "type", "simple|master|encrypted");
    const type = keyTypes[typeName];
    if (!type) throw usageError("BAD_VALUE", `--type is simple, master or encrypted; not '${typeName}'`);
    const key = parseHexBytes(requiredString(context.options, "key", "HEX"), "--key");
    const ivText = optionString(context.options, "iv");
    const iv = ivText === undefined ? undefined : parseHexBytes(ivText, "--iv");
    // As the operator's wrapper checks it (host-sim/operator.ts storeUserKey), before any target is opened.
    if (type === keyTypes.encrypted && iv?.length !== 12) throw new CliError("INVALID_KEY_IV", "an encrypted user key needs a 12-byte IV (--iv, 24 hex digits)");
    return { type, key, iv };
  },
  act(part, input) {
    part.session.boot();
    return { keyIndex: part.operator.storeUserKey(input.type, input.key, input.iv) };
  },
  async port(target, input) {
    // The key, then its IV when encrypted (the loader takes the last 12 bytes of an encrypted key's as the IV).
    await sendKeyBytes(target, input.type === keyTypes.encrypted && input.iv ? Uint8Array.from([...input.key, ...input.iv]) : input.key);
    const answer = await target.operatorCommand(`user-key store ${input.type}`);
    return { keyIndex: Number(answer.fields["key-index"]) };
  },
});

function userKeyAction(action: "load" | "lock" | "unload", summary: string): CommandSpec {
  const spec: CommandSpec = boardCommand({
    words: ["user-key", action],
    operands: "INDEX",
    summary,
    example: `fusop user-key ${action} 1 --board part.json`,
    prepare(context) {
      operandCount(context, 1, 1);
      return parseInteger(context.operands[0], "INDEX", 0xff);
    },
    act(part, index) {
      part.session.boot();
      if (action === "load") part.operator.loadUserKey(index);
      else if (action === "lock") part.operator.lockUserKey(index);
      else part.operator.unloadUserKey(index);
      return { keyIndex: index, action };
    },
    async port(target, index) {
      await target.operatorCommand(`user-key ${action} ${index}`);
      return { keyIndex: index, action };
    },
  });
  return spec;
}

export const boardCommands: CommandSpec[] = [
  info, state, diagnose, install, stage, upgrade, erase, startFus, startWs, remove, purge, antirollback,
  authKeyUpdate, authKeyLock, userKeyStore,
  userKeyAction("load", "load a stored user key into the AES engine (FUS_LOAD_USR_KEY)"),
  userKeyAction("lock", "lock a user key (FUS_LOCK_USR_KEY)"),
  userKeyAction("unload", "unload a user key (FUS_UNLOAD_USR_KEY)"),
];

