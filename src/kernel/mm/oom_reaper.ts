// Models the OOM reaper half of mm/oom_kill.c @ v7.0, with the switches of kernel-spec.md 7.5,
// 7.6, 9.1 and 13: queue_oom_reaper (MMF_OOM_REAP_QUEUED: reapQueuedFlag; the 2 s timer:
// reaperDelay2s), wake_oom_reaper, the oom_reaper kthread, oom_reap_task (10 tries, HZ/10
// apart, then MMF_OOM_SKIP always), oom_reap_task_mm (read trylock + SKIP recheck; the <= v4.13
// form with oom_lock and mmget_not_zero/mmput_async: reaperHoldsOomLock, reaperPinsUsers) and
// __oom_reap_task_mm (MMF_UNSTABLE; skips VM_HUGETLB, VM_PFNMAP, VM_LOCKED before v5.18
// (reaperSkipsLocked); zaps anonymous or private VMAs; forward, or reverse since v6.18
// (reaperReverse)). Split from mm/oom_kill.ts only for size.
//
// CUSTOMISED:
// - The timer is a model CPU ('oom_reaper_timer') that sleeps until jiffies + OOM_REAPER_DELAY
//   and then runs wake_oom_reaper(); the engine explores it firing early and late.
// - The kthread's wait queue is a sequence number (oom_reaper_wq): wake_up() bumps it,
//   kthread_stop() sets it to -1; the kthread exits once stopped with an empty list.
// - The reaper list is an array (LIFO like the kernel's singly-linked list).
// - mmu_notifier_invalidate_range_start_nonblock() refusing (a notifier would block) is the
//   fault site 'oom_reap:mmu_notifier_nonblock'.
// STUBBED: trace points, the "unable to reap" lock dump, the mmu_gather batching.
import type { Loc, Model } from '../../engine/op.ts';
import { awaitUntil, fault, join, jiffies, kfn, load, newLoc, note, rmw, sleep, sleepUntil, store } from '../../engine/prims.ts';
import { vma_deref } from '../debug/kasan.ts';
import { lock_acquire, lock_release } from '../debug/lockdep.ts';
import { mm_flags_set, mm_flags_test, mm_flags_test_and_set } from '../include/linux/bitops.ts';
import { HZ } from '../include/linux/jiffies.ts';
import { VMA_ITERATOR, vma_is_anonymous, vma_next, type vma_entry } from '../include/linux/mm.ts';
import { mmap_read_trylock, mmap_read_unlock } from '../include/linux/mmap_lock.ts';
import {
  MMF_OOM_REAP_QUEUED,
  MMF_OOM_SKIP,
  MMF_UNSTABLE,
  VM_HUGETLB,
  VM_LOCKED,
  VM_PFNMAP,
  VM_SHARED,
  type mm_struct,
  type task_struct,
} from '../include/linux/mm_types.ts';
import { mmget_not_zero } from '../include/linux/sched/mm.ts';
import { get_task_struct, put_task_struct } from '../include/linux/sched/task.ts';
import { mmput_async } from '../kernel/fork.ts';
import { MA_STATE, mas_find_rev } from '../lib/maple_tree.ts';
import { kthread_run, type world } from '../world.ts';
import { unmap_page_range } from './memory.ts';
import { mm_pages_held } from './oom_kill.ts';

/** MAX_OOM_REAP_RETRIES. */
export const MAX_OOM_REAP_RETRIES = 10;
/** OOM_REAPER_DELAY: 2 * HZ (v5.18+, reaperDelay2s). */
export const OOM_REAPER_DELAY = 2 * HZ;

interface reaper_state {
  /** wait_queue of the kthread: a wake-up sequence; -1 once kthread_stop() was called. */
  readonly wq: Loc<number>;
  /** Thread ids of the reaper and of armed timers (model-only, for kthread_stop). */
  readonly timers: number[];
  tid: number;
  /** Model-only: per victim mm, jiffies when the reaper finished reaping it. */
  readonly reaped: Map<mm_struct, number>;
  /** Model-only: victims the reaper gave up on, with the pages their mm still held then. */
  readonly gave_up: { readonly tsk: task_struct; readonly mm: mm_struct; readonly held: number }[];
}

const states = new WeakMap<world, reaper_state>();

