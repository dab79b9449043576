/**
 * Peterson's mutual exclusion for two threads, as GenMC's tests/correct/synthetic/peterson:
 * each sets its flag and gives the turn away, then waits (spin-assume) until the other's
 * flag is down or the turn is its own; a critical section writes and reads x. The wait is
 * one awaitall over both locations, so a thread runs on only once the condition holds.
 * Mutual exclusion is checked with an in-critical-section counter: 4 executions.
 */
import type { Scenario } from '../types.ts';
import { awaitAll, load, newLoc, spawn, store, addReturn } from '../../engine/prims.ts';
import { ModelViolation, type Loc, type Op } from '../../engine/op.ts';

/** Thread @me of Peterson's lock (module-level: no closure per execution). */
function* petersonThread(me: number, flags: readonly Loc<number>[], turn: Loc<number>, x: Loc<number>, inside: Loc<number>): Generator<Op, void, unknown> {
  const other = 1 - me;
  yield* store(flags[me]!, 1);
  yield* store(turn, other);
  yield* awaitAll([flags[other]!, turn], ([f, t]) => f !== 1 || t !== other, `flag${other + 1} != 1 || turn != ${other}`);
  if ((yield* addReturn(inside, 1)) !== 1) throw new ModelViolation('assertion', 'both threads in the critical section');
  yield* store(x, me);
  yield* load(x);
  yield* addReturn(inside, -1);
  yield* store(flags[me]!, 0);
}

export const peterson: Scenario = {
  id: 'classic/peterson',
  name: 'peterson',
  summary: "Peterson's lock for two threads: mutual exclusion holds in all 4 executions",
  source: 'GenMC tests/correct/synthetic/peterson',
  params: {},
  build: () => () => ({
    main: function* () {
      const flags = [yield* newLoc('flag1', 0), yield* newLoc('flag2', 0)];
      const turn = yield* newLoc('turn', 0);
      const x = yield* newLoc('x', 0);
      const inside = yield* newLoc('in_cs', 0);
      for (const me of [0, 1]) yield* spawn(`thread_${me + 1}`, petersonThread, me, flags, turn, x, inside);
    },
  }),
};
