// Models fs/proc/task_mmu.c and proc_mem_open() of fs/proc/base.c @ v7.0: /proc/<pid>/maps
// (smaps and numa_maps share the seq_file iteration): open pins mm_count (proc_mem_open), each
// read() pins mm_users in m_start (mmget_not_zero) and takes the killable read lock, walks the
// raw VMA tree, and m_stop unlocks and mmput()s (which may run __mmput() in the reader's
// context). Under walkersUseMmCountOnly (Linus, May 2026) m_start takes no mm_users pin and
// returns -ESRCH once task->mm is NULL (kernel-spec.md 11.5).
// CUSTOMISED:
// - One read() returns every line (one per VMA) in one seq_file pass: m_start, show_map per VMA,
//   m_stop; the kernel may stop and restart between buffer fills.
// - A reader can stall while it holds the read lock (slow page-in, a FUSE-backed file):
//   the `stall` argument sleeps that many jiffies, or runs a scenario's wait, inside the first
//   show_map().
// - get_proc_task() finds the task through the task list; a reaped task gives -ESRCH.
// STUBBED: exec_update_lock and the ptrace access check of mm_access(), per-VMA-lock (RCU)
//   reading of v6.17+, the gate VMA, smaps' page walk (show_map prints the range only).
import type { Model } from '../../../engine/op.ts';
import { kfn, load, note, sleep } from '../../../engine/prims.ts';
import { vma_deref } from '../../debug/kasan.ts';
import { EINTR, ESRCH } from '../../include/linux/errno.ts';
import { VMA_ITERATOR, vma_next, type vma_iterator } from '../../include/linux/mm.ts';
import { mmap_read_lock_killable, mmap_read_unlock } from '../../include/linux/mmap_lock.ts';
import { EXIT_DEAD, type mm_struct, type task_struct } from '../../include/linux/mm_types.ts';
import { get_task_mm, mmdrop, mmget_not_zero, mmgrab } from '../../include/linux/sched/mm.ts';
import { put_task_struct } from '../../include/linux/sched/task.ts';
import { get_task_struct_rcu } from '../../kernel/pid.ts';
import { mmput } from '../../kernel/fork.ts';

/** A reader's stall while holding mmap_lock: jiffies to sleep, or a wait of its own. */
export type proc_stall = number | (() => Model<void>);

/** struct proc_maps_private: what an open maps file keeps. */
export interface proc_maps_private {
  readonly task: task_struct;
  /** The mm pinned by mm_count at open (null: the task had no mm). */
  readonly mm: mm_struct | null;
}

/**
 * get_proc_task() - the task of a /proc/<pid> inode, with a reference; null once reaped.
 * Models: fs/proc/internal.h: get_proc_task()
 */
export function* get_proc_task(t: task_struct): Model<task_struct | null> {
  const s = yield* load(t.exit_state);
  if (s === EXIT_DEAD || s === -1) return null;
  return (yield* get_task_struct_rcu(t)) ? t : null; // get_pid_task(proc_pid(inode), PIDTYPE_PID)
}

/**
 * proc_mem_open() - mm_access() (a temporary mm_users pin), then keep only mm_count.
 * Returns: the mm (mm_count held) or null (no mm: kernel thread or already exited).
 * Models: fs/proc/base.c: proc_mem_open()
 */
export const proc_mem_open = kfn('proc_mem_open', function* (task: task_struct): Model<mm_struct | null> {
  const mm = yield* get_task_mm(task); // mm_access(task, mode | PTRACE_MODE_FSCREDS)
  if (!mm) return null;
  yield* mmgrab(mm); // ensure this mm_struct can't be freed
  yield* mmput(mm); // but do not pin its memory
  return mm;
});

/**
 * proc_maps_open() - open /proc/<pid>/maps.
 * Models: fs/proc/task_mmu.c: proc_maps_open()
 */
export const proc_maps_open = kfn('proc_maps_open', function* (task: task_struct): Model<proc_maps_private> {
  const mm = yield* proc_mem_open(task);
  return { task, mm };
});

/**
 * proc_map_release() - close: drop the open-time mm_count.
 * Models: fs/proc/task_mmu.c: proc_map_release()
 */
export const proc_map_release = kfn('proc_map_release', function* (priv: proc_maps_private): Model<void> {
  if (priv.mm) yield* mmdrop(priv.mm);
});

