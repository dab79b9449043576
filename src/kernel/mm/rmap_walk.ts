// Models the anon half of the reverse-map walk of mm/rmap.c @ v7.0: rmap_walk_anon() under the
// root anon_vma's read lock over the anon_vma's interval tree, and folio_referenced_one() as
// the per-VMA step reclaim uses (kernel-spec.md 1.4, 10; race R15).
//
// CUSTOMISED:
// - The walk starts from the anon_vma and page offset of a folio (folio_anon_vma(folio),
//   folio_pgoff()) given by the caller: anonymous pages carry no ->mapping in the model.
// - folio_referenced_one() looks at the PTE at the address in the VMA's mm under the PTE lock
//   (page_vma_mapped_walk) and counts it if it maps a page; the accessed bit is not modelled.
// STUBBED: rmap_walk_file(), the rwc->invalid_vma/done hooks, anon_vma_trylock_read() (the walk
//   always blocks on the read lock), folio locking, KSM folios, the TLB flush of young PTEs.
import type { Model } from '../../engine/op.ts';
import { kfn, load } from '../../engine/prims.ts';
import { pt_ptes, vma_deref } from '../debug/kasan.ts';
import { lock_acquire, lock_release } from '../debug/lockdep.ts';
import { PAGE_SIZE, type anon_vma, type vm_area_struct } from '../include/linux/mm_types.ts';
import type { world } from '../world.ts';
import { pte_offset_map_lock, pte_unlock } from './memory.ts';

/**
 * struct rmap_walk_control: what to do with each VMA that may map the folio.
 * Models: include/linux/rmap.h: struct rmap_walk_control
 */
export interface rmap_walk_control {
  /** Returns false to stop the walk. */
  readonly rmap_one: (vma: vm_area_struct, address: number) => Model<boolean>;
}

/** vma_address(): where page offset @pgoff is mapped in @vma, or -1 outside it. */
export function vma_address(vma: vm_area_struct, pgoff: number): number {
  const address = vma.vm_start + (pgoff - vma.vm_pgoff) * PAGE_SIZE;
  return address >= vma.vm_start && address < vma.vm_end ? address : -1;
}

/**
 * rmap_walk_anon() - call rwc->rmap_one() for every VMA of @av's interval tree that covers
 * @pgoff: every VMA of the fork family that may map the folio, in every mm (a half-built fork
 * child's too, once anon_vma_fork() linked its AVCs).
 * Context: takes the root anon_vma's rwsem for read (anon_vma_lock_read).
 * Models: mm/rmap.c: rmap_walk_anon()
 */
export const rmap_walk_anon = kfn('rmap_walk_anon', function* (w: world, av: anon_vma, pgoff: number, rwc: rmap_walk_control): Model<void> {
  yield* lock_acquire(w, av.root.rwsem, 'read'); // anon_vma_lock_read(anon_vma)
  // anon_vma_interval_tree_foreach(avc, &anon_vma->rb_root, pgoff_start, pgoff_end)
  for (const avc of yield* load(av.rb_root)) {
    const [vma] = yield* vma_deref(avc.vma, null, 'vm_start'); // struct vm_area_struct *vma = avc->vma;
    const address = vma_address(vma, pgoff);
    if (address < 0) continue;
    if (!(yield* rwc.rmap_one(vma, address))) break;
  }
  yield* lock_release(w, av.root.rwsem, 'read'); // anon_vma_unlock_read(anon_vma)
});

/**
 * folio_referenced_one() - does the PTE at @address of @vma's mm map a page? (reclaim's
 * "was it referenced" check, one VMA).
 * Context: the anon_vma read lock (rmap_walk_anon); takes the PTE lock.
 * Returns: true (keep walking); the count goes to @referenced.
 * Models: mm/rmap.c: folio_referenced_one() (page_vma_mapped_walk)
 */
export const folio_referenced_one = kfn('folio_referenced_one', function* (vma: vm_area_struct, address: number, referenced: { n: number }): Model<boolean> {
  const mm = vma.vm_mm;
  const pt = yield* pte_offset_map_lock(mm, address); // page_vma_mapped_walk(&pvmw)
  if (!pt) return true;
  const pte = (yield* pt_ptes(pt)).get(address);
  if (pte && pte.kind === 'page') referenced.n++; // ptep_clear_flush_young_notify()
  yield* pte_unlock(mm, pt);
  return true;
});

/**
 * folio_referenced() - how many mappings of the anonymous folio at (@av, @pgoff) exist.
 * Context: reclaim (kswapd); no locks held.
 * Models: mm/rmap.c: folio_referenced() (anonymous folios)
 */
export const folio_referenced = kfn('folio_referenced', function* (w: world, av: anon_vma, pgoff: number): Model<number> {
  const referenced = { n: 0 };
  yield* rmap_walk_anon(w, av, pgoff, { rmap_one: (vma, address) => folio_referenced_one(vma, address, referenced) });
  return referenced.n;
});
