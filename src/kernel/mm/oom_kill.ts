// Models mm/oom_kill.c @ v7.0, with every version switch of kernel-spec.md 7, 9 and 13 (v4.13 ..
// v7.0): the OOM killer (out_of_memory, select_bad_process, oom_evaluate_task, oom_badness,
// oom_kill_process, __oom_kill_process, mark_oom_victim, exit_oom_victim, task_will_free_mem)
// and the allocator's entry into it (__alloc_pages_may_oom). The OOM reaper is in
// mm/oom_reaper.ts, process_mrelease() in mm/process_mrelease.ts.
//
// CUSTOMISED:
// - Only global OOMs: no memcg, cpuset or mempolicy constraint, no oom_score_adj (always 0),
//   no sysrq OOM, no oom_kill_allocating_task, no OOM notifiers; totalpages = totalram_pages.
// - for_each_process() walks the task list's group leaders (pid == tgid) in one step; a task
//   whose exit_state is EXIT_DEAD (reaped) or -1 (never attached) is not on the list.
// - Nothing chosen: the kernel panics ("System is deadlocked on memory"); the model notes it and
//   returns false (the allocation fails).
// - Every kill is also recorded model-side (oom_kills()) with the memory each earlier victim
//   still held at that moment (one extra load per earlier victim), so scenario properties can
//   ask "was a second victim killed while the first still held its memory?".
// STUBBED: dump_header, oom_score_adj, the OOM notifier chain, vfork checks (in_vfork),
//   memcg group kill, oom_killer_disable.
import type { Model } from '../../engine/op.ts';
import { cas, jiffies, kfn, load, note, rmw, sleep } from '../../engine/prims.ts';
import { lock_release, lock_tryacquire } from '../debug/lockdep.ts';
import { mm_flags_set, mm_flags_test } from '../include/linux/bitops.ts';
import {
  EXIT_DEAD,
  MMF_OOM_SKIP,
  MMF_OOM_VICTIM,
  PF_EXITING,
  PF_KTHREAD,
  SIGKILL,
  TIF_MEMDIE,
  type mm_struct,
  type task_struct,
} from '../include/linux/mm_types.ts';
import { find_lock_task_mm } from '../include/linux/oom.ts';
import { mmdrop, mmgrab } from '../include/linux/sched/mm.ts';
import { signal_group_exit, tsk_is_oom_victim } from '../include/linux/sched/signal.ts';
import { get_task_struct, put_task_struct, task_lock, task_unlock } from '../include/linux/sched/task.ts';
import { __thaw_task, thaw_process } from '../kernel/freezer.ts';
import { get_task_struct_rcu } from '../kernel/pid.ts';
import { do_send_sig_info } from '../kernel/signal.ts';
import type { world } from '../world.ts';
import { queue_oom_reaper } from './oom_reaper.ts';

/** oom_badness()'s "not eligible" (LONG_MIN). */
export const LONG_MIN = Number.MIN_SAFE_INTEGER;
/** oom_evaluate_task()'s abort marker ((void *)-1UL). */
export const OOM_ABORT = 'abort' as const;

/** struct oom_control (the fields of a global OOM). */
export interface oom_control {
  chosen: task_struct | typeof OOM_ABORT | null;
  chosen_points: number;
  readonly totalpages: number;
}

/** Model-only record of one OOM kill. */
export interface oom_kill_record {
  readonly victim: task_struct;
  readonly mm: mm_struct;
  /** jiffies at the kill. */
  readonly at: number;
  /** Each earlier victim's mm and the pages (rss + swap entries) it still held at this kill. */
  readonly earlier: readonly { readonly victim: task_struct; readonly mm: mm_struct; readonly held: number }[];
}

interface oom_state {
  readonly kills: oom_kill_record[];
  /** Model-only: bounded retries of the allocator's slow path (see __alloc_pages_slowpath). */
  max_alloc_retries: number;
}

const states = new WeakMap<world, oom_state>();

function oom_state_of(w: world): oom_state {
  let s = states.get(w);
  if (!s) states.set(w, (s = { kills: [], max_alloc_retries: 2 }));
  return s;
}

/** Model-only: the OOM kills of this execution, in order. */
export function oom_kills(w: world): readonly oom_kill_record[] {
  return oom_state_of(w).kills;
}

/** Model-only: how many times the allocator retries after an OOM before failing (default 2). */
export function set_max_alloc_retries(w: world, n: number): void {
  oom_state_of(w).max_alloc_retries = n;
}

