/**
 * process_mrelease() against the exit of the process it reaps (kernel-spec.md 8, R3, R4).
 *
 * T is a process with one anonymous VMA (one page, one PTE page). An LMKD-like task has a pidfd
 * for T and has just sent SIGKILL through it (setup); it calls process_mrelease(pidfd, 0) while
 * T's only thread exits (exit_mm -> mmput -> __mmput -> exit_mmap). T is not an OOM victim.
 * No fault is injected; every interleaving is explored (DPOR).
 */
import type { Model } from '../../engine/op.ts';
import { kfn, note } from '../../engine/prims.ts';
import { kernel_program } from '../../kernel/program.ts';
import { SIGKILL, type task_struct } from '../../kernel/include/linux/mm_types.ts';
import { pidfd_open, pidfd_send_signal, type pidfd } from '../../kernel/kernel/pid.ts';
import { process_mrelease } from '../../kernel/mm/process_mrelease.ts';
import type { world } from '../../kernel/world.ts';
import { as_task, exec_process } from '../../kernel/program.ts';
import type { Scenario } from '../types.ts';
import { boot_init, process_with_memory, run_actors, victim_body } from './common.ts';

/** LMKD's second step: process_mrelease(pidfd, 0) on the process it has just killed. */
export const lmkd_reap = kfn('lmkd', function* (fd: pidfd): Model<number> {
  const ret = yield* process_mrelease(fd, 0);
  yield* note(`process_mrelease(pidfd of ${fd.pid}, 0) = ${ret}`);
  return ret;
});

/** T with two one-page anonymous VMAs, and the LMKD task with a pidfd for T. */
export function* mrelease_setup(w: world): Model<{ T: task_struct; L: task_struct; fd: pidfd }> {
  yield* boot_init(w);
  const T = yield* process_with_memory(w, 'T', [1]);
  const L = yield* exec_process(w, 'lmkd');
  const fd = (yield* as_task(w, L, pidfd_open(w, T.pid))) as pidfd;
  yield* as_task(w, L, pidfd_send_signal(fd, SIGKILL)); // LMKD's first step: kill through the pidfd
  return { T, L, fd };
}

function build_mrelease_vs_exit(kernel: NonNullable<Parameters<Scenario['build']>[0]['kernel']>) {
  return () =>
    kernel_program(kernel, function* (w) {
      const { T, L, fd } = yield* mrelease_setup(w);
      yield* run_actors(w, [
        { cpu: 'process_mrelease', task: L, body: function* () { yield* lmkd_reap(fd); } },
        { cpu: 'T (exit)', task: T, body: victim_body(T) },
      ]);
    }, { world: { totalram_pages: 4 } });
}

const SOURCE = 'kernel-spec.md 8.1-8.2 and 12 (R3, R4); seeds/004 (process_mrelease discussion)';
const BOUNDS = 'No fault injection; every interleaving of the two CPUs is explored.';

/** The clean exploration: process_mrelease() racing the target's exit finds nothing at v5.17+. */
export const process_mrelease_vs_exit: Scenario = {
  id: 'process_mrelease-vs-exit',
  name: 'process_mrelease-vs-exit',
  summary:
    'LMKD kills T through a pidfd and calls process_mrelease() while T exits: from v5.17 ' +
    '(mmgrab + MMF_OOM_SKIP recheck under the read lock; exit_mmap write-locks its destructive ' +
    'part and empties the tree) no sanitizer fires in any interleaving. ' + BOUNDS,
  source: SOURCE,
  kernel: true,
  build: ({ kernel }) => build_mrelease_vs_exit(kernel!),
  expect: { 'v5.17': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 0 },
};

/** R3: mmgrab-only process_mrelease (v5.15-rc1) walks page tables exit_mmap frees. */
export const R3: Scenario = {
  id: 'R3',
  name: 'process_mrelease-vs-exit_mmap-free_pgtables',
  summary:
    'v5.15-rc1 process_mrelease() pins only mm_count and reaps under the read lock, but the ' +
    'exit_mmap() of a task that is not an OOM victim takes no lock: free_pgtables() frees the PTE ' +
    'page the reaper is walking (KASAN use-after-free). Introduced by 884a7e5964e0, fixed by ' +
    '337546e83fc7 (v5.15-rc8: mmget_not_zero pin, switch mreleasePinsUsers), later by ' +
    '64591e8605d6 + ba535c1caf3e (v5.17). ' + BOUNDS,
  source: SOURCE,
  kernel: true,
  build: ({ kernel }) => build_mrelease_vs_exit(kernel!),
  expect: { 'v5.15-rc1': 'violation', 'v5.15': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 0 },
};

/** R4: v5.17-rc exit_mmap leaves freed VMAs in the tree; process_mrelease walks them. */
export const R4: Scenario = {
  id: 'R4',
  name: 'process_mrelease-vs-exit_mmap-stale_vma',
  summary:
    'v5.17-rc: exit_mmap() frees every VMA under the write lock but leaves the VMA list (tree) ' +
    'pointing at them and sets MMF_OOM_SKIP only for OOM victims; process_mrelease() gets the ' +
    'read lock afterwards, sees no SKIP and walks freed VMAs (KASAN use-after-free, syzbot ' +
    '2ccf63a4bd07cf39cab0). Fixed by "mm: fix use-after-free bug when mm->mmap is reused after ' +
    'being freed" (Suren, Feb 2022, switch exitMmapClearsList). ' + BOUNDS,
  source: SOURCE,
  kernel: true,
  build: ({ kernel }) => build_mrelease_vs_exit(kernel!),
  expect: { 'v5.17-rc': 'violation', 'v5.17': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 0 },
};
