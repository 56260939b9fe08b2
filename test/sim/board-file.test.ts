// Board files: everything that survives a reset, saved and loaded (README "Board files").
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Board, saveBoard, loadBoard } from "../../host-sim/board.js";
import { Cpu1Driver } from "./support/cpu1.js";
import { buildImage } from "../../host-sim/images/builder.js";
import { parseVersion } from "../../host-sim/versions.js";
import { expectSameBytes } from "../support/bytes.js";

describe("board files", () => {
  it("round-trips flash, option bytes and CPU2 state, including an install in flight", () => {
    const driver = Cpu1Driver.on({ family: "wb5x", flashKb: 1024, fus: "2.2.0", stack: { version: "1.24.0", type: 1, size: 129_460, format: "new" } });
    driver.boot();
    driver.command(0xfc58, [1, 16, ...new Array(16).fill(7)]);
    driver.enterFus();
    driver.command(0xfc5f);
    driver.stage(0x080a_0000, buildImage({ kind: "stack", family: "wb5x", version: parseVersion("1.24.1"), size: 129_460, format: "new" }));
    driver.command(0xfc54);
    driver.waitForReset(); // verified: the journal holds the image
    const board = driver.board;
    expect(board.cpu2.journal).not.toBeNull();
    const path = join(mkdtempSync(join(tmpdir(), "fusop-board-")), "b.json");
    saveBoard(path, board);
    const text = JSON.parse(readFileSync(path, "utf8"));
    expect(text).toMatchObject({ format: "fusop-board", formatVersion: 1, family: "wb5x", flashKb: 1024 });
    expect(text.cpu2.fusVersion).toBe("2.2.0 (0x02020000)");
    const loaded = loadBoard(path);
    expect(loaded.toJSON()).toEqual(board.toJSON());
    expectSameBytes(loaded.flash, board.flash);
    expectSameBytes(loaded.cpu2.journal!.image.data, board.cpu2.journal!.image.data);

    // The loaded board continues the install where the saved one stopped.
    const resumed = new Cpu1Driver(new (driver.chip.constructor as typeof import("../../host-sim/chip/stm32wb.js").Stm32wb)(loaded));
    expect(resumed.boot()).toBe(0x01);
    expect(resumed.followResets()).toBe(0x00);
    expect(loaded.cpu2.stack?.version).toBe(parseVersion("1.24.1"));
  });

  it("refuses files that are not board files, and unknown format versions", () => {
    const board = new Board({ family: "wb1x", flashKb: 320, fus: "2.2.0" });
    expect(() => Board.fromJSON({ ...board.toJSON(), format: "other" })).toThrow(/not a fusop board/);
    expect(() => Board.fromJSON({ ...board.toJSON(), formatVersion: 99 })).toThrow(/version 99/);
  });
});
