import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Program } from './api.ts';
import { explore, replay } from './explore.ts';
import {
  acquire, awaitUntil, choose, fault, jiffies, load, newLoc, newLock, note, release, sleep, spawn, store, tryAcquire,
} from './prims.ts';
import { ModelViolation } from './op.ts';

const abba: Program = () => ({
  main: function* () {
    const a = yield* newLock('A', 'mutex');
    const b = yield* newLock('B', 'mutex');
    yield* spawn('P1', function* () { yield* acquire(a); yield* acquire(b); yield* release(b); yield* release(a); });
    yield* spawn('P2', function* () { yield* acquire(b); yield* acquire(a); yield* release(a); yield* release(b); });
  },
});

void test('naive: a deadlock reports its wait-for cycle and replays', () => {
  const r = explore(abba, { strategy: 'naive' });
  assert.equal(r.violations.length, 1);
  const v = r.violations[0]!;
  assert.equal(v.kind, 'deadlock');
  assert.deepEqual(v.waitFor, ['P1 waits for lock B held by P2', 'P2 waits for lock A held by P1']);
  const again = replay(abba, v.schedule);
  assert.equal(again.violation?.kind, 'deadlock');
  assert.equal(again.violation?.message, v.message);
  assert.ok(v.trace !== undefined && v.trace.steps.some((s) => s.op === 'acquire' && s.obj === 'B'));
});

void test('malformed or unfitting schedules throw clear errors', () => {
  assert.throws(() => replay(abba, 'v9:0'), /unsupported schedule version/);
  assert.throws(() => replay(abba, '0.1'), /prefix/);
  assert.throws(() => replay(abba, 'v1:0.x'), /item 2 "x"/);
  assert.throws(() => replay(abba, 'v1:5'), /thread 5, which is not runnable/);
  assert.throws(() => replay(abba, 'v1:0*2.1'), /ends after 3 decisions/);
});

void test('lockdep: releasing a lock one does not hold', () => {
  const p: Program = () => ({
    main: function* () {
      const a = yield* newLock('A', 'spinlock');
      yield* release(a);
    },
  });
  const r = explore(p, { strategy: 'naive' });
  assert.equal(r.violations[0]?.kind, 'lockdep');
});

void test('uncaught errors and model violations are reported with their kind', () => {
  const p = (kind: 'model' | 'js'): Program => () => ({
    main: function* () {
      const x = yield* newLoc('x', 0);
      yield* store(x, 1);
      if (kind === 'model') throw new ModelViolation('oops', 'BUG: NULL pointer dereference');
      throw new TypeError('boom');
    },
  });
  assert.equal(explore(p('model'), { strategy: 'naive' }).violations[0]?.kind, 'oops');
  const js = explore(p('js'), { strategy: 'naive' }).violations[0];
  assert.equal(js?.kind, 'uncaught');
  assert.equal(js?.message, 'boom');
});

void test('choose and fault branch; the fault budget limits failures per execution', () => {
  const seen = new Set<string>();
  const p: Program = () => {
    let sig = '';
    return {
      main: function* () {
        const c = yield* choose(3, 'c');
        const f1 = yield* fault('alloc');
        const f2 = yield* fault('alloc');
        sig = `${c}${f1 ? 1 : 0}${f2 ? 1 : 0}`;
      },
      atEnd: () => { seen.add(sig); },
    };
  };
  const r = explore(p, { strategy: 'naive' });
  assert.equal(r.executions, 9); // 3 choices x (no fault, first fails, second fails)
  assert.deepEqual([...seen].sort(), ['000', '001', '010', '100', '101', '110', '200', '201', '210']);
  seen.clear();
  assert.equal(explore(p, { strategy: 'naive', maxFaults: 2 }).executions, 12);
  assert.equal(explore(p, { strategy: 'naive', faultSites: ['other'] }).executions, 3);
});

void test('await blocks until its predicate holds; a never-true await is a deadlock', () => {
  const p = (val: number): Program => () => ({
    main: function* () {
      const x = yield* newLoc('x', 0);
      yield* spawn('waiter', function* () { yield* awaitUntil(x, (v) => v === 1, 'x == 1'); });
      yield* store(x, val);
    },
  });
  const ok = explore(p(1), { strategy: 'naive' });
  assert.equal(ok.violations.length, 0);
  const bad = explore(p(2), { strategy: 'naive' });
  assert.equal(bad.violations[0]?.kind, 'deadlock');
  assert.match(bad.violations[0]?.message ?? "", /waiter waits until x == 1 \(x = 2\)/);
});

