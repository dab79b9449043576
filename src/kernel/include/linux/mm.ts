// Models the VMA-tree helpers of include/linux/mm.h and mm/vma.h @ v7.0: the vma_iterator
// (vma_next, vma_prev, vma_iter_load, for_each_vma), find_vma/vma_lookup, the tree stores
// (vma_iter_bulk_store, vma_iter_store_gfp, vma_iter_clear_gfp) and check_stable_address_space().
//
// Every tree operation is ONE step on mm->mm_mt: a read is a load of the tree followed, in the
// same step, by the maple tree walk (op.ts atomicity guarantee); a write is an rmw that mutates
// the tree in place. Raw iterators return XA_ZERO_ENTRY as is; the filtered lookups
// (find_vma, vma_lookup) skip it, as the kernel's do (kernel-spec.md 4.2).
// CUSTOMISED: an allocation failure of a store is a fault site asked before the store; when it
// fires the store runs with an allocator that refuses every node, so the tree op returns
// -ENOMEM exactly where the kernel's would (and succeeds when it needs no node).
import type { Model } from '../../../engine/op.ts';
import { fault, load, rmw } from '../../../engine/prims.ts';
import {
  GFP_KERNEL,
  MA_STATE,
  mas_find,
  mas_prev,
  mas_set,
  mas_set_range,
  mas_store_gfp,
  mas_walk,
  mt_find,
  mtree_load,
  type gfp_t,
  type ma_state,
} from '../../lib/maple_tree.ts';
import { ULONG_MAX, type maple_tree } from '../../lib/maple_node.ts';
import { MMF_UNSTABLE, type mm_struct, type vm_area_struct } from './mm_types.ts';

/** A raw tree entry: a VMA, the XA_ZERO_ENTRY marker, or NULL. */
export type vma_entry = vm_area_struct | symbol | null;

/** A failing allocator: refuses every node (GFP after an injected failure). */
export const GFP_FAIL: gfp_t = () => false;

/**
 * struct vma_iterator - a maple state over mm->mm_mt.
 * Models: include/linux/mm_types.h: struct vma_iterator
 */
export interface vma_iterator {
  readonly mm: mm_struct;
  mas: ma_state | null;
  index: number;
}

/** VMA_ITERATOR(name, mm, addr). */
export function VMA_ITERATOR(mm: mm_struct, addr: number): vma_iterator {
  return { mm, mas: null, index: addr };
}

/** The iterator's maple state on the current tree object (created on first use). */
function vmi_mas(vmi: vma_iterator, mt: maple_tree): ma_state {
  if (!vmi.mas || vmi.mas.tree !== mt) vmi.mas = MA_STATE(mt, vmi.index, vmi.index);
  return vmi.mas;
}

/** vma_iter_set(vmi, addr): restart the walk at addr. */
export function vma_iter_set(vmi: vma_iterator, addr: number): void {
  vmi.index = addr;
  if (vmi.mas) mas_set(vmi.mas, addr);
}

/** Start/last of the range the iterator is on (after a find). */
export function vma_iter_range(vmi: vma_iterator): readonly [number, number] {
  return vmi.mas ? [vmi.mas.index, vmi.mas.last] : [vmi.index, vmi.index];
}

/**
 * vma_next() - next raw entry at/after the position (XA_ZERO_ENTRY is returned as is).
 * Context: mmap_lock held (read or write).
 * Models: include/linux/mm.h: vma_next() (mas_find(&vmi->mas, ULONG_MAX))
 */
export function* vma_next(vmi: vma_iterator): Model<vma_entry> {
  const mt = yield* load(vmi.mm.mm_mt);
  return mas_find(vmi_mas(vmi, mt), ULONG_MAX) as vma_entry;
}

/** vma_find(vmi, max): next raw entry below max. Models: include/linux/mm.h: vma_find() */
export function* vma_find(vmi: vma_iterator, max: number): Model<vma_entry> {
  const mt = yield* load(vmi.mm.mm_mt);
  return mas_find(vmi_mas(vmi, mt), max - 1) as vma_entry;
}

/** vma_prev(): previous raw entry. Models: include/linux/mm.h: vma_prev() */
export function* vma_prev(vmi: vma_iterator): Model<vma_entry> {
  const mt = yield* load(vmi.mm.mm_mt);
  return mas_prev(vmi_mas(vmi, mt), 0) as vma_entry;
}

/** vma_iter_load(): the raw entry at the position. Models: mm/vma.h: vma_iter_load() */
export function* vma_iter_load(vmi: vma_iterator): Model<vma_entry> {
  const mt = yield* load(vmi.mm.mm_mt);
  return mas_walk(vmi_mas(vmi, mt)) as vma_entry;
}

/**
 * for_each_vma() snapshot: every raw entry from addr on, read in ONE step.
 * DEVIATION: the kernel walks incrementally; use it only under mmap_lock where the tree is
 * stable, and only in loops whose bodies do not modify the tree.
 */