function reaper_of(w: world): reaper_state {
  const s = states.get(w);
  if (!s) throw new Error('oom reaper not started: call oom_reaper_start(w) in the setup');
  return s;
}

/** Model-only: has the OOM reaper been started in this execution? */
export function oom_reaper_running(w: world): boolean {
  return states.has(w);
}

/** Model-only: the victims the reaper gave up on (10 failed tries), with the pages still held. */
export function oom_reaper_gave_up(w: world): readonly { readonly tsk: task_struct; readonly mm: mm_struct; readonly held: number }[] {
  return states.get(w)?.gave_up ?? [];
}

/** Model-only: jiffies at which the reaper finished with @mm (reaped or gave up), if it did. */
export function oom_reaper_done_at(w: world, mm: mm_struct): number | undefined {
  return states.get(w)?.reaped.get(mm);
}

// ---- __oom_reap_task_mm ------------------------------------------------------------------------

/** One reverse step: the entry at or below @idx (mas_for_each_rev). */
function* vma_prev_from(mm: mm_struct, idx: number): Model<readonly [vma_entry, number]> {
  const mt = yield* load(mm.mm_mt);
  const mas = MA_STATE(mt, idx, idx);
  const e = mas_find_rev(mas, 0) as vma_entry;
  return [e, mas.index] as const;
}

/**
 * __oom_reap_task_mm() - unmap the private memory of a dying mm, VMA by VMA.
 * Context: mmap_lock held for read (oom_reap_task_mm, process_mrelease); v4.17 .. v6.0
 * exit_mmap() calls it for an MMF_OOM_VICTIM mm without the lock (the last user is gone).
 * Returns: false if an MMU notifier would have blocked on some VMA (the caller retries).
 * Models: mm/oom_kill.c: __oom_reap_task_mm()
 */
export const __oom_reap_task_mm = kfn('__oom_reap_task_mm', function* (mm: mm_struct): Model<boolean> {
  const w = mm.w;
  let ret = true;
  // Tell all users of get_user/copy_from_user etc... that the content is no longer stable.
  yield* mm_flags_set(MMF_UNSTABLE, mm);
  const vmi = VMA_ITERATOR(mm, 0);
  let idx = Number.MAX_SAFE_INTEGER;
  for (;;) {
    let entry: vma_entry;
    if (w.sw.reaperReverse) {
      // mas_for_each_rev(&mas, vma, 0): exit_mmap unmaps upwards, so the reaper walks downwards.
      if (idx < 0) break;
      const [e, start] = yield* vma_prev_from(mm, idx);
      entry = e;
      idx = start - 1;
    } else {
      entry = yield* vma_next(vmi); // for_each_vma(vmi, vma)
    }
    if (entry === null) break;
    const [vma, flags] = yield* vma_deref(entry, mm);
    if (flags & (VM_HUGETLB | VM_PFNMAP)) continue;
    if (w.sw.reaperSkipsLocked && flags & VM_LOCKED) continue; // <= v5.17: if (vma->vm_flags & VM_LOCKED) continue
    // Only anonymous pages have a good chance to be dropped without additional steps. We are
    // also skipping shared file mappings which are very unlikely to be released.
    if (vma_is_anonymous(vma) || !(flags & VM_SHARED)) {
      if (yield* fault('oom_reap:mmu_notifier_nonblock')) {
        // mmu_notifier_invalidate_range_start_nonblock() == -EAGAIN
        yield* note(`${vma.name}: an MMU notifier would block; skipped`);
        ret = false;
        continue;
      }
      yield* unmap_page_range(vma, vma.vm_start, vma.vm_end);
    }
  }
  return ret;
});

// ---- oom_reap_task_mm / oom_reap_task ----------------------------------------------------------

/**
 * oom_reap_task_mm() - one attempt: read trylock, MMF_OOM_SKIP recheck, reap.
 * <= v4.13 (reaperPinsUsers): under oom_lock, pin mm_users with mmget_not_zero() (failure: the
 * victim is in __mmput, report success) and drop it with mmput_async().
 * Returns: false to retry later.
 * Models: mm/oom_kill.c: oom_reap_task_mm() (v4.17+) / __oom_reap_task_mm() (<= v4.16)
 */
