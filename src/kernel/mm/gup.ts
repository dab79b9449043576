// Models the population side of mm/gup.c @ v7.0 and the user page-fault entry of
// arch/x86/mm/fault.c: faulting pages in for mlock/MAP_POPULATE and for the scenarios'
// "touch this memory" steps.
// CUSTOMISED: a user access is do_user_addr_fault() with the mmap read lock (no per-VMA lock
// path); populate faults page by page.
import type { Model } from '../../engine/op.ts';
import { ModelViolation } from '../../engine/op.ts';
import { kfn, load } from '../../engine/prims.ts';
import { vma_deref } from '../debug/kasan.ts';
import { find_vma } from '../include/linux/mm.ts';
import { EFAULT } from '../include/linux/errno.ts';
import { mmap_read_lock, mmap_read_unlock } from '../include/linux/mmap_lock.ts';
import { PAGE_SIZE, VM_WRITE, type pte_table, type task_struct, type vm_area_struct } from '../include/linux/mm_types.ts';
import { pmd_trans_huge_lock } from './huge_memory.ts';
import { handle_mm_fault, mm_pgd, pmd_index, pte_lock, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV } from './memory.ts';

/**
 * do_user_addr_fault() - a user access of @addr by @current (write or read).
 * Returns: 0, or VM_FAULT_SIGSEGV (no VMA, no permission), VM_FAULT_SIGBUS, VM_FAULT_OOM.
 * Models: arch/x86/mm/fault.c: do_user_addr_fault() -> lock_mm_and_find_vma()
 */
export const do_user_addr_fault = kfn('do_user_addr_fault', function* (current: task_struct, addr: number, write: boolean): Model<number> {
  const mm = yield* load(current.mm);
  if (!mm) return VM_FAULT_SIGSEGV;
  yield* mmap_read_lock(mm);
  const found = yield* find_vma(mm, addr);
  let ret = VM_FAULT_SIGSEGV;
  if (found) {
    const [vma, flags] = yield* vma_deref(found, mm, 'vm_flags');
    if (vma.vm_start <= addr && (!write || flags & VM_WRITE)) ret = yield* handle_mm_fault(vma, addr, write);
  }
  yield* mmap_read_unlock(mm);
  return ret;
});

/**
 * mm_populate() - fault in every page of [start, start+len) (read faults).
 * Returns: 0, or -ENOMEM / -EFAULT on the first failing page.
 * Models: mm/gup.c: __mm_populate()
 */
export const mm_populate = kfn('mm_populate', function* (current: task_struct, start: number, len: number): Model<number> {
  for (let a = start; a < start + len; a += PAGE_SIZE) {
    const r = yield* do_user_addr_fault(current, a, false);
    if (r & VM_FAULT_OOM) return -12;
    if (r & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)) return -EFAULT;
  }
  return 0;
});

/**
 * follow_pmd_mask() - the page walk's PMD step at @addr of @vma: the page table (or huge PMD)
 * locked, or null when the PMD is none. The PMD is read once for the pmd_none() check and, for
 * a huge PMD, again by pmd_lock() to find its lock. Nothing stops a concurrent zap in between
 * unless the caller excludes it (mmap_lock for write, or no other zapper): if the OOM reaper
 * cleared the huge PMD after the check, the lock pointer derived from it is NULL, the oops of
 * race R2 as reported on powerpc (27ae357fa82b).
 * Models: mm/gup.c: follow_page_mask() -> follow_pmd_mask() (v4.14)
 */
export const follow_pmd_mask = kfn('follow_pmd_mask', function* (vma: vm_area_struct, addr: number): Model<pte_table | null> {
  const mm = vma.vm_mm;
  const pt = (yield* mm_pgd(mm)).get(pmd_index(addr));
  if (!pt) return null; // pmd_none(pmdval): no_page_table()
  if (!pt.huge) {
    yield* pte_lock(mm, pt); // follow_page_pte(): pte_offset_map_lock()
    return pt;
  }
  if (!(yield* mm_pgd(mm)).get(pmd_index(addr)))
    throw new ModelViolation('oops', `BUG: Unable to handle kernel data access at 0x00000000 (NULL page-table lock): follow_page_mask() -> pmd_lock() on the huge PMD of ${vma.name} after it was zapped behind its pmd_none() check`);
  // pmd_lock(), then if (unlikely(!pmd_trans_huge(*pmd))): zapped meanwhile, no page
  return (yield* pmd_trans_huge_lock(vma, pt)) ? pt : null;
});