/** get_mm_rss() + MM_SWAPENTS: what oom_badness() counts. */
function* mm_rss_and_swap(mm: mm_struct): Model<number> {
  const [file, anon, swap] = yield* load(mm.rss_stat);
  return file + anon + swap;
}

/**
 * Model-only: the pages an mm still maps - PTEs (present or swap) in its live page tables, one
 * load per PTE page. Unlike the rss counters (updated after a zap has freed its pages) this is
 * what a reaper or exit_mmap() has not yet unmapped.
 */
export function* mm_pages_held(mm: mm_struct): Model<number> {
  const pgd = yield* load(mm.pgd);
  if (!pgd) return 0;
  let n = 0;
  for (const pt of [...pgd.values()]) {
    const ptes = yield* load(pt.ptes);
    if (ptes) n += ptes.size;
  }
  return n;
}

// ---- task helpers ------------------------------------------------------------------------

/** for_each_process(): the group leaders still on the task list (one RCU step). */
function* for_each_process(w: world): Model<task_struct[]> {
  const all = yield* load(w.tasklist);
  return all.filter((t) => t.pid === t.tgid);
}

function* task_is_reaped(t: task_struct): Model<boolean> {
  const s = yield* load(t.exit_state);
  return s === EXIT_DEAD || s === -1;
}

/** oom_unkillable_task(): init and kernel threads. Models: mm/oom_kill.c */
function* oom_unkillable_task(p: task_struct): Model<boolean> {
  if (p.pid === 1) return true; // is_global_init(p)
  return ((yield* load(p.flags)) & PF_KTHREAD) !== 0;
}

/** thread_group_empty(): no other thread in the group is alive. */
function* thread_group_empty(p: task_struct): Model<boolean> {
  const all = yield* load(p.w.tasklist);
  for (const t of all) if (t.tgid === p.tgid && t !== p && !(yield* task_is_reaped(t))) return false;
  return true;
}

/**
 * process_shares_mm() - the first thread of @p with an mm decides.
 * Models: mm/oom_kill.c: process_shares_mm()
 */
function* process_shares_mm(p: task_struct, mm: mm_struct): Model<boolean> {
  const all = yield* load(p.w.tasklist);
  for (const t of all) {
    if (t.tgid !== p.tgid) continue;
    const t_mm = yield* load(t.mm); // READ_ONCE(t->mm)
    if (t_mm) return t_mm === mm;
  }
  return false;
}

// ---- will the task free its memory by itself? ------------------------------------------------

/**
 * __task_will_free_mem() - @task is exiting as a group or alone.
 * Models: mm/oom_kill.c: __task_will_free_mem()
 */
function* __task_will_free_mem(task: task_struct): Model<boolean> {
  // if (sig->core_state) return false: STUBBED (no core dumps)
  if (yield* signal_group_exit(task)) return true;
  if ((yield* thread_group_empty(task)) && ((yield* load(task.flags)) & PF_EXITING) !== 0) return true;
  return false;
}

/**
 * task_will_free_mem() - will @task free its mm without our help?
 * Context: task_lock(task) held by the caller, or @task is current.
 * Models: mm/oom_kill.c: task_will_free_mem()
 */
export const task_will_free_mem = kfn('task_will_free_mem', function* (task: task_struct): Model<boolean> {
  const mm = yield* load(task.mm);
  if (!mm) return false;
  if (!(yield* __task_will_free_mem(task))) return false;
  // This task has already been drained by the oom reaper so there are only small chances it will free some more.
  if (yield* mm_flags_test(MMF_OOM_SKIP, mm)) return false;
  if ((yield* load(mm.mm_users)) <= 1) return true;
  // Make sure that all tasks which share the mm with the given tasks are dying as well.
  for (const p of yield* for_each_process(task.w)) {
    if (!(yield* process_shares_mm(p, mm))) continue;
    if (p.tgid === task.tgid) continue; // same_thread_group(task, p)
    if (!(yield* __task_will_free_mem(p))) return false;
  }
  return true;
});

// ---- marking victims -------------------------------------------------------------------------

/**
 * mark_oom_victim() - mark @tsk as an OOM victim: TIF_MEMDIE, signal->oom_mm (+mmgrab, once),
 * thaw it (one thread before v6.18; the whole process with thawWholeProcess).
 * Context: task_lock(tsk) held (so tsk->mm is stable and non-NULL).
 * Models: mm/oom_kill.c: mark_oom_victim()
 */
