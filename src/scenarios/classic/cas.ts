/**
 * Compare-and-swap programs: casrot (thread i does CAS(x, i-1, i)), wcas (a writer stores
 * 2, N threads CAS(x, 2, 3)) and indexer (SV-COMP / GenMC: N threads insert 4 values each
 * into a 128-slot hash table with CAS and linear probing). A failed CAS only reads.
 */
import type { Scenario } from '../types.ts';
import { cas, newLoc, spawn, store } from '../../engine/prims.ts';
import type { Loc, Op } from '../../engine/op.ts';
import { sizeOf, sizeParam } from './params.ts';

type Body = Generator<Op, void, unknown>;

/** A thread that does one CAS(x, from, to) (module-level: no closure per execution). */
function* casOnce(x: Loc<number>, from: number, to: number): Body {
  yield* cas(x, from, to);
}

function* storeOnce(x: Loc<number>, v: number): Body {
  yield* store(x, v);
}

export const casrot: Scenario = {
  id: 'classic/casrot',
  name: 'casrot',
  summary: 'thread i (1..N) does CAS(x, i-1, i): the CASes succeed in a rotating chain',
  source: 'GenMC tests/correct/synthetic/casrot',
  params: sizeParam(3, 'number of threads'),
  build: (ctx) => {
    const n = sizeOf(ctx, 3);
    return () => ({
      main: function* () {
        const x = yield* newLoc('x', 0);
        for (let i = 1; i <= n; i++) yield* spawn(`cas${i}`, casOnce, x, i - 1, i);
      },
    });
  },
};

export const wcas: Scenario = {
  id: 'classic/wcas',
  name: 'wcas',
  summary: 'a writer stores x = 2 while N threads CAS(x, 2, 3): N·2^(N-1)+1 executions',
  source: 'GenMC tests/correct/synthetic/wcas',
  params: sizeParam(3, 'number of CAS threads'),
  build: (ctx) => {
    const n = sizeOf(ctx, 3);
    return () => ({
      main: function* () {
        const x = yield* newLoc('x', 0);
        yield* spawn('writer', storeOnce, x, 2);
        for (let i = 0; i < n; i++) yield* spawn(`cas${i}`, casOnce, x, 2, 3);
      },
    });
  },
};

const SIZE = 128;
const MAX = 4;

/** indexer's thread @tid: inserts MAX values by CAS with linear probing. */
function* indexerThread(table: readonly Loc<number>[], tid: number): Body {
  for (let m = 1; m <= MAX; m++) {
    const w = m * 11 + tid;
    let h = (w * 7) % SIZE;
    while ((yield* cas(table[h]!, 0, w)) !== 0) h = (h + 1) % SIZE;
  }
}

export const indexer: Scenario = {
  id: 'classic/indexer',
  name: 'indexer',
  summary: 'N threads insert 4 values each into a 128-slot hash table by CAS; collisions only for N > 11',
  source: 'SV-COMP pthread/indexer.c; GenMC tests/correct/synthetic/indexer',
  params: sizeParam(12, 'number of threads'),
  build: (ctx) => {
    const n = sizeOf(ctx, 12);
    return () => ({
      main: function* () {
        const table: Loc<number>[] = [];
        for (let i = 0; i < SIZE; i++) table.push(yield* newLoc(`table[${i}]`, 0));
        for (let tid = 0; tid < n; tid++) yield* spawn(`indexer${tid}`, indexerThread, table, tid);
      },
    });
  },
};
