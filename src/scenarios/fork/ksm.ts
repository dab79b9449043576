/**
 * ksmd against a failing fork registered before its copy loop (R8).
 *
 * P maps an anonymous page M, touches it and madvise(MADV_MERGEABLE)s it (P is registered with
 * ksmd), with an anonymous mapping B right after it. P forks; vm_area_dup() is the one
 * injectable failure. ksmd makes two passes (the list holds P, then the child if it was
 * registered).
 */
import type { Model } from '../../engine/op.ts';
import { PAGE_SIZE, VM_READ, VM_WRITE, type task_struct } from '../../kernel/include/linux/mm_types.ts';
import { do_user_addr_fault } from '../../kernel/mm/gup.ts';
import { khugepaged_scan_mm_slot } from '../../kernel/mm/khugepaged.ts';
import { ksm_do_scan } from '../../kernel/mm/ksm.ts';
import { do_madvise } from '../../kernel/mm/madvise.ts';
import { vm_mmap_pgoff } from '../../kernel/mm/mmap.ts';
import { as_task, exec_process } from '../../kernel/program.ts';
import type { world } from '../../kernel/world.ts';
import type { Scenario } from '../types.ts';
import { fork_actor, fork_program } from './common.ts';

export const M_START = 0x30000;

/** P with M (touched, madvised) and B = the anonymous page right after it. */
export function* daemon_parent(w: world, advice: 'MADV_MERGEABLE' | 'MADV_HUGEPAGE'): Model<task_struct> {
  const P = yield* exec_process(w, 'P');
  yield* as_task(w, P, (function* () {
    yield* vm_mmap_pgoff(P, M_START, PAGE_SIZE, VM_READ | VM_WRITE, null, 0);
    yield* vm_mmap_pgoff(P, M_START + PAGE_SIZE, PAGE_SIZE, VM_READ | VM_WRITE, null, 0);
    yield* do_user_addr_fault(P, M_START, true);
    yield* do_madvise(P, M_START, advice);
  })());
  return P;
}

/** ksmd (or khugepaged) making @passes passes over its mm list. */
function* daemon_passes(w: world, daemon: 'ksmd' | 'khugepaged', passes: number): Model<void> {
  for (let i = 0; i < passes; i++) {
    if (daemon === 'ksmd') yield* ksm_do_scan(w);
    else yield* khugepaged_scan_mm_slot(w);
  }
}

export const R8: Scenario = {
  id: 'R8',
  name: 'ksmd-vs-dup_mmap-enomem',
  summary:
    'Before 985da552a98e (CVE-2024-50263, v6.12-rc6) dup_mmap() registered the child with ksmd ' +
    '(ksm_fork) before copying the VMAs; when vm_area_dup() then fails, the child is left with ' +
    'XA_ZERO_ENTRY in its tree, and ksmd, scanning it before the fork drops its reference, walks ' +
    'the tree with the raw iterator and reads vm_flags of the marker (general protection fault at ' +
    '0x406 + 0x20). Fixed by running ksm_fork()/khugepaged_fork() only after a successful copy ' +
    '(ksmKhugepagedOnSuccessOnly). Bounds: one fault, only at dup_mmap:vm_area_dup; ksmd makes ' +
    'two passes.',
  source: 'kernel-spec.md R8 (Project Zero 373391951, 985da552a98e)',
  kernel: true,
  build: ({ kernel }) =>
    fork_program(kernel!, function* (w) {
      const P = yield* daemon_parent(w, 'MADV_MERGEABLE');
      return { actors: [fork_actor(P), { cpu: 'ksmd', task: null, body: () => daemon_passes(w, 'ksmd', 2) }] };
    }),
  expect: { 'v6.8': 'violation', 'v6.11': 'violation', 'v6.12': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 1, faultSites: ['dup_mmap:vm_area_dup'] },
};

/** R8 through khugepaged (MADV_HUGEPAGE): the same window, the other registration hook. */
export const R8_khugepaged: Scenario = {
  id: 'R8-khugepaged',
  name: 'khugepaged-vs-dup_mmap-enomem',
  summary:
    'R8 with khugepaged: khugepaged_fork() registered the child before the copy loop (v6.8-v6.11); ' +
    'after vm_area_dup() fails, khugepaged\'s scan of the child reads vm_flags of XA_ZERO_ENTRY ' +
    '(0x406 + 0x20). Fixed by 985da552a98e (ksmKhugepagedOnSuccessOnly). Bounds: one fault, only ' +
    'at dup_mmap:vm_area_dup; khugepaged makes two passes.',
  source: 'kernel-spec.md R8 (985da552a98e)',
  kernel: true,
  build: ({ kernel }) =>
    fork_program(kernel!, function* (w) {
      const P = yield* daemon_parent(w, 'MADV_HUGEPAGE');
      return { actors: [fork_actor(P), { cpu: 'khugepaged', task: null, body: () => daemon_passes(w, 'khugepaged', 2) }] };
    }),
  expect: { 'v6.8': 'violation', 'v6.11': 'violation', 'v6.12': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 1, faultSites: ['dup_mmap:vm_area_dup'] },
};

