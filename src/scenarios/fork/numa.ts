/**
 * NUMA balancing's task_numa_work() against a sibling thread's munmap (R9) and against exit.
 *
 * P maps one anonymous page and touches it; a first task_numa_work() arms mm->numa_next_scan
 * and the setup lets the scan delay pass, so the next return to user space scans. P then
 * creates a sibling thread T (CLONE_VM | CLONE_THREAD) sharing the mm.
 */
import type { Program } from '../../engine/api.ts';
import type { Model } from '../../engine/op.ts';
import type { KernelConfig } from '../../kernel/config.ts';
import { kfn, load, sleep } from '../../engine/prims.ts';
import { PAGE_SIZE, VM_READ, VM_WRITE, type task_struct } from '../../kernel/include/linux/mm_types.ts';
import { do_exit } from '../../kernel/kernel/exit.ts';
import { CLONE_THREAD, CLONE_VM, kernel_clone } from '../../kernel/kernel/fork.ts';
import { NUMA_SCAN_DELAY, task_numa_work } from '../../kernel/kernel/sched/fair.ts';
import { do_user_addr_fault } from '../../kernel/mm/gup.ts';
import { vm_mmap_pgoff, vm_munmap } from '../../kernel/mm/mmap.ts';
import { as_task, exec_process } from '../../kernel/program.ts';
import type { world } from '../../kernel/world.ts';
import type { Scenario } from '../types.ts';
import { fork_program } from './common.ts';

export const N_START = 0x20000;

/** P with one touched anonymous page, NUMA scanning due, and its sibling thread T. */
function* numa_process(w: world): Model<{ P: task_struct; T: task_struct }> {
  const P = yield* exec_process(w, 'P');
  let pid = 0;
  yield* as_task(w, P, (function* () {
    yield* vm_mmap_pgoff(P, N_START, PAGE_SIZE, VM_READ | VM_WRITE, null, 0);
    yield* do_user_addr_fault(P, N_START, true);
    yield* task_numa_work(w); // arms mm->numa_next_scan
    pid = yield* kernel_clone(P, CLONE_VM | CLONE_THREAD);
  })());
  yield* sleep(NUMA_SCAN_DELAY); // the scan delay passes
  const T = (yield* load(w.tasklist)).find((t) => t.pid === pid);
  if (!T) throw new Error(`numa_process: clone failed (${pid})`);
  return { P, T };
}

/** P returning to user space: task_work runs task_numa_work(). */
const task_work_run = kfn('task_work_run', function* (w: world): Model<void> {
  yield* task_numa_work(w);
});

/** The program: P (on the 'task_numa_work' CPU) and T (on @t_cpu) run the given bodies. */
function numa_program(kernel: KernelConfig, p_body: (w: world, P: task_struct) => Model<void>, t_cpu: string, t_body: (T: task_struct) => Model<void>): Program {
  return fork_program(kernel, function* (w) {
    const { P, T } = yield* numa_process(w);
    return {
      actors: [
        { cpu: 'task_numa_work', task: P, body: () => p_body(w, P) },
        { cpu: t_cpu, task: T, body: () => t_body(T) },
      ],
    };
  });
}

export const R9: Scenario = {
  id: 'R9',
  name: 'task_numa_work-vs-munmap',
  summary:
    'A sibling thread munmaps the only mapping while the task returns to user space and runs ' +
    'task_numa_work(): with an empty tree the v6.2-v6.12-rc5 do-while loop runs its body once ' +
    'with vma == NULL (NULL pointer dereference reading vma->vm_flags; stress-ng vm-segv). ' +
    'Fixed by 9c70b2a33cd2 "sched/numa: Fix the potential null pointer dereference in ' +
    'task_numa_work()" (v6.12-rc6: -numaDoWhileBug). Exhaustive, no faults.',
  source: 'seeds/001 (slides: "sched/numa: Fix the potential null pointer dereference"); kernel-spec.md R9',
  kernel: true,
  build: ({ kernel }) =>
    numa_program(kernel!, (w) => task_work_run(w), 'munmap', function* (T) {
      yield* vm_munmap(T, N_START, PAGE_SIZE);
    }),
  expect: { 'v6.1': 'pass', 'v6.2': 'violation', 'v6.11': 'violation', 'v6.12': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 0 },
};

export const task_numa_work_vs_exit: Scenario = {
  id: 'task_numa_work-vs-exit',
  name: 'task_numa_work-vs-exit',
  summary:
    'A thread returns to user space (task_numa_work scans the shared mm) and then exits while its ' +
    'sibling exits: whoever drops the last mm_users tears the mm down; no freed object is touched, ' +
    'nothing leaks. Exhaustive, no faults.',
  source: 'kernel-spec.md 11.4, 6.1 (PF_EXITING)',
  kernel: true,
  build: ({ kernel }) =>
    numa_program(kernel!, function* (w, P) {
      yield* task_work_run(w);
      yield* do_exit(P);
    }, 'exit', (T) => do_exit(T)),
  expect: { 'v7.0': 'pass' },
  options: { maxFaults: 0 },
};
