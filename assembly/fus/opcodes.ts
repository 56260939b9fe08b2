// System command opcodes: OGF 0x3F, so opcode = 0xFC00 + OCF (cpu2-interface §5.1, §5.2).
export const FUS_GET_STATE: u16 = 0xfc52;
export const FUS_FW_UPGRADE: u16 = 0xfc54;
export const FUS_FW_DELETE: u16 = 0xfc55;
export const FUS_UPDATE_AUTH_KEY: u16 = 0xfc56;
export const FUS_LOCK_AUTH_KEY: u16 = 0xfc57;
export const FUS_STORE_USR_KEY: u16 = 0xfc58;
export const FUS_LOAD_USR_KEY: u16 = 0xfc59;
export const FUS_START_WS: u16 = 0xfc5a;
export const FUS_FW_PURGE: u16 = 0xfc5b;
export const FUS_LOCK_USR_KEY: u16 = 0xfc5d;
export const FUS_UNLOAD_USR_KEY: u16 = 0xfc5e;
export const FUS_ACTIVATE_ANTIROLLBACK: u16 = 0xfc5f;
// Wireless-stack system commands around CPU1's flash work (§4.5, §6.1).
export const FLASH_ERASE_ACTIVITY: u16 = 0xfc69;
export const SET_FLASH_ACTIVITY_CONTROL: u16 = 0xfc73;
