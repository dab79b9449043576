/**
 * Shared plumbing of the walker and fork-failure scenarios: a setup (run on the main CPU with
 * the model's own system calls) returns its actors, one CPU each, named after what they run so
 * the per-CPU table reads like the kernel's race reports; the main CPU joins them, then the
 * kernel's end-of-execution audit and the scenario's property run (kernel/program.ts).
 */
import type { Program } from '../../engine/api.ts';
import type { Model } from '../../engine/op.ts';
import { join, kfn, load } from '../../engine/prims.ts';
import type { KernelConfig } from '../../kernel/config.ts';
import type { mm_struct, task_struct } from '../../kernel/include/linux/mm_types.ts';
import { do_exit } from '../../kernel/kernel/exit.ts';
import { kernel_clone } from '../../kernel/kernel/fork.ts';
import { kernel_program, type kernel_program_opts } from '../../kernel/program.ts';
import { kthread_run, type world } from '../../kernel/world.ts';

/** One actor: a CPU name, the task it runs as (null: a kernel thread) and its body. */
export interface actor {
  readonly cpu: string;
  readonly task: task_struct | null;
  readonly body: () => Model<void>;
}

/** What a scenario's setup returns: its actors. */
export interface staged {
  readonly actors: readonly actor[];
}

/** fork_program() - the program of one scenario: setup, then the actors, joined by main. */
export function fork_program(cfg: KernelConfig, setup: (w: world) => Model<staged>, opts: kernel_program_opts = {}): Program {
  return () =>
    kernel_program(
      cfg,
      function* (w) {
        const st = yield* setup(w);
        const tids: number[] = [];
        for (const a of st.actors) tids.push(yield* kthread_run(w, a.cpu, a.task, a.body));
        for (const t of tids) yield* join(t);
      },
      opts,
    );
}

/** A task's mm (setup helper). */
export function* mm_of(t: task_struct): Model<mm_struct> {
  const mm = yield* load(t.mm);
  if (!mm) throw new Error(`${t.name} has no mm`);
  return mm;
}

/** The fork actor: P calls fork() (its result does not matter: the child is never run). */
export function fork_actor(P: task_struct): actor {
  return { cpu: 'fork', task: P, body: () => fork_once(P) };
}
const fork_once = kfn('sys_fork', function* (P: task_struct): Model<void> {
  yield* kernel_clone(P, 0);
});

/** An actor for @P calling exit(2). */
export function exit_actor(P: task_struct, cpu = 'exit'): actor {
  return { cpu, task: P, body: () => do_exit(P) };
}
