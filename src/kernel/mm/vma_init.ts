// Models mm/vma_init.c @ v7.0 (vm_area_alloc/vm_area_dup/vm_area_free moved there from
// kernel/fork.c in 2025): VMA slab objects.
// CUSTOMISED: every VMA is registered for the end-of-execution audit; a freed VMA's vm_flags
// is poisoned so that checked dereferences see the free (debug/kasan.ts).
// STUBBED: vm_ops, vm_page_prot, the mempolicy (vma_dup_policy only has its failure point),
// userfaultfd context, anon_name.
import type { Model } from '../../engine/op.ts';
import { ModelViolation } from '../../engine/op.ts';
import { fault, kfn, load, newLoc, store } from '../../engine/prims.ts';
import type { anon_vma, anon_vma_chain, file, mm_struct, vm_area_struct } from '../include/linux/mm_types.ts';
import { VM_POISON, vm_flags_text } from '../include/linux/mm_types.ts';
import { new_name } from '../world.ts';

export interface vma_desc {
  readonly start: number;
  readonly end: number;
  readonly flags: number;
  readonly file: file | null;
  readonly pgoff: number;
}

function* new_vma(mm: mm_struct, d: vma_desc, av: anon_vma | null): Model<vm_area_struct> {
  const w = mm.w;
  const name = new_name(w, 'vma');
  const vma: vm_area_struct = {
    name,
    vm_start: d.start,
    vm_end: d.end,
    vm_mm: mm,
    vm_pgoff: d.pgoff,
    vm_file: d.file,
    vm_flags: yield* newLoc(`${name}.vm_flags`, d.flags, vm_flags_text),
    anon_vma: yield* newLoc<anon_vma | null>(`${name}.anon_vma`, av),
    anon_vma_chain: yield* newLoc<readonly anon_vma_chain[]>(`${name}.anon_vma_chain`, []),
    vm_lock_seq: yield* newLoc(`${name}.vm_lock_seq`, 0),
    detached: yield* newLoc(`${name}.detached`, true),
    __state: 'live',
  };
  w.__reg.vmas.push(vma);
  return vma;
}

/**
 * vm_area_alloc() - a new detached VMA of @mm, or null when the slab allocation fails.
 * @site: fault site name of the allocation.
 * Models: mm/vma_init.c: vm_area_alloc()
 */
export const vm_area_alloc = kfn('vm_area_alloc', function* (mm: mm_struct, d: vma_desc, site: string): Model<vm_area_struct | null> {
  if (yield* fault(site)) return null;
  return yield* new_vma(mm, d, null);
});

/**
 * vm_area_dup() - copy @orig (range, flags, file, anon_vma pointer; empty AVC list) into @mm,
 * or null when the slab allocation fails.
 * DEVIATION: vm_mm is fixed at creation, so the copy belongs to the child at once (the kernel
 * copies vm_mm and dup_mmap() sets "tmp->vm_mm = mm" before the copy is visible).
 * Models: mm/vma_init.c: vm_area_dup()
 */
export const vm_area_dup = kfn('vm_area_dup', function* (orig: vm_area_struct, mm: mm_struct, site: string): Model<vm_area_struct | null> {
  if (yield* fault(site)) return null;
  const flags = yield* load(orig.vm_flags);
  const av = yield* load(orig.anon_vma);
  return yield* new_vma(mm, { start: orig.vm_start, end: orig.vm_end, flags, file: orig.vm_file, pgoff: orig.vm_pgoff }, av);
});

/**
 * vm_area_free() - free the VMA (poisons it).
 * Models: mm/vma_init.c: vm_area_free()
 */
export const vm_area_free = kfn('vm_area_free', function* (vma: vm_area_struct): Model<void> {
  if (vma.__state === 'freed') throw new ModelViolation('use-after-free', `BUG: KASAN: double-free in vm_area_free: ${vma.name}`);
  yield* store(vma.vm_flags, VM_POISON);
  vma.__state = 'freed';
});
