// `fusop --board BOARD <command>`: the operator run against a virtual board file, on tier 1 (wasm)
// or tier 2 (the ARM firmware). The board is saved back afterwards: flash, option bytes and CPU2's
// own state are what survive, as on a real part.
import { readFileSync } from "node:fs";
import type { TierName } from "../host-sim/tiers/tier.js";
import type { Session, SessionEvent } from "../host-sim/session.js";
import { openVirtualBoard } from "./targets/virtual-board.js";
import { fusStateName, fusErrorName, type Operator } from "../host-sim/operator.js";
import { Cpu2Mode, FusState, FusError } from "../assembly/shared/codes.js";
import { ImageCodec } from "../host-sim/images/footer.js";
import { UpgradePlanner, refusalJson } from "../host-sim/images/planner.js";
import { imageStatusCode, imageStatusMessage } from "../host-sim/images/messages.js";
import { parseArguments, UsageError } from "./args.js";

const usage = `usage: fusop --board BOARD <command> [--json] [--tier wasm|arm] [--force]
commands: info | state | diagnose | start-fus | start-ws | delete | purge | upgrade | stage FILE [--at ADDR] [--force]
          antirollback | auth-key update FILE | auth-key lock
          user-key store --type simple|master|encrypted --key HEX [--iv HEX] | user-key load|lock|unload INDEX`;

const keyTypes: Record<string, number> = { simple: 1, master: 2, encrypted: 3 };

function hex(value: number): string {
  return `0x${value.toString(16).padStart(value > 0xffff ? 8 : 4, "0")}`;
}

function parseNumber(text: string, what: string): number {
  const value = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) throw new UsageError(`${what}: '${text}' is not a number`);
  return value;
}

function parseHex(text: string, what: string): Uint8Array {
  const clean = text.replace(/^0x/i, "");
  if (!/^([0-9a-f]{2})+$/i.test(clean)) throw new UsageError(`${what}: '${text}' is not hex bytes`);
  return Uint8Array.from(clean.match(/../g)!.map((byte) => parseInt(byte, 16)));
}

function modeName(mode: Cpu2Mode): "fus" | "stack" | "unknown" {
  return mode === Cpu2Mode.Fus ? "fus" : mode === Cpu2Mode.WirelessStack ? "stack" : "unknown";
}

export async function run(boardPath: string, argv: string[]): Promise<number> {
  const args = parseArguments(argv, ["tier", "at", "type", "key", "iv"], ["json", "force"]);
  const json = args.switches.has("json");
  const tierName = (args.options.get("tier") ?? "wasm") as TierName;
  if (tierName !== "wasm" && tierName !== "arm") throw new UsageError(`--tier is wasm or arm, not '${tierName}'`);
  const [command, ...operands] = args.positional;
  if (!command) throw new UsageError(usage);
  if (command === "help") {
    console.log(usage);
    return 0;
  }

  const progress: string[] = [];
  const target = openVirtualBoard(boardPath, tierName, (event: SessionEvent) => {
    const line = event.kind === "reset" ? `system reset ${event.count}: ${event.reason}`
      : event.kind === "boot" ? `CPU2 ready: ${modeName(event.mode)}`
      : `FUS: ${event.reading.stateName} / ${event.reading.errorName}`;
    progress.push(line);
    if (!json) console.log(line);
  });
  const session = target.session;
  const operator = session.operator;
  if (args.switches.has("force")) operator.setSafetyPolicy(false);

  let result: Record<string, unknown>;
  try {
    result = execute(command, operands, args.options, session, operator, boardPath, args.switches.has("force"));
  } finally {
    // Whatever CPU2 did before a failure (option bytes, flash, its NVM) happened to the part.
    target.save();
  }
  const output = { ok: true, ...result, tier: tierName, resets: session.resets };
  if (json) console.log(JSON.stringify({ ...output, progress }));
  else console.log(Object.entries(result).filter(([, value]) => value !== null).map(([key, value]) => `${key}: ${value}`).join("\n"));
  return 0;
}

/**
 * A running stack must not get GET_STATE (a second one resets the part): every command reports what
 * it would answer instead (fus-behaviour §1.8: 0xFF with STATE_NOT_RUNNING).
 */
const stackReading = { stateName: fusStateName(FusState.Error), errorName: fusErrorName(FusError.StateNotRunning) };

function partInfo(session: Session, operator: Operator): Record<string, unknown> {
  const mode = session.boot();
  const identity = operator.identify();
  const information = operator.deviceInformation();
  const reading = mode === Cpu2Mode.Fus ? operator.fusGetState() : stackReading;
  return {
    mode: modeName(mode),
    fusVersion: information.fusVersion,
    stackVersion: information.stackVersion,
    safebootVersion: information.safebootVersion,
    stackType: information.layout === "stack" || information.stackVersion ? information.stackType : null,
    sfsa: identity.sfsa,
    sbrv: identity.sbrv,
    state: reading.stateName,
    error: reading.errorName,
    flashKb: identity.flashKb,
    deviceId: hex(identity.deviceId),
    revisionId: hex(identity.revisionId),
    uid64: `0x${identity.uid64.toString(16).padStart(16, "0")}`,
  };
}

function afterOperation(session: Session, operator: Operator, mode: Cpu2Mode): Record<string, unknown> {
  const information = operator.deviceInformation();
  const identity = operator.identify();
  return {
    mode: modeName(mode), fusVersion: information.fusVersion, stackVersion: information.stackVersion,
    sfsa: identity.sfsa, sbrv: identity.sbrv,
  };
}

