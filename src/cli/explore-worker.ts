/**
 * The exploration worker: runs `explore` off the main thread, so that the main thread stays
 * free to print progress and to turn Ctrl-C into a stop flag the explorer polls.
 * Messages out: {type:'progress'}, {type:'result', index}, {type:'notRun', index} (after Ctrl-C),
 * {type:'error'}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { explore } from '../engine/explore.ts';
import { resolveRequest, type RunRequest } from './request.ts';
import { UsageError } from './errors.ts';

interface Input {
  readonly requests: readonly RunRequest[];
  readonly stop: SharedArrayBuffer;
  /** Index of the next request to take (shared by every worker). */
  readonly next: SharedArrayBuffer;
}

const { requests, stop, next } = workerData as Input;
const stopFlag = new Int32Array(stop);
const nextIndex = new Int32Array(next);
const port = parentPort;
if (!port) throw new Error('explore-worker must run in a worker thread');

try {
  for (let index = Atomics.add(nextIndex, 0, 1); index < requests.length; index = Atomics.add(nextIndex, 0, 1)) {
    if (Atomics.load(stopFlag, 0) !== 0) {
      port.postMessage({ type: 'notRun', index }); // interrupted before this request started
      continue;
    }
    const { program, options } = resolveRequest(requests[index]!);
    const result = explore(program, {
      ...options,
      now: () => performance.now(),
      onProgress: (p) => port.postMessage({ type: 'progress', index, progress: p }),
      shouldStop: () => Atomics.load(stopFlag, 0) !== 0,
    });
    port.postMessage({ type: 'result', index, result });
  }
} catch (e) {
  const err = e as Error;
  port.postMessage({ type: 'error', usage: err instanceof UsageError, message: err.message, stack: err.stack });
}
