// Models the pidfd parts of kernel/pid.c and kernel/signal.c @ v7.0: pidfd_open(),
// pidfd_get_task() and pidfd_send_signal(), as LMKD-like callers of process_mrelease use them.
// CUSTOMISED: a pidfd is a small object naming the struct pid (the leader's pid) instead of a
// file descriptor; a pid "has no task" once its leader is reaped (exit_state EXIT_DEAD) or
// was never attached (-1).
// STUBBED: pid namespaces, PIDFD_THREAD, PIDFD_NONBLOCK, permission checks, the fd table.
import type { Model } from '../../engine/op.ts';
import { kfn, load, note, rmw } from '../../engine/prims.ts';
import { EINVAL, ESRCH } from '../include/linux/errno.ts';
import { EXIT_DEAD, SIGKILL, type task_struct } from '../include/linux/mm_types.ts';
import { PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE, pidfd_kill_expedite } from '../mm/oom_expedite.ts';
import type { world } from '../world.ts';
import { do_send_sig_info, find_task_by_vpid } from './signal.ts';

/** An open pidfd: the struct pid it pins. */
export interface pidfd {
  readonly w: world;
  readonly pid: number;
}

/** pid_task(pid, PIDTYPE_TGID): the live leader, or null once reaped. */
function* pid_task(fd: pidfd): Model<task_struct | null> {
  const t = yield* find_task_by_vpid(fd.w, fd.pid);
  if (!t || t.pid !== t.tgid) return null;
  const s = yield* load(t.exit_state);
  return s === EXIT_DEAD || s === -1 ? null : t;
}

/**
 * get_task_struct_rcu() - get_task_struct() on a task found under rcu_read_lock().
 * DEVIATION: the kernel's last put of a released task waits for an RCU grace period, so a
 * task found in the pid hash can always be pinned. The model's release_task() puts at once;
 * finding the count already at zero is treated as "the lookup ran after the unhash" (false).
 */
export function* get_task_struct_rcu(t: task_struct): Model<boolean> {
  const old = yield* rmw(t.usage, (v) => (v > 0 ? v + 1 : v));
  return old > 0;
}

/**
 * get_pid_task(pid, PIDTYPE_TGID) - the leader with a reference, or null once reaped.
 * Models: kernel/pid.c: get_pid_task()
 */
export function* get_pid_task(fd: pidfd): Model<task_struct | null> {
  const t = yield* pid_task(fd); // rcu_read_lock(); task = pid_task(pid, type)
  if (!t || !(yield* get_task_struct_rcu(t))) return null; // if (task) get_task_struct(task); rcu_read_unlock()
  return t;
}

/**
 * pidfd_open() - a pidfd for the thread-group leader @pid.
 * Returns: the pidfd, or -ESRCH (no such process) / -EINVAL (flags, or not a leader).
 * Models: kernel/pid.c: sys_pidfd_open()
 */
export const pidfd_open = kfn('pidfd_open', function* (w: world, pid: number, flags = 0): Model<pidfd | number> {
  if (flags !== 0) return -EINVAL;
  const t = yield* find_task_by_vpid(w, pid);
  if (!t) return -ESRCH;
  if (t.pid !== t.tgid) return -EINVAL; // pidfd_open: pid must be a thread group leader
  return { w, pid };
});

/**
 * pidfd_get_task() - the task behind a pidfd, with a reference.
 * Returns: the task, or -ESRCH once it was reaped.
 * Models: kernel/pid.c: pidfd_get_task()
 */
export const pidfd_get_task = kfn('pidfd_get_task', function* (fd: pidfd): Model<task_struct | number> {
  const t = yield* get_pid_task(fd);
  return t ?? -ESRCH;
});

/**
 * pidfd_send_signal() - send @sig to the process behind @fd; with
 * PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE (proposed, switch pidfdSignalExpedite) SIGKILL every
 * sharer of its mm and reap the mm before returning (mm/oom_expedite.ts).
 * Returns: 0, -ESRCH once it was reaped, -EINVAL for flags this kernel does not have (or the
 * flag with another signal), or the reap's -EINTR / -EAGAIN / -EBUSY.
 * Models: kernel/signal.c: sys_pidfd_send_signal() -> kill_pid_info_type()
 */
export const pidfd_send_signal = kfn('pidfd_send_signal', function* (fd: pidfd, sig: number, flags?: number): Model<number> {
  flags ??= 0;
  const expedite = (flags & PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE) !== 0;
  if (flags & ~(fd.w.sw.pidfdSignalExpedite ? PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE : 0)) return -EINVAL;
  if (expedite && sig !== SIGKILL) return -EINVAL;
  const t = yield* pid_task(fd);
  if (!t) {
    yield* note(`pidfd_send_signal(${fd.pid}) -> -ESRCH`);
    return -ESRCH;
  }
  if (expedite) return yield* pidfd_kill_expedite(t);
  return yield* do_send_sig_info(sig, t);
});
