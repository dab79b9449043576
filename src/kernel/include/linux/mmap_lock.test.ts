// Killable mmap_lock acquisitions (issue 12, deviation 1): the kernel's down_*_killable() fast
// path takes a free lock without looking at signals; only a task that would have to wait is
// sent back with -EINTR by a pending SIGKILL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { awaitUntil, load, newLoc, store } from '../../../engine/prims.ts';
import { run_actors } from '../../../scenarios/oom/common.ts';
import { do_exit } from '../../kernel/exit.ts';
import { do_send_sig_info } from '../../kernel/signal.ts';
import { as_task, fork_exit_parent } from '../../program.ts';
import { run_kernel } from '../../testing.ts';
import { EINTR } from './errno.ts';
import { SIGKILL } from './mm_types.ts';
import { mmap_read_lock_killable, mmap_read_unlock, mmap_write_lock, mmap_write_lock_killable, mmap_write_unlock } from './mmap_lock.ts';

void test('with SIGKILL pending, a free mmap_lock is taken; a held one returns -EINTR without waiting', () => {
  const seen: number[] = [];
  const r = run_kernel('v7.0', function* (w) {
    const P = yield* fork_exit_parent(w, 1);
    const mm = (yield* load(P.mm))!;
    yield* do_send_sig_info(SIGKILL, P);
    yield* as_task(w, P, (function* () {
      seen.push(yield* mmap_read_lock_killable(mm)); // free: taken, signal or not
      yield* mmap_read_unlock(mm);
      seen.push(yield* mmap_write_lock_killable(mm));
      yield* mmap_write_unlock(mm);
    })());
    // Another CPU holds it: P would have to wait.
    const held = yield* newLoc('held', 0);
    yield* run_actors(w, [
      { cpu: 'holder', task: null, body: function* () {
        yield* mmap_write_lock(mm);
        yield* store(held, 1);
        yield* awaitUntil(held, (h) => h === 2, 'P has tried');
        yield* mmap_write_unlock(mm);
      } },
      { cpu: 'P', task: P, body: function* () {
        yield* awaitUntil(held, (h) => h === 1, 'the holder has the lock');
        seen.push(yield* mmap_read_lock_killable(mm));
        seen.push(yield* mmap_write_lock_killable(mm));
        yield* store(held, 2);
      } },
    ]);
    yield* as_task(w, P, do_exit(P));
  });
  assert.equal(r.violations.length, 0, r.violations[0]?.message);
  assert.ok(r.executions > 0);
  for (let i = 0; i < seen.length; i += 4) assert.deepEqual(seen.slice(i, i + 4), [0, 0, -EINTR, -EINTR]);
});
