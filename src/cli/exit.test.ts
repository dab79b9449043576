// The verdict of a search: complete searches pass, cut ones are incomplete (exit 3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExploreResult } from '../engine/api.ts';
import { exitStatusFor, outcomeOf } from './exit.ts';

function result(over: Partial<ExploreResult>): ExploreResult {
  return { strategy: 'dpor', coverage: 'exhaustive', executions: 10, blocked: 0, steps: 100, elapsedMs: 0, violations: [], metrics: {}, metricExecutions: {}, violatingExecutions: 0, ...over };
}

void test('an exhaustive search, or one that ran the scenario\'s own bound, passes', () => {
  assert.deepEqual(outcomeOf(result({}), {}, {}), { verdict: 'pass', stop: 'exhaustive' });
  const capped = result({ coverage: 'bounded', stoppedBy: 'maxExecutions' });
  assert.deepEqual(outcomeOf(capped, { maxExecutions: 300 }, { maxExecutions: 300 }), { verdict: 'pass', stop: 'scenario-bound' });
  assert.deepEqual(outcomeOf(capped, { maxExecutions: 300 }, { maxExecutions: 5000 }), { verdict: 'pass', stop: 'scenario-bound' });
  const pct = result({ strategy: 'pct', coverage: 'sampled' });
  assert.deepEqual(outcomeOf(pct, { strategy: 'pct', maxExecutions: 3000 }, { strategy: 'pct', maxExecutions: 3000 }).verdict, 'pass');
  assert.deepEqual(outcomeOf(result({ coverage: 'bounded' }), {}, { preemptionBound: 2 }), { verdict: 'pass', stop: 'search-bound' });
});

void test('a search cut short with nothing found is incomplete, and says what cut it', () => {
  const capped = result({ coverage: 'bounded', stoppedBy: 'maxExecutions' });
  assert.deepEqual(outcomeOf(capped, { maxExecutions: 300 }, { maxExecutions: 10 }), { verdict: 'incomplete', stop: 'max-executions' });
  assert.deepEqual(outcomeOf(capped, {}, { maxExecutions: 10 }), { verdict: 'incomplete', stop: 'max-executions' });
  assert.deepEqual(outcomeOf(result({ coverage: 'bounded', stoppedBy: 'timeBudget' }), {}, {}).stop, 'time-budget');
  assert.deepEqual(outcomeOf(result({ coverage: 'bounded', stoppedBy: 'shouldStop' }), {}, {}).stop, 'interrupted');
  // random samples are not the scenario's DPOR search, however many
  const random = result({ strategy: 'random', coverage: 'sampled' });
  assert.deepEqual(outcomeOf(random, { maxExecutions: 150 }, { strategy: 'random', maxExecutions: 1000 }), { verdict: 'incomplete', stop: 'sampled' });
});

void test('a violation is a violation however the search ended', () => {
  const v = { kind: 'deadlock' as const, message: 'x', schedule: 'v1:' };
  assert.equal(outcomeOf(result({ violations: [v], stoppedBy: 'shouldStop' }), {}, {}).verdict, 'violation');
  assert.deepEqual([exitStatusFor('pass'), exitStatusFor('violation'), exitStatusFor('incomplete')], [0, 1, 3]);
});