/**
 * Staging is where a dangerous image is stopped, before FUS can ever see it: the operator module's
 * planner (on the same tier) checks the image against the part and chooses the address. `--at`
 * may only confirm that address; `--force` (simulator boards) skips the policy.
 */
function stagePolicy(session: Session, file: string, image: Uint8Array, at: number | null,
    force: boolean): { address: number; eraseEnd: number | undefined } {
  if (force) {
    if (at === null) throw new UsageError("stage --force needs --at ADDR: without the policy nothing chooses the address");
    return { address: at, eraseEnd: undefined };
  }
  // The operator plans for the part as the part reports itself, FUS running (preflight.ts).
  session.ensureFus();
  const planner = new UpgradePlanner(new ImageCodec(session.tier));
  const plan = planner.plan({ onDevice: true }, [{ file, tail: image.slice(-256), size: image.length }]);
  if (!plan.ok) {
    const refusal = refusalJson(plan);
    throw Object.assign(new Error(refusal.message), refusal);
  }
  const step = plan.steps.find((candidate) => candidate.file === file && candidate.address !== null);
  if (!step) {
    const skipped = plan.skipped.find((entry) => entry.file === file);
    const code = skipped ? imageStatusCode(skipped.status) : "NOTHING_TO_STAGE";
    throw Object.assign(new Error(`${file}: nothing to install on this part${skipped ? ` (${imageStatusMessage(skipped.status, { file })})` : ""}`), { code });
  }
  if (at !== null && at !== step.address) {
    throw Object.assign(new Error(`${file} belongs at ${hex(step.address!)} on this part, not ${hex(at)}; stage without --at (or --force on a simulator board)`),
      { code: "STAGE_ADDRESS_NOT_PLANNED" });
  }
  return { address: step.address!, eraseEnd: step.eraseEnd ?? undefined };
}

function execute(command: string, operands: string[], options: Map<string, string>, session: Session,
    operator: Operator, boardPath: string, force: boolean): Record<string, unknown> {
  switch (command) {
    case "info":
      return partInfo(session, operator);
    case "state": {
      const info = partInfo(session, operator);
      return { mode: info.mode, state: info.state, error: info.error };
    }
    case "diagnose": {
      // Diagnosis first reads the part as it is; CPU2 is booted only if that is safe.
      const before = operator.diagnose();
      if (before.code !== "CPU2_NOT_ENABLED") return { diagnosis: before.code, advice: before.advice };
      session.boot();
      const after = operator.diagnose();
      return { diagnosis: after.code, advice: after.advice };
    }
    case "start-fus": {
      session.ensureFus();
      return afterOperation(session, operator, Cpu2Mode.Fus);
    }
    case "start-ws": {
      // Already running: nothing to do (going through FUS would cost two resets for nothing).
      if (session.boot() === Cpu2Mode.WirelessStack) return afterOperation(session, operator, Cpu2Mode.WirelessStack);
      const done = session.runLongOperation((op) => op.startWirelessStack());
      return afterOperation(session, operator, done.mode);
    }
    case "delete":
    case "purge":
    case "upgrade": {
      const done = session.runLongOperation((op) => (command === "delete" ? op.fwDelete() : command === "purge" ? op.fwPurge() : op.fwUpgrade()));
      const reading = done.finalState ?? stackReading;
      return { ...afterOperation(session, operator, done.mode), state: reading.stateName, error: reading.errorName };
    }
    case "stage": {
      const [file] = operands;
      if (!file) throw new UsageError("stage needs an image FILE");
      const image = new Uint8Array(readFileSync(file));
      const at = options.has("at") ? parseNumber(options.get("at")!, "--at") : null;
      const { address, eraseEnd } = stagePolicy(session, file, image, at, force);
      // Flash is CPU1's only while no stack runs on CPU2 (the driver refuses otherwise).
      session.ensureFus();
      operator.stage(image, address, undefined, eraseEnd);
      return { staged: file, address: hex(address), bytes: image.length, erasedTo: hex(eraseEnd ?? address + image.length), board: boardPath };
    }
    case "antirollback": {
      session.ensureFus();
      operator.activateAntirollback();
      return { antirollback: "activated" };
    }
    case "auth-key": {
      session.ensureFus();
      const [action, file] = operands;
      if (action === "update") {
        if (!file) throw new UsageError("auth-key update needs a key FILE");
        operator.updateAuthKey(new Uint8Array(readFileSync(file)));
        return { authKey: "updated" };
      }
      if (action === "lock") {
        operator.lockAuthKey();
        return { authKey: "locked" };
      }
      throw new UsageError("auth-key update FILE | auth-key lock");
    }
    case "user-key": {
      session.boot();
      const [action, indexText] = operands;
      if (action === "store") {
        const type = keyTypes[options.get("type") ?? ""];
        if (!type) throw new UsageError("user-key store needs --type simple|master|encrypted");
        const key = parseHex(options.get("key") ?? "", "--key");
        const iv = options.has("iv") ? parseHex(options.get("iv")!, "--iv") : undefined;
        return { keyIndex: operator.storeUserKey(type, key, iv) };
      }
      if (!indexText || !["load", "lock", "unload"].includes(action)) throw new UsageError("user-key store|load|lock|unload INDEX");
      const index = parseNumber(indexText, "INDEX");
      if (action === "load") operator.loadUserKey(index);
      else if (action === "lock") operator.lockUserKey(index);
      else operator.unloadUserKey(index);
      return { keyIndex: index, action };
    }
    default:
      throw new UsageError(`unknown board command '${command}'\n${usage}`);
  }
}