export const mark_oom_victim = kfn('mark_oom_victim', function* (tsk: task_struct): Model<void> {
  const w = tsk.w;
  const mm = yield* load(tsk.mm);
  const old = yield* rmw(tsk.thread_flags, (f) => f | TIF_MEMDIE); // if (test_and_set_tsk_thread_flag(tsk, TIF_MEMDIE)) return;
  if (old & TIF_MEMDIE) return;
  if (w.sw.signalOomMm && mm) {
    // oom_mm is bound to the signal struct life time.
    if ((yield* cas(tsk.signal.oom_mm, null, mm)) === null) {
      yield* mmgrab(mm); // mmgrab(tsk->signal->oom_mm)
      if (w.sw.mmIsOomVictim || w.sw.exitMmapReapsVictim) yield* mm_flags_set(MMF_OOM_VICTIM, mm); // v4.15 .. v6.0
    }
  }
  // Make sure that the task is woken up from uninterruptible sleep if it is frozen.
  if (w.sw.thawWholeProcess) yield* thaw_process(tsk);
  else yield* __thaw_task(tsk);
  yield* rmw(w.oom_victims, (n) => n + 1); // atomic_inc(&oom_victims)
  yield* note(`mark_oom_victim(${tsk.name})`);
});

/**
 * exit_oom_victim() - the exiting victim drops TIF_MEMDIE (exit_mm's last step).
 * Models: mm/oom_kill.c: exit_oom_victim()
 */
export const exit_oom_victim = kfn('exit_oom_victim', function* (tsk: task_struct): Model<void> {
  const old = yield* rmw(tsk.thread_flags, (f) => f & ~TIF_MEMDIE); // clear_thread_flag(TIF_MEMDIE)
  if (old & TIF_MEMDIE) yield* rmw(tsk.w.oom_victims, (n) => n - 1); // if (!atomic_dec_return(&oom_victims)) wake_up_all(&oom_victims_wait)
});

// ---- victim selection ------------------------------------------------------------------------

/**
 * oom_badness() - how bad is it to kill @p: rss + swap entries + page-table pages.
 * Returns: the points, or LONG_MIN if @p must not be killed.
 * Models: mm/oom_kill.c: oom_badness()
 */
export const oom_badness = kfn('oom_badness', function* (p: task_struct, _totalpages: number): Model<number> {
  if (yield* oom_unkillable_task(p)) return LONG_MIN;
  const t = yield* find_lock_task_mm(p);
  if (!t) return LONG_MIN;
  const mm = (yield* load(t.mm))!;
  // Do not even consider tasks which are explicitly marked oom unkillable or have been already oom reaped or are in the middle of vfork.
  if (yield* mm_flags_test(MMF_OOM_SKIP, mm)) {
    yield* task_unlock(t);
    return LONG_MIN;
  }
  const rss = yield* mm_rss_and_swap(mm); // get_mm_rss(p->mm) + get_mm_counter(p->mm, MM_SWAPENTS)
  const pgd = yield* load(mm.pgd);
  const points = rss + (pgd ? pgd.size : 0); // + mm_pgtables_bytes(p->mm) / PAGE_SIZE
  yield* task_unlock(t);
  return points; // adj == 0: no oom_score_adj term
});

/**
 * oom_evaluate_task() - one candidate of select_bad_process().
 * Returns: true to abort the whole selection (oc->chosen = -1).
 * Models: mm/oom_kill.c: oom_evaluate_task()
 */
function* oom_evaluate_task(task: task_struct, oc: oom_control): Model<boolean> {
  const w = task.w;
  if (yield* oom_unkillable_task(task)) return false;
  // This task already has access to memory reserves and is being killed. Don't allow any other
  // task to have access to the reserves unless the task has MMF_OOM_SKIP because chances that
  // it would release any memory is quite low.
  if (w.sw.signalOomMm) {
    if (yield* tsk_is_oom_victim(task)) {
      const oom_mm = (yield* load(task.signal.oom_mm))!;
      if (yield* mm_flags_test(MMF_OOM_SKIP, oom_mm)) return false; // goto next
      yield* note(`${task.name} is an OOM victim without MMF_OOM_SKIP: abort`);
      oc.chosen = OOM_ABORT; // goto abort
      return true;
    }
  } else if (((yield* load(task.thread_flags)) & TIF_MEMDIE) !== 0) {
    oc.chosen = OOM_ABORT; // pre-v4.9: a TIF_MEMDIE thread aborts
    return true;
  }
  const points = yield* oom_badness(task, oc.totalpages);
  if (points === LONG_MIN || points < oc.chosen_points) return false;
  oc.chosen = task;
  oc.chosen_points = points;
  return false;
}

