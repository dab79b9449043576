/**
 * DPOR against the ground truth: on random small programs (2-3 threads, a few ops each
 * over 3 locations and a lock of any kind, with choose, fault, await, sleeps and jiffies), optimal DPOR must reach
 * exactly the same set of terminal states and violations as the naive explorer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ExecutionEnd, Program } from './api.ts';
import type { Loc, LockKind, LockMode, Model } from './op.ts';
import { ModelViolation } from './op.ts';
import { explore } from './explore.ts';
import * as P from './prims.ts';

type Instr =
  | { k: 'load'; loc: number }
  | { k: 'store'; loc: number; v: number }
  | { k: 'add'; loc: number; v: number }
  | { k: 'cas'; loc: number; e: number; d: number }
  | { k: 'lock'; mode: LockMode }
  | { k: 'unlock'; mode: LockMode }
  | { k: 'trylock'; mode: LockMode }
  | { k: 'choose' }
  | { k: 'fault' }
  | { k: 'await'; loc: number; v: number }
  | { k: 'assert'; loc: number; v: number }
  | { k: 'sleep'; t: number }
  | { k: 'jiffies' };

const LOCS = 3;
const loc = fc.integer({ min: 0, max: LOCS - 1 });
const val = fc.integer({ min: 0, max: 2 });
const mode = fc.constantFrom<LockMode>('read', 'write');
const instr: fc.Arbitrary<Instr> = fc.oneof(
  { weight: 4, arbitrary: loc.map((l) => ({ k: 'load' as const, loc: l })) },
  { weight: 4, arbitrary: fc.record({ loc, v: val }).map((r) => ({ k: 'store' as const, ...r })) },
  { weight: 2, arbitrary: fc.record({ loc, v: fc.integer({ min: 1, max: 2 }) }).map((r) => ({ k: 'add' as const, ...r })) },
  { weight: 2, arbitrary: fc.record({ loc, e: val, d: val }).map((r) => ({ k: 'cas' as const, ...r })) },
  { weight: 2, arbitrary: mode.map((m) => ({ k: 'lock' as const, mode: m })) },
  { weight: 2, arbitrary: mode.map((m) => ({ k: 'unlock' as const, mode: m })) },
  { weight: 1, arbitrary: mode.map((m) => ({ k: 'trylock' as const, mode: m })) },
  { weight: 1, arbitrary: fc.constant({ k: 'choose' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'fault' as const }) },
  { weight: 1, arbitrary: fc.record({ loc, v: val }).map((r) => ({ k: 'await' as const, ...r })) },
  { weight: 1, arbitrary: fc.record({ loc, v: val }).map((r) => ({ k: 'assert' as const, ...r })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }).map((t) => ({ k: 'sleep' as const, t })) },
  { weight: 1, arbitrary: fc.constant({ k: 'jiffies' as const }) },
);
const threads = fc.array(fc.array(instr, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 });
const program = fc.record({ kind: fc.constantFrom<LockKind>('mutex', 'spinlock', 'rwsem', 'percpu_rwsem'), bodies: threads });

/** A program running the threads; `locs` exposes the current execution's locations. */
function build(kind: LockKind, bodies: Instr[][]): { program: Program; locs: () => Loc<number>[] } {
  let locs: Loc<number>[] = [];
  const program: Program = () => ({
    main: function* () {
      const ls: Loc<number>[] = [];
      for (let i = 0; i < LOCS; i++) ls.push(yield* P.newLoc(`x${i}`, 0));
      const out: Loc<number>[] = [];
      for (let t = 0; t < bodies.length; t++) out.push(yield* P.newLoc(`r${t}`, 0));
      locs = [...ls, ...out];
      const lock = yield* P.newLock('L', kind);
      for (let t = 0; t < bodies.length; t++) {
        yield* P.spawn(`T${t}`, function* (): Model<void> {
          let r = 0;
          for (const i of bodies[t]!) {
            switch (i.k) {
              case 'load': r = yield* P.load(ls[i.loc]!); break;
              case 'store': yield* P.store(ls[i.loc]!, i.v + r); break;
              case 'add': r = yield* P.addReturn(ls[i.loc]!, i.v); break;
              case 'cas': r = yield* P.cas(ls[i.loc]!, i.e, i.d); break;
              case 'lock': yield* P.acquire(lock, i.mode); break;
              case 'unlock': yield* P.release(lock, i.mode); break;
              case 'trylock': r = (yield* P.tryAcquire(lock, i.mode)) ? 1 : 0; break;
              case 'choose': r += yield* P.choose(2, 'c'); break;
              case 'fault': r += (yield* P.fault('f')) ? 5 : 0; break;
              case 'await': r = yield* P.awaitUntil(ls[i.loc]!, (v) => v === i.v, `x${i.loc} == ${i.v}`); break;
              case 'sleep': yield* P.sleep(i.t); break;
              case 'jiffies': r += yield* P.jiffies(); break;
              case 'assert':
                if ((yield* P.load(ls[i.loc]!)) === i.v) throw new ModelViolation('assertion', `x${i.loc} == ${i.v}`);
                break;
            }
          }
          yield* P.store(out[t]!, r);
        });
      }
    },
  });
  return { program, locs: () => locs };
}