export function* vma_entries(mm: mm_struct, from = 0, rev = false): Model<vma_entry[]> {
  const mt = yield* load(mm.mm_mt);
  const mas = MA_STATE(mt, from, from);
  const out: vma_entry[] = [];
  for (let e = mas_find(mas, ULONG_MAX); e !== null; e = mas_find(mas, ULONG_MAX)) out.push(e as vma_entry);
  if (rev) out.reverse(); // mas_for_each_rev()
  return out;
}

/** One tree range and its raw entry. */
export interface vma_range {
  readonly start: number;
  readonly last: number;
  readonly entry: vma_entry;
}

/**
 * Model-only: every non-NULL range of the tree with its raw entry, in ONE step (the tree's
 * own bounds, without dereferencing any entry). For audits, snapshots and tear-downs that must
 * not touch entries they will not use.
 */
export function* vma_ranges(mm: mm_struct): Model<vma_range[]> {
  return tree_ranges(yield* load(mm.mm_mt));
}

/** The non-NULL ranges of a tree (no step: for peek-based snapshots and audits). */
export function tree_ranges(mt: maple_tree): vma_range[] {
  const mas = MA_STATE(mt, 0, 0);
  const out: vma_range[] = [];
  for (let e = mas_find(mas, ULONG_MAX); e !== null; e = mas_find(mas, ULONG_MAX))
    out.push({ start: mas.index, last: mas.last, entry: e as vma_entry });
  return out;
}

/**
 * find_vma() - first VMA with vm_end > addr (zero entries skipped: may return a later one).
 * Models: mm/mmap.c: find_vma() (mt_find)
 */
export function* find_vma(mm: mm_struct, addr: number): Model<vm_area_struct | null> {
  const mt = yield* load(mm.mm_mt);
  const idx = { index: addr };
  return (mt_find(mt, idx, ULONG_MAX) ?? null) as vm_area_struct | null;
}

/** vma_lookup() - the VMA covering addr, or null (zero entry -> null). Models: include/linux/mm.h */
export function* vma_lookup(mm: mm_struct, addr: number): Model<vm_area_struct | null> {
  const mt = yield* load(mm.mm_mt);
  return (mtree_load(mt, addr) ?? null) as vm_area_struct | null;
}

/**
 * vma_iter_store_gfp() - store @vma over its range; -ENOMEM if a node allocation fails.
 * @site: the fault site of the allocation.
 * Models: mm/vma.h: vma_iter_store_gfp()
 */
export function* vma_iter_store_gfp(vmi: vma_iterator, vma: vm_area_struct, site: string): Model<number> {
  const gfp = (yield* fault(site)) ? GFP_FAIL : GFP_KERNEL;
  let err = 0;
  yield* rmw(vmi.mm.mm_mt, (mt) => {
    const mas = vmi_mas(vmi, mt);
    mas_set_range(mas, vma.vm_start, vma.vm_end - 1);
    err = mas_store_gfp(mas, vma, gfp);
    return mt;
  });
  return err;
}

/**
 * vma_iter_clear_gfp() - erase [start, end) from the tree; -ENOMEM if a node allocation fails.
 * Models: mm/vma.h: vma_iter_clear_gfp()
 */
export function* vma_iter_clear_gfp(vmi: vma_iterator, start: number, end: number, site: string): Model<number> {
  const gfp = (yield* fault(site)) ? GFP_FAIL : GFP_KERNEL;
  let err = 0;
  yield* rmw(vmi.mm.mm_mt, (mt) => {
    const mas = vmi_mas(vmi, mt);
    mas_set_range(mas, start, end - 1);
    err = mas_store_gfp(mas, null, gfp);
    return mt;
  });
  return err;
}

/**
 * vma_iter_bulk_store() - overwrite the entry the iterator is on with @vma; after __mt_dup()
 * the range exists already, so no node is needed and it cannot fail.
 * Models: mm/vma.h: vma_iter_bulk_store()
 */
export function* vma_iter_bulk_store(vmi: vma_iterator, vma: vm_area_struct): Model<void> {
  yield* rmw(vmi.mm.mm_mt, (mt) => {
    const mas = vmi_mas(vmi, mt);
    mas_set_range(mas, vma.vm_start, vma.vm_end - 1);
    mas_store_gfp(mas, vma, GFP_KERNEL);
    return mt;
  });
}

/**
 * check_stable_address_space() - MMF_UNSTABLE is set: the fault path returns VM_FAULT_SIGBUS,
 * uprobes and swapoff skip the mm.
 * Models: include/linux/oom.h: check_stable_address_space()
 */
export function* check_stable_address_space(mm: mm_struct): Model<boolean> {
  return ((yield* load(mm.flags)) & (1 << MMF_UNSTABLE)) !== 0;
}

/** vma_is_anonymous(): no vm_file (vm_ops == NULL in the kernel). */
export function vma_is_anonymous(vma: vm_area_struct): boolean {
  return vma.vm_file === null;
}

/** vma_pages(): number of pages. */
export function vma_pages(vma: vm_area_struct): number {
  return (vma.vm_end - vma.vm_start) / 4096;
}
