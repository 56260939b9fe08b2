// Safeboot: what CPU2 runs when option-byte corruption makes the hardware force SFSA = 0x00 and
// SBRV = 0x3FC00 (seed FAQ). From FUS V1.1.0 on it performs a factory reset (seed §3.2 V1.1.0,
// §4.6): UFB reset, user flash erased up to the FUS (stack and NVM section included), option bytes
// back to factory values, reboot into FUS. Before V1.1.0 the part stays locked with all flash secure.
import type { Cpu2, Cpu2Firmware } from "./cpu2.js";
import type { SystemCommand } from "./mailbox.js";
import { eraseRange, runOperations, work } from "./phase-runner.js";
import { fusStartFor } from "../chip/variants.js";
import { SAFEBOOT_START_US } from "./timing.js";
import { parseVersion } from "../versions.js";
import { bootNextOn } from "./secure-sram.js";

export class SafebootFirmware implements Cpu2Firmware {
  readonly kind = "safeboot";

  constructor(private readonly cpu2: Cpu2) {}

  start(): void {
    const board = this.cpu2.host.board;
    const state = board.cpu2;
    if (state.fusVersion < parseVersion("1.1.0")) {
      // Older Safeboot locks the part: all flash stays secure, nothing answers (seed FAQ).
      state.locked = "Safeboot forced with FUS older than 1.1.0: the part is locked";
      return;
    }
    if (!this.cpu2.beginPhase("Safeboot factory reset")) return;
    const fusStart = fusStartFor(board.variant, state.fusVersion);
    const userFlash = fusStart - board.variant.flashBase;
    const operations = [
      work("Safeboot start", SAFEBOOT_START_US),
      ...eraseRange(board, board.variant.ufbBanks[0], board.variant.sectorBytes),
      ...eraseRange(board, board.variant.ufbBanks[1], board.variant.sectorBytes),
      ...eraseRange(board, board.variant.flashBase, userFlash),
    ];
    runOperations(this.cpu2, operations, () => {
      state.journal = null;
      state.report = null;
      state.stack = null;
      state.nvmSection = null;
      bootNextOn(board, false);
      this.cpu2.resetSystem("Safeboot: factory reset done, rebooting into FUS");
    });
  }

  /** Safeboot does not use the mailbox. */
  onSystemCommand(_command: SystemCommand): void {}
}
