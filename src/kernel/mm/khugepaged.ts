// Models mm/khugepaged.c @ v7.0 (v6.8 .. v6.11 under -ksmKhugepagedOnSuccessOnly): the
// registration of an mm with khugepaged (madvise(MADV_HUGEPAGE), khugepaged_fork), its removal
// (khugepaged_exit with the empty write-lock barrier) and khugepaged's scan of the registered
// mms (kernel-spec.md 11.7, race R8).
//
// CUSTOMISED:
// - The RAW VMA walk reads the whole tree in one step under the mmap read lock (include/linux/
//   mm.h vma_entries: the tree cannot change under the lock); each entry is then dereferenced
//   (checked: NULL, XA_ZERO_ENTRY, freed) in its own step, as the loop body's first read.
// - One call of khugepaged_scan_mm_slot() scans one whole mm: mmap_read_trylock, the
//   hpage_collapse_test_exit() check, a RAW for_each_vma reading each entry's vm_flags
//   (thp_vma_allowable_order), and a count of the present PTEs of VM_HUGEPAGE VMAs. No page is
//   collapsed (hpage_collapse_scan_pmd / collapse_huge_page are not modelled).
// STUBBED: MMF_DISABLE_THP, the THP sysfs modes (every VM_HUGEPAGE VMA is eligible),
//   khugepaged_pages_to_scan (a call scans the whole mm), khugepaged_full_scans, the wakeup.
import type { Model } from '../../engine/op.ts';
import { fault, kfn, load, note, rmw, store } from '../../engine/prims.ts';
import { vma_deref } from '../debug/kasan.ts';
import { lock_acquire, lock_release } from '../debug/lockdep.ts';
import { mm_flags_clear, mm_flags_test, mm_flags_test_and_set } from '../include/linux/bitops.ts';
import { vma_entries } from '../include/linux/mm.ts';
import { mmap_assert_write_locked, mmap_read_trylock, mmap_read_unlock, mmap_write_lock, mmap_write_unlock } from '../include/linux/mmap_lock.ts';
import { MMF_VM_HUGEPAGE, VM_HUGEPAGE, type mm_struct, type vm_area_struct } from '../include/linux/mm_types.ts';
import { mmdrop, mmgrab } from '../include/linux/sched/mm.ts';
import type { world } from '../world.ts';
import { mm_slot_insert, mm_slot_lookup, mm_slot_next, mm_slot_remove } from './mm_slot.ts';
import { pte_present, walk_page_range } from './pagewalk.ts';

/** VM_HUGEPAGE: madvise(MADV_HUGEPAGE). Models: include/linux/mm.h */
export { VM_HUGEPAGE } from '../include/linux/mm_types.ts';

/** hpage_collapse_test_exit(): the mm's users are gone. Models: mm/khugepaged.c */
export function* hpage_collapse_test_exit(mm: mm_struct): Model<boolean> {
  return (yield* load(mm.mm_users)) === 0; // atomic_read(&mm->mm_users) == 0
}

/**
 * __khugepaged_enter() - register @mm with khugepaged: MMF_VM_HUGEPAGE, a new mm_slot at the
 * tail of the list (a failed allocation just leaves the mm unregistered), an mm_count ref.
 * Models: mm/khugepaged.c: __khugepaged_enter()
 */
export const __khugepaged_enter = kfn('__khugepaged_enter', function* (mm: mm_struct): Model<void> {
  const khugepaged = mm.w.khugepaged_scan;
  if (yield* mm_flags_test_and_set(MMF_VM_HUGEPAGE, mm)) return; // test_and_set_bit(MMF_VM_HUGEPAGE)
  if (yield* fault('khugepaged:mm_slot_alloc')) return; // mm_slot = mm_slot_alloc(); if (!mm_slot) return;
  yield* lock_acquire(mm.w, khugepaged.lock); // spin_lock(&khugepaged_mm_lock)
  yield* rmw(khugepaged.mm_head, (l) => mm_slot_insert(l, mm, null)); // list_add_tail(.., &khugepaged_scan.mm_head)
  yield* lock_release(mm.w, khugepaged.lock);
  yield* mmgrab(mm);
});

/**
 * hugepage_madvise() - madvise(MADV_HUGEPAGE) on one VMA: mark it and register its mm.
 * Context: mmap_write_lock(vma->vm_mm).
 * Models: mm/khugepaged.c: hugepage_madvise() -> khugepaged_enter_vma()
 */
export const hugepage_madvise = kfn('hugepage_madvise', function* (vma: vm_area_struct): Model<void> {
  mmap_assert_write_locked(vma.vm_mm);
  yield* rmw(vma.vm_flags, (f) => f | VM_HUGEPAGE); // *vm_flags |= VM_HUGEPAGE
  if (!(yield* mm_flags_test(MMF_VM_HUGEPAGE, vma.vm_mm))) yield* __khugepaged_enter(vma.vm_mm);
});

