// Models the kill-and-reap half of the two 2026 proposals that make a userspace OOM killer's
// kill synchronous: PROCESS_MRELEASE_REAP_KILL's kill loop (mm/oom_kill.c, mm-new, Minchan Kim
// v3; used by process_mrelease.ts) and PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE (switch
// pidfdSignalExpedite), the pidfd_send_signal() flag Minchan Kim proposed instead in seeds/002
// ("deliver the fatal signal and immediately trigger the oom_reaper's VM zapping on the target
// mm within the same synchronous syscall context, where task->mm is guaranteed to be valid").
// ASSUMED (no patch was posted; kernel-spec.md 8.3 and the switch's documentation): the flag is
// valid only with SIGKILL (-EINVAL otherwise, and -EINVAL on kernels without it); the mm is found
// with find_lock_task_mm() and pinned with mmgrab() as process_mrelease() does; SIGKILL goes to
// every process sharing the mm (as REAP_KILL: -EBUSY if init shares it); the reap is
// process_mrelease()'s: mmap_read_lock_killable(), skipped if MMF_OOM_SKIP is already set,
// __oom_reap_task_mm(), -EAGAIN if it cannot finish; MMF_OOM_SKIP is not set by the call. If no
// thread has ->mm any more, the signal is sent as without the flag and the call returns 0.
import type { Model } from '../../engine/op.ts';
import { load, note } from '../../engine/prims.ts';
import { mm_flags_test } from '../include/linux/bitops.ts';
import { EAGAIN, EBUSY, EINTR } from '../include/linux/errno.ts';
import { mmap_read_lock_killable, mmap_read_unlock } from '../include/linux/mmap_lock.ts';
import { MMF_OOM_SKIP, PF_KTHREAD, SIGKILL, type mm_struct, type task_struct } from '../include/linux/mm_types.ts';
import { find_lock_task_mm } from '../include/linux/oom.ts';
import { mmdrop, mmgrab } from '../include/linux/sched/mm.ts';
import { task_unlock } from '../include/linux/sched/task.ts';
import { do_send_sig_info } from '../kernel/signal.ts';
import { __oom_reap_task_mm } from './oom_reaper.ts';

/** PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE (proposed 2026; the bit is an assumption). */
export const PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE = 1 << 3;

/**
 * reap_kill_sharers() - SIGKILL every process sharing @mm (kernel threads skipped); an init
 * sharer makes the call fail with -EBUSY before anything is sent.
 * Models: mm/oom_kill.c (mm-new, Minchan Kim v3): the kill loop of process_mrelease()
 */
export function* reap_kill_sharers(task: task_struct, mm: mm_struct): Model<number> {
  const all = yield* load(task.w.tasklist); // rcu_read_lock(); for_each_process(p)
  const sharers: task_struct[] = [];
  for (const q of all) {
    if (q.pid !== q.tgid) continue;
    let shares = false;
    for (const t of all) {
      if (t.tgid !== q.tgid) continue;
      const t_mm = yield* load(t.mm);
      if (t_mm) {
        shares = t_mm === mm;
        break;
      }
    }
    if (!shares) continue;
    if (q.pid === 1) return -EBUSY;
    if (((yield* load(q.flags)) & PF_KTHREAD) !== 0) continue;
    sharers.push(q);
  }
  if (!sharers.includes(task)) sharers.unshift(task);
  for (const q of sharers) yield* do_send_sig_info(SIGKILL, q);
  return 0;
}

/**
 * reap_mm_now() - process_mrelease()'s reap of @mm in the caller's context: under the killable
 * read lock, unless MMF_OOM_SKIP says exit_mmap() or the reaper did it already.
 * Returns: 0, -EINTR (a fatal signal while waiting for mmap_lock), -EAGAIN (could not finish).
 * Models: mm/oom_kill.c: the reap half of SYSCALL_DEFINE2(process_mrelease)
 */
export function* reap_mm_now(mm: mm_struct, site: string): Model<number> {
  if ((yield* mmap_read_lock_killable(mm, site)) !== 0) return -EINTR;
  let ret = 0;
  const skip = mm.w.sw.mreleaseMmgrab && (yield* mm_flags_test(MMF_OOM_SKIP, mm));
  if (!skip && !(yield* __oom_reap_task_mm(mm))) ret = -EAGAIN;
  yield* mmap_read_unlock(mm);
  return ret;
}

/**
 * pidfd_kill_expedite() - PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE: SIGKILL the process group of
 * @task's mm and reap the mm before returning (see the assumptions above).
 * Models: kernel/signal.c: sys_pidfd_send_signal() with the proposed flag (seeds/002)
 */
export function* pidfd_kill_expedite(task: task_struct): Model<number> {
  const p = yield* find_lock_task_mm(task);
  if (!p) {
    yield* note('pidfd_send_signal(EXPEDITE): no thread has ->mm; a plain SIGKILL');
    return yield* do_send_sig_info(SIGKILL, task);
  }
  const mm = (yield* load(p.mm))!;
  yield* mmgrab(mm);
  yield* task_unlock(p);
  let ret = yield* reap_kill_sharers(task, mm);
  if (ret === 0) ret = yield* reap_mm_now(mm, 'pidfd_send_signal:mmap_read_lock_killable');
  yield* mmdrop(mm);
  yield* note(`pidfd_send_signal(SIGKILL, EXPEDITE) -> ${ret}`);
  return ret;
}
