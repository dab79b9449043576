/**
 * /proc readers against the exit of the process they read (kernel-spec.md 11.5-11.6, R11).
 *
 * T is a process with one anonymous VMA; it calls exit_group() (do_exit) while another
 * process reads /proc/T/maps (open: proc_mem_open's mm_count; read: m_start, show_map per VMA,
 * m_stop). No fault is injected; every interleaving is explored (DPOR).
 */
import { awaitUntil } from '../../engine/prims.ts';
import type { KernelConfig } from '../../kernel/config.ts';
import { proc_maps_cat, type proc_stall } from '../../kernel/fs/proc/task_mmu.ts';
import type { task_struct } from '../../kernel/include/linux/mm_types.ts';
import { do_exit } from '../../kernel/kernel/exit.ts';
import { exec_process, kernel_program } from '../../kernel/program.ts';
import type { Scenario } from '../types.ts';
import { boot_init, process_with_memory, run_actors } from './common.ts';

/** A stall that outlasts T's exit: the reader's page-in (a hung FUSE server) completes only once T has exited. */
function until_exited(T: task_struct): proc_stall {
  return function* () {
    yield* awaitUntil(T.exit_state, (s) => s !== 0, `slow page-in: the reader's stall lasts until ${T.comm} has exited`);
  };
}

function build_maps_vs_exit(kernel: KernelConfig, stall: boolean) {
  return () =>
    kernel_program(kernel, function* (w) {
      yield* boot_init(w);
      const T = yield* process_with_memory(w, 'T', [1]);
      const R = yield* exec_process(w, 'cat');
      yield* run_actors(w, [
        { cpu: 'cat /proc/T/maps', task: R, body: function* () { yield* proc_maps_cat(T, stall ? until_exited(T) : undefined); } },
        { cpu: 'T (exit_group)', task: T, body: function* () { yield* do_exit(T); } },
      ]);
    }, { world: { totalram_pages: 2 } });
}

const SOURCE = 'kernel-spec.md 11.5, 8.3 and 12 (R11); seeds/002 (Linus/Minchan, May 2026)';

/** The clean exploration: a maps reader racing the target's exit. */
export const proc_maps_vs_exit: Scenario = {
  id: 'proc_maps-vs-exit',
  name: 'proc_maps-vs-exit',
  summary:
    'cat /proc/T/maps while T exits: open pins mm_count, m_start pins mm_users with ' +
    'mmget_not_zero() and takes the killable read lock, m_stop unlocks and mmput()s (running ' +
    'exit_mmap() in the reader when it is last). No sanitizer fires in any interleaving, also ' +
    'under Linus\' mm_count-only walkers with the write-locked teardown. No fault injection; ' +
    'every interleaving is explored.',
  source: SOURCE,
  kernel: true,
  build: ({ kernel }) => build_maps_vs_exit(kernel!, false),
  expect: { 'v6.1': 'pass', 'v7.0': 'pass', 'v7.0+exit-write-lock': 'pass' },
  options: { maxFaults: 0 },
};

/** R11: under the whole-teardown write lock, a stalled reader blocks the exiting process. */
export const R11: Scenario = {
  id: 'R11',
  name: 'proc_maps-stalled-vs-exit_mmap-write_lock',
  summary:
    'Linus\' May 2026 proposal (exitMmapWholeWriteLock + walkersUseMmCountOnly): readers hold ' +
    'only mm_count and the read lock, so exit_mmap() must take mmap_write_lock for the whole ' +
    'teardown. A maps reader that stalls inside show_map (slow page-in, a FUSE-backed file) ' +
    'until T has exited now blocks T\'s own exit: reported as a deadlock (T waits for the write ' +
    'lock, the reader for T) - Minchan Kim\'s objection. On v7.0 the reader\'s mm_users pin ' +
    'defers the teardown to its own m_stop instead, and T exits at once. The stall is the only ' +
    'model device; no fault injection, every interleaving explored.',
  source: SOURCE,
  kernel: true,
  build: ({ kernel }) => build_maps_vs_exit(kernel!, true),
  expect: { 'v7.0': 'pass', 'v7.0+exit-write-lock': 'violation' },
  options: { maxFaults: 0 },
};