/**
 * khugepaged_fork() - a child of a registered mm is registered too.
 * Context: dup_mmap(), both mmap locks held for write.
 * Models: include/linux/khugepaged.h: khugepaged_fork()
 */
export const khugepaged_fork = kfn('khugepaged_fork', function* (mm: mm_struct, oldmm: mm_struct): Model<void> {
  if (yield* mm_flags_test(MMF_VM_HUGEPAGE, oldmm)) yield* __khugepaged_enter(mm);
});

/**
 * __khugepaged_exit() - @mm's last user is gone: free its slot unless khugepaged is on it;
 * if it is, an empty mmap_write_lock/unlock waits for the scan to drop the read lock.
 * Context: __mmput(), no locks held.
 * Models: mm/khugepaged.c: __khugepaged_exit()
 */
export const __khugepaged_exit = kfn('__khugepaged_exit', function* (mm: mm_struct): Model<void> {
  const khugepaged = mm.w.khugepaged_scan;
  let free = false;
  yield* lock_acquire(mm.w, khugepaged.lock);
  const list = yield* load(khugepaged.mm_head);
  const registered = mm_slot_lookup(list, mm);
  if (registered && (yield* load(khugepaged.mm_slot)) !== mm) {
    yield* store(khugepaged.mm_head, mm_slot_remove(list, mm)); // hash_del(); list_del()
    free = true;
  }
  yield* lock_release(mm.w, khugepaged.lock);
  if (free) {
    yield* mm_flags_clear(MMF_VM_HUGEPAGE, mm); // clear_bit(MMF_VM_HUGEPAGE); mm_slot_free()
    yield* mmdrop(mm);
  } else if (registered) {
    yield* mmap_write_lock(mm);
    yield* mmap_write_unlock(mm);
  }
});

/** khugepaged_exit(). Context: __mmput(). Models: include/linux/khugepaged.h: khugepaged_exit() */
export const khugepaged_exit = kfn('khugepaged_exit', function* (mm: mm_struct): Model<void> {
  if (yield* mm_flags_test(MMF_VM_HUGEPAGE, mm)) yield* __khugepaged_exit(mm);
});

/**
 * khugepaged_scan_mm_slot() - scan the next registered mm (see the file header); at the end of
 * the mm, move to the next slot and free this one if the mm is exiting (collect_mm_slot).
 * Context: khugepaged (kernel thread); takes khugepaged_mm_lock and mmap_read_trylock(mm).
 * Returns: the number of present PTEs in VM_HUGEPAGE VMAs (model-only: no collapse).
 * Models: mm/khugepaged.c: khugepaged_do_scan() -> khugepaged_scan_mm_slot(), collect_mm_slot()
 */
export const khugepaged_scan_mm_slot = kfn('khugepaged_scan_mm_slot', function* (w: world): Model<number> {
  const khugepaged = w.khugepaged_scan;
  yield* lock_acquire(w, khugepaged.lock); // spin_lock(&khugepaged_mm_lock)
  let mm = yield* load(khugepaged.mm_slot);
  if (!mm) {
    mm = mm_slot_next(yield* load(khugepaged.mm_head), null);
    if (!mm) {
      yield* lock_release(w, khugepaged.lock); // list_empty(&khugepaged_scan.mm_head)
      return 0;
    }
    yield* store(khugepaged.mm_slot, mm); // khugepaged_scan.mm_slot = mm_slot
  }
  yield* lock_release(w, khugepaged.lock);
  let pages = 0;
  if (yield* mmap_read_trylock(mm)) {
    if (!(yield* hpage_collapse_test_exit(mm))) {
      for (const entry of yield* vma_entries(mm)) {
        if (yield* hpage_collapse_test_exit(mm)) break;
        // if (!thp_vma_allowable_order(vma, vma->vm_flags, ...)) continue;
        const [vma, flags] = yield* vma_deref(entry, mm, 'vm_flags');
        if (!(flags & VM_HUGEPAGE)) continue;
        pages += yield* walk_page_range(mm, vma.vm_start, vma.vm_end, pte_present);
      }
    }
    yield* mmap_read_unlock(mm); // breakouterloop: mmap_read_unlock(mm)
  }
  yield* lock_acquire(w, khugepaged.lock); // breakouterloop_mmap_lock: spin_lock(&khugepaged_mm_lock)
  const list = yield* load(khugepaged.mm_head);
  yield* store(khugepaged.mm_slot, mm_slot_next(list, mm)); // the whole mm was scanned (!vma)
  if (yield* hpage_collapse_test_exit(mm)) {
    // collect_mm_slot(): hash_del(); list_del(); mm_slot_free(); mmdrop(mm)
    yield* store(khugepaged.mm_head, mm_slot_remove(list, mm));
    yield* note(`khugepaged: ${mm.name} leaves the khugepaged list`);
    yield* mmdrop(mm);
  }
  yield* lock_release(w, khugepaged.lock);
  return pages;
});
