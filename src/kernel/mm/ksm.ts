// Models mm/ksm.c @ v7.0 (v6.8 .. v6.11 under -ksmKhugepagedOnSuccessOnly): the registration of
// an mm with ksmd (madvise(MADV_MERGEABLE), ksm_fork), its removal (ksm_exit with the empty
// write-lock barrier) and ksmd's walk over the registered mms (kernel-spec.md 11.7, race R8).
//
// CUSTOMISED:
// - The RAW VMA walk reads the whole tree in one step under the mmap read lock (include/linux/
//   mm.h vma_entries: the tree cannot change under the lock); each entry is then dereferenced
//   (checked: NULL, XA_ZERO_ENTRY, freed) in its own step, as the loop body's first read.
// - ksmd's scan of one mm is one call of ksm_do_scan(): it takes the mmap read lock, checks
//   ksm_test_exit(), walks every VMA with the RAW iterator (so an XA_ZERO_ENTRY reaches the
//   loop body, whose first read is vma->vm_flags) and counts the present PTEs of VM_MERGEABLE
//   VMAs. No page is merged: the stable/unstable trees and rmap_items are not modelled, so
//   ksm_scan.address is 0 at the end of a scan exactly when no VM_MERGEABLE VMA was found.
// - VM_MERGEABLE is bit 28 here (bit 31 in the kernel) so vm_flags stays a positive int32.
// STUBBED: MMF_VM_MERGE_ANY (prctl), KSM_RUN_UNMERGE, ksm_thread_sleep_millisecs (the caller
//   decides when ksmd runs), the rmap_list of a slot (always empty: __ksm_exit frees a slot
//   that ksmd is not on at once).
import type { Model } from '../../engine/op.ts';
import { fault, kfn, load, note, rmw, store } from '../../engine/prims.ts';
import { vma_deref } from '../debug/kasan.ts';
import { lock_acquire, lock_release } from '../debug/lockdep.ts';
import { mm_flags_clear, mm_flags_set, mm_flags_test } from '../include/linux/bitops.ts';
import { ENOMEM } from '../include/linux/errno.ts';
import { vma_entries } from '../include/linux/mm.ts';
import { mmap_assert_write_locked, mmap_read_lock, mmap_read_unlock, mmap_write_lock, mmap_write_unlock } from '../include/linux/mmap_lock.ts';
import { MMF_VM_MERGEABLE, VM_MERGEABLE, type mm_struct, type vm_area_struct } from '../include/linux/mm_types.ts';
import { mmdrop, mmgrab } from '../include/linux/sched/mm.ts';
import type { world } from '../world.ts';
import { mm_slot_insert, mm_slot_lookup, mm_slot_next, mm_slot_remove } from './mm_slot.ts';
import { pte_present, walk_page_range } from './pagewalk.ts';

/** VM_MERGEABLE: the VMA was madvise(MADV_MERGEABLE)d (CUSTOMISED bit, see the header; declared in mm_types.ts). */
export { VM_MERGEABLE } from '../include/linux/mm_types.ts';

/** ksm_test_exit(): the mm's users are gone (exit_mmap may be running or done). */
export function* ksm_test_exit(mm: mm_struct): Model<boolean> {
  return (yield* load(mm.mm_users)) === 0; // atomic_read(&mm->mm_users) == 0
}

/**
 * __ksm_enter() - register @mm with ksmd: a new mm_slot (can fail) queued before the slot
 * being scanned, MMF_VM_MERGEABLE, and an mm_count reference for the slot.
 * Returns: 0 or -ENOMEM.
 * Models: mm/ksm.c: __ksm_enter()
 */
export const __ksm_enter = kfn('__ksm_enter', function* (mm: mm_struct): Model<number> {
  const ksm = mm.w.ksm_scan;
  if (yield* fault('ksm:mm_slot_alloc')) return -ENOMEM; // mm_slot_alloc(mm_slot_cache)
  yield* lock_acquire(mm.w, ksm.lock); // spin_lock(&ksm_mmlist_lock)
  const cursor = yield* load(ksm.mm_slot);
  yield* rmw(ksm.mm_head, (l) => mm_slot_insert(l, mm, cursor)); // mm_slot_insert(); list_add_tail()
  yield* lock_release(mm.w, ksm.lock);
  yield* mm_flags_set(MMF_VM_MERGEABLE, mm); // set_bit(MMF_VM_MERGEABLE, &mm->flags)
  yield* mmgrab(mm);
  return 0;
});

/**
 * ksm_madvise() - madvise(MADV_MERGEABLE) on one VMA: mark it and register its mm.
 * Context: mmap_write_lock(vma->vm_mm).
 * Models: mm/ksm.c: ksm_madvise() (MADV_MERGEABLE)
 */
export const ksm_madvise = kfn('ksm_madvise', function* (vma: vm_area_struct): Model<number> {
  const mm = vma.vm_mm;
  mmap_assert_write_locked(mm);
  if (!(yield* mm_flags_test(MMF_VM_MERGEABLE, mm))) {
    const err = yield* __ksm_enter(mm);
    if (err) return err;
  }
  yield* rmw(vma.vm_flags, (f) => f | VM_MERGEABLE); // *vm_flags |= VM_MERGEABLE
  return 0;
});

