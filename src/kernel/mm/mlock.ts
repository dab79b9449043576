// Models mm/mlock.c @ v7.0 (and the pre-v5.18 munlock of exit_mmap): mlock(2) on whole VMAs
// and populating locked mappings; munlock_vma_pages_all() as exit_mmap ran it before Hugh
// Dickins' mlock rework (reaperSkipsLocked on): clear VM_LOCKED first, then walk the pages.
// CUSTOMISED: no mlock_count/LRU isolation: locking a VMA is its VM_LOCKED bit plus
// mm->locked_vm; a range that cuts a VMA is -EINVAL (no VMA split).
// STUBBED: RLIMIT_MEMLOCK, MCL_* (mlockall), VM_LOCKONFAULT population rules.
import type { Model } from '../../engine/op.ts';
import { kfn, load, rmw } from '../../engine/prims.ts';
import { pt_ptes, vma_deref } from '../debug/kasan.ts';
import { EINVAL } from '../include/linux/errno.ts';
import { VMA_ITERATOR, vma_find, vma_pages, type vma_entry } from '../include/linux/mm.ts';
import { mmap_write_lock_killable, mmap_write_unlock } from '../include/linux/mmap_lock.ts';
import { PMD_SIZE, VM_LOCKED, type mm_struct, type task_struct, type vm_area_struct } from '../include/linux/mm_types.ts';
import { pte_unlock } from './memory.ts';
import { follow_pmd_mask, mm_populate } from './gup.ts';

/**
 * do_mlock() - mlock(2): set VM_LOCKED on the VMAs of [start, start+len), then fault them in.
 * Returns: 0, -EINTR, -EINVAL, or -ENOMEM (a page could not be populated).
 * Models: mm/mlock.c: do_mlock() -> apply_vma_lock_flags() -> mlock_fixup(); __mm_populate()
 */
export const do_mlock = kfn('do_mlock', function* (current: task_struct, start: number, len: number): Model<number> {
  const mm = (yield* load(current.mm))!;
  if ((yield* mmap_write_lock_killable(mm, 'do_mlock:mmap_write_lock_killable')) !== 0) return -4;
  const vmi = VMA_ITERATOR(mm, start);
  const vmas: vm_area_struct[] = [];
  for (let e: vma_entry = yield* vma_find(vmi, start + len); e; e = yield* vma_find(vmi, start + len)) {
    const [vma] = yield* vma_deref(e, mm, 'vm_start');
    if (vma.vm_start < start || vma.vm_end > start + len) { yield* mmap_write_unlock(mm); return -EINVAL; }
    vmas.push(vma);
  }
  for (const vma of vmas) {
    const old = yield* rmw(vma.vm_flags, (f) => f | VM_LOCKED); // vm_flags_reset(vma, newflags)
    if (!(old & VM_LOCKED)) yield* rmw(mm.locked_vm, (n) => n + vma_pages(vma));
  }
  yield* mmap_write_unlock(mm);
  return yield* mm_populate(current, start, len);
});

/**
 * munlock_vma_pages_all() - clear VM_LOCKED, then walk the VMA's pages to munlock them
 * (follow_page_mask under each PTE lock). The window between the two is race R2.
 * Context: exit_mmap() before v5.18 (no lock before v5.17).
 * Models: mm/mlock.c: munlock_vma_pages_all() -> munlock_vma_pages_range() (pre-v5.18)
 */
export const munlock_vma_pages_all = kfn('munlock_vma_pages_all', function* (vma: vm_area_struct): Model<void> {
  const mm: mm_struct = vma.vm_mm;
  yield* rmw(vma.vm_flags, (f) => f & ~VM_LOCKED); // vma->vm_flags &= VM_LOCKED_CLEAR_MASK
  yield* rmw(mm.locked_vm, (n) => n - vma_pages(vma));
  for (let a = vma.vm_start - (vma.vm_start % PMD_SIZE); a < vma.vm_end; a += PMD_SIZE) {
    const pt = yield* follow_pmd_mask(vma, a);
    if (!pt) continue;
    yield* pt_ptes(pt); // the page walk under the PTE (or PMD) lock
    yield* pte_unlock(mm, pt);
  }
});
