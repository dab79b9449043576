/**
 * Lock-order deadlocks: ABBA (two threads take two mutexes in opposite orders) and the
 * dining philosophers (each takes the left fork, then the right one).
 */
import type { Scenario } from '../types.ts';
import { acquire, newLock, release, spawn } from '../../engine/prims.ts';
import type { Lock } from '../../engine/op.ts';
import { sizeOf, sizeParam } from './params.ts';

export const abba: Scenario = {
  id: 'classic/abba',
  name: 'abba',
  summary: 'P1 locks A then B, P2 locks B then A: 2 complete executions and 1 deadlock',
  params: {},
  build: () => () => ({
    main: function* () {
      const a = yield* newLock('A', 'mutex');
      const b = yield* newLock('B', 'mutex');
      const body = (first: Lock, second: Lock) =>
        function* () {
          yield* acquire(first);
          yield* acquire(second);
          yield* release(second);
          yield* release(first);
        };
      yield* spawn('P1', body(a, b));
      yield* spawn('P2', body(b, a));
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
        for (let i = 0; i < n; i++) {
          const left = forks[i]!;
          const right = forks[(i + 1) % n]!;
          yield* spawn(`philosopher${i}`, function* () {
            yield* acquire(left);
            yield* acquire(right);
            yield* release(right);
            yield* release(left);
          });
        }
      },
    });
  },
};
