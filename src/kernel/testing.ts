// Helpers for the kernel model's tests (no Node imports: tests import this and assert):
// run a single-CPU program under a preset, and draw an mm the way tools/testing/vma draws
// address spaces ("0123456789abcd" over ".AA.B...CC..D.").
import type { ExploreOptions, ExploreResult } from '../engine/api.ts';
import { explore } from '../engine/explore.ts';
import type { Model } from '../engine/op.ts';
import { load } from '../engine/prims.ts';
import { kernelConfig } from './config.ts';
import { flag_names } from './include/linux/bitops.ts';
import { vma_ranges } from './include/linux/mm.ts';
import { MMF_NAMES, PAGE_SIZE, type mm_struct, type vm_area_struct } from './include/linux/mm_types.ts';
import { kernel_program, type kernel_program_opts } from './program.ts';
import type { world } from './world.ts';

/** Explores @setup (one CPU unless it spawns more) under @preset. Default: naive, no faults. */
export function run_kernel(preset: string, setup: (w: world) => Model<void>, options: Partial<ExploreOptions> = {}, opts: kernel_program_opts = {}, patch?: string): ExploreResult {
  const cfg = kernelConfig(preset, patch);
  return explore(() => kernel_program(cfg, setup, opts), { strategy: 'naive', maxFaults: 0, ...options });
}

/**
 * layout() - one character per page of [0, pages): '.' no entry, a letter per VMA of @mm in
 * address order (A, B, ...), 'p' a VMA of another mm (a parent pointer after __mt_dup),
 * 'Z' XA_ZERO_ENTRY, 'x' a freed VMA.
 */
export function* layout(mm: mm_struct, pages = 14): Model<string> {
  const cells = new Array<string>(pages).fill('.');
  let letter = 0;
  for (const r of yield* vma_ranges(mm)) {
    let ch: string;
    if (typeof r.entry === 'symbol') ch = 'Z';
    else {
      const v = r.entry as vm_area_struct;
      ch = v.__state === 'freed' ? 'x' : v.vm_mm !== mm ? 'p' : String.fromCharCode(65 + letter++);
    }
    for (let p = Math.floor(r.start / PAGE_SIZE); p <= Math.floor(r.last / PAGE_SIZE) && p < pages; p++) cells[p] = ch;
  }
  return cells.join('');
}

/** The counts and flags line of a picture: "users 1 count 1 map_count 2 [MMF_OOM_SKIP]". */
export function* counts(mm: mm_struct): Model<string> {
  const flags = flag_names(yield* load(mm.flags), MMF_NAMES);
  return `users ${yield* load(mm.mm_users)} count ${yield* load(mm.mm_count)} map_count ${yield* load(mm.map_count)} [${flags.join(' ')}]`;
}