/**
 * ksm_fork() - a child of a registered mm is registered too.
 * Returns: 0 or -ENOMEM (before 985da552a98e made it void, a failure failed the fork).
 * Context: dup_mmap(), both mmap locks held for write.
 * Models: include/linux/ksm.h: ksm_fork()
 */
export const ksm_fork = kfn('ksm_fork', function* (mm: mm_struct, oldmm: mm_struct): Model<number> {
  if (yield* mm_flags_test(MMF_VM_MERGEABLE, oldmm)) return yield* __ksm_enter(mm);
  return 0;
});

/**
 * __ksm_exit() - @mm's last user is gone: free its slot unless ksmd is on it; if ksmd is, an
 * empty mmap_write_lock/unlock waits until ksmd has dropped the read lock (ksmd then sees
 * ksm_test_exit() and frees the slot itself).
 * Context: __mmput(), no locks held.
 * Models: mm/ksm.c: __ksm_exit()
 */
export const __ksm_exit = kfn('__ksm_exit', function* (mm: mm_struct): Model<void> {
  const ksm = mm.w.ksm_scan;
  let easy_to_free = false;
  yield* lock_acquire(mm.w, ksm.lock); // spin_lock(&ksm_mmlist_lock)
  const list = yield* load(ksm.mm_head);
  const registered = mm_slot_lookup(list, mm); // mm_slot = mm_slot_lookup(mm_slots_hash, mm)
  if (registered && (yield* load(ksm.mm_slot)) !== mm) {
    yield* store(ksm.mm_head, mm_slot_remove(list, mm)); // !mm_slot->rmap_list: hash_del; list_del
    easy_to_free = true;
  }
  yield* lock_release(mm.w, ksm.lock);
  if (easy_to_free) {
    yield* mm_flags_clear(MMF_VM_MERGEABLE, mm); // mm_slot_free(); clear_bit(MMF_VM_MERGEABLE)
    yield* mmdrop(mm);
  } else if (registered) {
    yield* mmap_write_lock(mm); // the barrier against ksmd's read-locked scan
    yield* mmap_write_unlock(mm);
  }
});

/** ksm_exit(). Context: __mmput(). Models: include/linux/ksm.h: ksm_exit() */
export const ksm_exit = kfn('ksm_exit', function* (mm: mm_struct): Model<void> {
  if (yield* mm_flags_test(MMF_VM_MERGEABLE, mm)) yield* __ksm_exit(mm);
});

/**
 * ksm_do_scan() - ksmd's scan of the next registered mm: read lock, ksm_test_exit(), a RAW
 * for_each_vma reading each entry's vm_flags, and the removal of the slot of an exiting mm
 * (or of one without VM_MERGEABLE VMAs) with the mmdrop() of its reference.
 * Context: ksmd (kernel thread); takes ksm_mmlist_lock and the mm's mmap_lock for read.
 * Returns: the number of present PTEs in VM_MERGEABLE VMAs (model-only: no merging).
 * Models: mm/ksm.c: ksm_do_scan() -> scan_get_next_rmap_item()
 */
export const ksm_do_scan = kfn('ksm_do_scan', function* (w: world): Model<number> {
  const ksm = w.ksm_scan;
  let mm = yield* load(ksm.mm_slot);
  if (!mm) {
    // if (mm_slot == &ksm_mm_head): start a new round at the first slot
    yield* lock_acquire(w, ksm.lock);
    mm = mm_slot_next(yield* load(ksm.mm_head), null);
    yield* store(ksm.mm_slot, mm); // ksm_scan.mm_slot = mm_slot
    yield* lock_release(w, ksm.lock);
    if (!mm) return 0; // if (mm_slot == &ksm_mm_head) return NULL;
  }
  let pages = 0;
  let address = 0; // ksm_scan.address = 0
  yield* mmap_read_lock(mm);
  if (!(yield* ksm_test_exit(mm))) {
    for (const entry of yield* vma_entries(mm)) {
      // for_each_vma(vmi, vma) { if (!(vma->vm_flags & VM_MERGEABLE)) continue; ...
      const [vma, flags] = yield* vma_deref(entry, mm, 'vm_flags');
      if (!(flags & VM_MERGEABLE)) continue;
      address = vma.vm_start; // ksm_scan.address = vma->vm_start
      pages += yield* walk_page_range(mm, vma.vm_start, vma.vm_end, pte_present);
    }
  }
  if (yield* ksm_test_exit(mm)) address = 0; // no_vmas: ksm_scan.address = 0
  yield* lock_acquire(w, ksm.lock); // spin_lock(&ksm_mmlist_lock)
  const list = yield* load(ksm.mm_head);
  yield* store(ksm.mm_slot, mm_slot_next(list, mm)); // ksm_scan.mm_slot = next slot
  if (address === 0) {
    // A full scan found nothing mergeable, or the mm is exiting: do what __ksm_exit would.
    yield* store(ksm.mm_head, mm_slot_remove(list, mm)); // hash_del(); list_del()
    yield* lock_release(w, ksm.lock);
    yield* mm_flags_clear(MMF_VM_MERGEABLE, mm); // mm_slot_free(); clear_bit(MMF_VM_MERGEABLE)
    yield* mmap_read_unlock(mm);
    yield* note(`ksmd: ${mm.name} leaves the ksm list`);
    yield* mmdrop(mm);
  } else {
    yield* mmap_read_unlock(mm);
    yield* lock_release(w, ksm.lock);
  }
  return pages;
});
