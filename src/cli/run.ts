/** Runs exploration requests in a worker thread, with progress on stderr and Ctrl-C. */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { ExploreResult, Progress } from '../engine/api.ts';
import { explore } from '../engine/explore.ts';
import { resolveRequest, type RunRequest } from './request.ts';
import { UsageError } from './errors.ts';

/** How long a single check first runs on the main thread before it moves to a worker. */
export const IN_PROCESS_SLICE_MS = 150;

/**
 * Explores @req on this thread for at most IN_PROCESS_SLICE_MS: the result if the search ended
 * in that time, else undefined. A single check starts its worker first and runs this meanwhile:
 * a small check is then done before the worker has even loaded (no start-up to wait for), a
 * long one goes on in the worker, where progress and Ctrl-C work (the engine is deterministic:
 * both run the same search). A Ctrl-C during the slice takes effect when the slice ends.
 */
export function exploreBriefly(req: RunRequest): ExploreResult | undefined {
  const { program, options } = resolveRequest(req);
  const slice = Math.min(IN_PROCESS_SLICE_MS, options.timeBudgetMs ?? Infinity);
  const r = explore(program, { ...options, timeBudgetMs: slice, now: () => performance.now() });
  const ownBudgetSpent = options.timeBudgetMs !== undefined && options.timeBudgetMs <= IN_PROCESS_SLICE_MS;
  return r.stoppedBy === 'timeBudget' && !ownBudgetSpent ? undefined : r;
}

export interface RunHooks {
  /** Aborting it terminates the workers; the run then resolves to no results. */
  readonly signal?: AbortSignal;
  /** Called with each request's progress. */
  readonly onProgress?: (index: number, p: Progress) => void;
  /** Called as each request finishes. */
  readonly onResult?: (index: number, r: ExploreResult) => void;
}

type WorkerMessage =
  | { type: 'progress'; index: number; progress: Progress }
  | { type: 'result'; index: number; result: ExploreResult }
  | { type: 'notRun'; index: number }
  | { type: 'error'; usage: boolean; message: string; stack?: string };

/**
 * Explores every request, spread over `workers` worker threads (cells are independent, so
 * results do not depend on which worker ran which). A first Ctrl-C sets the stop flag (each run then ends
 * early and says so; requests not started yet are not run: undefined in the result); a second
 * one exits at once.
 */
export async function runRequests(
  requests: readonly RunRequest[],
  hooks: RunHooks = {},
  workers = 1,
): Promise<(ExploreResult | undefined)[]> {
  const stop = new SharedArrayBuffer(4);
  const flag = new Int32Array(stop);
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    Atomics.store(flag, 0, 1);
    process.stderr.write('\nmmlife: interrupted; finishing with what was explored (Ctrl-C again to quit)\n');
  };
  process.on('SIGINT', onSigint);
  const n = Math.max(1, Math.min(workers, requests.length));
  // Workers take the next request from a shared counter, so a long cell does not hold up others.
  const next = new SharedArrayBuffer(4);
  const results: (ExploreResult | undefined)[] = [];
  const answered = new Set<number>();
  try {
    await Promise.all(
      Array.from({ length: n }, () =>
        runWorker(requests, stop, next, {
          ...hooks,
          onResult: (i, r) => {
            results[i] = r;
            answered.add(i);
            hooks.onResult?.(i, r);
          },
          onNotRun: (i) => answered.add(i),
        }),
      ),
    );
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (hooks.signal?.aborted) return [];
  if (answered.size !== requests.length) throw new Error('an exploration worker stopped early');
  return Array.from({ length: requests.length }, (_, i) => results[i]);
}

/** One worker thread exploring requests from the shared counter `next` until none is left. */
function runWorker(
  requests: readonly RunRequest[],
  stop: SharedArrayBuffer,
  next: SharedArrayBuffer,
  hooks: RunHooks & { readonly onNotRun: (index: number) => void },
): Promise<void> {
  const worker = new Worker(new URL('./explore-worker.js', import.meta.url), { workerData: { requests, stop, next } });
  hooks.signal?.addEventListener('abort', () => void worker.terminate());
  return new Promise<void>((resolve, reject) => {
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') hooks.onProgress?.(m.index, m.progress);
      else if (m.type === 'result') hooks.onResult?.(m.index, m.result);
      else if (m.type === 'notRun') hooks.onNotRun(m.index);
      else {
        const err = m.usage ? new UsageError(m.message) : new Error(m.message);
        if (m.stack && !m.usage) err.stack = m.stack;
        reject(err);
      }
    });
    worker.on('error', reject);
    worker.on('exit', () => resolve());
  });
}

/**
 * Runs many requests on every core with a count of finished ones on stderr: redrawn in place on
 * a terminal (unless @quiet), or with @log (--progress) a line every PROGRESS_INTERVAL_MS, also
 * when stderr is a file or a pipe (CI logs). @what names them ('cells', 'presets').
 */
export async function runCounted(
  label: string, what: string, requests: readonly RunRequest[], opts: { readonly log?: boolean; readonly quiet?: boolean },
): Promise<(ExploreResult | undefined)[]> {
  const tty = process.stderr.isTTY && !opts.quiet && !opts.log;
  let finished = 0;
  const started = Date.now();
  const ticker = opts.log
    ? setInterval(() => {
      process.stderr.write(`progress ${label}: ${finished}/${requests.length} ${what}, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    }, PROGRESS_INTERVAL_MS)
    : undefined;
  try {
    return await runRequests(requests, {
      onResult: () => {
        finished++;
        if (tty) process.stderr.write(`\r${label}: ${finished}/${requests.length} ${what}`);
      },
    }, availableParallelism());
  } finally {
    clearInterval(ticker);
    if (tty) clearProgress();
  }
}

/** How often `--progress` prints a line (as TLC does, but more often: runs here are shorter). */
export const PROGRESS_INTERVAL_MS = 5000;

const n = (x: number): string => x.toLocaleString('en-US');

/**
 * Progress on stderr: on a terminal, one line redrawn in place; with `log` (--progress), also
 * when stderr is not a terminal, a line every PROGRESS_INTERVAL_MS with the executions, the
 * rate over the last interval and, for DPOR, the frontier (wakeup-tree nodes left).
 * Undefined when there is nothing to show.
 */
export function progressLine(label: string, log = false): ((p: Progress) => void) | undefined {
  const tty = process.stderr.isTTY && !log;
  if (!tty && !log) return undefined;
  let last = { executions: 0, elapsedMs: 0 };
  return (p) => {
    const span = p.elapsedMs - last.elapsedMs;
    if (log && span < PROGRESS_INTERVAL_MS) return;
    const rate = span > 0 ? Math.round(((p.executions - last.executions) * 1000) / span) : 0;
    const frontier = p.frontier === undefined ? '' : `, frontier ${n(p.frontier)} nodes`;
    const text = `${label}: ${n(p.executions)} executions (${n(rate)}/s), ${n(p.blocked)} blocked${frontier}, ${(p.elapsedMs / 1000).toFixed(1)} s`;
    if (log) {
      last = { executions: p.executions, elapsedMs: p.elapsedMs };
      process.stderr.write(`progress ${text}\n`);
    } else {
      process.stderr.write(`\r${text}   `);
    }
  };
}

export function clearProgress(log = false): void {
  if (process.stderr.isTTY && !log) process.stderr.write('\r\x1b[K');
}
