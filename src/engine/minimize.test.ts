import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore, replay } from './explore.ts';
import { inc } from '../scenarios/classic/counters.ts';
import { philosophers } from '../scenarios/classic/deadlocks.ts';
import { decodeSchedule, D_STEP } from './schedule.ts';

/** Context switches in a schedule string (a cheap proxy the minimiser must not make worse). */
function switches(schedule: string): number {
  const log = decodeSchedule(schedule);
  let prev = -99;
  let n = 0;
  for (let i = 0; i < log.length; i++) {
    if (log.kinds[i] !== D_STEP) continue;
    if (prev !== -99 && log.values[i] !== prev) n++;
    prev = log.values[i]!;
  }
  return n;
}

void test('minimised counterexamples show the same violation with no more switches or steps', () => {
  for (const [sc, n] of [[inc, 3], [philosophers, 4]] as const) {
    const program = sc.build({ params: { N: n } });
    for (const seed of [1, 5, 9]) {
      const raw = explore(program, { strategy: 'random', seed, minimize: false }).violations[0]!;
      const min = explore(program, { strategy: 'random', seed }).violations[0]!;
      assert.equal(min.kind, raw.kind);
      assert.equal(min.message, raw.message);
      assert.ok(switches(min.schedule) <= switches(raw.schedule), `${min.schedule} vs ${raw.schedule}`);
      assert.ok(min.trace!.steps.length <= raw.trace!.steps.length);
      assert.equal(replay(program, min.schedule).violation?.message, raw.message);
    }
  }
});
