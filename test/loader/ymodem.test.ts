// The loader's YMODEM receive (assembly/loader/ymodem.ts) on tier 1, through its console line, with
// a sender scripted block by block: the replies the YMODEM reference prescribes (C, ACK, NAK,
// CAN CAN), the file in flash trimmed to its announced size, and failures that leave nothing behind.
import { describe, expect, test } from "vitest";
import { expectSameBytes } from "../support/bytes.js";
import {
  ACK, APPLICATION_START, C, CAN, EOT, NAK, LoaderRig, block, bytes, fileBytes, headerBlock,
} from "./support.js";

/** `app`, then the answer up to the receiver's first C. */
function startApp(rig: LoaderRig): void {
  const answer = rig.exchange("app\r");
  const text = new TextDecoder().decode(answer.subarray(0, answer.length - 1));
  expect(text).toContain("receive-at 0x0800c000");
  expect(answer.at(-1)).toBe(C);
}

/** The sender's end of a file and of the batch: EOT, EOT, then the empty block 0. */
function finishBatch(rig: LoaderRig): string {
  expect(rig.exchange(bytes(EOT))).toEqual(bytes(NAK)); // the reference's EOT handshake
  expect(rig.exchange(bytes(EOT))).toEqual(bytes(ACK, C));
  const end = rig.exchange(headerBlock("", null));
  expect(end[0]).toBe(ACK);
  return new TextDecoder().decode(end.subarray(1));
}

