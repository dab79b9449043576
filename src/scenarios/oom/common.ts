/**
 * Shared plumbing of the OOM-family scenarios (OOM killer and reaper, process_mrelease, /proc
 * readers against an exiting process).
 *
 * Processes are built with the model's own system calls: exec_process() gives a fresh mm,
 * mmap(2) maps anonymous memory and write faults populate it; an OOM is provoked by a page
 * fault when the page pool is empty. Each VMA sits in its own PTE page (PMD_SIZE apart), so
 * the zap of one VMA is one page-table lock.
 */
import type { Model } from '../../engine/op.ts';
import { join, load } from '../../engine/prims.ts';
import { PAGE_SIZE, PMD_SIZE, VM_READ, VM_WRITE, type mm_struct, type task_struct } from '../../kernel/include/linux/mm_types.ts';
import { do_exit, exit_to_user_mode } from '../../kernel/kernel/exit.ts';
import { try_to_freeze } from '../../kernel/kernel/freezer.ts';
import { wait_for_fatal_signal } from '../../kernel/kernel/signal.ts';
import { do_user_addr_fault } from '../../kernel/mm/gup.ts';
import { vm_mmap_pgoff } from '../../kernel/mm/mmap.ts';
import { mm_pages_held } from '../../kernel/mm/oom_kill.ts';
import { as_task, exec_process } from '../../kernel/program.ts';
import { kthread_run, type world } from '../../kernel/world.ts';

/**
 * boot_init() - pid 1 (init: unkillable by the OOM killer, never a REAP_KILL target), with an
 * empty address space. Boot it first so the scenario's processes are ordinary ones.
 */
export function* boot_init(w: world): Model<task_struct> {
  return yield* exec_process(w, 'init');
}

/** Where the i-th VMA of a scenario process starts: one PTE page per VMA. */
export function vma_addr(i: number): number {
  return 4 * PMD_SIZE + i * PMD_SIZE;
}

/**
 * process_with_memory() - exec a process and give it one anonymous rw VMA per entry of
 * @pages, each populated with that many write faults.
 */
export function* process_with_memory(w: world, comm: string, pages: readonly number[]): Model<task_struct> {
  const t = yield* exec_process(w, comm);
  yield* as_task(w, t, (function* () {
    for (let i = 0; i < pages.length; i++) {
      const n = pages[i]!;
      const addr = vma_addr(i);
      yield* vm_mmap_pgoff(t, addr, n * PAGE_SIZE, VM_READ | VM_WRITE);
      for (let p = 0; p < n; p++) yield* do_user_addr_fault(t, addr + p * PAGE_SIZE, true);
    }
  })());
  return t;
}

/** The mm of a process (setup helper). */
export function* mm_of(t: task_struct): Model<mm_struct> {
  const mm = yield* load(t.mm);
  if (!mm) throw new Error(`${t.name} has no mm`);
  return mm;
}

/** Pages (rss + swap entries) an mm still holds: one load. */
export const pages_held = mm_pages_held;

/**
 * A process thread idle in user space: it stops in the freezer while frozen, and exits when
 * SIGKILL arrives (get_signal -> do_group_exit -> do_exit). @autoreap false: it stays a zombie
 * (its parent has not waited for it yet), so its pid still resolves.
 */
export function victim_body(t: task_struct, autoreap = true): () => Model<void> {
  return function* () {
    yield* wait_for_fatal_signal(t);
    yield* try_to_freeze(t);
    yield* do_exit(t, autoreap);
  };
}

/** A thread that runs @syscall, then returns to user space (exits there if killed meanwhile, else waits for SIGKILL). */
export function syscall_then_exit_body(t: task_struct, syscall: () => Model<unknown>): () => Model<void> {
  return function* () {
    yield* syscall();
    if (yield* exit_to_user_mode(t)) return;
    yield* wait_for_fatal_signal(t);
    yield* do_exit(t);
  };
}

/** One actor CPU: its column name, the task it runs as (null: a kernel thread), its body. */
export interface actor {
  readonly cpu: string;
  readonly task: task_struct | null;
  readonly body: () => Model<void>;
}

/** Spawns every actor, then waits for all of them. */
export function* run_actors(w: world, actors: readonly actor[]): Model<void> {
  const tids: number[] = [];
  for (const a of actors) tids.push(yield* kthread_run(w, a.cpu, a.task, a.body));
  for (const t of tids) yield* join(t);
}

/** A page fault by @t at @addr (write): the way a scenario allocates memory. */
export function* touch(w: world, t: task_struct, addr: number): Model<number> {
  return yield* as_task(w, t, do_user_addr_fault(t, addr, true));
}