/**
 * select_bad_process() - pick the process with the highest badness, or abort on a victim that
 * still frees memory.
 * Models: mm/oom_kill.c: select_bad_process() (global OOM)
 */
export const select_bad_process = kfn('select_bad_process', function* (w: world, oc: oom_control): Model<void> {
  oc.chosen_points = LONG_MIN;
  for (const p of yield* for_each_process(w)) {
    if (yield* task_is_reaped(p)) continue;
    if (yield* oom_evaluate_task(p, oc)) break;
  }
});

// ---- killing ---------------------------------------------------------------------------------

function* record_kill(victim: task_struct, mm: mm_struct): Model<void> {
  const s = oom_state_of(victim.w);
  const earlier = [];
  for (const k of s.kills) earlier.push({ victim: k.victim, mm: k.mm, held: yield* mm_pages_held(k.mm) });
  const at = yield* jiffies();
  s.kills.push({ victim, mm, at, earlier });
  const held = earlier.filter((e) => e.held > 0).map((e) => `${e.victim.comm} still holds ${e.held} pages`);
  yield* note(`Out of memory: Killed process ${victim.tgid} (${victim.comm})${held.length ? `; ${held.join(', ')}` : ''}`);
}

/**
 * __oom_kill_process() - SIGKILL the victim's group, mark it, kill every other process sharing
 * its mm, queue the reaper.
 * Models: mm/oom_kill.c: __oom_kill_process()
 */
export const __oom_kill_process = kfn('__oom_kill_process', function* (victim: task_struct): Model<void> {
  const w = victim.w;
  let can_oom_reap = true;
  const p = yield* find_lock_task_mm(victim);
  if (!p) {
    yield* note(`${victim.name}: already exiting, nothing to kill`);
    yield* put_task_struct(victim);
    return;
  } else if (victim !== p) {
    yield* get_task_struct(p);
    yield* put_task_struct(victim);
    victim = p;
  }
  // Get a reference to safely compare mm after task_unlock(victim)
  const mm = (yield* load(victim.mm))!;
  yield* mmgrab(mm);
  yield* record_kill(victim, mm); // count_vm_event(OOM_KILL); pr_err("Out of memory: Killed process ...")
  // We should send SIGKILL before granting access to memory reserves in order to prevent the OOM victim from depleting the memory reserves from the user space under its control.
  yield* do_send_sig_info(SIGKILL, victim);
  yield* mark_oom_victim(victim);
  yield* task_unlock(victim);
  // Kill all user processes sharing victim->mm in other thread groups, if any.
  for (const q of yield* for_each_process(w)) {
    if (!(yield* process_shares_mm(q, mm))) continue;
    if (q.tgid === victim.tgid) continue; // same_thread_group(p, victim)
    if (q.pid === 1) {
      // We cannot use oom_reaper for the mm shared by this process because it wouldn't get killed and its memory would be unreachable.
      can_oom_reap = false;
      yield* mm_flags_set(MMF_OOM_SKIP, mm);
      continue;
    }
    if (((yield* load(q.flags)) & PF_KTHREAD) !== 0) continue;
    yield* do_send_sig_info(SIGKILL, q);
  }
  if (can_oom_reap) yield* queue_oom_reaper(victim);
  yield* mmdrop(mm);
  yield* put_task_struct(victim);
});

/**
 * oom_kill_process() - kill the chosen task unless it already dies by itself.
 * Models: mm/oom_kill.c: oom_kill_process()
 */
export const oom_kill_process = kfn('oom_kill_process', function* (oc: oom_control): Model<void> {
  const victim = oc.chosen as task_struct;
  // If the task is already exiting, don't alarm the sysadmin or kill its children or threads, just give it access to memory reserves so it can die quickly.
  yield* task_lock(victim);
  if (yield* task_will_free_mem(victim)) {
    yield* mark_oom_victim(victim);
    yield* queue_oom_reaper(victim);
    yield* task_unlock(victim);
    yield* put_task_struct(victim);
    return;
  }
  yield* task_unlock(victim);
  yield* __oom_kill_process(victim);
});

