// Tests measure nothing in wall time; the timeout only guards against a hang, and must not trip
// when a slow or loaded machine runs the emulated ARM suites.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