function outcomes(
  kind: LockKind, bodies: Instr[][], strategy: 'naive' | 'dpor', limit: number, wakeupBudget?: number,
): { set: Set<string>; executions: number; blocked: number; complete: boolean } {
  const { program, locs } = build(kind, bodies);
  const set = new Set<string>();
  const onExecution = (e: ExecutionEnd): void => {
    set.add(e.violation !== undefined ? `violation:${e.violation}:${e.message ?? ''}` : locs().map((l) => e.peek.load(l)).join(','));
  };
  const r = explore(program, {
    strategy, stopOnViolation: false, traces: false, maxExecutions: limit, onExecution, ...(wakeupBudget !== undefined && { wakeupBudget }),
  });
  return { set, executions: r.executions, blocked: r.blocked, complete: r.coverage === 'exhaustive' };
}

void test('dpor reaches exactly the terminal states and violations of naive (1,000 random programs)', () => {
  let compared = 0;
  fc.assert(
    fc.property(program, ({ kind, bodies }) => {
      const naive = outcomes(kind, bodies, 'naive', 6_000);
      if (!naive.complete) return; // too big for the ground truth: not compared
      compared++;
      const dpor = outcomes(kind, bodies, 'dpor', 1_000_000);
      assert.ok(dpor.complete);
      assert.deepEqual([...dpor.set].sort(), [...naive.set].sort());
      assert.ok(dpor.executions <= naive.executions);
    }),
    { numRuns: 1_000, seed: 20261123 },
  );
  assert.ok(compared >= 850, `only ${compared} programs were small enough to compare`);
});

void test('dpor past its wakeup budget (source sets, from the start or mid-run) still reaches exactly the states of naive (300 random programs)', () => {
  let compared = 0;
  let blocked = 0;
  fc.assert(
    fc.property(program, ({ kind, bodies }) => {
      const naive = outcomes(kind, bodies, 'naive', 6_000);
      if (!naive.complete) return;
      compared++;
      for (const budget of [0, 5]) { // source sets from the start; once 5 nodes are pending
        const dpor = outcomes(kind, bodies, 'dpor', 1_000_000, budget);
        assert.ok(dpor.complete);
        assert.deepEqual([...dpor.set].sort(), [...naive.set].sort());
        blocked += dpor.blocked;
      }
    }),
    { numRuns: 300, seed: 20261204 },
  );
  assert.ok(compared >= 250, `only ${compared} programs were small enough to compare`);
  assert.ok(blocked > 0, 'source sets without wakeup sequences do end some executions blocked');
});
