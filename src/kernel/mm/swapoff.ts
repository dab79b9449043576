// Models the swapoff half of mm/swapfile.c @ v7.0 (the switch swapoffChecksUnstable, 1367da7eb875,
// is off before v6.18): try_to_unuse() walking init_mm.mmlist, unuse_mm(), unuse_vma() and
// unuse_pte(), which bring every swapped-out page of every mm back into memory
// (kernel-spec.md 11.3, race R7). The swap-entry side (slots, swap-out, the mmlist
// membership) is in mm/swapfile.ts.
//
// CUSTOMISED:
// - The RAW VMA walk reads the whole tree in one step under the mmap read lock (include/linux/
//   mm.h vma_entries: the tree cannot change under the lock); each entry is then dereferenced
//   (checked: NULL, XA_ZERO_ENTRY, freed) in its own step, as the loop body's first read.
// - No swap cache: each PTE holding a swap entry gets its own new page from the pool
//   (swapin_readahead() is alloc_page(); the kernel would share one swap-cache folio between
//   the PTEs of a fork family), and the entry's swap_map count drops as the PTE is replaced.
// - When swap is still in use after a full pass, try_to_unuse() retries once the number of
//   free swap slots has changed (awaitUntil) instead of spinning: a pass that can make no
//   progress would only repeat itself.
// - unuse_vma() reads each PTE page's swap entries in one step under the PTE lock (the kernel
//   reads them locklessly) and takes the lock again per entry in unuse_pte(), as the kernel.
// STUBBED: shmem_unuse(), the swap-cache clean-up pass, signal_pending() (swapoff is never
//   interrupted), several swap devices (there is one: every entry has the type being removed),
//   folio_lock/writeback, KSM pages, hugetlb.
import type { Model } from '../../engine/op.ts';
import { awaitUntil, kfn, load, note, rmw } from '../../engine/prims.ts';
import { pt_ptes, vma_deref } from '../debug/kasan.ts';
import { lock_acquire, lock_release } from '../debug/lockdep.ts';
import { ENOMEM } from '../include/linux/errno.ts';
import { check_stable_address_space, vma_entries } from '../include/linux/mm.ts';
import { mmap_read_lock, mmap_read_unlock } from '../include/linux/mmap_lock.ts';
import { PMD_SIZE, VM_HUGETLB, type mm_struct, type page, type pte_table, type swp_entry_t, type vm_area_struct } from '../include/linux/mm_types.ts';
import { mmget_not_zero } from '../include/linux/sched/mm.ts';
import { mmput } from '../kernel/fork.ts';
import type { world } from '../world.ts';
import { alloc_page, put_page } from './page_alloc.ts';
import { free_swap_and_cache } from './swapfile.ts';

/** swap_usage_in_pages(si): slots in use on the (single) swap device. */
function* swap_usage_in_pages(w: world): Model<number> {
  return w.total_swap_pages - (yield* load(w.nr_swap_pages));
}

/**
 * unuse_pte() - replace the swap PTE at @addr by @page if it still holds @entry.
 * Context: mmap_read_lock(vma->vm_mm); takes the PTE lock.
 * Returns: true if @page was mapped (it then owns the caller's page reference).
 * Models: mm/swapfile.c: unuse_pte()
 */
const unuse_pte = kfn('unuse_pte', function* (vma: vm_area_struct, pt: pte_table, addr: number, entry: swp_entry_t, page: page): Model<boolean> {
  const mm = vma.vm_mm;
  yield* lock_acquire(mm.w, pt.ptl); // pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl)
  const ptes = yield* pt_ptes(pt);
  const same = ptes.get(addr) === entry; // pte_same_as_swp(ptep_get(pte), swp_entry_to_pte(entry))
  if (same) {
    yield* rmw(mm.rss_stat, ([file, anon, swapents]) => [file, anon + 1, swapents - 1] as const); // dec_mm_counter(MM_SWAPENTS); inc_mm_counter(MM_ANONPAGES)
    yield* rmw(pt.ptes, (m) => new Map(m).set(addr, { kind: 'page', page, write: false })); // set_pte_at()
    yield* free_swap_and_cache(mm.w, entry); // swap_free(entry)
  }
  yield* lock_release(mm.w, pt.ptl); // pte_unmap_unlock(pte, ptl)
  return same;
});

/**
 * unuse_vma() - bring back every swapped-out page of @vma.
 * Context: mmap_read_lock(vma->vm_mm).
 * Returns: 0 or -ENOMEM (no page for a swap-in).
 * Models: mm/swapfile.c: unuse_vma() -> unuse_pte_range()
 */
