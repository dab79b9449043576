// Models the fork-side uprobe hooks declared in include/linux/uprobes.h @ v7.0 and defined in
// kernel/events/uprobes.c: the dup_mmap_sem read section and uprobe_dup_mmap(). The uprobe
// registration path (register_for_each_vma, build_map_info) is in kernel/events/uprobes.ts.
import type { Model } from '../../../engine/op.ts';
import { lock_acquire, lock_release } from '../../debug/lockdep.ts';
import type { world } from '../../world.ts';
import { mm_flags_set, mm_flags_test } from './bitops.ts';
import { MMF_HAS_UPROBES, MMF_RECALC_UPROBES, type mm_struct } from './mm_types.ts';

/**
 * uprobe_start_dup_mmap() - percpu_down_read(&dup_mmap_sem): a fork is copying an mm;
 * uprobe registration (the writer) waits for it.
 * Models: kernel/events/uprobes.c: uprobe_start_dup_mmap()
 */
export function* uprobe_start_dup_mmap(w: world): Model<void> {
  yield* lock_acquire(w, w.dup_mmap_sem, 'read');
}

/** uprobe_end_dup_mmap() - percpu_up_read(&dup_mmap_sem). Models: kernel/events/uprobes.c */
export function* uprobe_end_dup_mmap(w: world): Model<void> {
  yield* lock_release(w, w.dup_mmap_sem, 'read');
}

/**
 * uprobe_dup_mmap() - the child inherits MMF_HAS_UPROBES and must recalculate it.
 * Models: kernel/events/uprobes.c: uprobe_dup_mmap()
 */
export function* uprobe_dup_mmap(oldmm: mm_struct, newmm: mm_struct): Model<void> {
  if (yield* mm_flags_test(MMF_HAS_UPROBES, oldmm)) {
    yield* mm_flags_set(MMF_HAS_UPROBES, newmm);
    yield* mm_flags_set(MMF_RECALC_UPROBES, newmm);
  }
}
