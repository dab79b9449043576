// Models the swap-out of one anonymous page as reclaim does it (mm/vmscan.c: shrink_folio_list
// -> mm/rmap.c: try_to_unmap_one -> pageout), for building processes with swapped-out memory.
// CUSTOMISED: the page must be mapped by this PTE only (no rmap walk over other mms); the
// write-out is synchronous and the page is freed at once (no swap cache).
import type { Model } from '../../engine/op.ts';
import { kfn, load, rmw } from '../../engine/prims.ts';
import { pt_ptes } from '../debug/kasan.ts';
import { EBUSY, EFAULT, ENOMEM } from '../include/linux/errno.ts';
import { PAGE_SIZE, type mm_struct, type pte_t } from '../include/linux/mm_types.ts';
import { add_mm_rss, pte_offset_map_lock, pte_unlock } from './memory.ts';
import { put_page } from './page_alloc.ts';
import { add_to_mmlist, folio_alloc_swap } from './swapfile.ts';

/**
 * swap_out_page() - replace the PTE of the anonymous page at @addr by a swap entry and free
 * the page; the mm joins init_mm.mmlist. Returns 0, -EFAULT (no anon page), -EBUSY (shared
 * page) or -ENOMEM (swap full).
 * Models: mm/rmap.c: try_to_unmap_one() (anon branch) + mm/vmscan.c: pageout()
 */
export const swap_out_page = kfn('swap_out_page', function* (mm: mm_struct, addr: number): Model<number> {
  addr -= addr % PAGE_SIZE;
  const pt = yield* pte_offset_map_lock(mm, addr);
  if (!pt) return -EFAULT;
  const pte = (yield* pt_ptes(pt)).get(addr);
  if (!pte || pte.kind !== 'page' || !pte.page.anon) { yield* pte_unlock(mm, pt); return -EFAULT; }
  if ((yield* load(pte.page._refcount)) !== 1) { yield* pte_unlock(mm, pt); return -EBUSY; }
  const entry = yield* folio_alloc_swap(mm.w);
  if (!entry) { yield* pte_unlock(mm, pt); return -ENOMEM; }
  yield* rmw(pt.ptes, (m) => { (m as Map<number, pte_t>).set(addr, entry); return m; }); // set_pte_at(mm, address, pvmw.pte, swp_pte)
  yield* add_to_mmlist(mm, null); // if (list_empty(&mm->mmlist)) list_add(&mm->mmlist, &init_mm.mmlist)
  yield* pte_unlock(mm, pt);
  yield* add_mm_rss(mm, 0, -1, 1); // dec_mm_counter(mm, MM_ANONPAGES); inc_mm_counter(mm, MM_SWAPENTS)
  yield* put_page(mm.w, pte.page);
  return 0;
});
