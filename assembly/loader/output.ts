// What the console prints, in either form: text lines ("key value", then `OK` or
// `ERROR <CODE> <message>`) or, after `json on`, one JSON object per line ({"key":value}, then
// {"ok":true} or {"ok":false,"error":{"code":"<CODE>","message":"..."}}, the CLI's shape).
// Bytes go out through a small static buffer; texts are ASCII.
import { uartWrite } from "../hal";
import { OPERATOR_NAMES, OPERATOR_NAMES_LENGTH, LOADER_NAMES, LOADER_NAMES_LENGTH } from "./code-names";

// 48, not 64: the 16 bytes pay for the service commands' texts in the loader's linear memory.
const BUFFER_BYTES: u32 = 48;
const buffer: usize = memory.data(<i32>BUFFER_BYTES);
let used: u32 = 0;
let json: bool = false;

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
  if (json) text("{\"");
  text(key);
  keyEnd();
}

/** field() with the key as NUL-terminated ASCII in static data (code-names.ts KEY_*). */
export function fieldAt(key: usize): void {
  if (json) text("{\"");
  for (let p = key; load<u8>(p) != 0; p++) byte(<u32>load<u8>(p));
  keyEnd();
}

function keyEnd(): void {
  if (json) text("\":");
  else byte(0x20);
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
  hexValue(0, value, false);
}

/** fieldHex with its key in static ASCII (fieldAt). */
export function fieldHexAt(key: usize, value: u32): void {
  fieldAt(key);
  hexValue(0, value, false);
}

/** A 64-bit value from two words as 0x + 16 digits (the part's UID64); a string in JSON. */
export function fieldHex64At(key: usize, high: u32, low: u32): void {
  fieldAt(key);
  hexValue(high, low, true);
}

/** The value of a hex field (`high` too when `wide`), then the field's end. */
function hexValue(high: u32, low: u32, wide: bool): void {
  if (json) byte(0x22);
  text("0x");
  if (wide) hexDigits(high, 8);
  hexDigits(low, 8);
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

/** Writes the stable name of `code` (an OperatorStatus or a LoaderError; tables in code-names.ts). */
export function codeName(code: u32): void {
  const loader = code >= LOADER_FIRST_CODE;
  const table = loader ? LOADER_NAMES : OPERATOR_NAMES;
  const length = loader ? LOADER_NAMES_LENGTH : OPERATOR_NAMES_LENGTH;
  let index = loader ? code - LOADER_FIRST_CODE : code;
  let position: u32 = 0;
  while (index > 0 && position < length) {
    if (load<u8>(table + position) == 0x20) index--;
    position++;
  }
  const start = position;
  while (position < length && load<u8>(table + position) != 0x20) position++;
  if (position == start || (position == start + 1 && load<u8>(table + start) == 0x2d)) {
    text("CODE_");
    decimal(code);
    return;
  }
  for (let i = start; i < position; i++) byte(<u32>load<u8>(table + i));
}

/** The final line of a successful command. */
export function ok(): void {
  text(json ? "{\"ok\":true}" : "OK");
  newline();
}

/**
 * The final line of a failed command: its code name, then `subject: message` (the command, what
 * went wrong). Texts are shared literals — the command words are those the dispatcher compares.
 */
export function error(code: u32, subject: string, message: string): void {
  if (json) {
    text("{\"ok\":false,\"error\":{\"code\":\"");
    codeName(code);
    text("\",\"message\":\"");
  } else {
    text("ERROR ");
    codeName(code);
    byte(0x20);
  }
  if (subject.length > 0) {
    text(subject);
    text(": ");
  }
  if (json) escapedText(message);
  else text(message);
  if (json) text("\"}}");
  newline();
}
