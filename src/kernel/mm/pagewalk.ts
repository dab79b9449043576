// Models mm/pagewalk.c @ v7.0: the read-only page-table walk that the scanners (ksmd,
// khugepaged, task_numa_work's change_prot_numa) share.
// CUSTOMISED: the callback sees each PTE page's entries in the range while its PTE lock is held,
// in ONE step per PTE page (the load of the entries); it must not modify them.
// STUBBED: pud/pmd levels (the model's pgd maps PMD indexes to PTE pages), huge PMDs, hugetlb.
import type { Model } from '../../engine/op.ts';
import { kfn, load } from '../../engine/prims.ts';
import { pt_ptes } from '../debug/kasan.ts';
import { lock_acquire, lock_release } from '../debug/lockdep.ts';
import { PMD_SIZE, type mm_struct, type pte_t } from '../include/linux/mm_types.ts';

/**
 * walk_page_range() - call @pte_entry for every PTE of [start, end) of @mm.
 * Context: mmap_lock held (read); takes each PTE lock.
 * Returns: the sum of what @pte_entry returned (the kernel's returns an error code).
 * Models: mm/pagewalk.c: walk_page_range() -> walk_pte_range()
 */
export const walk_page_range = kfn('walk_page_range', function* (
  mm: mm_struct,
  start: number,
  end: number,
  pte_entry: (addr: number, pte: pte_t) => number,
): Model<number> {
  const pgd = yield* load(mm.pgd);
  if (!pgd) return 0;
  let sum = 0;
  for (let pmd = Math.floor(start / PMD_SIZE); pmd * PMD_SIZE < end; pmd++) {
    const pt = pgd.get(pmd);
    if (!pt) continue; // pmd_none(): walk_pte_range() is skipped
    yield* lock_acquire(mm.w, pt.ptl); // pte_offset_map_lock()
    const ptes = yield* pt_ptes(pt);
    for (const [addr, pte] of ptes) if (addr >= start && addr < end) sum += pte_entry(addr, pte);
    yield* lock_release(mm.w, pt.ptl); // pte_unmap_unlock()
  }
  return sum;
});

/** A pte_entry callback: 1 for a present PTE. */
export function pte_present(_addr: number, pte: pte_t): number {
  return pte.kind === 'page' ? 1 : 0;
}