/**
 * out_of_memory() - kill a process to free memory.
 * Context: oom_lock held.
 * Returns: true if progress can be expected (a victim is or was chosen).
 * Models: mm/oom_kill.c: out_of_memory() (global, __GFP_FS allocations)
 */
export const out_of_memory = kfn('out_of_memory', function* (w: world, current: task_struct | null): Model<boolean> {
  // If current has a pending SIGKILL or is exiting, then automatically select it. The goal is to allow it to allocate so that it may quickly exit and free its memory.
  if (current) {
    yield* task_lock(current);
    const dying = yield* task_will_free_mem(current);
    if (dying) {
      yield* mark_oom_victim(current);
      yield* queue_oom_reaper(current);
    }
    yield* task_unlock(current);
    if (dying) return true;
  }
  const oc: oom_control = { chosen: null, chosen_points: LONG_MIN, totalpages: w.totalram_pages };
  yield* select_bad_process(w, oc);
  // Found nothing?!?!
  if (!oc.chosen) {
    yield* note('Out of memory and no killable processes... (the kernel panics here)');
    return false;
  }
  if (oc.chosen !== OOM_ABORT) {
    // select_bad_process() holds the chosen task (get_task_struct under RCU)
    if (yield* get_task_struct_rcu(oc.chosen)) yield* oom_kill_process(oc);
    else yield* note(`${oc.chosen.name} was released meanwhile`);
    // <= v4.18: "Give the killed process a good chance to exit before trying to allocate memory
    // again": schedule_timeout_killable(1) with oom_lock held. Removed by 9bfe5ded054b in v4.19,
    // together with the reaper's oom_lock (af5679fbc669): modelled by the same switch.
    if (w.sw.reaperHoldsOomLock) yield* sleep(1);
  }
  return true;
});

/**
 * __alloc_pages_may_oom() - the allocator found no free page: take oom_lock (trylock; if someone
 * else is OOM-killing, back off one tick) and call out_of_memory().
 * Returns: true if the caller should retry (progress made or somebody else is working on it).
 * Models: mm/page_alloc.c: __alloc_pages_may_oom()
 * DEVIATION: the "retry the allocation at the high watermark under oom_lock" step is left to
 * the caller's retry.
 */
export const __alloc_pages_may_oom = kfn('__alloc_pages_may_oom', function* (w: world, current: task_struct | null): Model<boolean> {
  // Acquire the oom lock. If that fails, somebody else is making progress for us.
  if (!(yield* lock_tryacquire(w, w.oom_lock))) {
    yield* sleep(1); // schedule_timeout_uninterruptible(1)
    return true;
  }
  const progress = yield* out_of_memory(w, current);
  yield* lock_release(w, w.oom_lock);
  return progress;
});

/**
 * __alloc_pages_slowpath() (the OOM part) - called by the page allocator when the pool is
 * empty; returns true if the allocation should be retried.
 * DEVIATION: the kernel retries for as long as progress is reported; the model retries at most
 * set_max_alloc_retries() times per allocation, then fails it (bounded exploration). An OOM
 * victim fails at once (ALLOC_OOM: it may use reserves, must exit, and "avoid allocations with
 * no watermarks from looping endlessly"). A task with SIGKILL pending that is not a victim yet
 * goes on into out_of_memory(), which makes it one through task_will_free_mem(current) and
 * queues the reaper; its retry then fails as a victim's.
 * Models: mm/page_alloc.c: __alloc_pages_slowpath()
 */
export function* __alloc_pages_slowpath(w: world, current: task_struct | null, attempt: number): Model<boolean> {
  if (attempt >= oom_state_of(w).max_alloc_retries) return false;
  if (current && (yield* tsk_is_oom_victim(current))) return false; // ALLOC_OOM: the victim fails instead of looping
  return yield* __alloc_pages_may_oom(w, current);
}

/**
 * oom_killer_enable() - let the page allocator invoke the OOM killer when the pool is empty
 * (the allocating CPU's task is `current`). Call in a scenario's setup.
 * @max_retries: allocation retries after OOM before the model fails the allocation.
 * Models: mm/oom_kill.c: oom_killer_enable() (the OOM killer is on at boot)
 */
export function oom_killer_enable(w: world, max_retries = 2): void {
  oom_state_of(w).max_alloc_retries = max_retries;
  w.__oom_slowpath = (attempt) => __alloc_pages_slowpath(w, w.cur?.task ?? null, attempt);
}
