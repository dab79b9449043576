// Models include/linux/mmap_lock.h @ v7.0: the mmap_lock rw-semaphore of an mm (read, write,
// killable, trylock, nested write) through the lockdep wrappers, and the per-VMA write lock
// (vma_start_write, vma_start_write_killable, vma_mark_detached) of include/linux/mm.h.
// Sanitizer: taking the lock of a freed mm is a use-after-free (the lock lives in the struct).
// A killable acquisition takes a free lock without looking at signals (the down_*_killable fast
// path); only one that would have to wait fails with -EINTR, when SIGKILL is pending or its
// fault site fires (standing for a SIGKILL arriving while queued).
// CUSTOMISED: the signal is looked at once, when the wait would begin; the kernel's waiter is
// also woken by a SIGKILL that arrives later.
// STUBBED: mm_lock_seq (vma_start_write stores a sequence into vm_lock_seq; no per-VMA readers
// are modelled, so it never waits and vma_start_write_killable() never fails),
// mmap_lock tracepoints, vma_end_write_all().
import type { Model } from '../../../engine/op.ts';
import { ModelViolation } from '../../../engine/op.ts';
import { load, rmw, store } from '../../../engine/prims.ts';
import { lock_acquire, lock_acquire_killable, lock_release, lock_tryacquire, lockdep_is_held } from '../../debug/lockdep.ts';
import { this_cpu } from '../../world.ts';
import { EINTR } from './errno.ts';
import type { mm_struct, vm_area_struct } from './mm_types.ts';
import { fatal_signal_pending_at } from './sched/signal.ts';

function check_live(mm: mm_struct, what: string): void {
  if (mm.__state === 'freed') throw new ModelViolation('use-after-free', `BUG: KASAN: use-after-free in ${what}: ${mm.name} was freed by __mmdrop()`);
}

/** mmap_read_lock(). */
export function* mmap_read_lock(mm: mm_struct): Model<void> {
  check_live(mm, 'mmap_read_lock');
  yield* lock_acquire(mm.w, mm.mmap_lock, 'read');
}

/** mmap_read_trylock(): true if taken. */
export function* mmap_read_trylock(mm: mm_struct): Model<boolean> {
  check_live(mm, 'mmap_read_trylock');
  return yield* lock_tryacquire(mm.w, mm.mmap_lock, 'read');
}

/** mmap_read_unlock(). */
export function* mmap_read_unlock(mm: mm_struct): Model<void> {
  yield* lock_release(mm.w, mm.mmap_lock, 'read');
}

/** mmap_write_lock(). */
export function* mmap_write_lock(mm: mm_struct): Model<void> {
  check_live(mm, 'mmap_write_lock');
  yield* lock_acquire(mm.w, mm.mmap_lock, 'write');
}

/** mmap_write_lock_nested(mm, SINGLE_DEPTH_NESTING): a second mm's lock (fork's child). */
export function* mmap_write_lock_nested(mm: mm_struct): Model<void> {
  check_live(mm, 'mmap_write_lock_nested');
  yield* lock_acquire(mm.w, mm.mmap_lock, 'write', 1);
}

/** mmap_write_unlock(). */
export function* mmap_write_unlock(mm: mm_struct): Model<void> {
  yield* lock_release(mm.w, mm.mmap_lock, 'write');
}

/** Would a wait for @mm's lock end with -EINTR? (a fatal signal, or the fault site standing for one). */
function interrupted(mm: mm_struct, site: string): () => Model<boolean> {
  return function* () {
    const task = this_cpu(mm.w).task;
    return task !== null && (yield* fatal_signal_pending_at(task, site));
  };
}

/**
 * mmap_read_lock_killable() - returns 0 or -EINTR (fatal signal).
 * @site: fault site standing for a SIGKILL arriving while waiting.
 */
export function* mmap_read_lock_killable(mm: mm_struct, site = 'mmap_read_lock_killable'): Model<number> {
  check_live(mm, 'mmap_read_lock_killable');
  return (yield* lock_acquire_killable(mm.w, mm.mmap_lock, 'read', interrupted(mm, site))) ? 0 : -EINTR;
}

/** mmap_write_lock_killable() - returns 0 or -EINTR (fatal signal). */
export function* mmap_write_lock_killable(mm: mm_struct, site = 'mmap_write_lock_killable'): Model<number> {
  check_live(mm, 'mmap_write_lock_killable');
  return (yield* lock_acquire_killable(mm.w, mm.mmap_lock, 'write', interrupted(mm, site))) ? 0 : -EINTR;
}

/** mmap_assert_locked(): model check of a `Context:` line (read or write held by this CPU). */
export function mmap_assert_locked(mm: mm_struct): void {
  if (!lockdep_is_held(mm.w, mm.mmap_lock))
    if (!lockdep_is_held(mm.w, mm.mmap_lock, 'read'))
      throw new ModelViolation('assertion', `mmap_assert_locked: ${this_cpu(mm.w).name} does not hold ${mm.name}->mmap_lock`);
}

/** mmap_assert_write_locked(). */
export function mmap_assert_write_locked(mm: mm_struct): void {
  if (!lockdep_is_held(mm.w, mm.mmap_lock, 'write'))
    throw new ModelViolation('assertion', `mmap_assert_write_locked: ${this_cpu(mm.w).name} does not hold ${mm.name}->mmap_lock for write`);
}

/**
 * vma_start_write() - write-lock one VMA (waits for per-VMA readers; none are modelled).
 * Context: mmap_write_lock(vma->vm_mm).
 * Models: include/linux/mmap_lock.h: vma_start_write()
 */
export function* vma_start_write(vma: vm_area_struct): Model<void> {
  yield* rmw(vma.vm_lock_seq, (s) => s + 1);
}

/**
 * vma_start_write_killable() - as vma_start_write(), but a fatal signal while waiting for the
 * VMA's readers makes it return -EINTR. rcuwait_wait_event() tests its condition first, so with
 * no reader there is no wait and no signal is looked at: with no per-VMA readers modelled, it
 * never fails (@site is kept for when they are).
 * Models: include/linux/mmap_lock.h: vma_start_write_killable() (v7.0)
 */
export function* vma_start_write_killable(vma: vm_area_struct, _site = 'vma_start_write_killable'): Model<number> {
  yield* vma_start_write(vma);
  return 0;
}

/** vma_mark_detached(): the VMA left the tree. Models: include/linux/mm.h: vma_mark_detached() */
export function* vma_mark_detached(vma: vm_area_struct): Model<void> {
  yield* store(vma.detached, true);
}

/** Model-only: is the VMA detached? */
export function* vma_is_detached(vma: vm_area_struct): Model<boolean> {
  return yield* load(vma.detached);
}
