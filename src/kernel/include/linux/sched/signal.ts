// Models include/linux/sched/signal.h @ v7.0: fatal_signal_pending() and the
// signal->flags / signal->oom_mm accessors the mm paths use.
// CUSTOMISED: a pending SIGKILL is the only signal; an injected failure at a check site stands
// for a SIGKILL arriving just then (the signal itself is not delivered).
import type { Model } from '../../../../engine/op.ts';
import { fault, load } from '../../../../engine/prims.ts';
import { SIGKILL, SIGNAL_GROUP_EXIT, type mm_struct, type task_struct } from '../mm_types.ts';

/**
 * fatal_signal_pending() - is SIGKILL pending for @p?
 * Models: include/linux/sched/signal.h: fatal_signal_pending()
 */
export function* fatal_signal_pending(p: task_struct): Model<boolean> {
  return ((yield* load(p.pending)) & (1 << SIGKILL)) !== 0;
}

/**
 * fatal_signal_pending() at a check point where a fault-injection site `site` may also make
 * it true (e.g. 'dup_mmap:fatal_signal_pending').
 */
export function* fatal_signal_pending_at(p: task_struct, site: string): Model<boolean> {
  if (yield* fatal_signal_pending(p)) return true;
  return yield* fault(site);
}

/** signal_group_exit(): SIGNAL_GROUP_EXIT is set. Models: include/linux/sched/signal.h */
export function* signal_group_exit(p: task_struct): Model<boolean> {
  return ((yield* load(p.signal.flags)) & SIGNAL_GROUP_EXIT) !== 0;
}

/**
 * tsk_is_oom_victim() - p->signal->oom_mm is set.
 * Models: include/linux/oom.h: tsk_is_oom_victim()
 */
export function* tsk_is_oom_victim(p: task_struct): Model<boolean> {
  return (yield* load(p.signal.oom_mm)) !== null;
}

/** The mm recorded by mark_oom_victim(), or null. */
export function* signal_oom_mm(p: task_struct): Model<mm_struct | null> {
  return yield* load(p.signal.oom_mm);
}