export const unuse_vma = kfn('unuse_vma', function* (vma: vm_area_struct): Model<number> {
  const mm = vma.vm_mm;
  const w = mm.w;
  const pgd = yield* load(mm.pgd);
  if (!pgd) return 0;
  for (let pmd = Math.floor(vma.vm_start / PMD_SIZE); pmd * PMD_SIZE < vma.vm_end; pmd++) {
    const pt = pgd.get(pmd);
    if (!pt) continue; // pmd_none_or_trans_huge_or_clear_bad(pmd)
    yield* lock_acquire(w, pt.ptl);
    const ptes = yield* pt_ptes(pt);
    yield* lock_release(w, pt.ptl);
    for (const [addr, pte] of ptes) {
      if (addr < vma.vm_start || addr >= vma.vm_end || pte.kind !== 'swap') continue; // if (!is_swap_pte(ptent)) continue;
      const page = yield* alloc_page(w, 'unuse_pte_range:swapin_readahead', true); // folio = swapin_readahead(entry, ...)
      if (!page) {
        if ((yield* load(pte.count)) === 0) continue; // if (swp_count == 0 ...) continue;
        return -ENOMEM;
      }
      if (!(yield* unuse_pte(vma, pt, addr, pte, page))) yield* put_page(w, page); // folio_put(folio)
    }
  }
  return 0;
});

/**
 * unuse_mm() - bring back every swapped-out page of @mm: a RAW for_each_vma under the read
 * lock, so a failed fork's XA_ZERO_ENTRY reaches the loop body, whose first read is
 * vma->anon_vma (offset 0x40: "0x406 + 0x40 = 0x446"). Since 1367da7eb875
 * (swapoffChecksUnstable) an mm marked MMF_UNSTABLE is skipped.
 * Context: the caller holds an mm_users reference.
 * Returns: 0 or -ENOMEM.
 * Models: mm/swapfile.c: unuse_mm()
 */
export const unuse_mm = kfn('unuse_mm', function* (mm: mm_struct): Model<number> {
  let ret = 0;
  yield* mmap_read_lock(mm);
  if (mm.w.sw.swapoffChecksUnstable && (yield* check_stable_address_space(mm))) {
    yield* note(`unuse_mm: ${mm.name} is MMF_UNSTABLE: skipped`); // if (check_stable_address_space(mm)) goto unlock;
  } else {
    for (const entry of yield* vma_entries(mm)) {
      // for_each_vma(vmi, vma) { if (vma->anon_vma && !is_vm_hugetlb_page(vma)) { ...
      const [vma, flags] = yield* vma_deref(entry, mm, 'anon_vma');
      if (!(yield* load(vma.anon_vma)) || flags & VM_HUGETLB) continue;
      ret = yield* unuse_vma(vma);
      if (ret) break;
    }
  }
  yield* mmap_read_unlock(mm);
  return ret;
});

/**
 * try_to_unuse() - swapoff's main loop: walk init_mm.mmlist, pin each mm with
 * mmget_not_zero(), drop mmlist_lock, mmput() the previous mm (possibly its last reference: its
 * teardown then runs here) and unuse_mm() it; repeat while swap is in use.
 * Context: swapoff(2), no locks held.
 * Returns: 0, or -ENOMEM when a swap-in found no page.
 * Models: mm/swapfile.c: try_to_unuse()
 */
export const try_to_unuse = kfn('try_to_unuse', function* (w: world): Model<number> {
  for (;;) {
    // retry: (shmem_unuse(type): STUBBED)
    let prev_mm: mm_struct | null = null; // prev_mm = &init_mm; mmget(prev_mm);
    let mm: mm_struct | null = null; // p = &init_mm.mmlist;
    yield* lock_acquire(w, w.mmlist_lock); // spin_lock(&mmlist_lock)
    for (;;) {
      if ((yield* swap_usage_in_pages(w)) === 0) break; // while (swap_usage_in_pages(si) && ...
      const list = yield* load(w.mmlist);
      const next: mm_struct | undefined = list[mm ? list.indexOf(mm) + 1 : 0]; // (p = p->next) != &init_mm.mmlist
      if (!next) break;
      mm = next;
      if (!(yield* mmget_not_zero(mm))) continue;
      yield* lock_release(w, w.mmlist_lock); // spin_unlock(&mmlist_lock)
      if (prev_mm) yield* mmput(prev_mm); // mmput(prev_mm): may be its last reference
      prev_mm = mm;
      const retval = yield* unuse_mm(mm);
      if (retval) {
        yield* mmput(prev_mm);
        return retval;
      }
      yield* lock_acquire(w, w.mmlist_lock); // cond_resched(); spin_lock(&mmlist_lock)
    }
    yield* lock_release(w, w.mmlist_lock);
    if (prev_mm) yield* mmput(prev_mm);
    const free = yield* load(w.nr_swap_pages);
    if (free === w.total_swap_pages) return 0; // success
    // if (swap_usage_in_pages(si)) goto retry;  (DEVIATION: wait for progress, see the header)
    yield* note(`try_to_unuse: ${w.total_swap_pages - free} swap slot(s) still in use: retry`);
    yield* awaitUntil(w.nr_swap_pages, (n) => n !== free, 'swap slots to be freed (try_to_unuse retry)');
  }
});
