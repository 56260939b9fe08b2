// What the console prints, in either form: text lines ("key value", then `OK` or
// `ERROR <CODE> <message>`) or, after `json on`, one JSON object per line ({"key":value}, then
// {"ok":true} or {"ok":false,"error":{"code":"<CODE>","message":"..."}}, the CLI's shape).
// Bytes go out through a small static buffer; texts are ASCII.
import { uartWrite } from "../hal";

const BUFFER_BYTES: u32 = 64;
const buffer: usize = memory.data(<i32>BUFFER_BYTES);
let used: u32 = 0;
let json: bool = false;

/**
 * The stable names of the codes a final line can carry, by value: OperatorStatus 0..34
 * (assembly/shared/codes.ts, "-" for an unused value) and LoaderError from 100 (./codes.ts),
 * spelled as the CLI spells them (test/loader/console.test.ts checks both tables against the enums).
 */
const OPERATOR_NAMES = "OK READY_TIMEOUT COMMAND_TIMEOUT CHANNEL_BUSY MAILBOX_OFFSET_UNSUPPORTED CPU2_ALREADY_BOOTED RESPONSE_MALFORMED READY_PAYLOAD_UNKNOWN CPU2_NOT_BOOTED STACK_RUNNING - EVENT_MALFORMED RELEASE_TIMEOUT DEVICE_INFO_UNREADABLE PARAMETERS_TOO_LONG RESET_DID_NOT_HAPPEN COMMAND_REJECTED FUS_REPORTED_ERROR FUS_BUSY_TIMEOUT INVALID_KEY_TYPE INVALID_KEY_SIZE INVALID_AUTH_KEY_SIZE NO_STACK_INSTALLED ANTIROLLBACK_WITHOUT_STACK FUS_NOT_RUNNING FLASH_BUSY_TIMEOUT FLASH_OPERATION_FAILED FLASH_RANGE_INVALID FLASH_BUSY_WITH_STACK STAGED_IMAGE_REFUSED NO_IMAGE_STAGED OPERATION_IN_PROGRESS ANTIROLLBACK_NEEDS_FUS120 OPERATION_NOT_APPLIED STAGED_IMAGE_MISPLACED";
const LOADER_NAMES = "UNKNOWN_COMMAND USAGE_ERROR LINE_TOO_LONG TRANSFER_CANCELLED TRANSFER_TIMEOUT TRANSFER_INCOMPLETE TRANSFER_OUT_OF_SEQUENCE TRANSFER_TOO_MANY_ERRORS TRANSFER_HEADER_INVALID TRANSFER_TOO_MANY_FILES IMAGE_TOO_LARGE IMAGE_SIZE_UNKNOWN NO_APPLICATION";
const LOADER_FIRST_CODE: u32 = 100;

export function setJson(on: bool): void {
  json = on;
}
export function jsonMode(): bool {
  return json;
}

export function flush(): void {
  if (used > 0) uartWrite(buffer, used);
  used = 0;
}

export function byte(value: u32): void {
  if (used == BUFFER_BYTES) flush();
  store<u8>(buffer + used, <u8>value);
  used++;
}

/** ASCII text as is. */
export function text(value: string): void {
  for (let i = 0; i < value.length; i++) byte(<u32>value.charCodeAt(i));
}

/** Text inside a JSON string: quotes, backslashes and control bytes escaped. */
function escapedByte(value: u32): void {
  if (value == 0x22 || value == 0x5c) {
    byte(0x5c);
    byte(value);
  } else if (value < 0x20 || value > 0x7e) {
    text("\\u00");
    hexDigits(value, 2);
  } else {
    byte(value);
  }
}

function escapedText(value: string): void {
  for (let i = 0; i < value.length; i++) escapedByte(<u32>value.charCodeAt(i));
}

export function decimal(value: u32): void {
  let divisor: u32 = 1;
  while (value / divisor >= 10) divisor *= 10;
  for (; divisor > 0; divisor /= 10) byte(0x30 + (value / divisor) % 10);
}

function hexDigits(value: u32, digits: u32): void {
  for (let shift = <i32>(digits * 4) - 4; shift >= 0; shift -= 4) {
    const nibble = (value >>> shift) & 0xf;
    byte(nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10);
  }
}

export function newline(): void {
  byte(0x0d);
  byte(0x0a);
  flush();
}

/** Starts an answer line: `key ` or `{"key":`. A value and endField() follow. */
export function field(key: string): void {
  if (json) {
    text("{\"");
    text(key);
    text("\":");
  } else {
    text(key);
    byte(0x20);
  }
}

export function endField(): void {
  if (json) byte(0x7d);
  newline();
}

export function fieldText(key: string, value: string): void {
  field(key);
  if (json) byte(0x22);
  if (json) escapedText(value);
  else text(value);
  if (json) byte(0x22);
  endField();
}

export function fieldDecimal(key: string, value: u32): void {
  field(key);
  decimal(value);
  endField();
}

/** 0x-prefixed, 8 digits; a string in JSON (JSON has no hex numbers). */
export function fieldHex(key: string, value: u32): void {
  field(key);
  if (json) byte(0x22);
  text("0x");
  hexDigits(value, 8);
  if (json) byte(0x22);
  endField();
}

/** A version word as major.minor.sub (cpu2-interface §3.4), like the CLI's formatVersion. */
export function fieldVersion(key: string, word: u32): void {
  field(key);
  if (json) byte(0x22);
  decimal(word >>> 24);
  byte(0x2e);
  decimal((word >>> 16) & 0xff);
  byte(0x2e);
  decimal((word >>> 8) & 0xff);
  if (json) byte(0x22);
  endField();
}

/** Bytes from linear memory as a string value (a file name): escaped in JSON, printable only in text. */
export function fieldBytes(key: string, pointer: usize, length: u32): void {
  field(key);
  if (json) byte(0x22);
  for (let i: u32 = 0; i < length; i++) {
    const value = <u32>load<u8>(pointer + i);
    if (json) escapedByte(value);
    else byte(value >= 0x20 && value <= 0x7e ? value : 0x3f);
  }
  if (json) byte(0x22);
  endField();
}

/** Writes the stable name of `code` (an OperatorStatus or a LoaderError). */
export function codeName(code: u32): void {
  const table = code >= LOADER_FIRST_CODE ? LOADER_NAMES : OPERATOR_NAMES;
  let index = code >= LOADER_FIRST_CODE ? code - LOADER_FIRST_CODE : code;
  let position = 0;
  while (index > 0 && position < table.length) {
    if (table.charCodeAt(position) == 0x20) index--;
    position++;
  }
  const start = position;
  while (position < table.length && table.charCodeAt(position) != 0x20) position++;
  if (position == start || (position == start + 1 && table.charCodeAt(start) == 0x2d)) {
    text("CODE_");
    decimal(code);
    return;
  }
  for (let i = start; i < position; i++) byte(<u32>table.charCodeAt(i));
}

/** The final line of a successful command. */
export function ok(): void {
  text(json ? "{\"ok\":true}" : "OK");
  newline();
}

/** The final line of a failed command: its code name, then what was being done. */
export function error(code: u32, message: string): void {
  if (json) {
    text("{\"ok\":false,\"error\":{\"code\":\"");
    codeName(code);
    text("\",\"message\":\"");
    escapedText(message);
    text("\"}}");
  } else {
    text("ERROR ");
    codeName(code);
    byte(0x20);
    text(message);
  }
  newline();
}
