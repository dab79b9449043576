/**
 * Counter programs from GenMC's synthetic suite: inc (lost update: r = x; x = r + 2^i),
 * ainc (fetch_add), lockinc (lock; r = x; x = r + 1; unlock). Counts: (N!)², N!, N!.
 * Each ends with the property that no update was lost.
 */
import type { Scenario } from '../types.ts';
import { acquire, addReturn, load, newLoc, newLock, release, spawn, store } from '../../engine/prims.ts';
import type { Lock, Loc, Model } from '../../engine/op.ts';
import { ModelViolation } from '../../engine/op.ts';
import { sizeOf, sizeParam } from './params.ts';

interface CounterProgram {
  readonly name: string;
  readonly summary: string;
  readonly source: string;
  /** Thread i's body on the counter x (and a mutex, for those that lock). */
  readonly body: (x: Loc<number>, lock: Lock, i: number) => Model<void>;
  /** The value x must end with for N threads. */
  readonly final: (n: number) => number;
}

function counterScenario(c: CounterProgram): Scenario {
  return {
    id: `classic/${c.name}`,
    name: c.name,
    summary: c.summary,
    source: c.source,
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
            for (let i = 0; i < n; i++) yield* spawn(`${c.name}${i}`, c.body, loc, lock, i);
          },
          atEnd: (peek) => {
            const got = x === undefined ? undefined : peek.load(x);
            if (got !== c.final(n)) throw new ModelViolation('property', `lost update: x = ${got}, expected ${c.final(n)}`);
          },
        };
      };
    },
  };
}

export const inc = counterScenario({
  name: 'inc',
  summary: 'N threads do r = x; x = r + 2^i without atomicity: lost updates, (N!)² executions',
  source: 'GenMC tests/correct/synthetic/inc',
  body: function* (x, _lock, i) {
    const r = yield* load(x);
    yield* store(x, r + 2 ** i);
  },
  final: (n) => 2 ** n - 1,
});

export const ainc = counterScenario({
  name: 'ainc',
  summary: 'N threads fetch_add(x, 1): N! executions, no lost update',
  source: 'GenMC tests/correct/synthetic/ainc',
  body: function* (x) {
    yield* addReturn(x, 1);
  },
  final: (n) => n,
});

export const lockinc = counterScenario({
  name: 'lockinc',
  summary: 'N threads increment x under a mutex: N! executions, no lost update',
  source: 'GenMC tests/correct/synthetic/lock2inc',
  body: function* (x, lock) {
    yield* acquire(lock);
    const r = yield* load(x);
    yield* store(x, r + 1);
    yield* release(lock);
  },
  final: (n) => n,
});
