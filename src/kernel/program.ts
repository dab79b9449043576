// Builds an engine program (engine/api.ts ProgramInstance) around the kernel model: the main
// thread creates the execution's kernel globals (world_init) and runs the scenario's setup as
// the 'main' CPU; atEnd runs the end-of-execution audit, then the scenario's own property;
// snapshot gives the trace viewer the kernel state after each step.
// Also the setup helpers scenarios build processes with (exec_process, as_task).
import type { Peek, ProgramInstance } from '../engine/api.ts';
import type { Model } from '../engine/op.ts';
import { ModelViolation } from '../engine/op.ts';
import { rmw, store } from '../engine/prims.ts';
import type { KernelConfig } from './config.ts';
import { kernel_audit } from './debug/audit.ts';
import { kernel_snapshot } from './debug/snapshot.ts';
import type { task_struct } from './include/linux/mm_types.ts';
import { alloc_task, mm_alloc } from './kernel/fork.ts';
import { PAGE_SIZE, VM_READ, VM_SHARED, VM_WRITE } from './include/linux/mm_types.ts';
import { do_user_addr_fault } from './mm/gup.ts';
import { vm_mmap_pgoff } from './mm/mmap.ts';
import { file_create } from './mm/vma.ts';
import { swap_out_page } from './mm/vmscan.ts';
import { load } from '../engine/prims.ts';
import { run_as, world_init, type world, type world_params } from './world.ts';

export interface kernel_program_opts {
  readonly world?: world_params;
  /** Skip the leak audit (scenarios whose processes are still alive at the end). */
  readonly noAudit?: boolean;
  /** The scenario's property, after the audit. */
  readonly atEnd?: (w: world, peek: Peek) => void;
}

/**
 * kernel_program() - one execution: world_init, then `setup(w)` on the main CPU (it spawns the
 * actor threads with kthread_run / task_thread), then the audit and property at the end.
 */
export function kernel_program(cfg: KernelConfig, setup: (w: world) => Model<void>, opts: kernel_program_opts = {}): ProgramInstance {
  let w: world | null = null;
  return {
    mainName: 'main',
    main: function* () {
      w = yield* world_init(cfg, opts.world);
      yield* run_as(w, { name: 'main', task: null, held: [], acquired: 0 }, setup(w));
    },
    atEnd: (peek) => {
      if (!w) throw new ModelViolation('assertion', 'kernel_program: world not initialised');
      if (!opts.noAudit) kernel_audit(w, peek);
      opts.atEnd?.(w, peek);
    },
    snapshot: (peek) => (w ? kernel_snapshot(w, peek) : { objects: [] }),
  };
}

/**
 * without_faults() - runs @body with every injectable failure answered "no" (scenario setup is
 * not under test: its fork and page faults always succeed). The fault ops never reach the
 * explorer, so they neither branch nor use the fault budget.
 */
export function* without_faults<T>(body: Model<T>): Model<T> {
  let input: unknown = undefined;
  for (;;) {
    const r = body.next(input);
    if (r.done) return r.value;
    if (r.value.k === 'fault') { input = false; continue; }
    input = yield r.value;
  }
}

/** Runs @body as task @t on the current model CPU (setup steps "as" a process). */
export function as_task<T>(w: world, t: task_struct, body: Model<T>): Model<T> {
  return run_as(w, { name: t.name, task: t, held: [], acquired: 0 }, body);
}

/**
 * exec_process() - a new user process with an empty mm (as if it had exec'ed), on the task list.
 * Models: fs/exec.c: bprm_mm_init() -> mm_alloc(); the process's task as copy_process makes it
 */
export function* exec_process(w: world, comm: string, robust_list = 0): Model<task_struct> {
  const t = yield* alloc_task(w, comm, null, null, robust_list);
  const mm = yield* mm_alloc(w, false);
  if (!mm) throw new ModelViolation('assertion', `exec_process(${comm}): mm_alloc failed`);
  yield* store(t.mm, mm);
  yield* store(t.active_mm, mm);
  yield* rmw(w.tasklist, (l) => [...l, t]);
  return t;
}

const P_ = (n: number): number => n * PAGE_SIZE;

/**
 * fork_exit_parent() - process P with anonymous, file-backed (private, shared) and swapped-out
 * memory, built through mmap, faults and swap-out (the fork-exit scenario and the mm tests).
 * mem 0 is small enough to explore every fork-vs-exit interleaving; mem 1 is the full picture:
 *
 *     mem 0:  page 0123456789abcd          mem 1:  page 0123456789abcd
 *                  .AA.....C.....                       .A..B...CC..D.
 *     A anon rw, page 1 written, page 2 written then swapped out; C file shared rw (written);
 *     mem 1 adds B file private r (read) and makes D a separate swapped-out anon VMA.
 */
export function* fork_exit_parent(w: world, mem: number): Model<task_struct> {
  const P = yield* exec_process(w, 'P');
  const f = yield* file_create(w, 'libc.so');
  yield* as_task(w, P, (function* () {
    if (mem === 0) {
      yield* vm_mmap_pgoff(P, P_(1), P_(2), VM_READ | VM_WRITE); // A
      yield* vm_mmap_pgoff(P, P_(8), P_(1), VM_READ | VM_WRITE | VM_SHARED, f, 1); // C
      for (const a of [1, 2, 8]) yield* do_user_addr_fault(P, P_(a), true);
      yield* swap_out_page((yield* load(P.mm))!, P_(2));
      return;
    }
    yield* vm_mmap_pgoff(P, P_(1), P_(1), VM_READ | VM_WRITE); // A
    yield* vm_mmap_pgoff(P, P_(4), P_(1), VM_READ, f, 0); // B
    yield* vm_mmap_pgoff(P, P_(8), P_(2), VM_READ | VM_WRITE | VM_SHARED, f, 1); // C
    yield* vm_mmap_pgoff(P, P_(12), P_(1), VM_READ | VM_WRITE); // D
    for (const [a, write] of [[1, true], [4, false], [8, true], [12, true]] as const)
      yield* do_user_addr_fault(P, P_(a), write);
    yield* swap_out_page((yield* load(P.mm))!, P_(12));
  })());
  return P;
}
