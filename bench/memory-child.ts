/** The child of bench/memory.ts: explores soup with DPOR and prints its memory as JSON. */
import { explore } from '../src/engine/explore.ts';
import { resolveRequest } from '../src/cli/request.ts';

const executions = Number(process.argv[2] ?? 200_000);
const { program, options } = resolveRequest({ scenario: 'soup', kernel: 'v7.0', params: {}, strategy: 'dpor', maxExecutions: executions });
const every = Math.max(1, Math.floor(executions / 8));
let next = every;
const samples: { executions: number; rssMb: number; liveMb: number; frontier: number }[] = [];
/** Forced by --expose-gc (bench/memory.ts passes it), so the live heap is measured, not garbage. */
const gc = (globalThis as { gc?: () => void }).gc;
const t0 = performance.now();
const r = explore(program, {
  ...options,
  now: () => performance.now(),
  onProgress: (p) => {
    if (p.executions < next) return;
    next += every;
    const rssMb = process.memoryUsage().rss / 2 ** 20;
    gc?.();
    samples.push({ executions: p.executions, rssMb, liveMb: process.memoryUsage().heapUsed / 2 ** 20, frontier: p.frontier ?? 0 });
  },
});
process.stdout.write(JSON.stringify({
  executions: r.executions,
  blocked: r.blocked,
  seconds: (performance.now() - t0) / 1000,
  peakMb: process.resourceUsage().maxRSS / 1024,
  samples,
}) + '\n');
