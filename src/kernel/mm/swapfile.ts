// Models the swap-entry side of mm/swapfile.c and mm/rmap.c @ v7.0: swap slots with their
// swap_map count, the init_mm.mmlist membership of an mm that has swap entries, and a swap-out
// helper for building processes. swapoff (try_to_unuse / unuse_mm) belongs to the outside
// actors and is added to this file by them.
// CUSTOMISED: one swap device with w.total_swap_pages slots; no swap cache (a swapped-out page
// is freed at once, a fault would read it back into a new page).
// STUBBED: swap_info_struct, cluster allocation, swap readahead.
import type { Model } from '../../engine/op.ts';
import { ModelViolation } from '../../engine/op.ts';
import { kfn, load, newLoc, rmw, store } from '../../engine/prims.ts';
import { lock_acquire, lock_release } from '../debug/lockdep.ts';
import type { mm_struct, swp_entry_t } from '../include/linux/mm_types.ts';
import { new_name, type world } from '../world.ts';

/**
 * folio_alloc_swap() - a free swap slot with swap_map count 1, or null when swap is full.
 * Models: mm/swapfile.c: folio_alloc_swap()
 */
export function* folio_alloc_swap(w: world): Model<swp_entry_t | null> {
  const old = yield* rmw(w.nr_swap_pages, (n) => (n > 0 ? n - 1 : 0));
  if (old === 0) return null;
  const name = new_name(w, 'swp');
  const e: swp_entry_t = { name, kind: 'swap', count: yield* newLoc(`${name}.swap_map`, 1), __state: 'live' };
  w.__reg.swaps.push(e);
  return e;
}

/**
 * swap_duplicate() - one more PTE holds this swap entry (fork copies it).
 * Models: mm/swapfile.c: swap_duplicate()
 */
export function* swap_duplicate(e: swp_entry_t): Model<void> {
  const old = yield* rmw(e.count, (n) => n + 1);
  if (old <= 0 || e.__state === 'freed') throw new ModelViolation('use-after-free', `swap_duplicate: Bad swap file entry ${e.name} (free slot)`);
}

/**
 * free_swap_and_cache() - a PTE holding this entry was zapped; the last reference frees the slot.
 * Models: mm/swapfile.c: free_swap_and_cache_nr()
 */
export function* free_swap_and_cache(w: world, e: swp_entry_t): Model<void> {
  const old = yield* rmw(e.count, (n) => n - 1);
  if (old <= 0 || e.__state === 'freed') throw new ModelViolation('use-after-free', `swap_free: Unused swap offset entry ${e.name}`);
  if (old === 1) {
    e.__state = 'freed';
    yield* rmw(w.nr_swap_pages, (n) => n + 1);
  }
}

/**
 * add_to_mmlist() - put @mm on init_mm.mmlist (after @after, else at the tail) unless it is
 * there already, so swapoff can find it.
 * Context: takes mmlist_lock.
 * Models: the "if (list_empty(&mm->mmlist))" blocks of mm/rmap.c: try_to_unmap_one() and
 * mm/memory.c: copy_nonpresent_pte()
 */
export const add_to_mmlist = kfn('add_to_mmlist', function* (mm: mm_struct, after: mm_struct | null): Model<void> {
  const w = mm.w;
  if (yield* load(mm.mmlist)) return; // unlikely(list_empty(&dst_mm->mmlist)) is false
  yield* lock_acquire(w, w.mmlist_lock);
  if (!(yield* load(mm.mmlist))) {
    yield* rmw(w.mmlist, (l) => {
      const i = after ? l.indexOf(after) : -1;
      return i < 0 ? [...l, mm] : [...l.slice(0, i + 1), mm, ...l.slice(i + 1)];
    });
    yield* store(mm.mmlist, true);
  }
  yield* lock_release(w, w.mmlist_lock);
});

/**
 * del_from_mmlist() - take @mm off init_mm.mmlist if it is on it.
 * Context: takes mmlist_lock.
 * Models: the "if (!list_empty(&mm->mmlist))" block of kernel/fork.c: __mmput()
 */
export const del_from_mmlist = kfn('del_from_mmlist', function* (mm: mm_struct): Model<void> {
  const w = mm.w;
  if (!(yield* load(mm.mmlist))) return;
  yield* lock_acquire(w, w.mmlist_lock);
  yield* rmw(w.mmlist, (l) => l.filter((m) => m !== mm));
  yield* store(mm.mmlist, false);
  yield* lock_release(w, w.mmlist_lock);
});