describe("YMODEM receive into the application slot (tier 1)", () => {
  test("128-byte blocks: header, data, EOT handshake, end of batch; the last block's padding is cut", () => {
    const rig = new LoaderRig();
    startApp(rig);
    const file = fileBytes(300);
    // lrzsz's header: size, then mtime (octal), mode, serial, files left, bytes left — ignored.
    expect(rig.exchange(headerBlock("app.bin", file.length, " 14704523342 100644 0 1 300"))).toEqual(bytes(ACK, C));
    for (let i = 0; i * 128 < file.length; i++) {
      expect(rig.exchange(block(i + 1, file.subarray(i * 128, i * 128 + 128), 128))).toEqual(bytes(ACK));
    }
    const final = finishBatch(rig);
    expect(final).toContain("received-bytes 300");
    expect(final.trimEnd().split("\r\n").at(-1)).toBe("OK");
    expectSameBytes(rig.flash(APPLICATION_START, 300), file, "application slot");
    // No 0x1A padding was written: what follows the file is erased flash.
    expect(rig.flash(APPLICATION_START + 300, 84).every((b) => b === 0xff)).toBe(true);
  });

  test("1024-byte blocks mixed with a 128-byte tail, as lrzsz sb -k sends them", () => {
    const rig = new LoaderRig();
    startApp(rig);
    const file = fileBytes(2048 + 100, 7);
    expect(rig.exchange(headerBlock("big.bin", file.length))).toEqual(bytes(ACK, C));
    expect(rig.exchange(block(1, file.subarray(0, 1024), 1024))).toEqual(bytes(ACK));
    expect(rig.exchange(block(2, file.subarray(1024, 2048), 1024))).toEqual(bytes(ACK));
    expect(rig.exchange(block(3, file.subarray(2048), 128))).toEqual(bytes(ACK));
    expect(finishBatch(rig)).toMatch(/received-bytes 2148\r\nOK\r\n$/);
    expectSameBytes(rig.flash(APPLICATION_START, file.length), file, "application slot");
  });

  test("a damaged block (CRC, block-number complement) is NAKed and its retransmission taken", () => {
    const rig = new LoaderRig();
    startApp(rig);
    const file = fileBytes(256, 3);
    rig.exchange(headerBlock("a.bin", 256));
    const damaged = block(1, file.subarray(0, 128));
    damaged[50] ^= 0x01;
    expect(rig.exchange(damaged)).toEqual(bytes(NAK));
    const badComplement = block(1, file.subarray(0, 128));
    badComplement[2] ^= 0xff;
    expect(rig.exchange(badComplement)).toEqual(bytes(NAK));
    expect(rig.exchange(block(1, file.subarray(0, 128)))).toEqual(bytes(ACK));
    expect(rig.exchange(block(2, file.subarray(128)))).toEqual(bytes(ACK));
    expect(finishBatch(rig)).toContain("OK");
    expectSameBytes(rig.flash(APPLICATION_START, 256), file, "application slot");
  });

  test("a repeated block (the sender missed the ACK) is acknowledged again and not written twice", () => {
    const rig = new LoaderRig();
    startApp(rig);
    const file = fileBytes(256, 5);
    rig.exchange(headerBlock("a.bin", 256));
    expect(rig.exchange(block(1, file.subarray(0, 128)))).toEqual(bytes(ACK));
    expect(rig.exchange(block(1, file.subarray(0, 128)))).toEqual(bytes(ACK));
    expect(rig.exchange(block(2, file.subarray(128)))).toEqual(bytes(ACK));
    expect(finishBatch(rig)).toContain("received-bytes 256");
    expectSameBytes(rig.flash(APPLICATION_START, 256), file, "application slot");
  });

  test("a repeated header (its ACK lost) gets ACK and C again", () => {
    const rig = new LoaderRig();
    startApp(rig);
    rig.exchange(headerBlock("a.bin", 10));
    expect(rig.exchange(headerBlock("a.bin", 10))).toEqual(bytes(ACK, C));
    expect(rig.exchange(block(1, fileBytes(10)))).toEqual(bytes(ACK));
    expect(finishBatch(rig)).toContain("received-bytes 10");
  });

  test("CAN CAN from the sender cancels: ERROR TRANSFER_CANCELLED and the slot is erased again", () => {
    const rig = new LoaderRig();
    startApp(rig);
    const file = fileBytes(512, 9);
    rig.exchange(headerBlock("a.bin", 512));
    rig.exchange(block(1, file.subarray(0, 128)));
    const answer = new TextDecoder().decode(rig.exchange(bytes(CAN, CAN)));
    expect(answer).toMatch(/^ERROR TRANSFER_CANCELLED /m);
    expect(rig.flash(APPLICATION_START, 512).every((b) => b === 0xff)).toBe(true);
  });

  // lrzsz's cancel (canit(): ten CANs, ten backspaces) from an `sb` stopped mid-block lands inside the block.
  const CANIT = bytes(...Array(10).fill(CAN), ...Array(10).fill(0x08));

  test("sb stopped mid-block: its CANs inside the block, then silence, end the transfer TRANSFER_CANCELLED, not as line noise", () => {
    const rig = new LoaderRig();
    startApp(rig);
    const file = fileBytes(3072, 11);
    rig.exchange(headerBlock("a.bin", file.length));
    expect(rig.exchange(block(1, file.subarray(0, 1024)))).toEqual(bytes(ACK));
    expect(rig.exchange(Buffer.concat([block(2, file.subarray(1024, 2048)).subarray(0, 300), CANIT]))).toEqual(bytes());
    // The block stops: after the character timeout its bytes are judged, and they end in the cancel.
    const answer = new TextDecoder().decode(rig.wait(1_100_000));
    expect(answer).toMatch(/^ERROR TRANSFER_CANCELLED /m);
    expect(answer).not.toContain(String.fromCharCode(NAK));
    expect(rig.flash(APPLICATION_START, 3072).every((b) => b === 0xff)).toBe(true);
  });

  test("sb's CANs completing a block's frame (its CRC then fails) cancel at once", () => {
    const rig = new LoaderRig();
    startApp(rig);
    const file = fileBytes(3072, 12);
    rig.exchange(headerBlock("a.bin", file.length));
    expect(rig.exchange(block(1, file.subarray(0, 1024)))).toEqual(bytes(ACK));
    const frame = block(2, file.subarray(1024, 2048));
    // STX, number, complement, 1024 data, 2 CRC: the cancel fills the frame's last 20 bytes.
    const answer = new TextDecoder().decode(rig.exchange(Buffer.concat([frame.subarray(0, frame.length - CANIT.length), CANIT])));
    expect(answer).toMatch(/^ERROR TRANSFER_CANCELLED /m);
    expect(rig.flash(APPLICATION_START, 3072).every((b) => b === 0xff)).toBe(true);
  });

  test("a damaged block without the cancel at its end is NAKed; data ending in CAN CAN arrives intact and is taken", () => {
    const rig = new LoaderRig();
    startApp(rig);
    const file = fileBytes(256, 13);
    file.fill(CAN, 120, 128);
    rig.exchange(headerBlock("a.bin", file.length));
    const damaged = block(1, file.subarray(0, 128));
    damaged[10] ^= 0x40;
    expect(rig.exchange(damaged)).toEqual(bytes(NAK));
    expect(rig.exchange(block(1, file.subarray(0, 128)))).toEqual(bytes(ACK));
    expect(rig.exchange(block(2, file.subarray(128)))).toEqual(bytes(ACK));
    expect(finishBatch(rig)).toContain("OK");
    expectSameBytes(rig.flash(APPLICATION_START, 256), file, "application slot");
  });

  /** A double word at `address` that is not erased when its block comes: programming it fails (PROGERR, chip/flash.ts). */
  function plantUnerasedDoubleWord(rig: LoaderRig, address: number): void {
    rig.chip.board.flash.fill(0x00, rig.chip.board.offsetOf(address), rig.chip.board.offsetOf(address) + 8);
  }

  /** The loader's answer is its cancel sequence and the named error; the slot's first `bytes` are erased again. */
  function expectCancelledWith(rig: LoaderRig, answer: Uint8Array, code: string, erased: number): void {
    expect([...answer.subarray(0, 5)]).toEqual([CAN, CAN, CAN, CAN, CAN]);
    expect(new TextDecoder().decode(answer.subarray(5))).toMatch(new RegExp(`^ERROR ${code} `, "m"));
    expect(rig.flash(APPLICATION_START, erased).every((b) => b === 0xff)).toBe(true);
  }

  test("program ahead (the 115200 build): a block is acknowledged once checked; a double word that fails is answered at the next block with CAN, FLASH_OPERATION_FAILED, the slot erased", () => {
    const rig = new LoaderRig();
    startApp(rig);
    const file = fileBytes(4096, 14);
    rig.exchange(headerBlock("a.bin", file.length));
    expect(rig.exchange(block(1, file.subarray(0, 1024)))).toEqual(bytes(ACK));
    plantUnerasedDoubleWord(rig, APPLICATION_START + 1024 + 512);
    expect(rig.exchange(block(2, file.subarray(1024, 2048)))).toEqual(bytes(ACK)); // checked, then programmed
    const answer = rig.exchange(block(3, file.subarray(2048, 3072)));
    expectCancelledWith(rig, answer, "FLASH_OPERATION_FAILED", 4096);
  });

  test("program ahead: a failure in the file's last block is answered at its EOT; the EOT is acknowledged only once all is written and read back", () => {
    const rig = new LoaderRig();
    startApp(rig);
    const file = fileBytes(2048, 15);
    rig.exchange(headerBlock("a.bin", file.length));
    expect(rig.exchange(block(1, file.subarray(0, 1024)))).toEqual(bytes(ACK));
    plantUnerasedDoubleWord(rig, APPLICATION_START + 2048 - 8);
    expect(rig.exchange(block(2, file.subarray(1024)))).toEqual(bytes(ACK));
    const answer = rig.exchange(bytes(EOT));
    expectCancelledWith(rig, answer, "FLASH_OPERATION_FAILED", 2048);
  });

  test("sequential (a console at 921600 bit/s: 8 frames are shorter than a double word's programming): the failing block itself is answered with CAN", () => {
    const rig = new LoaderRig();
    rig.tier.call("loaderSetConsoleBaud", 921_600);
    startApp(rig);
    const file = fileBytes(4096, 16);
    rig.exchange(headerBlock("a.bin", file.length));
    expect(rig.exchange(block(1, file.subarray(0, 1024)))).toEqual(bytes(ACK));
    plantUnerasedDoubleWord(rig, APPLICATION_START + 1024 + 512);
    const answer = rig.exchange(block(2, file.subarray(1024, 2048)));
    expectCancelledWith(rig, answer, "FLASH_OPERATION_FAILED", 4096);
  });

  test("a single CAN is line noise, not a cancel", () => {
    const rig = new LoaderRig();
    startApp(rig);
    rig.exchange(headerBlock("a.bin", 128));
    expect(rig.exchange(bytes(CAN))).toEqual(bytes());
    expect(rig.exchange(block(1, fileBytes(128)))).toEqual(bytes(ACK));
    expect(finishBatch(rig)).toContain("OK");
  });

  test("a file cut short (EOT before the announced size) is refused and erased", () => {
    const rig = new LoaderRig();
    startApp(rig);
    rig.exchange(headerBlock("a.bin", 1000));
    rig.exchange(block(1, fileBytes(128)));
    expect(rig.exchange(bytes(EOT))).toEqual(bytes(NAK));
    const answer = rig.exchange(bytes(EOT));
    expect([...answer.subarray(0, 5)]).toEqual([CAN, CAN, CAN, CAN, CAN]);
    expect(new TextDecoder().decode(answer.subarray(5))).toMatch(/^ERROR TRANSFER_INCOMPLETE /m);
    expect(rig.flash(APPLICATION_START, 1024).every((b) => b === 0xff)).toBe(true);
  });

  test("silence: C repeated every 3 s for the header, NAK once a file is under way, then CAN and TRANSFER_TIMEOUT", () => {
    const rig = new LoaderRig();
    startApp(rig);
    expect(rig.wait(2_900_000)).toEqual(bytes());
    expect(rig.wait(200_000)).toEqual(bytes(C));
    rig.exchange(headerBlock("a.bin", 256));
    expect(rig.exchange(block(1, fileBytes(128)))).toEqual(bytes(ACK));
    // A block that stops half-way: after 1 s without a byte it is NAKed.
    expect(rig.exchange(block(2, fileBytes(128)).subarray(0, 60))).toEqual(bytes());
    expect(rig.wait(1_100_000)).toEqual(bytes(NAK));
    // Ten requests in all (BLOCK_RETRIES) — that one and nine more — then the receiver gives up.
    for (let i = 0; i < 9; i++) expect(rig.wait(3_100_000)).toEqual(bytes(NAK));
    const answer = rig.wait(3_100_000);
    expect([...answer.subarray(0, 2)]).toEqual([CAN, CAN]);
    expect(new TextDecoder().decode(answer)).toMatch(/ERROR TRANSFER_TOO_MANY_ERRORS /);
    expect(rig.flash(APPLICATION_START, 256).every((b) => b === 0xff)).toBe(true);
  });

  test("no sender at all: 20 requests for the header, then TRANSFER_TIMEOUT", () => {
    const rig = new LoaderRig();
    startApp(rig);
    for (let i = 0; i < 20; i++) expect(rig.wait(3_000_000)).toEqual(bytes(C));
    expect(new TextDecoder().decode(rig.wait(3_000_000))).toMatch(/ERROR TRANSFER_TIMEOUT /);
  });

  test("a block out of sequence cancels the transfer", () => {
    const rig = new LoaderRig();
    startApp(rig);
    rig.exchange(headerBlock("a.bin", 512));
    rig.exchange(block(1, fileBytes(128)));
    const answer = rig.exchange(block(3, fileBytes(128)));
    expect(answer[0]).toBe(CAN);
    expect(new TextDecoder().decode(answer)).toMatch(/ERROR TRANSFER_OUT_OF_SEQUENCE /);
  });

  test("a header without size, and a second file in the batch, are refused by name", () => {
    let rig = new LoaderRig();
    startApp(rig);
    expect(new TextDecoder().decode(rig.exchange(headerBlock("a.bin", null)))).toMatch(/ERROR IMAGE_SIZE_UNKNOWN /);
    rig = new LoaderRig();
    startApp(rig);
    rig.exchange(headerBlock("a.bin", 16));
    rig.exchange(block(1, fileBytes(16)));
    rig.exchange(bytes(EOT));
    rig.exchange(bytes(EOT));
    expect(new TextDecoder().decode(rig.exchange(headerBlock("b.bin", 16)))).toMatch(/ERROR TRANSFER_TOO_MANY_FILES /);
  });

  test("after a failed transfer the rest of the sender's bytes are not read as commands", () => {
    const rig = new LoaderRig();
    startApp(rig);
    rig.exchange(headerBlock("a.bin", 512));
    rig.exchange(bytes(CAN, CAN));
    // The sender had more in flight: a block with CRs in it.
    expect(rig.exchange(block(1, new TextEncoder().encode("help\rhelp\r")))).toEqual(bytes());
    rig.wait(600_000);
    expect(rig.command("help")).toMatch(/OK\r\n$/);
  });
});
