// Models the task helpers of include/linux/oom.h @ v7.0 that mm/oom_kill.c defines and other
// paths share: find_lock_task_mm().
// STUBBED: threads of a group are the tasks on the task list with the same tgid (no
// for_each_thread list; one step reads the task list under RCU).
import type { Model } from '../../../engine/op.ts';
import { kfn, load } from '../../../engine/prims.ts';
import type { task_struct } from './mm_types.ts';
import { task_lock, task_unlock } from './sched/task.ts';

/**
 * find_lock_task_mm() - the first thread of @p's group whose ->mm is still set, returned with
 * task_lock() held; null if every thread has passed exit_mm().
 * Context: takes RCU and task_lock(t) of each candidate.
 * Models: mm/oom_kill.c: find_lock_task_mm()
 */
export const find_lock_task_mm = kfn('find_lock_task_mm', function* (p: task_struct): Model<task_struct | null> {
  const all = yield* load(p.w.tasklist); // rcu_read_lock(); for_each_thread(p, t)
  const threads = [p, ...all.filter((t) => t.tgid === p.tgid && t !== p)];
  for (const t of threads) {
    yield* task_lock(t);
    if (yield* load(t.mm)) return t; // if (likely(t->mm)) goto found;
    yield* task_unlock(t);
  }
  return null;
});
