/**
 * The classic programs against their known execution counts (classics.md): optimal DPOR
 * must find exactly one execution per equivalence class and never a blocked one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore, replay } from '../../engine/explore.ts';
import type { ExploreResult } from '../../engine/api.ts';
import type { Scenario } from '../types.ts';
import { lastzero, readers } from './readers.ts';
import { ainc, inc, lockinc } from './counters.ts';
import { casrot, indexer, wcas } from './cas.ts';
import { abba, philosophers } from './deadlocks.ts';
import { peterson } from './peterson.ts';

function run(sc: Scenario, n: number, strategy: 'dpor' | 'naive' = 'dpor'): ExploreResult {
  return explore(sc.build({ params: { N: n } }), { strategy, stopOnViolation: false, traces: false });
}

const counts: [Scenario, number, number][] = [
  [readers, 13, 8_192],
  [lastzero, 10, 3_328],
  [lastzero, 15, 147_456],
  [indexer, 12, 8],
  [indexer, 15, 4_096],
  [casrot, 9, 8_597],
  [wcas, 9, 2_305],
  [inc, 4, 576],
  [ainc, 6, 720],
  [lockinc, 7, 5_040],
];

for (const [sc, n, want] of counts) {
  void test(`dpor: ${sc.name}(${n}) = ${want.toLocaleString('en')} executions, none blocked`, () => {
    const r = run(sc, n);
    assert.equal(r.executions, want);
    assert.equal(r.blocked, 0);
    assert.equal(r.coverage, 'exhaustive');
  });
}

void test('dpor past its wakeup budget still explores every trace: lastzero(10) = 3,328 complete executions', () => {
  // Source sets explore at least one execution per Mazurkiewicz trace and, like optimal DPOR
  // here, never the same complete one twice; the price is sleep-set-blocked executions.
  for (const wakeupBudget of [0, 1000]) { // from the start; once 1,000 nodes are pending
    const r = explore(lastzero.build({ params: { N: 10 } }), { strategy: 'dpor', wakeupBudget });
    assert.equal(r.executions, 3_328, `budget ${wakeupBudget}`);
    assert.ok(r.blocked > 0);
    assert.equal(r.coverage, 'exhaustive');
  }
});

void test('dpor: peterson = 4 executions, mutual exclusion holds', () => {
  const r = explore(peterson.build({ params: {} }), { strategy: 'dpor', stopOnViolation: false });
  assert.equal(r.executions, 4);
  assert.equal(r.blocked, 0);
  assert.deepEqual(r.violations, []);
});

void test('dpor: ABBA = 2 complete executions + 1 deadlock', () => {
  const r = run(abba, 0);
  assert.equal(r.executions, 3);
  assert.equal(r.blocked, 0);
  assert.deepEqual(r.violations.map((v) => v.kind), ['deadlock']);
});

void test('dpor: philosophers(4) = 14 complete executions + 1 deadlock', () => {
  const r = run(philosophers, 4);
  assert.equal(r.executions, 15);
  assert.equal(r.blocked, 0);
  assert.deepEqual(r.violations.map((v) => v.kind), ['deadlock']);
  assert.equal(r.violations[0]?.waitFor?.length, 4);
});

void test('dpor: inc(3) loses updates in 30 of its 36 classes', () => {
  let bad = 0;
  const r = explore(inc.build({ params: { N: 3 } }), {
    strategy: 'dpor',
    stopOnViolation: false,
    traces: false,
    onExecution: (e) => {
      if (e.violation === 'property') bad++;
    },
  });
  assert.equal(r.executions, 36);
  assert.equal(bad, 30);
});

void test('naive counts every interleaving on small sizes', () => {
  // main's spawns interleave with the threads already started, so these exceed the classes.
  assert.equal(run(readers, 2, 'naive').executions, 15);
  assert.equal(run(lastzero, 2, 'naive').executions, 76);
  assert.equal(run(lockinc, 3, 'naive').executions, 66);
  assert.equal(run(abba, 0, 'naive').executions, 14);
});

void test('bounded: coverage grows with the preemption bound up to the full count', () => {
  const program = inc.build({ params: { N: 3 } });
  let last = 0;
  const full = explore(program, { strategy: 'naive', stopOnViolation: false, traces: false }).executions;
  for (const bound of [0, 1, 2, 3, 4, 12]) {
    const r = explore(program, { strategy: 'bounded', preemptionBound: bound, stopOnViolation: false, traces: false });
    assert.ok(r.executions >= last, `bound ${bound}: ${r.executions} < ${last}`);
    last = r.executions;
    assert.equal(r.coverage, r.executions === full ? 'exhaustive' : 'bounded');
  }
  assert.equal(last, full);
});

void test('random and pct find the ABBA deadlock and the lost update, reproducibly', () => {
  for (const strategy of ['random', 'pct'] as const) {
    for (const sc of [abba, inc]) {
      const program = sc.build({ params: { N: 2 } });
      const a = explore(program, { strategy, seed: 42, maxExecutions: 500 });
      const b = explore(program, { strategy, seed: 42, maxExecutions: 500 });
      assert.equal(a.violations.length, 1, `${strategy} ${sc.name}`);
      assert.equal(a.coverage, 'sampled');
      assert.equal(a.violations[0]!.schedule, b.violations[0]!.schedule);
      assert.equal(a.executions, b.executions);
    }
  }
});

void test('every violation replays from its schedule to the same violation', () => {
  for (const [sc, n] of [[abba, 0], [philosophers, 3], [inc, 3]] as const) {
    const program = sc.build({ params: { N: n } });
    for (const strategy of ['dpor', 'naive', 'random', 'pct'] as const) {
      const r = explore(program, { strategy, stopOnViolation: false, maxExecutions: 300, seed: 3 });
      assert.ok(r.violations.length > 0);
      for (const v of r.violations) {
        const again = replay(program, v.schedule);
        assert.equal(again.violation?.kind, v.kind);
        assert.equal(again.violation?.message, v.message);
        assert.equal(again.violation?.schedule, v.schedule);
      }
    }
  }
});
