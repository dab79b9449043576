/**
 * Shared plumbing of the walker and fork-failure scenarios: boot a process, run the setup as
 * that process, and build the program (kernel globals, actors, state snapshots).
 *
 * A scenario's setup only uses the model's own system calls (mmap, page faults, madvise,
 * swap-out, fork); the first process is booted the way exec gives a process a fresh mm
 * (mm_alloc). The actors are spawned as CPUs named after what they run, so the per-CPU table
 * reads like the kernel's race reports.
 */
import type { SnapshotObject, StateSnapshot } from '../../engine/api.ts';
import type { Model } from '../../engine/op.ts';
import { join, load, rmw, store } from '../../engine/prims.ts';
import type { Peek } from '../../engine/api.ts';
import type { KernelConfig } from '../../kernel/config.ts';
import { flag_names } from '../../kernel/include/linux/bitops.ts';
import { MMF_NAMES, type mm_struct, type task_struct } from '../../kernel/include/linux/mm_types.ts';
import { alloc_task, mm_alloc } from '../../kernel/kernel/fork.ts';
import { MA_STATE, mas_find, xa_is_zero } from '../../kernel/lib/maple_tree.ts';
import { ULONG_MAX } from '../../kernel/lib/maple_node.ts';
import { kthread_run, run_as, world_init, type world, type world_params } from '../../kernel/world.ts';

/**
 * boot_process() - a new process with an empty address space, on the task list (what exec of
 * the first program leaves: bprm_mm_init's mm_alloc and the pid attached).
 */
export function* boot_process(w: world, comm: string): Model<task_struct> {
  const t = yield* alloc_task(w, comm, null, null);
  const mm = yield* mm_alloc(w);
  if (!mm) throw new Error(`boot_process(${comm}): mm_alloc failed (a fault site is enabled for the setup)`);
  yield* store(t.mm, mm);
  yield* store(t.active_mm, mm);
  yield* rmw(w.tasklist, (l) => [...l, t]);
  return t;
}

/** Runs @body as @task on the main CPU (so `current` is that task). */
export function* as_task(w: world, task: task_struct, body: () => Model<void>): Model<void> {
  yield* run_as(w, { name: 'main', task, held: [] }, body());
}

/** One actor: a CPU name, the task it runs as (null: a kernel thread) and its body. */
export interface actor {
  readonly cpu: string;
  readonly task: task_struct | null;
  readonly body: () => Model<void>;
}

/** What a scenario's setup returns: its actors, and an optional end-of-run property. */
export interface staged {
  readonly actors: readonly actor[];
  /** Runs on the main CPU after every actor finished (e.g. a final daemon pass). */
  readonly after?: () => Model<void>;
}

/**
 * kernel_program() - the program of one kernel scenario: kernel globals, the setup (on the
 * main CPU), the actors (one CPU each), then `after`.
 */
export function kernel_program(cfg: KernelConfig, setup: (w: world) => Model<staged>, params: world_params = {}) {
  return () => {
    let w: world | null = null;
    return {
      main: function* (): Model<void> {
        const kw = yield* world_init(cfg, params);
        w = kw;
        let st: staged = { actors: [] };
        yield* run_as(kw, { name: 'main', task: null, held: [] }, (function* () {
          st = yield* setup(kw);
        })());
        const tids: number[] = [];
        for (const a of st.actors) tids.push(yield* kthread_run(kw, a.cpu, a.task, a.body));
        for (const t of tids) yield* join(t);
        if (st.after) yield* run_as(kw, { name: 'main', task: null, held: [] }, st.after());
      },
      snapshot: (peek: Peek): StateSnapshot => (w ? kernel_snapshot(w, peek) : { objects: [] }),
    };
  };
}

/** The ranges of a maple tree, read without steps (snapshots only). */
function tree_entries(mt: Parameters<typeof MA_STATE>[0]): { start: number; last: number; entry: string }[] {
  const out: { start: number; last: number; entry: string }[] = [];
  const mas = MA_STATE(mt, 0, 0);
  for (let e = mas_find(mas, ULONG_MAX); e !== null && e !== undefined; e = mas_find(mas, ULONG_MAX))
    out.push({ start: mas.index, last: mas.last, entry: xa_is_zero(e) ? 'XA_ZERO_ENTRY' : (e as { name: string }).name });
  return out;
}

function mm_object(peek: Peek, mm: mm_struct, role: string): SnapshotObject {
  const live = mm.__state === 'live';
  return {
    kind: 'mm_struct',
    name: `${mm.name}${role ? ` (${role})` : ''}`,
    fields: {
      mm_users: peek.load(mm.mm_users),
      mm_count: peek.load(mm.mm_count),
      flags: flag_names(peek.load(mm.flags), MMF_NAMES),
      map_count: peek.load(mm.map_count),
      mmlist: peek.load(mm.mmlist),
      mmap_lock: peek.lock(mm.mmap_lock).mode,
      state: live ? 'live' : 'freed',
    },
    entries: tree_entries(peek.load(mm.mm_mt)),
  };
}

/**
 * kernel_snapshot() - the inspector's view: every mm_struct with its VMA tree (XA_ZERO_ENTRY
 * shown as such), every task with its mm, and the global lists the walkers use.
 */
export function kernel_snapshot(w: world, peek: Peek): StateSnapshot {
  const objects: SnapshotObject[] = [];
  const owners = new Map<mm_struct, string>();
  for (const t of w.__reg.tasks) {
    const mm = peek.load(t.mm);
    if (mm && !owners.has(mm)) owners.set(mm, t.name);
  }
  for (const mm of w.__reg.mms) objects.push(mm_object(peek, mm, owners.get(mm) ?? (w.__reg.mms[0] === mm ? '' : 'child of fork')));
  for (const t of w.__reg.tasks)
    objects.push({ kind: 'task_struct', name: t.name, fields: { mm: peek.load(t.mm)?.name ?? null, flags: peek.load(t.flags) } });
  const names = (l: readonly { name: string }[]): string[] => l.map((m) => m.name);
  objects.push({
    kind: 'global',
    name: 'lists',
    fields: {
      'init_mm.mmlist': names(peek.load(w.mmlist)),
      ksm_mm_head: names(peek.load(w.ksm_scan.mm_head)),
      khugepaged_mm_head: names(peek.load(w.khugepaged_scan.mm_head)),
      dup_mmap_sem: peek.lock(w.dup_mmap_sem).mode,
      nr_swap_pages: peek.load(w.nr_swap_pages),
    },
  });
  return { objects };
}

/** Model-only: load a task's mm (setup helper). */
export function* mm_of(t: task_struct): Model<mm_struct> {
  const mm = yield* load(t.mm);
  if (!mm) throw new Error(`${t.name} has no mm`);
  return mm;
}
