// The system channel (IPCC channel 2): one half-duplex command buffer for commands and their
// responses, and the system event queue CPU2 appends asynchronous events to (cpu2-interface §2,
// §3.5, §3.11-§3.14, §4.2, §4.3).
import { read8, read32, write8, write32, copyIn, copyOut, delayUs, nowUs } from "../hal";
import { OperatorStatus, Cpu2Mode } from "../shared/codes";
import * as ipcc from "./ipcc";
import * as queue from "./queue";
import {
  SYSTEM_COMMAND_BUFFER, SYSTEM_EVENT_QUEUE, FREE_BUFFER_QUEUE, PACKET_BUFFER_SIZE, EVENT_POOL_SIZE,
} from "./layout";
import { SRAM2A_BASE } from "../chip/registers";

const SRAM2A_END: u32 = SRAM2A_BASE + 0x8000;
/** The spare system buffer plus every buffer of the event pool (§3.6). */
const MAX_QUEUED_EVENTS: u32 = 1 + EVENT_POOL_SIZE / (PACKET_BUFFER_SIZE - 8);

export const PACKET_TYPE_SYSTEM_COMMAND: u8 = 0x10;
export const EVENT_CODE_COMMAND_COMPLETE: u8 = 0x0e;
export const EVENT_CODE_VENDOR: u8 = 0xff;
export const SUBEVENT_READY: u16 = 0x9200;
export const MAX_PARAMETER_LENGTH: u32 = 255;

// Offsets inside a packet buffer (§3.11, §3.12, §3.13).
const CMD_TYPE: u32 = 0x08;
const CMD_OPCODE: u32 = 0x09;
const CMD_LENGTH: u32 = 0x0b;
const CMD_PARAMS: u32 = 0x0c;
const RSP_EVENT_CODE: u32 = 0x01;
const RSP_PLEN: u32 = 0x02;
const RSP_OPCODE: u32 = 0x04;
const EVT_CODE: u32 = 0x09;
const EVT_PLEN: u32 = 0x0a;
const EVT_PAYLOAD: u32 = 0x0b;

/** How long to wait between two looks at a flag. */
const POLL_INTERVAL_US: u32 = 20;

// Linear-memory buffers: parameters to send, the last response, the last event.
export const commandParameters: usize = memory.data(256);
export const responseBuffer: usize = memory.data(260);
export const eventBuffer: usize = memory.data(260);

// Where the channel lives: the operator's own tables (layout.ts) after bootCpu2, or the tables the
// application's middleware built when the operator attached to a CPU2 it booted (attach.ts).
let commandBuffer: u32 = SYSTEM_COMMAND_BUFFER;
let eventQueue: u32 = SYSTEM_EVENT_QUEUE;
let freeBufferQueue: u32 = FREE_BUFFER_QUEUE;

let commandTimeoutUs: u32 = 6_000_000;
let releaseTimeoutUs: u32 = 100_000;
let responseLength: u32 = 0;
let eventLength: u32 = 0;
let currentMode: Cpu2Mode = Cpu2Mode.Unknown;
let readySeen: bool = false;
let unknownReadyPayload: bool = false;
let eventsReceived: u32 = 0;
let lastSubevent: u32 = 0;

export function setCommandTimeoutUs(us: u32): void {
  commandTimeoutUs = us;
}
export function mode(): Cpu2Mode {
  return currentMode;
}
export function setMode(value: Cpu2Mode): void {
  currentMode = value;
}
export function wasReadySeen(): bool {
  return readySeen;
}
export function clearReadySeen(): void {
  readySeen = false;
}
export function eventCount(): u32 {
  return eventsReceived;
}
export function lastEventSubcode(): u32 {
  return lastSubevent;
}
export function lastResponseLength(): u32 {
  return responseLength;
}
export function lastEventLength(): u32 {
  return eventLength;
}

