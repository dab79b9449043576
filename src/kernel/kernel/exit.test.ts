import assert from 'node:assert/strict';
import { test } from 'node:test';
import { load } from '../../engine/prims.ts';
import { MMF_OOM_SKIP } from '../include/linux/mm_types.ts';
import { get_task_mm, mmget, mmgrab, mmdrop } from '../include/linux/sched/mm.ts';
import { as_task, fork_exit_parent } from '../program.ts';
import { counts, layout, run_kernel } from '../testing.ts';
import { do_exit, release_task } from './exit.ts';
import { mmput, mmput_async } from './fork.ts';
import { find_lock_task_mm } from '../include/linux/oom.ts';
import { task_unlock } from '../include/linux/sched/task.ts';

/**
 * exit: P's last thread exits; exit_mm -> mmput -> __mmput -> exit_mmap -> mmdrop.
 *
 *   before   .A..B...CC..D.   users 1 count 1 map_count 4; 1 anon page, 2 page-cache pages, 1 swap slot
 *   after    ..............   users 0 count 0 (freed); pool full but the 2 page-cache pages
 *            .x..x...xx..x.   v5.17-rc and older: the tree still points at the freed VMAs
 *                             (no "mm->mmap = NULL"; harmless unless a reaper walks it: R4)
 */
void test('exit_mmap in every locking variant frees everything', () => {
  const want: Record<string, string> = {
    'v4.13': '.x..x...xx..x.', 'v4.14': '.x..x...xx..x.', 'v4.17': '.x..x...xx..x.',
    'v5.17-rc': '.x..x...xx..x.', 'v5.17': '..............', 'v6.1': '..............',
    'v6.8': '..............', 'v7.0': '..............', 'v7.0+exit-write-lock': '..............',
  };
  for (const [preset, after] of Object.entries(want)) {
    const seen: string[] = [];
    const r = run_kernel(preset, function* (w) {
      const P = yield* fork_exit_parent(w, 1);
      const mm = (yield* load(P.mm))!;
      seen.push(yield* layout(mm), yield* counts(mm));
      yield* as_task(w, P, do_exit(P));
      seen.push(yield* layout(mm), yield* counts(mm), mm.__state);
      seen.push(`${yield* load(w.nr_free_pages)} free pages (2 in the page cache)`);
    });
    assert.equal(r.violations.length, 0, `${preset}: ${r.violations[0]?.message}`);
    // v4.13: __mmput() sets it; v4.14 and v6.1+: exit_mmap() does (for every mm)
    const skip = ['v4.13', 'v4.14', 'v6.1', 'v6.8', 'v7.0', 'v7.0+exit-write-lock'].includes(preset) ? 'MMF_OOM_SKIP' : '';
    assert.deepEqual(seen, [
      '.A..B...CC..D.', 'users 1 count 1 map_count 4 []',
      after, `users 0 count 0 map_count 4 [${skip}]`, 'freed',
      '30 free pages (2 in the page cache)',
    ], preset);
  }
});

/**
 * mm_users defers the teardown, mm_count does not:
 *   holder mmget():  P exits -> users 2->1, the address space stays (.A..B...CC..D.);
 *                    holder's mmput() 1->0 runs __mmput in the holder's context.
 *   holder mmgrab(): P exits -> users 1->0, torn down at once (..............), count 2->1;
 *                    the struct lives until the holder's mmdrop().
 */
void test('mmget defers exit_mmap; mmgrab only keeps the struct', () => {
  const seen: string[] = [];
  const r = run_kernel('v7.0', function* (w) {
    const P = yield* fork_exit_parent(w, 1);
    const mm = (yield* load(P.mm))!;
    yield* mmget(mm);
    yield* as_task(w, P, do_exit(P));
    seen.push(`${yield* layout(mm)} ${yield* counts(mm)}`);
    yield* mmput(mm);
    seen.push(`${yield* layout(mm)} ${mm.__state}`);
    const Q = yield* fork_exit_parent(w, 1);
    const qmm = (yield* load(Q.mm))!;
    yield* mmgrab(qmm);
    yield* as_task(w, Q, do_exit(Q));
    seen.push(`${yield* layout(qmm)} ${yield* counts(qmm)} ${qmm.__state}`);
    yield* mmdrop(qmm);
    seen.push(qmm.__state);
  });
  assert.equal(r.violations.length, 0, r.violations[0]?.message);
  assert.deepEqual(seen, [
    '.A..B...CC..D. users 1 count 1 map_count 4 []',
    '.............. freed',
    '.............. users 0 count 1 map_count 4 [MMF_OOM_SKIP] live',
    'freed',
  ]);
});

/**
 * get_task_mm() pins mm_users under task_lock; after exit_mm() (task->mm = NULL) it and
 * find_lock_task_mm() find nothing. mmput_async() hands the last teardown to a kworker CPU.
 *   P alive:   get_task_mm(P) -> mm#1, users 1 -> 2; find_lock_task_mm(P) -> P
 *   P exited:  get_task_mm(P) -> NULL; find_lock_task_mm(P) -> NULL; users 1 (our pin)
 *   mmput_async(): users 1 -> 0 on this CPU, __mmput() on 'kworker/mmput'
 */
void test('get_task_mm, find_lock_task_mm, mmput_async', () => {
  const seen: string[] = [];
  let mm_ref: { __state: string } | null = null;
  const r = run_kernel('v7.0', function* (w) {
    const P = yield* fork_exit_parent(w, 0);
    const mm = yield* get_task_mm(P);
    mm_ref = mm;
    const t = yield* find_lock_task_mm(P);
    if (t) yield* task_unlock(t);
    seen.push(`${mm?.name} ${yield* load(mm!.mm_users)} ${t?.name}`);
    yield* as_task(w, P, do_exit(P, false));
    seen.push(`${(yield* get_task_mm(P))?.name ?? 'NULL'} ${(yield* find_lock_task_mm(P))?.name ?? 'NULL'} ${yield* load(mm!.mm_users)}`);
    yield* release_task(P);
    yield* mmput_async(mm!);
    seen.push(mm!.__state);
  }, {}, { atEnd: () => seen.push(`at end: ${mm_ref?.__state}`) });
  assert.equal(r.violations.length, 0, r.violations[0]?.message);
  assert.deepEqual(seen, ['mm#1 2 P[1]', 'NULL NULL 1', 'live', 'at end: freed']);
});

void test('v4.13 __mmput() ends with set_bit(MMF_OOM_SKIP); 212925802454 (v4.14) removed it', () => {
  // v4.17 and v5.17-rc: exit_mmap() sets it only for an OOM victim, so nothing else sets it here
  for (const [preset, skip] of [['v4.13', true], ['v4.17', false], ['v5.17-rc', false]] as const) {
    const r = run_kernel(preset, function* (w) {
      const P = yield* fork_exit_parent(w, 1);
      const mm = (yield* load(P.mm))!;
      yield* mmgrab(mm); // keep the struct to look at it after the teardown
      yield* as_task(w, P, do_exit(P));
      assert.equal(mm.__mmput_runs, 1);
      assert.equal(((yield* load(mm.flags)) & (1 << MMF_OOM_SKIP)) !== 0, skip, preset);
      yield* mmdrop(mm);
    });
    assert.equal(r.violations.length, 0, r.violations[0]?.message);
  }
});