export const oom_reap_task_mm = kfn('oom_reap_task_mm', function* (tsk: task_struct, mm: mm_struct): Model<boolean> {
  const w = mm.w;
  let ret = true;
  if (w.sw.reaperHoldsOomLock) yield* lock_acquire(w, w.oom_lock); // mutex_lock(&oom_lock)
  if (!(yield* mmap_read_trylock(mm))) {
    yield* note(`oom_reaper: mmap_read_trylock(${mm.name}) failed (trace_skip_task_reaping)`);
    ret = false;
  } else if (w.sw.reaperPinsUsers && !(yield* mmget_not_zero(mm))) {
    // increase mm_users only after we know we will reap something so that the mmput_async is
    // called only when we have reaped something and delayed __mmput doesn't matter that much
    yield* mmap_read_unlock(mm);
    yield* note(`oom_reaper: mmget_not_zero(${mm.name}) failed: ${tsk.comm} is already in __mmput; nothing to reap`);
  } else if (!w.sw.reaperPinsUsers && (yield* mm_flags_test(MMF_OOM_SKIP, mm))) {
    // MMF_OOM_SKIP is set by exit_mmap when the OOM reaper can't work on the mm anymore.
    yield* mmap_read_unlock(mm);
    yield* note(`oom_reaper: ${mm.name} has MMF_OOM_SKIP: nothing to do`);
  } else {
    ret = yield* __oom_reap_task_mm(mm);
    if (ret) yield* note(`oom_reaper: reaped process ${tsk.tgid} (${tsk.comm})`);
    yield* mmap_read_unlock(mm);
    if (w.sw.reaperPinsUsers) yield* mmput_async(mm); // Drop our reference but make sure the mmput slow path is called from a different context
  }
  if (w.sw.reaperHoldsOomLock) yield* lock_release(w, w.oom_lock);
  return ret;
});

/**
 * oom_reap_task() - up to MAX_OOM_REAP_RETRIES attempts HZ/10 apart, then hide the mm from the
 * OOM killer with MMF_OOM_SKIP whatever happened.
 * Models: mm/oom_kill.c: oom_reap_task()
 */
export const oom_reap_task = kfn('oom_reap_task', function* (tsk: task_struct): Model<void> {
  const w = tsk.w;
  const mm = (yield* load(tsk.signal.oom_mm))!;
  let attempts = 0;
  // Retry the mmap_read_trylock(mm) a few times
  while (attempts++ < MAX_OOM_REAP_RETRIES && !(yield* oom_reap_task_mm(tsk, mm))) yield* sleep(HZ / 10); // schedule_timeout_idle(HZ/10)
  if (attempts > MAX_OOM_REAP_RETRIES && !(yield* mm_flags_test(MMF_OOM_SKIP, mm))) {
    yield* note(`oom_reaper: unable to reap pid:${tsk.tgid} (${tsk.comm})`); // debug_show_all_locks()
    const st = states.get(w);
    if (st) st.gave_up.push({ tsk, mm, held: yield* mm_pages_held(mm) }); // model-only: what is left behind
  }
  // Hide this mm from OOM killer because it has been either reaped or somebody can't call mmap_write_unlock(mm).
  yield* mm_flags_set(MMF_OOM_SKIP, mm);
  const st = states.get(w);
  if (st) st.reaped.set(mm, yield* jiffies());
  yield* put_task_struct(tsk); // Drop a reference taken by queue_oom_reaper
});

// ---- queueing ----------------------------------------------------------------------------------

function* push_reaper_list(w: world, tsk: task_struct): Model<void> {
  yield* lock_acquire(w, w.oom_reaper_lock); // spin_lock_irqsave(&oom_reaper_lock, flags)
  yield* rmw(w.oom_reaper_list, (l) => [tsk, ...l]); // tsk->oom_reaper_list = oom_reaper_list; oom_reaper_list = tsk;
  yield* lock_release(w, w.oom_reaper_lock);
  yield* rmw(reaper_of(w).wq, (s) => (s < 0 ? s : s + 1)); // wake_up(&oom_reaper_wait)
}

/**
 * wake_oom_reaper() - the timer fired: queue @tsk unless its mm was finished meanwhile.
 * Models: mm/oom_kill.c: wake_oom_reaper() (timer callback, v5.18+)
 */
