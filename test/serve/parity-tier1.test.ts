// The parity script (parity-steps.ts) with the loader on tier 1: `fusop --port` (in process) against
// the loader's wasm module bridged to a pty pair (test/serial/tier1-bridge.ts), next to `--board`
// on a board of the same configuration. No line speed here, so the steps that send images run in
// every `make test`; on tier 2 (parity.test.ts) they are `make test-slow`'s.
import { afterAll, describe, test } from "vitest";
import { rmSync } from "node:fs";
import { fusop } from "../support/cli.js";
import { LoaderRig } from "../loader/support.js";
import { Tier1Bridge } from "../serial/tier1-bridge.js";
import { createBoard, directory } from "./support.js";
import { comparable, expectParity, paritySteps } from "./parity-steps.js";

afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function result(argv: string[]): Promise<Record<string, unknown>> {
  const run = await fusop([...argv, "--json"]);
  return comparable(run.code, run.result);
}

describe("board commands: --port on the tier-1 loader agrees with --board", () => {
  test("each step gives the same result or the same refusal, image steps included", async () => {
    const board = createBoard("--family", "wb5x", "--flash-kb", "1024", "--fus", "2.2.0");
    const bridge = await Tier1Bridge.open(new LoaderRig({ family: "wb5x", flashKb: 1024, fus: "2.2.0" }, 0));
    try {
      for (const { command, step } of paritySteps(true)) {
        const viaBoard = await result([...step.argv, "--board", board, "--tier", "wasm"]);
        const viaPort = await result([...step.argv, "--port", bridge.link]);
        expectParity(`${command}: ${step.argv.join(" ")}`, step, viaBoard, { port: viaPort });
      }
    } finally {
      await bridge.close();
    }
  }, 600_000);
});
