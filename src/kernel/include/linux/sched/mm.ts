// Models include/linux/sched/mm.h @ v7.0: the two mm reference counts (kernel-spec.md 1.5):
// mm_users (address-space users: mmget, mmget_not_zero, mmput) and mm_count (the struct:
// mmgrab, mmdrop), plus get_task_mm() (kernel/fork.c).
// Sanitizer: an increment from zero, an underflow, or a count op on a freed mm is reported
// (refcount / use-after-free), as refcount_t and KASAN would.
// mmput(), __mmput(), mmput_async() and __mmdrop() are in kernel/fork.ts, where the kernel has them.
import type { Model } from '../../../../engine/op.ts';
import { ModelViolation } from '../../../../engine/op.ts';
import { kfn, load, rmw } from '../../../../engine/prims.ts';
import { __mmdrop } from '../../../kernel/fork.ts';
import { PF_KTHREAD, type mm_struct, type task_struct } from '../mm_types.ts';
import { task_lock, task_unlock } from './task.ts';

function check_live(mm: mm_struct, what: string): void {
  if (mm.__state === 'freed') throw new ModelViolation('use-after-free', `BUG: KASAN: use-after-free in ${what}: ${mm.name} was freed by __mmdrop()`);
}

/**
 * mmgrab() - pin the mm_struct itself (not its VMAs or page tables).
 * Models: include/linux/sched/mm.h: mmgrab()
 */
export const mmgrab = kfn('mmgrab', function* (mm: mm_struct): Model<void> {
  check_live(mm, 'mmgrab');
  const old = yield* rmw(mm.mm_count, (v) => v + 1);
  if (old <= 0) throw new ModelViolation('refcount', `refcount_t: addition on 0; use-after-free (${mm.name}->mm_count)`);
});

/**
 * mmdrop() - drop an mm_count reference; the last one frees the struct (__mmdrop).
 * Models: include/linux/sched/mm.h: mmdrop()
 */
export const mmdrop = kfn('mmdrop', function* (mm: mm_struct): Model<void> {
  check_live(mm, 'mmdrop');
  const old = yield* rmw(mm.mm_count, (v) => v - 1);
  if (old <= 0) throw new ModelViolation('refcount', `refcount_t: underflow; use-after-free (${mm.name}->mm_count)`);
  if (old === 1) yield* __mmdrop(mm);
});

/**
 * mmget() - take an mm_users reference; the caller knows mm_users > 0 (it holds one, or read
 * task->mm under task_lock).
 * Models: include/linux/sched/mm.h: mmget()
 */
export const mmget = kfn('mmget', function* (mm: mm_struct): Model<void> {
  check_live(mm, 'mmget');
  const old = yield* rmw(mm.mm_users, (v) => v + 1);
  if (old <= 0) throw new ModelViolation('refcount', `mmget() on ${mm.name} with mm_users == 0: address space already torn down`);
});

/**
 * mmget_not_zero() - take an mm_users reference unless mm_users is zero (never resurrects).
 * Returns: true if the reference was taken.
 * Models: include/linux/sched/mm.h: mmget_not_zero() (atomic_inc_not_zero)
 */
export const mmget_not_zero = kfn('mmget_not_zero', function* (mm: mm_struct): Model<boolean> {
  check_live(mm, 'mmget_not_zero');
  const old = yield* rmw(mm.mm_users, (v) => (v === 0 ? 0 : v + 1));
  return old !== 0;
});

/**
 * get_task_mm() - the task's mm with an mm_users reference, or null (no mm, kernel thread).
 * Context: takes task_lock(task).
 * Models: kernel/fork.c: get_task_mm()
 */
export const get_task_mm = kfn('get_task_mm', function* (task: task_struct): Model<mm_struct | null> {
  yield* task_lock(task);
  let mm = yield* load(task.mm);
  if (mm) {
    if ((yield* load(task.flags)) & PF_KTHREAD) mm = null;
    else yield* mmget(mm);
  }
  yield* task_unlock(task);
  return mm;
});

/** Model-only: the mm's two counts, for notes ("mm_users 2 -> 1"). */
export function* mm_counts(mm: mm_struct): Model<string> {
  return `mm_users ${yield* load(mm.mm_users)}, mm_count ${yield* load(mm.mm_count)}`;
}
