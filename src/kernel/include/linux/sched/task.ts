// Models include/linux/sched/task.h @ v7.0: task_lock()/task_unlock() (the alloc_lock spinlock
// that guards task->mm) and the task reference count.
// CUSTOMISED: a task struct is never freed (put_task_struct() only counts), so pid-based
// lookups of a reaped task return the task in state EXIT_DEAD instead of NULL.
import type { Model } from '../../../../engine/op.ts';
import { ModelViolation } from '../../../../engine/op.ts';
import { kfn, load, rmw, store } from '../../../../engine/prims.ts';
import { lock_acquire, lock_release } from '../../../debug/lockdep.ts';
import type { task_struct } from '../mm_types.ts';
import { mmdrop } from './mm.ts';

/**
 * task_lock() - takes p->alloc_lock, which protects p->mm, p->active_mm and p->exit_mm.
 * Models: include/linux/sched/task.h: task_lock()
 */
export function* task_lock(p: task_struct): Model<void> {
  yield* lock_acquire(p.w, p.alloc_lock);
}

/** task_unlock(). Models: include/linux/sched/task.h: task_unlock() */
export function* task_unlock(p: task_struct): Model<void> {
  yield* lock_release(p.w, p.alloc_lock);
}

/**
 * get_task_struct() - takes a reference on the task.
 * Models: include/linux/sched/task.h: get_task_struct()
 */
export const get_task_struct = kfn('get_task_struct', function* (t: task_struct): Model<task_struct> {
  const old = yield* rmw(t.usage, (v) => v + 1);
  if (old <= 0) throw new ModelViolation('refcount', `refcount_t: addition on 0; use-after-free of ${t.name}`);
  return t;
});

/**
 * put_task_struct() - drops a reference.
 * Models: include/linux/sched/task.h: put_task_struct()
 * DEVIATION: reaching zero frees nothing (see file header).
 */
export const put_task_struct = kfn('put_task_struct', function* (t: task_struct): Model<void> {
  const old = yield* rmw(t.usage, (v) => v - 1);
  if (old <= 0) throw new ModelViolation('refcount', `refcount_t: underflow; use-after-free of ${t.name}`);
  if (old === 1) yield* free_task(t);
});

/**
 * free_task() - the last task reference is gone: PROPOSED-2026 (taskExitMm) drops
 * tsk->exit_mm here (mmdrop_async in the patch), so a holder of a task reference (pidfd_get_task
 * in process_mrelease) can use exit_mm safely; the last task of a group frees the signal struct.
 * Models: kernel/fork.c: free_task(), __put_task_struct() -> put_signal_struct()
 */
const free_task = kfn('free_task', function* (t: task_struct): Model<void> {
  const exit_mm = yield* load(t.exit_mm);
  if (exit_mm) {
    yield* store(t.exit_mm, null);
    yield* mmdrop(exit_mm);
  }
  // __put_task_struct() -> put_signal_struct(): the last task struct of the group frees the
  // signal struct: free_signal_struct() -> mmdrop_async(sig->oom_mm).
  // CUSTOMISED: sig->sigcnt is "some task sharing it still has usage > 0"; signal->live going
  // from 0 (every thread released) to -1 (freed) makes sure only one of two racing last puts
  // drops oom_mm. The oom_mm pointer itself stays (the kernel frees the whole struct).
  for (const o of t.w.__reg.tasks) if (o !== t && o.signal === t.signal && (yield* load(o.usage)) > 0) return;
  if ((yield* rmw(t.signal.live, (n) => (n === 0 ? -1 : n))) !== 0) return;
  const oom_mm = yield* load(t.signal.oom_mm);
  if (oom_mm) yield* mmdrop(oom_mm);
});
