// Models the process_mrelease() system call of mm/oom_kill.c @ v7.0 with every version of
// kernel-spec.md 8: mmgrab only (v5.15-rc1, processMrelease), mmget_not_zero + mmput (v5.15,
// mreleasePinsUsers), mmgrab + the MMF_OOM_SKIP recheck under the read lock (v5.17,
// mreleaseMmgrab), and the 2026 proposals: PROCESS_MRELEASE_REAP_KILL (mreleaseReapKill) and
// task->exit_mm (taskExitMm: the mm is found after every thread passed exit_mm()).
// Split from mm/oom_kill.ts only for size.
// CUSTOMISED: with taskExitMm, process_mrelease() looks at the leader's exit_mm when no thread
// has ->mm any more and reaps under the read lock with its mm_count reference (this use of the
// field is kernel-spec.md 8.3's inference, not a posted patch).
// STUBBED: the pidfd's file reference, PIDFD_THREAD pidfds.
import type { Model } from '../../engine/op.ts';
import { kfn, load, note } from '../../engine/prims.ts';
import { mm_flags_test } from '../include/linux/bitops.ts';
import { EINVAL, ESRCH } from '../include/linux/errno.ts';
import { MMF_OOM_SKIP, type mm_struct } from '../include/linux/mm_types.ts';
import { find_lock_task_mm } from '../include/linux/oom.ts';
import { mmdrop, mmget_not_zero, mmgrab } from '../include/linux/sched/mm.ts';
import { put_task_struct, task_lock, task_unlock } from '../include/linux/sched/task.ts';
import { mmput } from '../kernel/fork.ts';
import { pidfd_get_task, type pidfd } from '../kernel/pid.ts';
import { task_will_free_mem } from './oom_kill.ts';
import { reap_kill_sharers, reap_mm_now } from './oom_expedite.ts';

/** PROCESS_MRELEASE_REAP_KILL (proposed 2026, flag bit 0). */
export const PROCESS_MRELEASE_REAP_KILL = 1;
/** -ENOSYS: the system call does not exist before v5.15-rc1. */
export const ENOSYS = 38;

/**
 * process_mrelease() - reap the memory of a dying process in the caller's context.
 * @fd: a pidfd of the target; @flags: 0, or PROCESS_MRELEASE_REAP_KILL (mreleaseReapKill).
 * Returns: 0, -EINVAL (bad flags; the target is not dying), -ESRCH (reaped, or no thread has
 * ->mm), -EINTR (fatal signal while waiting for mmap_lock), -EAGAIN (an MMU notifier would
 * block), -EBUSY (REAP_KILL: init shares the mm), -ENOSYS (before v5.15-rc1).
 * Models: mm/oom_kill.c: SYSCALL_DEFINE2(process_mrelease)
 */
export const process_mrelease = kfn('process_mrelease', function* (fd: pidfd, flags: number): Model<number> {
  const w = fd.w;
  const sw = w.sw;
  if (!sw.processMrelease) return -ENOSYS;
  const valid = sw.mreleaseReapKill ? PROCESS_MRELEASE_REAP_KILL : 0;
  if (flags & ~valid) return -EINVAL;
  const reap_kill = (flags & PROCESS_MRELEASE_REAP_KILL) !== 0;

  const t = yield* pidfd_get_task(fd);
  if (typeof t === 'number') return t;
  const task = t;
  let ret = 0;
  let reap = false;
  let mm: mm_struct | null = null;
  let pinned_users = false;

  const p = yield* find_lock_task_mm(task);
  if (!p) {
    if (sw.taskExitMm) {
      // PROPOSED: every thread passed exit_mm(); the mm is still reachable through task->exit_mm.
      yield* task_lock(task);
      mm = yield* load(task.exit_mm);
      if (mm) yield* mmgrab(mm);
      yield* task_unlock(task);
      if (mm) {
        yield* note(`process_mrelease: no thread has ->mm; reaping ${mm.name} through task->exit_mm`);
        reap = true;
      }
    }
    if (!mm) {
      yield* note('process_mrelease: find_lock_task_mm() found no thread with ->mm -> -ESRCH');
      yield* put_task_struct(task);
      return -ESRCH;
    }
  } else {
    mm = (yield* load(p.mm))!;
    if (sw.mreleasePinsUsers) {
      // v5.15-rc8: pin the address space so exit_mmap() cannot run under us
      if (!(yield* mmget_not_zero(mm))) {
        yield* task_unlock(p);
        yield* put_task_struct(task);
        return 0;
      }
      pinned_users = true;
    } else if (!sw.mreleaseReapKill) {
      yield* mmgrab(mm);
    }
    reap = reap_kill || (yield* task_will_free_mem(p));
    // Error only if the work has not been done already
    if (!reap && !(yield* mm_flags_test(MMF_OOM_SKIP, mm))) ret = -EINVAL;
    if (sw.mreleaseReapKill && !pinned_users) {
      if (!reap) {
        yield* task_unlock(p);
        yield* put_task_struct(task);
        return ret;
      }
      yield* mmgrab(mm); // REAP_KILL v3: mmgrab() after the decision
    }
    yield* task_unlock(p);
    if (reap && reap_kill) {
      const err = yield* reap_kill_sharers(task, mm);
      if (err) {
        ret = err;
        reap = false;
      }
    }
  }

  if (reap) {
    // v5.17+ re-checks MMF_OOM_SKIP under the lock: exit_mmap() may have done the work
    const err = yield* reap_mm_now(mm, 'process_mrelease:mmap_read_lock_killable');
    if (err !== 0) ret = err;
  }
  if (pinned_users) yield* mmput(mm); // v5.15: may be the last reference: the caller runs __mmput()
  else yield* mmdrop(mm);
  yield* put_task_struct(task);
  yield* note(`process_mrelease -> ${ret}`);
  return ret;
});