/**
 * Waits until CPU2 has consumed our post on the channel of `channelBit` (ipcc.channelBit); false
 * when `timeoutUs` elapsed first.
 */
function waitUntilChannelFree(channelBit: u32, timeoutUs: u32): bool {
  const start = nowUs();
  while (ipcc.isOccupiedByCpu1Bit(channelBit)) {
    if (nowUs() - start >= timeoutUs) return false;
    delayUs(POLL_INTERVAL_US);
  }
  return true;
}

/**
 * Sends one system command with `length` parameter bytes taken from `commandParameters` and waits
 * for its command-complete. On Ok the response (type, code, plen, numcmd, opcode, status, data) is
 * in `responseBuffer`, status at offset 6. `opcode` is the 16-bit opcode (callers hold it as a u16;
 * a u32 here spares the masking a u16 parameter costs at each use).
 */
export function sendCommand(opcode: u32, length: u32): OperatorStatus {
  if (length > MAX_PARAMETER_LENGTH) return OperatorStatus.ParametersTooLong;
  if (ipcc.isOccupiedByCpu1(ipcc.SYSTEM_CHANNEL)) return OperatorStatus.ChannelBusy;
  // Type, opcode (little-endian) and length are the bytes +0x08..+0x0B: one aligned word store.
  write32(commandBuffer + CMD_TYPE,
    <u32>PACKET_TYPE_SYSTEM_COMMAND | (opcode << 8) | (length << 24));
  if (length > 0) copyOut(commandBuffer + CMD_PARAMS, commandParameters, length);
  responseLength = 0;
  ipcc.post(ipcc.SYSTEM_CHANNEL);
  if (!waitUntilChannelFree(ipcc.channelBit(ipcc.SYSTEM_CHANNEL), commandTimeoutUs)) return OperatorStatus.CommandTimeout;
  // The response overwrites the buffer from offset 0, list-node area included (§3.13).
  // Packet type, event code and parameter length are bytes +0x00..+0x02: one aligned word load.
  const header = read32(commandBuffer);
  const plen = (header >> (RSP_PLEN * 8)) & 0xff;
  if (((header >> (RSP_EVENT_CODE * 8)) & 0xff) != EVENT_CODE_COMMAND_COMPLETE || plen < 4) {
    return OperatorStatus.ResponseMalformed;
  }
  copyIn(responseBuffer, commandBuffer, plen + 3);
  if (<u32>load<u16>(responseBuffer + RSP_OPCODE) != opcode) return OperatorStatus.ResponseMalformed;
  responseLength = plen + 3;
  return OperatorStatus.Ok;
}

/** Status byte of the last response (cpu2-interface §3.13, byte +0x06). */
export function responseStatus(): u8 {
  return load<u8>(responseBuffer + 6);
}

/** Byte `index` of the return parameters after the status (+0x07 onwards). */
export function responseByte(index: u32): u8 {
  return index + 7 < responseLength ? load<u8>(responseBuffer + 7 + index) : 0;
}

/**
 * Takes every event out of the system queue (§4.3). The flag is acknowledged before the queue is
 * read, so an event CPU2 appends while we drain raises the flag again instead of being stranded
 * (pitfall §8.5).
 */
export function drainEvents(): OperatorStatus {
  if (!ipcc.isPostedByCpu2(ipcc.SYSTEM_CHANNEL)) return OperatorStatus.Ok;
  ipcc.acknowledge(ipcc.SYSTEM_CHANNEL);
  // CPU2 has the spare buffer and the pool's few buffers to post from; more nodes than that, or a
  // node outside SRAM2a, is a corrupted list (power-on garbage): drop it rather than follow it.
  let taken: u32 = 0;
  while (!queue.isQueueEmpty(eventQueue)) {
    const next = read32(eventQueue);
    if (++taken > MAX_QUEUED_EVENTS || next < SRAM2A_BASE || next + PACKET_BUFFER_SIZE > SRAM2A_END) {
      queue.initQueue(eventQueue);
      return OperatorStatus.EventMalformed;
    }
    const packet = queue.removeHead(eventQueue);
    const plen = read8(packet + EVT_PLEN);
    eventLength = plen + 3;
    copyIn(eventBuffer, packet + CMD_TYPE, eventLength);
    eventsReceived++;
    const keep = handleEvent(read8(packet + EVT_CODE), plen, packet + EVT_PAYLOAD);
    if (!keep) {
      const released = releaseBuffer(packet);
      if (released != OperatorStatus.Ok) return released;
    }
  }
  return OperatorStatus.Ok;
}

