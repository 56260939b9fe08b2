// The numbers CPU2's firmware speaks, written here from the reference sheets for the CPU2 model
// alone. The operator keeps its own copy (assembly/shared/codes.ts, assembly/fus/opcodes.ts); the
// model must not borrow it, so that a wrong value on either side makes a test fail instead of
// agreeing with itself.

/** System command opcodes: OGF 0x3F, opcode = (0x3F << 10) | OCF (fus-behaviour §1.2; cpu2-interface §5.2, §6.1). */
const SYSTEM_OGF = 0x3f;
const opcode = (ocf: number): number => (SYSTEM_OGF << 10) | ocf;

export const OPCODE = {
  FUS_GET_STATE: opcode(0x52),
  FUS_FW_UPGRADE: opcode(0x54),
  FUS_FW_DELETE: opcode(0x55),
  FUS_UPDATE_AUTH_KEY: opcode(0x56),
  FUS_LOCK_AUTH_KEY: opcode(0x57),
  FUS_STORE_USR_KEY: opcode(0x58),
  FUS_LOAD_USR_KEY: opcode(0x59),
  FUS_START_WS: opcode(0x5a),
  FUS_FW_PURGE: opcode(0x5b),
  FUS_LOCK_USR_KEY: opcode(0x5d),
  FUS_UNLOAD_USR_KEY: opcode(0x5e),
  FUS_ACTIVATE_ANTIROLLBACK: opcode(0x5f),
  // Wireless-stack system commands a loader meets (cpu2-interface §6.1).
  BLE_INIT: opcode(0x66),
  FLASH_ERASE_ACTIVITY: opcode(0x69),
  FLASH_STORE_DATA: opcode(0x6b),
  FLASH_ERASE_DATA: opcode(0x6c),
  SET_FLASH_ACTIVITY_CONTROL: opcode(0x73),
  C2_CONFIG: opcode(0x75),
} as const;

/** FUS_GET_STATE state byte: one value of each documented range (fus-behaviour §1.3). */
export const FUS_STATE = {
  IDLE: 0x00,
  FW_UPGRADE_ONGOING: 0x10,
  FUS_UPGRADE_ONGOING: 0x20,
  SERVICE_ONGOING: 0x30,
  ERROR: 0xff,
} as const;

/** FUS_GET_STATE error byte (fus-behaviour §1.3; cpu2-interface §5.4). */
export const FUS_ERROR = {
  NO_ERROR: 0x00,
  IMG_NOT_FOUND: 0x01,
  IMG_CORRUPT: 0x02,
  IMG_NOT_AUTHENTIC: 0x03,
  IMG_NOT_ENOUGH_SPACE: 0x04,
  IMAGE_USRABORT: 0x05,
  IMAGE_ERSERROR: 0x06,
  IMAGE_WRTERROR: 0x07,
  AUTH_TAG_ST_NOTFOUND: 0x08,
  AUTH_TAG_CUST_NOTFOUND: 0x09,
  AUTH_KEY_LOCKED: 0x0a,
  FW_ROLLBACK_ERROR: 0x11,
  STATE_NOT_RUNNING: 0xfe,
  ERR_UNKNOWN: 0xff,
} as const;
export type FusErrorCode = (typeof FUS_ERROR)[keyof typeof FUS_ERROR];
export type FusStateCode = (typeof FUS_STATE)[keyof typeof FUS_STATE];

/** Status byte (+0x06) of every system-command response (cpu2-interface §6.4). */
export const SHCI_STATUS = {
  SUCCESS: 0x00,
  UNKNOWN_CMD: 0x01,
  MEMORY_CAPACITY_EXCEEDED: 0x07,
  ERR_UNSUPPORTED_FEATURE: 0x11,
  ERR_INVALID_HCI_CMD_PARAMS: 0x12,
  FUS_CMD_NOT_SUPPORTED: 0xff,
} as const;

/** READY system event and its payload byte (fus-behaviour §1.2; cpu2-interface §3.14). */
export const READY_SUBEVENT = 0x9200;
export const READY_STACK_RUNNING = 0x00;
export const READY_FUS_RUNNING = 0x01;
