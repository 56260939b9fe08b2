// One fuzz target over a range of inputs, in a worker thread so that bench/fuzz-main.ts can stop
// an input that hangs: the index about to run is kept in shared memory for the watchdog.
import { parentPort, workerData } from "node:worker_threads";
import { runTarget, type TargetName } from "./fuzz-targets.js";

interface Job {
  target: TargetName;
  seed: number;
  from: number;
  to: number;
  /** Int32Array over a SharedArrayBuffer: [0] the input running now. */
  current: SharedArrayBuffer;
  chunk: number;
}

const job = workerData as Job;
const current = new Int32Array(job.current);
for (let start = job.from; start < job.to; start += job.chunk) {
  const end = Math.min(job.to, start + job.chunk);
  const counts = runTarget(job.target, job.seed, start, end, (index) => Atomics.store(current, 0, index));
  parentPort!.postMessage({ end, counts });
}