/** Returns true when the buffer must not be given back to CPU2. */
function handleEvent(code: u32, plen: u32, payload: u32): bool {
  if (code != EVENT_CODE_VENDOR || plen < 2) return currentMode != Cpu2Mode.WirelessStack;
  const subevent = read8(payload) | (read8(payload + 1) << 8);
  lastSubevent = subevent;
  if (subevent == SUBEVENT_READY && plen >= 3) {
    readySeen = true;
    const running = read8(payload + 2);
    if (running == 0x00) currentMode = Cpu2Mode.WirelessStack;
    else if (running == 0x01) currentMode = Cpu2Mode.Fus;
    else if (running == 0x10) currentMode = Cpu2Mode.NvmBackup;
    else if (running == 0x11) currentMode = Cpu2Mode.NvmRestore;
    else {
      currentMode = Cpu2Mode.Unknown;
      unknownReadyPayload = true;
    }
  }
  // FUS does not take buffers back, its READY event included (§4.1 step 10b, §4.3 "!").
  return currentMode != Cpu2Mode.WirelessStack;
}

/** Gives an event buffer back to a running wireless stack over channel 4 (§4.3 step 5). */
function releaseBuffer(packet: u32): OperatorStatus {
  if (!waitUntilChannelFree(ipcc.channelBit(ipcc.RELEASE_CHANNEL), releaseTimeoutUs)) return OperatorStatus.ReleaseTimeout;
  queue.insertTail(freeBufferQueue, packet);
  ipcc.post(ipcc.RELEASE_CHANNEL);
  return OperatorStatus.Ok;
}

/** Polls the event queue until a READY event arrives or `timeoutUs` elapses. */
export function waitForReady(timeoutUs: u32): OperatorStatus {
  const start = nowUs();
  while (!readySeen) {
    const drained = drainEvents();
    if (drained != OperatorStatus.Ok) return drained;
    if (readySeen) break;
    if (nowUs() - start >= timeoutUs) return OperatorStatus.ReadyTimeout;
    delayUs(POLL_INTERVAL_US);
  }
  return unknownReadyPayload ? OperatorStatus.ReadyPayloadUnknown : OperatorStatus.Ok;
}

function resetChannelState(): void {
  currentMode = Cpu2Mode.Unknown;
  readySeen = false;
  unknownReadyPayload = false;
  eventsReceived = 0;
  lastSubevent = 0;
  responseLength = 0;
}

/** The operator's own tables, about to be handed to CPU2 (boot.ts). */
export function initSystemChannel(): void {
  commandBuffer = SYSTEM_COMMAND_BUFFER;
  eventQueue = SYSTEM_EVENT_QUEUE;
  freeBufferQueue = FREE_BUFFER_QUEUE;
  queue.initQueue(eventQueue);
  queue.initQueue(freeBufferQueue);
  write32(commandBuffer, 0);
  write32(commandBuffer + CMD_TYPE, 0);
  resetChannelState();
}

/**
 * Tables another CPU1 component built and CPU2 already uses: the lists and the buffer stay as
 * they are; what runs on CPU2 is learnt from the events still queued or the device information.
 */
export function useExistingChannel(command: u32, events: u32, freeBuffers: u32): void {
  commandBuffer = command;
  eventQueue = events;
  freeBufferQueue = freeBuffers;
  resetChannelState();
}
