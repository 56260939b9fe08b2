// Program ahead (assembly/loader/transfer.ts): where the console's 8-byte receive FIFO outlasts a
// double word's programming (115200 bit/s, the default build), a YMODEM block is acknowledged once
// checked and programmed while the next one arrives; a failure is the answer to the next block.
// Through the loader's console (`app`, `install`) with the scripted sender, on tier 1 (the loader's
// wasm) and tier 2 (its ARM firmware with USART1's frame timing and FLASH's busy times), in-process
// on virtual time (bench/campaign-loader-part.ts). Facts: a read or fetch from the flash while it
// programs stalls (RM0434 embedded flash), the RX FIFO holds 8 bytes (RM0434 USART "FIFO mode"),
// a double word programs in up to 90.76 µs (host-sim/chip/flash-timing.ts).
import { describe, expect, test } from "vitest";
import { Tier2Part, loaderPart, sendFile, dataBlocks, discardPart, FINAL_LINE, type LoaderPart, type SendHooks } from "../../bench/campaign-loader-part.js";
import { APPLICATION_START, applicationImage, installImage } from "../../bench/campaign-loader.js";
import type { BoardConfig } from "../../host-sim/board.js";
import { loaderBuildElfPath } from "../../host-sim/paths.js";
import type { TierName } from "../../host-sim/tiers/tier.js";