void test('liveness: the step bound hit while a thread spins', () => {
  const p: Program = () => ({
    main: function* () {
      const x = yield* newLoc('x', 0);
      for (;;) if ((yield* load(x)) === 1) break;
    },
  });
  const r = explore(p, { strategy: 'naive', maxSteps: 50 });
  assert.equal(r.violations[0]?.kind, 'liveness');
  assert.match(r.violations[0]?.message ?? "", /still running: main/);
});

void test('logical time: a timer can fire before or after another thread runs', () => {
  const outcomes = new Set<number>();
  const p: Program = () => {
    let seen = -1;
    return {
      main: function* () {
        const x = yield* newLoc('x', 0);
        yield* spawn('sleeper', function* () {
          yield* sleep(5);
          seen = yield* load(x);
          const now = yield* jiffies();
          if (now !== 5) throw new Error(`woke at ${now}`);
        });
        yield* store(x, 1);
      },
      atEnd: () => { outcomes.add(seen); },
    };
  };
  const r = explore(p, { strategy: 'naive' });
  assert.equal(r.violations.length, 0);
  assert.deepEqual([...outcomes].sort(), [0, 1]);
});

/** Main takes `sem` for read, then a writer and a second reader start; returns what they saw. */
function rwProgram(kind: 'rwsem' | 'percpu_rwsem'): Program {
  return () => ({
    main: function* () {
      const sem = yield* newLock('sem', kind);
      yield* acquire(sem, 'read');
      yield* spawn('writer', function* () {
        yield* acquire(sem, 'write');
        yield* release(sem, 'write');
      });
      yield* spawn('reader', function* () {
        const got = yield* tryAcquire(sem, 'read');
        yield* note(`trylock ${got}`);
        if (got) yield* release(sem, 'read');
      });
      yield* release(sem, 'read');
    },
  });
}

void test('rwsem and percpu_rwsem: a waiting writer makes a later reader wait (trylock fails)', () => {
  for (const kind of ['rwsem', 'percpu_rwsem'] as const) {
    // main: read lock, spawn writer, spawn reader; writer queues; reader's trylock; main unlocks.
    const r = replay(rwProgram(kind), 'v1:0*3.1.2.0.1*2');
    assert.equal(r.violation, undefined);
    const notes = r.trace.steps.filter((s) => s.op === 'note').map((s) => s.text);
    assert.deepEqual(notes, ['trylock false'], kind);
    // Before the writer queues, a second reader shares the lock.
    const early = replay(rwProgram(kind), 'v1:0*3.2*2.1.0.1*2');
    assert.deepEqual(early.trace.steps.filter((s) => s.op === 'note').map((s) => s.text), ['trylock true'], kind);
  }
});

void test('rwsem: a release wakes every queued reader together', () => {
  const p: Program = () => ({
    main: function* () {
      const sem = yield* newLock('sem', 'rwsem');
      yield* acquire(sem, 'write');
      for (const name of ['r1', 'r2']) {
        yield* spawn(name, function* () {
          yield* acquire(sem, 'read');
          yield* release(sem, 'read');
        });
      }
      yield* release(sem, 'write');
    },
  });
  // Both readers queue behind main's write lock; main's release grants both.
  const r = replay(p, 'v1:0*3.1.2.0.1.2.1.2');
  assert.equal(r.violation, undefined);
  const waits = r.trace.steps.filter((s) => s.op === 'acquire' && s.value === 'waits').map((s) => s.thread);
  assert.deepEqual(waits, ['r1', 'r2']);
});

/** One thread that stores 300,000 times: a single execution longer than any budget below. */
const longRun: Program = () => ({
  main: function* () {
    const x = yield* newLoc('x', 0);
    yield* spawn('T', function* () { for (let i = 0; i < 300_000; i++) yield* store(x, i); });
  },
});

void test('Ctrl-C and the time budget stop a run inside one long execution, which is not counted', () => {
  for (const strategy of ['dpor', 'naive', 'random', 'pct'] as const) {
    let polls = 0;
    const stopped = explore(longRun, { strategy, maxSteps: 1_000_000, shouldStop: () => ++polls > 1 });
    assert.equal(stopped.stoppedBy, 'shouldStop', strategy);
    assert.equal(stopped.executions, 0, strategy);
    let t = 0;
    const timed = explore(longRun, { strategy, maxSteps: 1_000_000, timeBudgetMs: 2, now: () => (t += 1) });
    assert.equal(timed.stoppedBy, 'timeBudget', strategy);
    assert.equal(timed.executions, 0, strategy);
  }
});

void test('a schedule longer than the step bound is refused before it is expanded', () => {
  assert.throws(() => replay(abba, 'v1:0*999999999'), /more than the step limit of 100000 steps/);
  assert.throws(() => replay(abba, 'v1:0*11', { maxSteps: 10 }), /step limit of 10 steps/);
});
