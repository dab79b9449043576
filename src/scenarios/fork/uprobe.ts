/**
 * uprobe registration against a failing fork (R5, R6) and against an exiting process.
 *
 * The parent P maps a file executable and private (A) with an anonymous mapping B right after
 * it. P forks; the only injectable failure is vm_area_dup() (the syzbot reproducer's fault
 * injection point), so the fork fails at B after A' was linked into the file's i_mmap. A uprobe
 * on the file's first page is registered concurrently.
 */
import type { Model } from '../../engine/op.ts';
import { uprobe_register } from '../../kernel/kernel/events/uprobes.ts';
import { PAGE_SIZE, VM_EXEC, VM_READ, VM_WRITE, type file, type task_struct } from '../../kernel/include/linux/mm_types.ts';
import { do_user_addr_fault } from '../../kernel/mm/gup.ts';
import { vm_mmap_pgoff } from '../../kernel/mm/mmap.ts';
import { swap_out_page } from '../../kernel/mm/vmscan.ts';
import { file_create } from '../../kernel/mm/vma.ts';
import type { world } from '../../kernel/world.ts';
import type { Scenario } from '../types.ts';
import { as_task, exec_process } from '../../kernel/program.ts';
import { exit_actor, fork_actor, fork_program, mm_of, type actor } from './common.ts';
import { S_START, swapoff_actor } from './swapoff.ts';

/** Where P maps the probed file (A) and the anonymous mapping after it (B). */
export const A_START = 0x10000;
export const B_START = A_START + PAGE_SIZE;

/**
 * The parent of R5/R6: P with A = [A_START, +1 page) r-x private of `libfoo.so` at offset 0
 * and B = [B_START, +1 page) rw- anonymous right after it.
 */
export function* uprobe_parent(w: world): Model<{ P: task_struct; f: file }> {
  const P = yield* exec_process(w, 'P');
  const f = yield* file_create(w, 'libfoo.so');
  yield* as_task(w, P, (function* () {
    yield* vm_mmap_pgoff(P, A_START, PAGE_SIZE, VM_READ | VM_EXEC, f, 0);
    yield* vm_mmap_pgoff(P, B_START, PAGE_SIZE, VM_READ | VM_WRITE, null, 0);
  })());
  return { P, f };
}

/** The uprobe actor: uprobe_register() on offset 0 of @f. */
export function uprobe_actor(w: world, f: file): actor {
  return {
    cpu: 'uprobe_register',
    task: null,
    body: function* () {
      yield* uprobe_register(w, f.f_mapping, 0);
    },
  };
}

/** R5: the flagship. */
export const R5: Scenario = {
  id: 'R5',
  name: 'uprobe_register-vs-dup_mmap-enomem',
  summary:
    'A fork fails in vm_area_dup() for the VMA after a file VMA it already linked into i_mmap; ' +
    'before the failed child is torn down, uprobe_register() finds the child VMA through ' +
    'i_mmap, pins the child with mmget_not_zero() and anon_vma_prepare() looks at the next ' +
    'entry with the raw iterator: the XA_ZERO_ENTRY marker (general protection fault at 0x406). ' +
    'syzbot 2d788f4f7cb660dac4b7; fixed by 8ac662f5da19 "fork: avoid inappropriate uprobe access ' +
    'to invalid mm" (v6.13: uprobeSemInDupMm). Bounds: one fault, only at dup_mmap:vm_area_dup.',
  source: 'seeds/001 (slides: "fork: avoid inappropriate uprobe access to invalid mm"); kernel-spec.md R5',
  kernel: true,
  build: ({ kernel }) =>
    fork_program(kernel!, function* (w) {
      const { P, f } = yield* uprobe_parent(w);
      return { actors: [fork_actor(P), uprobe_actor(w, f)] };
    }),
  expect: { 'v6.1': 'pass', 'v6.8': 'violation', 'v6.11': 'violation', 'v6.12': 'violation', 'v6.13': 'pass', 'v6.14': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 1, faultSites: ['dup_mmap:vm_area_dup'] },
};

