/**
 * readers(N) and lastzero(N): GenMC's read-heavy synthetic benchmarks
 * (tests/correct/synthetic/readers, lastzero). Counts: 2^N and (N+3)·2^(N-2).
 */
import type { Scenario } from '../types.ts';
import { load, newLoc, spawn, store } from '../../engine/prims.ts';
import type { Loc, Op } from '../../engine/op.ts';
import { sizeOf, sizeParam } from './params.ts';

function* readersWriter(x: Loc<number>): Generator<Op, void, unknown> {
  yield* store(x, 42);
}

function* readersReader(x: Loc<number>): Generator<Op, void, unknown> {
  yield* load(x);
}

/** One writer stores x = 42; N readers load x. */
export const readers: Scenario = {
  id: 'classic/readers',
  name: 'readers',
  summary: 'one writer, N readers of one location: 2^N executions',
  source: 'GenMC tests/correct/synthetic/readers',
  params: sizeParam(2, 'number of readers'),
  build: (ctx) => {
    const n = sizeOf(ctx, 2);
    return () => ({
      main: function* () {
        const x = yield* newLoc('x', 0);
        yield* spawn('writer', readersWriter, x);
        for (let i = 0; i < n; i++) yield* spawn(`reader${i}`, readersReader, x);
      },
    });
  },
};

/** lastzero's reader: scans a[N..1] down to the last zero. */
function* lastzeroReader(a: readonly Loc<number>[]): Generator<Op, void, unknown> {
  for (let i = a.length - 1; i > 0; i--) if ((yield* load(a[i]!)) === 0) break;
}

/** lastzero's writer j: a[j] = a[j-1] + 1. */
function* lastzeroWriter(a: readonly Loc<number>[], j: number): Generator<Op, void, unknown> {
  const prev = yield* load(a[j - 1]!);
  yield* store(a[j]!, prev + 1);
}

/**
 * A reader scans a[N..0] down to the last zero; writer j (1..N) sets a[j] = a[j-1] + 1.
 */
export const lastzero: Scenario = {
  id: 'classic/lastzero',
  name: 'lastzero',
  summary: 'a reader looks for the last zero while N writers fill the array: (N+3)·2^(N-2) executions',
  source: 'GenMC tests/correct/synthetic/lastzero; Abdulla et al. JACM 2017',
  params: sizeParam(5, 'number of writers (array of N+1 cells)'),
  build: (ctx) => {
    const n = sizeOf(ctx, 5);
    return () => ({
      main: function* () {
        const a: Loc<number>[] = [];
        for (let i = 0; i <= n; i++) a.push(yield* newLoc(`a[${i}]`, 0));
        yield* spawn('reader', lastzeroReader, a);
        for (let j = 1; j <= n; j++) yield* spawn(`writer${j}`, lastzeroWriter, a, j);
      },
    });
  },
};
