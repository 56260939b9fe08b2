// What the simulator knows about a virtual board beyond what the operator can read: CPU2's own
// non-volatile state (anti-rollback reference, keys, NVM section, an install in flight, the report
// the next FUS_GET_STATE will give). `fusop sim show` prints it; `fusop --board BOARD info` (the
// operator's view, cli/board-command.ts) can add it under "sim".
import type { Board } from "../host-sim/board.js";
import { fusStateName, fusErrorName } from "../host-sim/operator.js";
import { formatVersion } from "../host-sim/versions.js";
import { hexAddress as hex, hexValue } from "./command.js";
import { sbrvAddress, sfsaAddress } from "./flash-map.js";


export interface BoardFacts {
  family: string;
  flashKb: number;
  fusVersion: string;
  safebootVersion: string;
  stack: { version: string; type: number; start: string; size: number; format: string } | null;
  /** Option bytes in hex, with the addresses they mean. */
  sfsa: string;
  sfsaAddress: string;
  sbrv: string;
  sbrvAddress: string;
  nvmSection: { start: string; bytes: number } | null;
  antirollback: { active: boolean; reference: string | null };
  authKey: { installed: boolean; locked: boolean };
  userKeys: number;
  installInFlight: { operation: string; phase: string; version: string } | null;
  nextGetStateReport: { state: string; error: string } | null;
  locked: string | null;
}

export function boardFacts(board: Board): BoardFacts {
  const state = board.cpu2;
  const anti = state.antirollback;
  return {
    family: board.variant.family,
    flashKb: board.variant.flashKb,
    fusVersion: formatVersion(state.fusVersion),
    safebootVersion: formatVersion(state.safebootVersion),
    stack: state.stack && {
      version: formatVersion(state.stack.version), type: state.stack.type, start: hex(state.stack.start),
      size: state.stack.size, format: state.stack.format,
    },
    sfsa: hexValue(board.optionBytes.sfsa),
    sfsaAddress: hex(sfsaAddress(board.optionBytes.sfsa, board.variant.sectorBytes)),
    sbrv: hexValue(board.optionBytes.sbrv),
    sbrvAddress: hex(sbrvAddress(board.optionBytes.sbrv)),
    nvmSection: state.nvmSection && { start: hex(state.nvmSection.start), bytes: state.nvmSection.bytes },
    antirollback: { active: anti.active, reference: anti.active ? (anti.reference === 0xffff_ffff ? "0xffffffff (no stack: every stack refused)" : formatVersion(anti.reference)) : null },
    authKey: { installed: state.authKey.key !== null, locked: state.authKey.locked },
    userKeys: state.userKeys.length,
    installInFlight: state.journal && { operation: state.journal.operation, phase: state.journal.phase, version: formatVersion(state.journal.image.version) },
    nextGetStateReport: state.report && { state: fusStateName(state.report.state), error: fusErrorName(state.report.error) },
    locked: state.locked,
  };
}