interface m_cursor {
  readonly task: task_struct;
  readonly mm: mm_struct;
  readonly vmi: vma_iterator;
  readonly pinned: boolean;
}

/**
 * m_start() - pin the task and (before the proposal) mm_users, take the killable read lock.
 * Returns: a cursor, null for end of file, or -ESRCH / -EINTR.
 * Models: fs/proc/task_mmu.c: m_start() (lock_vma_range / mmap_read_lock_killable)
 */
export const m_start = kfn('m_start', function* (priv: proc_maps_private): Model<m_cursor | null | number> {
  const task = yield* get_proc_task(priv.task);
  if (!task) return -ESRCH;
  const mm = priv.mm;
  let pinned = false;
  if (!mm) {
    yield* put_task_struct(task);
    return null;
  }
  if (mm.w.sw.walkersUseMmCountOnly) {
    // PROPOSED (Linus, May 22 2026): rely on the open-time mm_count; the read lock excludes the whole teardown.
    if (!(yield* load(task.mm))) {
      yield* put_task_struct(task);
      yield* note(`m_start: ${task.name}->mm is NULL -> -ESRCH`);
      return -ESRCH;
    }
  } else {
    if (!(yield* mmget_not_zero(mm))) {
      yield* put_task_struct(task);
      return null;
    }
    pinned = true;
  }
  if ((yield* mmap_read_lock_killable(mm, 'm_start:mmap_read_lock_killable')) !== 0) {
    if (pinned) yield* mmput(mm);
    yield* put_task_struct(task);
    return -EINTR;
  }
  return { task, mm, vmi: VMA_ITERATOR(mm, 0), pinned };
});

/**
 * m_stop() - unlock, drop the mm_users pin (the last one runs __mmput() here), put the task.
 * Models: fs/proc/task_mmu.c: m_stop()
 */
export const m_stop = kfn('m_stop', function* (c: m_cursor): Model<void> {
  yield* mmap_read_unlock(c.mm);
  if (c.pinned) yield* mmput(c.mm);
  yield* put_task_struct(c.task);
});

/**
 * show_map() - one line of /proc/<pid>/maps for the raw entry @entry (a checked dereference).
 * Models: fs/proc/task_mmu.c: show_map() -> show_map_vma()
 */
function* show_map(c: m_cursor, entry: unknown): Model<string> {
  const [vma, flags] = yield* vma_deref(entry, c.mm);
  return `${vma.vm_start.toString(16)}-${vma.vm_end.toString(16)} ${flags & 1 ? 'r' : '-'}${flags & 2 ? 'w' : '-'}${flags & 4 ? 'x' : '-'}${flags & 8 ? 's' : 'p'} ${vma.name}`;
}

/**
 * seq_read() of /proc/<pid>/maps - one read(): m_start, show_map for every VMA, m_stop.
 * @stall: hold the read lock that long in the first show_map (see header).
 * Returns: the lines, or -ESRCH / -EINTR.
 * Models: fs/seq_file.c: seq_read_iter() over fs/proc/task_mmu.c: proc_pid_maps_op
 */
export const proc_maps_read = kfn('proc_maps_read', function* (priv: proc_maps_private, stall?: proc_stall): Model<string[] | number> {
  const c = yield* m_start(priv);
  if (typeof c === 'number') return c;
  if (c === null) return [];
  const lines: string[] = [];
  for (let e = yield* vma_next(c.vmi); e !== null; e = yield* vma_next(c.vmi)) { // m_next(): proc_get_vma() -> vma_next()
    lines.push(yield* show_map(c, e));
    if (lines.length === 1 && stall !== undefined) {
      yield* note(`${c.task.comm} maps reader stalls holding ${c.mm.name}->mmap_lock (slow page-in)`);
      if (typeof stall === 'number') yield* sleep(stall);
      else yield* stall();
    }
  }
  yield* m_stop(c);
  return lines;
});

/**
 * cat /proc/<pid>/maps: open, one read, close.
 * Returns: the lines, or a negative errno.
 */
export function* proc_maps_cat(task: task_struct, stall?: proc_stall): Model<string[] | number> {
  const priv = yield* proc_maps_open(task);
  const r = yield* proc_maps_read(priv, stall);
  yield* proc_map_release(priv);
  return r;
}