const BOARD: BoardConfig = { family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.23.0", type: 1, size: 0x6000 } };
/** USART1 at 921600 bit/s: 8 frames (86.8 µs) are shorter than one double word's programming. */
const BUILD_921600 = loaderBuildElfPath("stm32wb55xg-921600");

/** A part with the loader, powered on and kept in the loader (a key in its boot window); tier 2 answers within 50 µs. */
function loaderOn(tier: TierName, loaderElf?: string): LoaderPart {
  const part = tier === "arm" ? new Tier2Part(BOARD, { answerWithinUs: 50, loaderElf }) : loaderPart("wasm", BOARD);
  part.powerOn();
  part.send("\r");
  part.runUntil((text) => /stay loader\r\n/.test(text), 2e6);
  part.runUntil(() => false, 100_000);
  part.take();
  return part;
}

/** Types `command` (app, install) and waits for the receiver's first C; returns where the file goes (`receive-at`). */
function startTransfer(part: LoaderPart, command: string): number {
  part.send(`${command}\r`);
  expect(part.runUntil((text) => text.endsWith("C"), 10e6)).toBe(true);
  return Number(/receive-at (0x[0-9a-f]+)/.exec(part.peek())![1]);
}

/** Sends `file`, then returns the loader's text up to its final line. */
function send(part: LoaderPart, file: Uint8Array, hooks: SendHooks = {}): { sent: ReturnType<typeof sendFile>; said: string } {
  const sent = sendFile(part, "file.bin", file, hooks);
  part.runUntil((text) => FINAL_LINE.test(text), 10e6);
  return { sent, said: part.take() };
}

/** Every double word CPU1 starts programming, with its address and virtual start time (the flash model's step hook, host-sim/faults.ts; nothing struck). */
function recordPrograms(part: LoaderPart): { address: number; atUs: number }[] {
  const programs: { address: number; atUs: number }[] = [];
  part.chip.flashRegisters.faults = {
    step: (_kind, label) => {
      const program = /^CPU1 program 0x([0-9a-f]+)$/.exec(label);
      if (program) programs.push({ address: parseInt(program[1], 16), atUs: part.nowUs });
      return null;
    },
    strike: () => {},
  };
  return programs;
}

/** A double word that is not erased when its block comes (a worn cell): programming it fails with PROGERR (host-sim/chip/flash.ts). */
function plantUnerasedDoubleWord(part: LoaderPart, address: number): void {
  const offset = part.board.offsetOf(address);
  part.board.flash.fill(0x00, offset, offset + 8);
}

/** Sender hooks: once the header is acknowledged (the region erased), the double word at `address` is planted unerased. */
function failAfterHeader(part: LoaderPart, address: number): SendHooks {
  return {
    acknowledged: (block) => {
      if (block === 0) plantUnerasedDoubleWord(part, address);
      return false;
    },
  };
}

function erased(part: LoaderPart, address: number, length: number): boolean {
  const offset = part.board.offsetOf(address);
  return part.board.flash.subarray(offset, offset + length).every((byte) => byte === 0xff);
}

describe.each(["wasm", "arm"] as const)("tier %s: YMODEM blocks programmed while the next one arrives (115200 build)", (tier) => {
  test("an 8 KiB application arrives byte for byte; each block's 128 double words are programmed after it and before the next block is acknowledged", () => {
    const part = loaderOn(tier);
    try {
      startTransfer(part, "app");
      const programs = recordPrograms(part);
      const file = applicationImage(8 * 1024, 7, 3);
      const sentAt: number[] = [];
      const acknowledgedAt: number[] = [];
      const { sent, said } = send(part, file, {
        line: (frame, block, attempt) => {
          if (attempt === 1) sentAt[block] = part.nowUs;
          return frame;
        },
        acknowledged: (block) => {
          acknowledgedAt[block] = part.nowUs;
          return false;
        },
      });
      expect(sent).toEqual({ kind: "sent" });
      expect(said).toMatch(/received-bytes 8192\r\nOK\r\n$/);
      expect(Buffer.from(part.board.flash.subarray(part.board.offsetOf(APPLICATION_START), part.board.offsetOf(APPLICATION_START) + file.length)).equals(file)).toBe(true);
      const blocks = dataBlocks(file.length);
      for (let block = 1; block < blocks; block++) {
        const start = APPLICATION_START + (block - 1) * 1024;
        const own = programs.filter(({ address }) => address >= start && address < start + 1024);
        expect(own.map(({ address }) => address - start)).toEqual(Array.from({ length: 128 }, (_, i) => i * 8));
        expect(own.every(({ atUs }) => atUs >= sentAt[block] && atUs <= acknowledgedAt[block + 1])).toBe(true);
        if (tier === "arm") {
          // The line's frame timing: block N's double words are programmed while block N+1's 1029
          // bytes cross the line (the sender sent them after block N's ACK), none of them lost.
          const arrivingUntil = sentAt[block + 1] + (1029 * 10 * 1e6) / (part as Tier2Part).chip.usart1.baud;
          expect(own.filter(({ atUs }) => atUs > sentAt[block + 1] && atUs < arrivingUntil).length).toBeGreaterThan(0);
        }
      }
      expect(part.chip.usart1.overruns).toBe(0);
    } finally {
      discardPart(part);
    }
  });

  test("install: a double word of block 3 that fails is answered at block 4 with CAN: FLASH_OPERATION_FAILED, the received part erased; application, stack and FUS kept", () => {
    const part = loaderOn(tier);
    try {
      startTransfer(part, "app");
      const application = applicationImage(0x600, 42, 0xa1);
      expect(send(part, application).said).toMatch(/OK\r\n$/);
      expect(part.command("start-fus", 30)).toMatch(/(^|\n)OK\r\n$/);
      const stack = { ...part.board.cpu2.stack! };
      const stackOffset = part.board.offsetOf(stack.start);
      const stackBytes = Buffer.from(part.board.flash.subarray(stackOffset, stackOffset + stack.size));
      const fusVersion = part.board.cpu2.fusVersion;
      const receiveAt = startTransfer(part, "install");
      const { sent, said } = send(part, installImage, failAfterHeader(part, receiveAt + 2 * 1024 + 256));
      expect(sent).toEqual({ kind: "cancelled", block: 4 });
      expect(said).toMatch(/ERROR FLASH_OPERATION_FAILED [^\r]*\r\n$/);
      expect(erased(part, receiveAt, installImage.length)).toBe(true);
      const applicationOffset = part.board.offsetOf(APPLICATION_START);
      expect(Buffer.from(part.board.flash.subarray(applicationOffset, applicationOffset + application.length)).equals(application)).toBe(true);
      expect(part.board.cpu2.stack).toEqual(stack);
      expect(Buffer.from(part.board.flash.subarray(stackOffset, stackOffset + stack.size)).equals(stackBytes)).toBe(true);
      expect(part.board.cpu2.fusVersion).toBe(fusVersion);
      expect(part.command("info", 5)).toMatch(/OK\r\n$/);
    } finally {
      discardPart(part);
    }
  });
});

describe("tier arm: the 921600 build programs each block before it acknowledges it", () => {
  test("a double word of block 3 that fails is answered at block 3 itself; no byte is lost at that speed", () => {
    const part = loaderOn("arm", BUILD_921600);
    try {
      const receiveAt = startTransfer(part, "app");
      const { sent, said } = send(part, applicationImage(4 * 1024, 9, 5), failAfterHeader(part, receiveAt + 2 * 1024 + 256));
      expect(sent).toEqual({ kind: "cancelled", block: 3 });
      expect(said).toMatch(/ERROR FLASH_OPERATION_FAILED [^\r]*\r\n$/);
      expect(erased(part, receiveAt, 4 * 1024)).toBe(true);
      expect(part.chip.usart1.overruns).toBe(0);
    } finally {
      discardPart(part);
    }
  });
});
