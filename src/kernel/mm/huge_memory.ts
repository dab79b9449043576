// Models mm/huge_memory.c @ v4.14 .. v7.0, the anonymous transparent-hugepage slice: the huge
// PMD fault (do_huge_pmd_anonymous_page), its zap (zap_huge_pmd) and the PMD lock with the
// recheck that __pmd_trans_huge_lock() does (race R2 needs a huge PMD that the OOM reaper can
// clear under a page walker).
//
// CUSTOMISED:
// - A huge PMD is a pte_table with huge set (mm_types.ts): its entries are the THP's
//   PTRS_PER_PTE subpages (order-0 pages from alloc_pages_light), its ptl is the PMD lock, and
//   freeing it stands for zap_deposited_table().
// - Only with transparent_hugepage=madvise (world param), only for VM_HUGEPAGE anonymous VMAs
//   that cover the whole PMD range; a write fault on a COW-shared huge PMD copies one subpage
//   as if the PMD had been split (split_huge_pmd is not modelled), and a zap always covers the
//   whole PMD (munmap and the zappers work on whole VMAs).
// STUBBED: the huge zero page, khugepaged collapse, THP splitting, PUD-sized pages, hugetlbfs.
import type { Model } from '../../engine/op.ts';
import { fault, kfn, rmw } from '../../engine/prims.ts';
import { pt_ptes } from '../debug/kasan.ts';
import { vma_is_anonymous } from '../include/linux/mm.ts';
import { PAGE_SIZE, PMD_SIZE, PTRS_PER_PTE, VM_WRITE, type pte_t, type pte_table, type vm_area_struct } from '../include/linux/mm_types.ts';
import { VM_HUGEPAGE } from './khugepaged.ts';
import {
  VM_FAULT_FALLBACK,
  VM_FAULT_OOM,
  add_mm_rss,
  mm_pgd,
  pmd_index,
  pmd_install,
  pte_alloc_one,
  pte_free,
  pte_lock,
  pte_unlock,
  zap_put_entries,
} from './memory.ts';
import { alloc_pages_light, put_page } from './page_alloc.ts';
import { anon_vma_prepare } from './rmap.ts';

/**
 * thp_vma_suitable() - may a fault at @addr of @vma (flags @vm_flags) map a huge PMD? Only
 * with transparent_hugepage=madvise.
 * Models: include/linux/huge_mm.h: thp_vma_suitable_order() + thp_vma_allowable_order() (madvise)
 */
export function thp_vma_suitable(vma: vm_area_struct, vm_flags: number, addr: number): boolean {
  const haddr = addr - (addr % PMD_SIZE);
  if (vma.vm_mm.w.transparent_hugepage !== 'madvise') return false;
  return (vm_flags & VM_HUGEPAGE) !== 0 && vma_is_anonymous(vma) && haddr >= vma.vm_start && haddr + PMD_SIZE <= vma.vm_end;
}

/**
 * do_huge_pmd_anonymous_page() - map a new THP over the PMD range of @addr (@vm_flags: the
 * VMA's flags as the fault read them).
 * Returns: 0, VM_FAULT_OOM, or VM_FAULT_FALLBACK (no huge page, or another fault populated
 * the PMD first: the caller goes on at PTE level).
 * Context: mmap_read_lock(vma->vm_mm); the PMD was none.
 * Models: mm/huge_memory.c: do_huge_pmd_anonymous_page() -> __do_huge_pmd_anonymous_page()
 */
export const do_huge_pmd_anonymous_page = kfn('do_huge_pmd_anonymous_page', function* (vma: vm_area_struct, addr: number, vm_flags: number): Model<number> {
  const mm = vma.vm_mm;
  const haddr = addr - (addr % PMD_SIZE);
  if ((yield* anon_vma_prepare(vma)) !== 0) return VM_FAULT_OOM;
  const pages = yield* alloc_pages_light(mm.w, 'do_huge_pmd_anonymous_page:alloc_pages', PTRS_PER_PTE);
  if (!pages) return VM_FAULT_FALLBACK; // count_vm_event(THP_FAULT_FALLBACK)
  if (yield* fault('do_huge_pmd_anonymous_page:pte_alloc_one')) {
    for (const p of pages) yield* put_page(mm.w, p);
    return VM_FAULT_OOM;
  }
  const write = (vm_flags & VM_WRITE) !== 0; // maybe_pmd_mkwrite()
  const ptes = new Map<number, pte_t>();
  pages.forEach((page, i) => ptes.set(haddr + i * PAGE_SIZE, { kind: 'page', page, write }));
  const pmd = yield* pte_alloc_one(mm.w, pmd_index(haddr), true, ptes);
  if (!(yield* pmd_install(mm, pmd))) { // !pmd_none(*vmf->pmd) under the PMD lock: someone else won
    yield* pte_free(pmd);
    for (const p of pages) yield* put_page(mm.w, p);
    return VM_FAULT_FALLBACK; // the fault goes on with what the winner installed
  }
  yield* add_mm_rss(mm, 0, PTRS_PER_PTE, 0); // add_mm_counter(vma->vm_mm, MM_ANONPAGES, HPAGE_PMD_NR)
  return 0;
});

/**
 * pmd_trans_huge_lock() - take the PMD lock of the huge PMD @pmd and recheck under it that the
 * PMD entry still maps it. Returns false (unlocked) if it was zapped meanwhile.
 * Models: include/linux/huge_mm.h: pmd_trans_huge_lock() -> __pmd_trans_huge_lock()
 */
export function* pmd_trans_huge_lock(vma: vm_area_struct, pmd: pte_table): Model<boolean> {
  const mm = vma.vm_mm;
  yield* pte_lock(mm, pmd);
  if ((yield* mm_pgd(mm)).get(pmd.pmd_index) === pmd) return true;
  yield* pte_unlock(mm, pmd);
  return false;
}

/**
 * zap_huge_pmd() - clear the huge PMD @pmd of @vma and drop the THP: the PMD entry itself goes
 * (pmd_none from now on), then the deposited page table is freed.
 * Context: mmap_lock held (read is enough: exit_mmap's unmap, the OOM reaper).
 * Models: mm/huge_memory.c: zap_huge_pmd()
 */
export const zap_huge_pmd = kfn('zap_huge_pmd', function* (vma: vm_area_struct, pmd: pte_table): Model<void> {
  const mm = vma.vm_mm;
  if (!(yield* pmd_trans_huge_lock(vma, pmd))) return; // another zapper got there first
  const zapped = [...(yield* pt_ptes(pmd)).values()];
  yield* rmw(mm.pgd, (pgd) => { pgd!.delete(pmd.pmd_index); return pgd; }); // pmdp_huge_get_and_clear_full()
  yield* pte_unlock(mm, pmd);
  yield* pte_free(pmd); // zap_deposited_table()
  yield* zap_put_entries(mm, zapped);
});
