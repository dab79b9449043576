// Models mm/madvise.c @ v7.0: madvise(2) with the two advices the scenarios use, each on the
// whole VMA that contains the start address (kernel-spec.md 11.7: KSM and khugepaged
// registration; race R2's huge page).
// CUSTOMISED: one VMA, no split at the range ends (the range is the VMA's), no other advice.
import type { Model } from '../../engine/op.ts';
import { kfn, load } from '../../engine/prims.ts';
import { EINVAL } from '../include/linux/errno.ts';
import { vma_lookup } from '../include/linux/mm.ts';
import { mmap_write_lock, mmap_write_unlock } from '../include/linux/mmap_lock.ts';
import type { task_struct } from '../include/linux/mm_types.ts';
import { hugepage_madvise } from './khugepaged.ts';
import { ksm_madvise } from './ksm.ts';

export type madvise_advice = 'MADV_MERGEABLE' | 'MADV_HUGEPAGE';

/**
 * do_madvise() - madvise(@start, ..., @advice) by @current, on the VMA at @start.
 * Returns: 0, or -EINVAL (no VMA there) or ksm_madvise()'s error.
 * Models: mm/madvise.c: do_madvise() -> madvise_vma_behavior()
 */
export const do_madvise = kfn('do_madvise', function* (current: task_struct, start: number, advice: madvise_advice): Model<number> {
  const mm = (yield* load(current.mm))!;
  yield* mmap_write_lock(mm);
  const vma = yield* vma_lookup(mm, start);
  let ret = vma ? 0 : -EINVAL;
  if (vma) {
    if (advice === 'MADV_MERGEABLE') ret = yield* ksm_madvise(vma);
    else yield* hugepage_madvise(vma);
  }
  yield* mmap_write_unlock(mm);
  return ret;
});
