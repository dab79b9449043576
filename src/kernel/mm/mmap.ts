// Models mm/mmap.c @ v7.0: dup_mmap(), exit_mmap(). (Work in progress: filled in next.)
import type { Model } from '../../engine/op.ts';
import { ModelViolation } from '../../engine/op.ts';
import type { mm_struct } from '../include/linux/mm_types.ts';

export function* dup_mmap(mm: mm_struct, oldmm: mm_struct): Model<number> {
  yield* [];
  throw new ModelViolation('uncaught', `dup_mmap(${mm.name}, ${oldmm.name}) not modelled yet`);
}

export function* exit_mmap(mm: mm_struct): Model<void> {
  yield* [];
  throw new ModelViolation('uncaught', `exit_mmap(${mm.name}) not modelled yet`);
}
