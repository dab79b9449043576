// Models kernel/signal.c @ v7.0: sending SIGKILL to a thread group (kill(2), the OOM killer's
// do_send_sig_info, pidfd_send_signal) and the fatal-signal part of complete_signal().
// CUSTOMISED: SIGKILL is the only signal. Delivery is: SIGNAL_GROUP_EXIT on the signal struct,
// then SIGKILL pending on every thread of the group (one step each); a thread acts on it when
// its model body next checks (tasks in scenarios wait for it with wait_for_fatal_signal()).
// STUBBED: sighand lock, signal queues, permission checks (every sender may kill), pid
// namespaces, core dumps (a group exit never waits for one).
import type { Model } from '../../engine/op.ts';
import { awaitUntil, kfn, load, note, rmw } from '../../engine/prims.ts';
import { ESRCH } from '../include/linux/errno.ts';
import { SIGKILL, SIGNAL_GROUP_EXIT, type task_struct } from '../include/linux/mm_types.ts';
import type { world } from '../world.ts';

/** The task list entry of a live (not yet reaped) task with this pid, or null. */
export function* find_task_by_vpid(w: world, pid: number): Model<task_struct | null> {
  const all = yield* load(w.tasklist); // rcu_read_lock(); find_task_by_vpid(pid)
  return all.find((t) => t.pid === pid) ?? null;
}

/**
 * complete_signal() for SIGKILL - the whole group exits: SIGNAL_GROUP_EXIT, then SIGKILL
 * pending on every thread.
 * Models: kernel/signal.c: __send_signal_locked() / complete_signal() (sig_fatal branch)
 */
export const __send_sigkill_group = kfn('complete_signal', function* (p: task_struct): Model<void> {
  yield* rmw(p.signal.flags, (f) => f | SIGNAL_GROUP_EXIT); // signal->flags = SIGNAL_GROUP_EXIT
  const all = yield* load(p.w.tasklist); // t = p; do { sigaddset(&t->pending.signal, SIGKILL); signal_wake_up(t, 1); } while_each_thread
  for (const t of all) if (t.tgid === p.tgid) yield* rmw(t.pending, (s) => s | (1 << SIGKILL));
});

/**
 * do_send_sig_info(SIGKILL, SEND_SIG_PRIV, p, PIDTYPE_TGID) - kill @p's thread group.
 * Models: kernel/signal.c: do_send_sig_info()
 */
export const do_send_sig_info = kfn('do_send_sig_info', function* (sig: number, p: task_struct): Model<number> {
  if (sig !== SIGKILL) return 0; // CUSTOMISED: only SIGKILL is modelled
  yield* note(`SIGKILL -> ${p.comm} (tgid ${p.tgid})`);
  yield* __send_sigkill_group(p);
  return 0;
});

/**
 * kill(pid, sig) - the system call, for a thread-group id.
 * Returns: 0, or -ESRCH if no such process.
 * Models: kernel/signal.c: __do_sys_kill() -> kill_something_info() -> kill_pid_info()
 */
export const sys_kill = kfn('sys_kill', function* (w: world, pid: number, sig: number): Model<number> {
  const p = yield* find_task_by_vpid(w, pid);
  if (!p || (yield* load(p.exit_state)) !== 0) return -ESRCH;
  return yield* do_send_sig_info(sig, p);
});

/**
 * Model-only: the task's view of get_signal(): block until SIGKILL is pending (the task is
 * otherwise idle in user space). The caller then runs do_exit().
 */
export function* wait_for_fatal_signal(t: task_struct): Model<void> {
  yield* awaitUntil(t.pending, (s) => (s & (1 << SIGKILL)) !== 0, `${t.name} waits in user space for SIGKILL`);
}
