/**
 * Lock-order deadlocks: ABBA (two threads take two mutexes in opposite orders) and the
 * dining philosophers (each takes the left fork, then the right one).
 */
import type { Scenario } from '../types.ts';
import { acquire, newLock, release, spawn } from '../../engine/prims.ts';
import type { Lock, Op } from '../../engine/op.ts';
import { sizeOf, sizeParam } from './params.ts';

/** Takes @first, then @second, and lets both go (module-level: no closure per execution). */
function* lockBoth(first: Lock, second: Lock): Generator<Op, void, unknown> {
  yield* acquire(first);
  yield* acquire(second);
  yield* release(second);
  yield* release(first);
}

export const abba: Scenario = {
  id: 'classic/abba',
  name: 'abba',
  summary: 'P1 locks A then B, P2 locks B then A: 2 complete executions and 1 deadlock',
  params: {},
  build: () => () => ({
    main: function* () {
      const a = yield* newLock('A', 'mutex');
      const b = yield* newLock('B', 'mutex');
      yield* spawn('P1', lockBoth, a, b);
      yield* spawn('P2', lockBoth, b, a);
    },
  }),
};

export const philosophers: Scenario = {
  id: 'classic/philosophers',
  name: 'philosophers',
  summary: 'N philosophers each lock the left fork then the right: 2^N - 2 complete executions, 1 deadlock',
  params: sizeParam(3, 'number of philosophers', 2),
  build: (ctx) => {
    const n = sizeOf(ctx, 3, 2);
    return () => ({
      main: function* () {
        const forks: Lock[] = [];
        for (let i = 0; i < n; i++) forks.push(yield* newLock(`fork${i}`, 'mutex'));
        for (let i = 0; i < n; i++) yield* spawn(`philosopher${i}`, lockBoth, forks[i]!, forks[(i + 1) % n]!);
      },
    });
  },
};
