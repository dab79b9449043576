// The per-execution kernel globals: the task list, init_mm.mmlist and mmlist_lock, the uprobe
// dup_mmap_sem, oom_lock, the physical page pool and the swap device, plus the model-only state
// of the sanitizers (object registry, lockdep graph, which thread is `current`).
//
// Everything here is created by world_init() inside an execution: nothing is module-level, so
// every execution starts from the same state (the explorer is stateless).
//
// CUSTOMISED:
// - `current` is found through w.cur, which the thread wrapper (run_as) sets each time the
//   engine resumes a thread; model code reads it only through get_current().
// - Names ('mm#2', 'vma#5') come from per-world counters: a model-only convenience for traces.
// STUBBED: pid namespaces, RCU (readers of the task list load it in one step), tasklist_lock.
import type { Lock, Loc, Model, ThreadBody } from '../engine/op.ts';
import { ModelViolation } from '../engine/op.ts';
import { newLoc, newLock, onResume, spawn } from '../engine/prims.ts';
import type { KernelConfig, Switches } from './config.ts';
import type { lockdep_state, held_lock } from './debug/lockdep.ts';
import type {
  anon_vma,
  anon_vma_chain,
  file,
  mm_struct,
  page,
  pte_table,
  swp_entry_t,
  task_struct,
  vm_area_struct,
} from './include/linux/mm_types.ts';

/** What runs on one model CPU: its name, the task it is (null: a kernel worker), its locks. */
export interface cpu_ctx {
  readonly name: string;
  readonly task: task_struct | null;
  readonly held: held_lock[];
  /** Locks taken on this CPU so far (model-only: a scenario's metric of a path's locking). */
  acquired: number;
}

/** Model-only registry of every object created, for the end-of-execution audit and snapshots. */
export interface registry {
  readonly mms: mm_struct[];
  readonly vmas: vm_area_struct[];
  readonly anon_vmas: anon_vma[];
  readonly avcs: anon_vma_chain[];
  readonly pages: page[];
  readonly pts: pte_table[];
  readonly swaps: swp_entry_t[];
  readonly files: file[];
  readonly tasks: task_struct[];
}

/** Kernel globals of one execution. */
export interface world {
  readonly cfg: KernelConfig;
  /** cfg.switches, for short reads: w.sw.forkMtDup. */
  readonly sw: Switches;
  /** All tasks (for_each_process walks it; a task is added when copy_process attaches its pid). */
  readonly tasklist: Loc<readonly task_struct[]>;
  /** init_mm.mmlist: mms that have (had) swap entries, in list order. */
  readonly mmlist: Loc<readonly mm_struct[]>;
  readonly mmlist_lock: Lock;
  /** uprobes' dup_mmap_sem: fork = reader, uprobe_register = writer. */
  readonly dup_mmap_sem: Lock;
  readonly oom_lock: Lock;
  /** Number of tasks with TIF_MEMDIE (mark_oom_victim / exit_oom_victim). */
  readonly oom_victims: Loc<number>;
  /** The OOM reaper's queue (oom_reaper_list) and its lock. */
  readonly oom_reaper_list: Loc<readonly task_struct[]>;
  readonly oom_reaper_lock: Lock;
  /** ksmd's ksm_mm_head / ksm_scan and khugepaged's khugepaged_scan (mm/ksm.ts, mm/khugepaged.ts). */
  readonly ksm_scan: mm_scan_list;
  readonly khugepaged_scan: mm_scan_list;
  /** Free physical pages; page tables and slab objects are not charged to it. */
  readonly nr_free_pages: Loc<number>;
  readonly totalram_pages: number;
  /** Free swap slots. */
  readonly nr_swap_pages: Loc<number>;
  readonly total_swap_pages: number;
  /**
   * /sys/kernel/mm/transparent_hugepage/enabled: 'madvise' gives a VM_HUGEPAGE anonymous VMA
   * that covers a whole PMD a huge PMD at its first fault (mm/huge_memory.ts); 'never' (the
   * default here) keeps every mapping on PTE pages.
   */
  readonly transparent_hugepage: 'never' | 'madvise';
  /** Model-only state below. */
  cur: cpu_ctx | null;
  /**
   * The page allocator's slow path when the pool is empty (mm/oom_kill.ts: oom_killer_enable
   * sets it): returns true to retry the allocation. null: fail at once (the default).
   */
  __oom_slowpath: ((attempt: number) => Model<boolean>) | null;
  /** Model-only: when set, pte_lock() counts acquisitions that found the PTE lock held (R12). */
  __ptl_contention: { count: number } | null;
  readonly __ids: Map<string, number>;
  readonly __reg: registry;
  readonly __lockdep: lockdep_state;
  __next_pid: number;
}