export const wake_oom_reaper = kfn('wake_oom_reaper', function* (tsk: task_struct): Model<void> {
  const w = tsk.w;
  const mm = (yield* load(tsk.signal.oom_mm))!;
  // The victim managed to terminate on its own - see exit_mmap
  if (yield* mm_flags_test(MMF_OOM_SKIP, mm)) {
    yield* note(`wake_oom_reaper: ${mm.name} already has MMF_OOM_SKIP`);
    yield* put_task_struct(tsk);
    return;
  }
  yield* push_reaper_list(w, tsk);
});

/**
 * queue_oom_reaper() - hand @tsk to the OOM reaper: at once (< v5.18) or after
 * OOM_REAPER_DELAY (reaperDelay2s), once per mm (reapQueuedFlag) or once per task.
 * Models: mm/oom_kill.c: queue_oom_reaper() (wake_oom_reaper() before v5.18)
 */
export const queue_oom_reaper = kfn('queue_oom_reaper', function* (tsk: task_struct): Model<void> {
  const w = tsk.w;
  if (w.sw.reapQueuedFlag) {
    const mm = (yield* load(tsk.signal.oom_mm))!;
    // mm is already queued?
    if (yield* mm_flags_test_and_set(MMF_OOM_REAP_QUEUED, mm)) return;
  } else {
    // pre-v5.1: if (tsk == oom_reaper_list || tsk->oom_reaper_list) return;
    const l = yield* load(w.oom_reaper_list);
    if (l.includes(tsk)) return;
  }
  if (!states.has(w)) {
    yield* note('queue_oom_reaper: no oom_reaper kthread in this scenario');
    return;
  }
  const s = reaper_of(w);
  yield* get_task_struct(tsk);
  if (!w.sw.reaperDelay2s) {
    yield* push_reaper_list(w, tsk);
    return;
  }
  const expires = (yield* jiffies()) + OOM_REAPER_DELAY; // timer_setup(&tsk->oom_reaper_timer, wake_oom_reaper, 0); tsk->oom_reaper_timer.expires = jiffies + OOM_REAPER_DELAY;
  const tid = yield* kthread_run(w, 'oom_reaper_timer', null, function* () {
    yield* sleepUntil(expires);
    yield* wake_oom_reaper(tsk);
  }); // add_timer(&tsk->oom_reaper_timer)
  s.timers.push(tid);
});

// ---- the kthread -------------------------------------------------------------------------------

/**
 * oom_reaper() - the kthread: wait for a queued victim, reap it, repeat.
 * Models: mm/oom_kill.c: oom_reaper()
 */
export const oom_reaper = kfn('oom_reaper', function* (w: world): Model<void> {
  const s = reaper_of(w);
  for (;;) {
    const seen = yield* load(s.wq);
    yield* lock_acquire(w, w.oom_reaper_lock); // spin_lock_irq(&oom_reaper_lock)
    const l = yield* load(w.oom_reaper_list);
    let tsk: task_struct | null = null;
    if (l.length) {
      tsk = l[0]!; // tsk = oom_reaper_list; oom_reaper_list = tsk->oom_reaper_list;
      yield* store(w.oom_reaper_list, l.slice(1));
    }
    yield* lock_release(w, w.oom_reaper_lock);
    if (tsk) {
      yield* oom_reap_task(tsk);
      continue;
    }
    if (seen < 0) return; // kthread_should_stop()
    yield* awaitUntil(s.wq, (v) => v !== seen, 'oom_reaper: wait_event_freezable(oom_reaper_wait, oom_reaper_list != NULL)');
  }
});

/**
 * oom_reaper_start() - start the oom_reaper kthread (oom_init). Call in the setup.
 * Models: mm/oom_kill.c: oom_init() -> kthread_run(oom_reaper, NULL, "oom_reaper")
 */
export function* oom_reaper_start(w: world): Model<void> {
  const s: reaper_state = { wq: yield* newLoc('oom_reaper_wait', 0), timers: [], tid: -1, reaped: new Map(), gave_up: [] };
  states.set(w, s);
  s.tid = yield* kthread_run(w, 'oom_reaper', null, () => oom_reaper(w));
}

/**
 * Model-only kthread_stop(): wait for armed timers, then stop the kthread once its list is
 * empty, and join it. Call after the actors have finished.
 */
export function* oom_reaper_stop(w: world): Model<void> {
  const s = reaper_of(w);
  for (let i = 0; i < s.timers.length; i++) yield* join(s.timers[i]!);
  yield* store(s.wq, -1);
  yield* join(s.tid);
}
