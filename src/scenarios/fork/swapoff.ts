/**
 * swapoff against a failing fork (R7) and against an exiting process (swapoff-vs-exit).
 *
 * The parent P has an anonymous mapping S whose page was swapped out (so P is on
 * init_mm.mmlist) and an anonymous mapping B right after it. When P forks, copying S's swap
 * entry puts the child on init_mm.mmlist (copy_nonpresent_pte); vm_area_dup() for B is the
 * one injectable failure.
 */
import type { Model } from '../../engine/op.ts';
import { kfn } from '../../engine/prims.ts';
import { PAGE_SIZE, VM_READ, VM_WRITE, type task_struct } from '../../kernel/include/linux/mm_types.ts';
import { do_user_addr_fault } from '../../kernel/mm/gup.ts';
import { vm_mmap_pgoff } from '../../kernel/mm/mmap.ts';
import { try_to_unuse } from '../../kernel/mm/swapoff.ts';
import { swap_out_page } from '../../kernel/mm/vmscan.ts';
import { as_task, exec_process } from '../../kernel/program.ts';
import type { world } from '../../kernel/world.ts';
import type { Scenario } from '../types.ts';
import { exit_actor, fork_actor, fork_program, mm_of, type actor } from './common.ts';

/** Where P maps the swapped-out anonymous page (S) and the mapping after it (B). */
export const S_START = 0x8000;

/** P with S = [S_START, +1 page) rw- anonymous, its page swapped out, and B right after it. */
export function* swapped_parent(w: world, comm = 'P'): Model<task_struct> {
  const P = yield* exec_process(w, comm);
  yield* as_task(w, P, (function* () {
    yield* vm_mmap_pgoff(P, S_START, PAGE_SIZE, VM_READ | VM_WRITE, null, 0);
    yield* vm_mmap_pgoff(P, S_START + PAGE_SIZE, PAGE_SIZE, VM_READ | VM_WRITE, null, 0);
    yield* do_user_addr_fault(P, S_START, true);
    yield* swap_out_page(yield* mm_of(P), S_START);
  })());
  return P;
}

/** The swapoff actor: swapoff(2)'s try_to_unuse() on the one swap device. */
export function swapoff_actor(w: world): actor {
  return { cpu: 'swapoff', task: null, body: () => sys_swapoff(w) };
}
const sys_swapoff = kfn('sys_swapoff', function* (w: world): Model<void> {
  yield* try_to_unuse(w);
});

export const R7: Scenario = {
  id: 'R7',
  name: 'swapoff-vs-dup_mmap-enomem',
  summary:
    'A fork copies a swap entry (the child joins init_mm.mmlist), then fails in vm_area_dup() for ' +
    'the next VMA and leaves XA_ZERO_ENTRY there; swapoff finds the child on mmlist, pins it with ' +
    'mmget_not_zero() before the fork drops its reference, and unuse_mm() walks the tree with the ' +
    'raw iterator: vma->anon_vma of the marker (general protection fault at 0x406 + 0x40). ' +
    'Fixed by 1367da7eb875 "mm: swap: check for stable address space before operating on the VMA" ' +
    '(v6.18: swapoffChecksUnstable). Bounds: one fault, only at dup_mmap:vm_area_dup.',
  source: 'seeds/001 (slides: "mm: swap: check for stable address space"); kernel-spec.md R7',
  kernel: true,
  build: ({ kernel }) =>
    fork_program(kernel!, function* (w) {
      const P = yield* swapped_parent(w);
      return { actors: [fork_actor(P), swapoff_actor(w)] };
    }),
  expect: { 'v6.1': 'pass', 'v6.8': 'violation', 'v6.14': 'violation', 'v6.17': 'violation', 'v6.18': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 1, faultSites: ['dup_mmap:vm_area_dup'] },
};

export const swapoff_vs_exit: Scenario = {
  id: 'swapoff-vs-exit',
  name: 'swapoff-vs-exit',
  summary:
    'swapoff walks init_mm.mmlist while the process owning the swapped-out page exits: either ' +
    'swapoff brings the page back first, or its mmget_not_zero() fails (or its mmput() runs the ' +
    'teardown); nothing leaks and no freed object is touched. No faults.',
  source: 'kernel-spec.md 11.3, 6.3 (mmlist removal in __mmput)',
  kernel: true,
  build: ({ kernel }) =>
    fork_program(kernel!, function* (w) {
      const P = yield* swapped_parent(w);
      return { actors: [exit_actor(P), swapoff_actor(w)] };
    }),
  expect: { 'v6.18': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 0 },
};