export interface world_params {
  /** Physical pages in the pool (default 32). */
  readonly totalram_pages?: number;
  /** Swap slots (default 16). */
  readonly total_swap_pages?: number;
  /** transparent_hugepage/enabled (default 'never'). */
  readonly transparent_hugepage?: 'never' | 'madvise';
}

/**
 * A scan daemon's list of registered mms (one mm_slot per mm, in list order), the slot it is
 * scanning now (ksm_scan.mm_slot / khugepaged_scan.mm_slot; null: the list head) and the
 * list's spinlock (ksm_mmlist_lock / khugepaged_mm_lock).
 */
export interface mm_scan_list {
  readonly mm_head: Loc<readonly mm_struct[]>;
  readonly mm_slot: Loc<mm_struct | null>;
  readonly lock: Lock;
}

function* mm_scan_list_init(daemon: string): Model<mm_scan_list> {
  return {
    mm_head: yield* newLoc<readonly mm_struct[]>(`${daemon}_mm_head`, []),
    mm_slot: yield* newLoc<mm_struct | null>(`${daemon}_scan.mm_slot`, null),
    lock: yield* newLock(daemon === 'ksm' ? 'ksm_mmlist_lock' : 'khugepaged_mm_lock', 'spinlock'),
  };
}

/** Creates the globals of one execution. Call first in the program's main thread. */
export function* world_init(cfg: KernelConfig, params: world_params = {}): Model<world> {
  const totalram = params.totalram_pages ?? 32;
  const totalswap = params.total_swap_pages ?? 16;
  const w: world = {
    cfg,
    sw: cfg.switches,
    tasklist: yield* newLoc<readonly task_struct[]>('tasklist', []),
    mmlist: yield* newLoc<readonly mm_struct[]>('init_mm.mmlist', []),
    mmlist_lock: yield* newLock('mmlist_lock', 'spinlock'),
    dup_mmap_sem: yield* newLock('dup_mmap_sem', 'percpu_rwsem'),
    oom_lock: yield* newLock('oom_lock', 'mutex'),
    oom_victims: yield* newLoc('oom_victims', 0),
    oom_reaper_list: yield* newLoc<readonly task_struct[]>('oom_reaper_list', []),
    oom_reaper_lock: yield* newLock('oom_reaper_lock', 'spinlock'),
    ksm_scan: yield* mm_scan_list_init('ksm'),
    khugepaged_scan: yield* mm_scan_list_init('khugepaged'),
    nr_free_pages: yield* newLoc('nr_free_pages', totalram),
    totalram_pages: totalram,
    nr_swap_pages: yield* newLoc('nr_swap_pages', totalswap),
    total_swap_pages: totalswap,
    transparent_hugepage: params.transparent_hugepage ?? 'never',
    cur: null,
    __oom_slowpath: null,
    __ptl_contention: null,
    __ids: new Map(),
    __reg: { mms: [], vmas: [], anon_vmas: [], avcs: [], pages: [], pts: [], swaps: [], files: [], tasks: [] },
    __lockdep: { classes: new Map(), edges: new Map() },
    __next_pid: 1,
  };
  return w;
}

/** Model-only: the next display name of a kind ('vma' -> 'vma#3'). */
export function new_name(w: world, kind: string): string {
  const n = (w.__ids.get(kind) ?? 0) + 1;
  w.__ids.set(kind, n);
  return `${kind}#${n}`;
}

/**
 * run_as() - runs a model body as the CPU context `ctx`: sets w.cur every time the engine
 * resumes this thread, so get_current() and lockdep know who runs.
 */
export function run_as<T>(w: world, ctx: cpu_ctx, body: Model<T>): Model<T> {
  return onResume(body, () => {
    w.cur = ctx;
  });
}

/** A thread body for `task` (or a kernel worker when task is null) running `body`. */
export function task_thread(w: world, name: string, task: task_struct | null, body: () => Model<void>): ThreadBody {
  return () => run_as(w, { name, task, held: [], acquired: 0 }, body());
}

/**
 * kthread_run() - starts a model CPU running `body` as `task` (null: a kernel worker, e.g.
 * a workqueue or the OOM reaper). Returns the engine's thread id (for join).
 */
export function* kthread_run(w: world, name: string, task: task_struct | null, body: () => Model<void>): Model<number> {
  return yield* spawn(name, task_thread(w, name, task, body));
}

/** The CPU context running now. */
export function this_cpu(w: world): cpu_ctx {
  if (!w.cur) throw new ModelViolation('assertion', 'model thread not started through run_as()/kthread_run()');
  return w.cur;
}

/**
 * get_current() - the task running on this CPU (the kernel's `current`).
 * A kernel worker has none: calling this there is a model bug.
 */
export function get_current(w: world): task_struct {
  const t = this_cpu(w).task;
  if (!t) throw new ModelViolation('assertion', `${this_cpu(w).name}: no current task on a kernel worker`);
  return t;
}
