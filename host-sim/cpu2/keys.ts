// User-key commands, answered by FUS and by the wireless stack alike (fus-behaviour §1.13;
// cpu2-interface §5.2, §5.6): STORE / LOAD / LOCK / UNLOAD_USR_KEY. Keys live in CPU2's secure
// storage (the board); what is loaded into AES1 and which keys are locked is volatile (Cpu2).
// Choices where the sources are silent or disagree are listed in README "Keys".
import type { Cpu2 } from "./cpu2.js";
import { SHCI_STATUS, OPCODE } from "./fus-codes.js";

const { FUS_STORE_USR_KEY, FUS_LOAD_USR_KEY, FUS_LOCK_USR_KEY, FUS_UNLOAD_USR_KEY } = OPCODE;
export const USER_KEY_OPCODES = new Set([FUS_STORE_USR_KEY, FUS_LOAD_USR_KEY, FUS_LOCK_USR_KEY, FUS_UNLOAD_USR_KEY]);

const KEY_TYPE_SIMPLE = 1;
const KEY_TYPE_MASTER = 2;
const KEY_TYPE_ENCRYPTED = 3;
const IV_BYTES = 12;
/** Up to 100 user keys plus one master key (AN5185 via fus-behaviour §1.13). */
const MAX_USER_KEYS = 100;

/** What AES1 holds and which keys are locked: lost on every reset (Cpu2.halt). */
export interface KeyVolatileState {
  loadedIndex: number | null;
  locked: Set<number>;
}

export function newKeyVolatileState(): KeyVolatileState {
  return { loadedIndex: null, locked: new Set() };
}

/** Answers one user-key command: the return parameters (status first). */
export function handleUserKeyCommand(cpu2: Cpu2, opcode: number, parameters: Uint8Array): number[] {
  const board = cpu2.host.board;
  // No customer key storage on STM32WB1x (seed §3.4).
  if (!board.variant.hasCustomerKeyStorage) return [SHCI_STATUS.ERR_UNSUPPORTED_FEATURE];
  const keys = board.cpu2.userKeys;
  const volatile = cpu2.keyState;
  if (opcode === FUS_STORE_USR_KEY) {
    const [type, size] = parameters;
    const expected = 2 + size + (type === KEY_TYPE_ENCRYPTED ? IV_BYTES : 0);
    if (![KEY_TYPE_SIMPLE, KEY_TYPE_MASTER, KEY_TYPE_ENCRYPTED].includes(type) || (size !== 16 && size !== 32) ||
      parameters.length < expected) {
      return [SHCI_STATUS.ERR_INVALID_HCI_CMD_PARAMS, 0];
    }
    const hasMaster = keys.some((k) => k.type === KEY_TYPE_MASTER);
    if (type === KEY_TYPE_MASTER && hasMaster) return [SHCI_STATUS.MEMORY_CAPACITY_EXCEEDED, 0];
    if (type === KEY_TYPE_ENCRYPTED && !hasMaster) return [SHCI_STATUS.ERR_INVALID_HCI_CMD_PARAMS, 0];
    if (type !== KEY_TYPE_MASTER && keys.filter((k) => k.type !== KEY_TYPE_MASTER).length >= MAX_USER_KEYS) {
      return [SHCI_STATUS.MEMORY_CAPACITY_EXCEEDED, 0];
    }
    // Indices count from 1, as a forum user found (cpu2-interface §5.6 [obs]).
    const index = keys.reduce((max, k) => Math.max(max, k.index), 0) + 1;
    keys.push({
      index, type,
      key: Buffer.from(parameters.subarray(2, 2 + size)).toString("hex"),
      ...(type === KEY_TYPE_ENCRYPTED ? { iv: Buffer.from(parameters.subarray(2 + size, 2 + size + IV_BYTES)).toString("hex") } : {}),
    });
    return [SHCI_STATUS.SUCCESS, index];
  }
  const index = parameters[0];
  const key = keys.find((k) => k.index === index);
  if (parameters.length < 1 || !key) return [SHCI_STATUS.ERR_INVALID_HCI_CMD_PARAMS];
  switch (opcode) {
    case FUS_LOAD_USR_KEY:
      // A locked key cannot be used until the next system reset (seed §1, AN5185; README "Keys").
      if (volatile.locked.has(index) || key.type === KEY_TYPE_MASTER) return [SHCI_STATUS.ERR_INVALID_HCI_CMD_PARAMS];
      volatile.loadedIndex = index;
      return [SHCI_STATUS.SUCCESS];
    case FUS_LOCK_USR_KEY:
      volatile.locked.add(index);
      if (volatile.loadedIndex === index) volatile.loadedIndex = null;
      return [SHCI_STATUS.SUCCESS];
    case FUS_UNLOAD_USR_KEY:
      if (volatile.loadedIndex === index) volatile.loadedIndex = null;
      return [SHCI_STATUS.SUCCESS];
    default:
      return [SHCI_STATUS.UNKNOWN_CMD];
  }
}