/**
 * R6's parent: S (anonymous, its page swapped out: P is on init_mm.mmlist), then A (the probed
 * file, r-x private) and B (anonymous) right after A.
 */
export function* pinned_parent(w: world): Model<{ P: task_struct; f: file }> {
  const { P, f } = yield* uprobe_parent(w);
  yield* as_task(w, P, (function* () {
    yield* vm_mmap_pgoff(P, S_START, PAGE_SIZE, VM_READ | VM_WRITE, null, 0);
    yield* do_user_addr_fault(P, S_START, true);
    yield* swap_out_page(yield* mm_of(P), S_START);
  })());
  return { P, f };
}

/** R6: the residual of R5's fix. */
export const R6: Scenario = {
  id: 'R6',
  name: 'uprobe_register-vs-dup_mmap-enomem-pinned',
  summary:
    'R5 with 8ac662f5da19 applied, plus a second mm_users holder: the fork copies a swap entry ' +
    '(the child joins init_mm.mmlist) and a file VMA, then fails in vm_area_dup() at the VMA after ' +
    'it; swapoff pins the child before the fork drops its reference, so the fork\'s mmput() is not ' +
    'the last and the teardown is deferred past the end of the dup_mmap_sem read section; ' +
    'uprobe_register() can then find the child through i_mmap and fault on XA_ZERO_ENTRY (0x406). ' +
    'Fixed by 64c37e134b12 (v6.14: failedForkFlags sets MMF_UNSTABLE, which the uprobe path and ' +
    'its page fault check). The only pin holder that can find the child is swapoff, which walks the ' +
    'same tree itself until 1367da7eb875 (R7, v6.18): so v6.13-v6.17 oops in whichever walker gets ' +
    'there first. Bounds: one fault, only at dup_mmap:vm_area_dup; at most 150 executions (the ' +
    'clean presets are explored partially: three actors).',
  source: 'kernel-spec.md R6 (64c37e134b12: the uprobe fix "does not completely remove the race")',
  kernel: true,
  params: {
    uprobe_first: {
      default: 1,
      min: 0,
      max: 1,
      help: '1: the uprobe CPU is started first (the first counterexample comes at once, usually ' +
        'swapoff\'s own oops); 0: fork, swapoff, uprobe (the uprobe side\'s oops is among the first ~500 executions)',
    },
  },
  build: ({ kernel, params }) =>
    fork_program(kernel!, function* (w) {
      const { P, f } = yield* pinned_parent(w);
      const [up, fork, swapoff] = [uprobe_actor(w, f), fork_actor(P), swapoff_actor(w)];
      return { actors: (params['uprobe_first'] ?? 1) ? [up, fork, swapoff] : [fork, swapoff, up] };
    }),
  expect: { 'v6.13': 'violation', 'v6.14': 'violation', 'v6.18': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 1, faultSites: ['dup_mmap:vm_area_dup'], maxExecutions: 150 },
};

export const uprobe_register_vs_exit: Scenario = {
  id: 'uprobe_register-vs-exit',
  name: 'uprobe_register-vs-exit',
  summary:
    'uprobe_register() on a file that an exiting process maps: build_map_info() either pins the ' +
    'mm before exit_mm() drops the last user (and the registrar\'s mmput() then runs the teardown) ' +
    'or its mmget_not_zero() fails; no freed object is touched, nothing leaks. No faults.',
  source: 'kernel-spec.md 11.1 ("mmput(mm) may be the last reference")',
  kernel: true,
  build: ({ kernel }) =>
    fork_program(kernel!, function* (w) {
      const { P, f } = yield* uprobe_parent(w);
      return { actors: [exit_actor(P), uprobe_actor(w, f)] };
    }),
  expect: { 'v6.12': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 0 },
};
