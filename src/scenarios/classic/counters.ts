/**
 * Counter programs from GenMC's synthetic suite: inc (lost update: r = x; x = r + 2^i),
 * ainc (fetch_add), lockinc (lock; r = x; x = r + 1; unlock). Counts: (N!)², N!, N!.
 */
import type { Scenario } from '../types.ts';
import { acquire, addReturn, load, newLoc, newLock, release, spawn, store } from '../../engine/prims.ts';
import type { Loc } from '../../engine/op.ts';
import { ModelViolation } from '../../engine/op.ts';
import type { Peek } from '../../engine/api.ts';
import { sizeOf, sizeParam } from './params.ts';

/** The final value must be `want`, else a property violation (a lost update). */
function expectFinal(x: () => Loc<number> | undefined, want: number): (peek: Peek) => void {
  return (peek) => {
    const loc = x();
    if (loc === undefined) return;
    const got = peek.load(loc);
    if (got !== want) throw new ModelViolation('property', `lost update: x = ${got}, expected ${want}`);
  };
}

export const inc: Scenario = {
  id: 'classic/inc',
  name: 'inc',
  summary: 'N threads do r = x; x = r + 2^i without atomicity: lost updates, (N!)² executions',
  source: 'GenMC tests/correct/synthetic/inc',
  params: sizeParam(2, 'number of threads'),
  build: (ctx) => {
    const n = sizeOf(ctx, 2);
    return () => {
      let x: Loc<number> | undefined;
      return {
        main: function* () {
          const loc = yield* newLoc('x', 0);
          x = loc;
          for (let i = 0; i < n; i++) {
            yield* spawn(`inc${i}`, function* () {
              const r = yield* load(loc);
              yield* store(loc, r + 2 ** i);
            });
          }
        },
        atEnd: expectFinal(() => x, 2 ** n - 1),
      };
    };
  },
};

export const ainc: Scenario = {
  id: 'classic/ainc',
  name: 'ainc',
  summary: 'N threads fetch_add(x, 1): N! executions, no lost update',
  source: 'GenMC tests/correct/synthetic/ainc',
  params: sizeParam(2, 'number of threads'),
  build: (ctx) => {
    const n = sizeOf(ctx, 2);
    return () => {
      let x: Loc<number> | undefined;
      return {
        main: function* () {
          const loc = yield* newLoc('x', 0);
          x = loc;
          for (let i = 0; i < n; i++) {
            yield* spawn(`ainc${i}`, function* () {
              yield* addReturn(loc, 1);
            });
          }
        },
        atEnd: expectFinal(() => x, n),
      };
    };
  },
};

export const lockinc: Scenario = {
  id: 'classic/lockinc',
  name: 'lockinc',
  summary: 'N threads increment x under a mutex: N! executions, no lost update',
  source: 'GenMC tests/correct/synthetic/lock2inc',
  params: sizeParam(2, 'number of threads'),
  build: (ctx) => {
    const n = sizeOf(ctx, 2);
    return () => {
      let x: Loc<number> | undefined;
      return {
        main: function* () {
          const loc = yield* newLoc('x', 0);
          const lock = yield* newLock('lock', 'mutex');
          x = loc;
          for (let i = 0; i < n; i++) {
            yield* spawn(`lockinc${i}`, function* () {
              yield* acquire(lock);
              const r = yield* load(loc);
              yield* store(loc, r + 1);
              yield* release(lock);
            });
          }
        },
        atEnd: expectFinal(() => x, n),
      };
    };
  },
};
