/**
 * soup: every actor of the catalogue on one process at once.
 *
 * P maps a private executable file page (A), an anonymous page (B, populated) and an
 * anonymous page whose contents were swapped out (S). Then, concurrently:
 * - P forks (with an injectable allocation failure in the copy), runs NUMA balancing's task
 *   work on its own mm, and exits;
 * - a uprobe is registered on the file (uprobe_register);
 * - swapoff walks init_mm.mmlist (try_to_unuse);
 * - an LMKD-like task SIGKILLs P through a pidfd and calls process_mrelease();
 * - a reader cats /proc/P/maps;
 * - Q faults in a page with the pool empty: the allocator enters the OOM killer, which picks
 *   a victim; the oom_reaper kthread reaps what it is handed.
 * No expected verdict: it is not part of the matrix. Whatever the sampled exploration finds is
 * reported as found. PCT (depth 3) rather than a preemption-bounded DFS: with ~1,000 steps per
 * execution a DFS spends its budget on the last steps of one schedule, while PCT reaches the
 * fork-failure windows (it finds R5's oops at v6.12 within a few executions).
 */
import type { Model } from '../engine/op.ts';
import { kfn, load, metric } from '../engine/prims.ts';
import type { KernelConfig } from '../kernel/config.ts';
import { proc_maps_cat } from '../kernel/fs/proc/task_mmu.ts';
import { PAGE_SIZE, SIGKILL, VM_READ, VM_WRITE, type task_struct } from '../kernel/include/linux/mm_types.ts';
import { do_exit, exit_to_user_mode } from '../kernel/kernel/exit.ts';
import { kernel_clone } from '../kernel/kernel/fork.ts';
import { pidfd_open, pidfd_send_signal, type pidfd } from '../kernel/kernel/pid.ts';
import { task_numa_work } from '../kernel/kernel/sched/fair.ts';
import { do_user_addr_fault } from '../kernel/mm/gup.ts';
import { vm_mmap_pgoff } from '../kernel/mm/mmap.ts';
import { oom_killer_enable } from '../kernel/mm/oom_kill.ts';
import { oom_reaper_start, oom_reaper_stop } from '../kernel/mm/oom_reaper.ts';
import { process_mrelease } from '../kernel/mm/process_mrelease.ts';
import { swap_out_page } from '../kernel/mm/vmscan.ts';
import { as_task, exec_process, kernel_program } from '../kernel/program.ts';
import type { world } from '../kernel/world.ts';
import { B_START, uprobe_actor, uprobe_parent } from './fork/uprobe.ts';
import { swapoff_actor } from './fork/swapoff.ts';
import { boot_init, mm_of, run_actors, vma_addr } from './oom/common.ts';
import type { Scenario } from './types.ts';

/** Where P's swapped-out anonymous page lives (after A and B). */
const S_ADDR = B_START + 4 * PAGE_SIZE;

/** P: fork(), then NUMA balancing's task work on return to user, then exit(). */
const parent_life = kfn('P', function* (w: world, P: task_struct): Model<void> {
  yield* kernel_clone(P, 0);
  yield* task_numa_work(w);
  yield* do_exit(P);
});

/** LMKD: SIGKILL P through its pidfd, then reap it with process_mrelease(). */
const lmkd = kfn('lmkd', function* (fd: pidfd): Model<void> {
  yield* pidfd_send_signal(fd, SIGKILL);
  yield* process_mrelease(fd, 0);
});

/** Q faults in its second page (the pool is empty: the allocator enters the OOM killer), then exits. */
const allocating_process = kfn('Q', function* (Q: task_struct): Model<void> {
  yield* do_user_addr_fault(Q, vma_addr(0) + PAGE_SIZE, true);
  if (!(yield* exit_to_user_mode(Q))) yield* do_exit(Q);
});

function build(kernel: KernelConfig, pool: number) {
  return () =>
    kernel_program(
      kernel,
      function* (w) {
        yield* boot_init(w);
        const { P, f } = yield* uprobe_parent(w);
        yield* as_task(w, P, (function* () {
          yield* do_user_addr_fault(P, B_START, true);
          yield* vm_mmap_pgoff(P, S_ADDR, PAGE_SIZE, VM_READ | VM_WRITE, null, 0);
          yield* do_user_addr_fault(P, S_ADDR, true);
          yield* swap_out_page(yield* mm_of(P), S_ADDR);
        })());
        // Q: a two-page anonymous mapping with its first page populated.
        const Q = yield* exec_process(w, 'Q');
        yield* as_task(w, Q, (function* () {
          yield* vm_mmap_pgoff(Q, vma_addr(0), 2 * PAGE_SIZE, VM_READ | VM_WRITE, null, 0);
          yield* do_user_addr_fault(Q, vma_addr(0), true);
        })());
        const L = yield* exec_process(w, 'lmkd');
        const R = yield* exec_process(w, 'cat');
        const fd = (yield* as_task(w, L, pidfd_open(w, P.pid))) as pidfd;
        yield* metric('free_pages_after_setup', yield* load(w.nr_free_pages));
        oom_killer_enable(w);
        yield* oom_reaper_start(w);
        yield* run_actors(w, [
          { cpu: 'P', task: P, body: () => parent_life(w, P) },
          uprobe_actor(w, f),
          swapoff_actor(w),
          { cpu: 'lmkd', task: L, body: () => lmkd(fd) },
          { cpu: 'cat /proc/P/maps', task: R, body: function* () { yield* proc_maps_cat(P); } },
          { cpu: 'Q', task: Q, body: () => allocating_process(Q) },
        ]);
        yield* oom_reaper_stop(w);
      },
      { world: { totalram_pages: pool } },
    );
}

export const soup: Scenario = {
  id: 'soup',
  name: 'soup',
  summary:
    'Everything at once on one process P: P forks (one allocation failure in the copy), runs ' +
    'task_numa_work and exits, while uprobe_register, swapoff, an LMKD (SIGKILL + ' +
    'process_mrelease), a /proc/P/maps reader and an allocating process Q (the OOM killer and ' +
    'the oom_reaper kthread) run. No expected verdict (not in the matrix): the search is sampled ' +
    '(PCT, depth 3, seed 1, at most 1,000 executions; an exhaustive search is out of reach) and ' +
    'reports what it finds.',
  source: 'issue 6 ("soup"); kernel-spec.md sections 5-11',
  kernel: true,
  params: { pool: { default: 3, min: 1, max: 64, help: 'physical pages in the pool (small: Q runs it dry)' } },
  build: ({ kernel, params }) => build(kernel!, params['pool'] ?? 3),
  options: {
    strategy: 'pct',
    pctDepth: 3,
    seed: 1,
    maxExecutions: 1000,
    maxFaults: 1,
    faultSites: ['dup_mmap:vm_area_dup', 'anon_vma_fork:anon_vma_alloc', 'copy_page_range:pte_alloc'],
  },
};
