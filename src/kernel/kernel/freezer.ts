// Models kernel/freezer.c @ v7.0 and the cgroup freezer's per-task state: a frozen task sits in
// the refrigerator (try_to_freeze) until thawed; the OOM killer thaws its victim
// (mark_oom_victim: __thaw_task() before v6.18, thaw_process() since).
// CUSTOMISED: "frozen" is one boolean per task (task->frozen); freezing a cgroup is a scenario
// setup step (freeze_task) that sets it. A pending SIGKILL does not wake a frozen task (the
// legacy freezer of kernel-spec.md R13).
// STUBBED: freezer counts, PF_NOFREEZE, freezing of kernel threads, system suspend.
import type { Model } from '../../engine/op.ts';
import { awaitUntil, kfn, load, store } from '../../engine/prims.ts';
import type { task_struct } from '../include/linux/mm_types.ts';

/**
 * freeze_task() - the cgroup freezer marks @p frozen; @p stops at its next try_to_freeze().
 * Models: kernel/freezer.c: freeze_task()
 */
export const freeze_task = kfn('freeze_task', function* (p: task_struct): Model<void> {
  yield* store(p.frozen, true);
});

/**
 * try_to_freeze() - if this task is frozen, wait in the refrigerator until it is thawed.
 * Models: include/linux/freezer.h: try_to_freeze() / kernel/freezer.c: __refrigerator()
 */
export const try_to_freeze = kfn('try_to_freeze', function* (p: task_struct): Model<void> {
  if (yield* load(p.frozen)) yield* awaitUntil(p.frozen, (f) => !f, `${p.name} in __refrigerator()`);
});

/**
 * __thaw_task() - thaw one task.
 * Models: kernel/freezer.c: __thaw_task()
 */
export const __thaw_task = kfn('__thaw_task', function* (p: task_struct): Model<void> {
  yield* store(p.frozen, false);
});

/**
 * thaw_process() - thaw every thread of @p's thread group (v6.18, zhongjinji "mm/oom_kill:
 * Thaw the entire OOM victim process").
 * Models: kernel/freezer.c: thaw_process()
 */
export const thaw_process = kfn('thaw_process', function* (p: task_struct): Model<void> {
  const all = yield* load(p.w.tasklist); // rcu_read_lock(); for_each_thread(p, t)
  for (const t of all) if (t.tgid === p.tgid) yield* __thaw_task(t);
});
