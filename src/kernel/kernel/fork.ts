// Models kernel/fork.c @ v7.0 (v6.13 / v6.12 differences under switches): the mm_struct's birth
// and death: allocate_mm, mm_init, mm_alloc, dup_mm, copy_mm, the mm slice of copy_process and
// kernel_clone, and mmput, __mmput, mmput_async, __mmdrop (kernel-spec.md 5.1.2-5.1.5, 6.3).
// dup_mmap() is in mm/mmap.ts (it moved to mm/mmap.c in 2025).
//
// CUSTOMISED:
// - allocate_mm() creates the struct with mm_init()'s values (the object is private until
//   copy_process publishes the child), so mm_init() only has its failure points and the pgd.
// - copy_process() keeps only the mm-relevant steps: dup_task_struct, copy_mm, alloc_pid, the
//   fatal-signal check, attaching the task to the task list. The pid is chosen at
//   dup_task_struct (names only).
// - mmput_async() queues __mmput() on a new kernel worker thread ('kworker/mmput').
// STUBBED: uprobe_clear_state, exit_aio, mm_put_huge_zero_folio, set_mm_exe_file, module_put,
//   lru_gen_del_mm, futex_hash_free, mm owner hand-over, the arch/cid/percpu parts of __mmdrop
//   (their failure points in mm_init are kept), copy_files/fs/sighand (CLONE_THREAD shares the
//   signal struct; nothing else).
import type { Model } from '../../engine/op.ts';
import { ModelViolation } from '../../engine/op.ts';
import { fault, kfn, load, newLoc, note, rmw, store } from '../../engine/prims.ts';
import { lock_create } from '../debug/lockdep.ts';
import { EINTR, ENOMEM } from '../include/linux/errno.ts';
import { mm_flags_set } from '../include/linux/bitops.ts';
import {
  exit_state_text,
  MMF_INIT_MASK,
  MMF_OOM_SKIP,
  mmf_text,
  pf_text,
  signal_flags_text,
  sigset_text,
  tif_text,
  type mm_struct,
  type pte_table,
  type signal_struct,
  type task_struct,
} from '../include/linux/mm_types.ts';
import { mmdrop, mmget } from '../include/linux/sched/mm.ts';
import { fatal_signal_pending_at } from '../include/linux/sched/signal.ts';
import { uprobe_end_dup_mmap, uprobe_start_dup_mmap } from '../include/linux/uprobes.ts';
import { MT_FLAGS_ALLOC_RANGE, MT_FLAGS_LOCK_EXTERN, MT_FLAGS_USE_RCU, mtree_init } from '../lib/maple_tree.ts';
import { dup_mmap, exit_mmap } from '../mm/mmap.ts';
import { khugepaged_exit } from '../mm/khugepaged.ts';
import { ksm_exit } from '../mm/ksm.ts';
import { del_from_mmlist } from '../mm/swapfile.ts';
import { kthread_run, new_name, type world } from '../world.ts';

/** MM_MT_FLAGS: allocation-range tracking, RCU mode, external lock (mmap_lock). */
export const MM_MT_FLAGS = MT_FLAGS_ALLOC_RANGE | MT_FLAGS_LOCK_EXTERN | MT_FLAGS_USE_RCU;

export const CLONE_VM = 0x100;
export const CLONE_THREAD = 0x10000;

/**
 * allocate_mm() - a new mm_struct from the slab, initialised as mm_init() would (see header),
 * or null when the allocation fails.
 * @site: fault site ('dup_mm:allocate_mm' for fork, 'mm_alloc:allocate_mm' for exec).
 * Models: kernel/fork.c: allocate_mm()
 */
export function* allocate_mm(w: world, site: string, flags: number): Model<mm_struct | null> {
  if (site && (yield* fault(site))) return null;
  const name = new_name(w, 'mm');
  const mm: mm_struct = {
    name,
    w,
    mm_users: yield* newLoc(`${name}.mm_users`, 1),
    mm_count: yield* newLoc(`${name}.mm_count`, 1),
    flags: yield* newLoc(`${name}.flags`, flags, mmf_text),
    mmap_lock: yield* lock_create(w, name, 'mmap_lock', 'rwsem'),
    mm_mt: yield* newLoc(`${name}.mm_mt`, mtree_init(MM_MT_FLAGS)),
    map_count: yield* newLoc(`${name}.map_count`, 0),
    pgd: yield* newLoc<Map<number, pte_table> | null>(`${name}.pgd`, null),
    rss_stat: yield* newLoc<readonly [number, number, number]>(`${name}.rss_stat`, [0, 0, 0]),
    total_vm: yield* newLoc(`${name}.total_vm`, 0),
    locked_vm: yield* newLoc(`${name}.locked_vm`, 0),
    committed: yield* newLoc(`${name}.committed`, 0),
    numa_next_scan: yield* newLoc(`${name}.numa_next_scan`, 0),
    numa_scan_offset: yield* newLoc(`${name}.numa_scan_offset`, 0),
    mmlist: yield* newLoc(`${name}.mmlist`, false),
    __state: 'live',
    __mmput_runs: 0,
  };
  w.__reg.mms.push(mm);
  return mm;
}

/**
 * mm_init() - initialise a new mm: its page-table root and per-CPU state, each of which can
 * fail; on failure everything is unwound and the struct freed.
 * Returns: the mm, or null.
 * Models: kernel/fork.c: mm_init() ("exact order unverified", kernel-spec.md 15.9)
 */
export const mm_init = kfn('mm_init', function* (mm: mm_struct, may_fail = true): Model<mm_struct | null> {
  if (may_fail && (yield* fault('mm_init:mm_alloc_pgd'))) return yield* free_mm(mm); // mm_alloc_pgd(mm)
  yield* store(mm.pgd, new Map<number, pte_table>());
  for (const site of ['mm_init:init_new_context', 'mm_init:mm_alloc_cid', 'mm_init:percpu_counter_init']) {
    if (may_fail && (yield* fault(site))) {
      yield* store(mm.pgd, null); // fail_...: mm_free_pgd(mm)
      return yield* free_mm(mm);
    }
  }
  return mm;
});

/** free_mm(): back to the slab (never published). Returns null for mm_init's callers. */
function* free_mm(mm: mm_struct): Model<null> {
  mm.__state = 'freed';
  yield* store(mm.mm_count, 0);
  yield* store(mm.mm_users, 0);
  return null;
}

/**
 * mm_alloc() - a fresh, empty mm for exec (bprm_mm_init).
 * Models: kernel/fork.c: mm_alloc()
 */
export const mm_alloc = kfn('mm_alloc', function* (w: world, may_fail = true): Model<mm_struct | null> {
  const mm = may_fail ? yield* allocate_mm(w, 'mm_alloc:allocate_mm', 0) : yield* allocate_mm_nofail(w);
  if (!mm) return null;
  return yield* mm_init(mm, may_fail);
});

/** Model-only: allocate_mm() without its fault site (scenario setup is not under test). */
function* allocate_mm_nofail(w: world): Model<mm_struct | null> {
  return yield* allocate_mm(w, '', 0);
}

/**
 * __mmdrop() - the last mm_count reference is gone: free the pgd and the struct.
 * check_mm() reports non-zero rss counters ("BUG: Bad rss-counter state").
 * Models: kernel/fork.c: __mmdrop()
 */
export const __mmdrop = kfn('__mmdrop', function* (mm: mm_struct): Model<void> {
  const users = yield* load(mm.mm_users);
  if (users !== 0) throw new ModelViolation('refcount', `__mmdrop(${mm.name}) with mm_users == ${users}: mm_count dropped below its users`);
  const pgd = yield* load(mm.pgd);
  if (pgd && pgd.size) throw new ModelViolation('leak', `__mmdrop(${mm.name}): ${pgd.size} page table(s) still attached to the pgd`);
  yield* store(mm.pgd, null); // mm_free_pgd(mm)
  const rss = yield* load(mm.rss_stat); // check_mm(mm)
  if (rss.some((n) => n !== 0)) throw new ModelViolation('leak', `BUG: Bad rss-counter state mm:${mm.name} [file ${rss[0]}, anon ${rss[1]}, swapents ${rss[2]}]`);
  mm.__state = 'freed'; // free_mm(mm)
});

/**
 * mmput() - drop an mm_users reference; the last one runs __mmput() here, in the caller's
 * context (kernel-spec.md 1.5: whoever drops it pays for the teardown).
 * Models: kernel/fork.c: mmput()
 */
export const mmput = kfn('mmput', function* (mm: mm_struct): Model<void> {
  if (mm.__state === 'freed') throw new ModelViolation('use-after-free', `BUG: KASAN: use-after-free in mmput: ${mm.name}`);
  const old = yield* rmw(mm.mm_users, (v) => v - 1); // atomic_dec_and_test(&mm->mm_users)
  if (old <= 0) throw new ModelViolation('refcount', `mmput(${mm.name}): mm_users underflow`);
  if (old === 1) yield* __mmput(mm);
});

/**
 * mmput_async() - as mmput(), but __mmput() runs on a workqueue.
 * Models: kernel/fork.c: mmput_async()
 */
export const mmput_async = kfn('mmput_async', function* (mm: mm_struct): Model<void> {
  const old = yield* rmw(mm.mm_users, (v) => v - 1);
  if (old <= 0) throw new ModelViolation('refcount', `mmput_async(${mm.name}): mm_users underflow`);
  if (old === 1) yield* kthread_run(mm.w, 'kworker/mmput', null, () => __mmput(mm)); // schedule_work(&mm->async_put_work)
});

/**
 * __mmput() - tear the address space down once mm_users reached zero, then drop the users'
 * collective mm_count reference.
 * Models: kernel/fork.c: __mmput()
 */
export const __mmput = kfn('__mmput', function* (mm: mm_struct): Model<void> {
  if (++mm.__mmput_runs > 1) throw new ModelViolation('refcount', `__mmput(${mm.name}) ran twice`);
  // uprobe_clear_state(mm); exit_aio(mm): STUBBED
  yield* ksm_exit(mm);
  yield* khugepaged_exit(mm);
  yield* exit_mmap(mm);
  // mm_put_huge_zero_folio(mm); set_mm_exe_file(mm, NULL): STUBBED
  yield* del_from_mmlist(mm); // if (!list_empty(&mm->mmlist)) { spin_lock(&mmlist_lock); list_del ... }
  // module_put(mm->binfmt->module); lru_gen_del_mm(mm); futex_hash_free(mm): STUBBED
  if (mm.w.sw.mmputSetsOomSkip) yield* mm_flags_set(MMF_OOM_SKIP, mm); // v4.9-v4.13
  yield* mmdrop(mm);
});

/**
 * dup_mm() - allocate a new mm and copy the parent's address space into it.
 * Returns: the new mm, or null (the real error, -EINTR or -ENOMEM, is lost here).
 * Context: the caller is the forking task; takes dup_mmap_sem for read (uprobeSemInDupMm).
 * Models: kernel/fork.c: dup_mm() (v6.13+: 8ac662f5da19 holds the uprobe read section across
 * the failure mmput; before, dup_mmap() took it itself)
 */
export const dup_mm = kfn('dup_mm', function* (tsk: task_struct, oldmm: mm_struct): Model<mm_struct | null> {
  const w = oldmm.w;
  const oldflags = yield* load(oldmm.flags);
  let mm = yield* allocate_mm(w, 'dup_mm:allocate_mm', oldflags & MMF_INIT_MASK); // memcpy(mm, oldmm); mmf_init_flags()
  if (!mm) return null;
  mm = yield* mm_init(mm);
  if (!mm) return null;
  if (w.sw.uprobeSemInDupMm) yield* uprobe_start_dup_mmap(w);
  const err = yield* dup_mmap(mm, oldmm);
  if (err) {
    yield* note(`dup_mmap() -> ${err}; mmput() the half-built ${mm.name}`);
    // free_pt: mm->binfmt = NULL; mm_init_owner(mm, NULL);
    yield* mmput(mm);
    if (w.sw.uprobeSemInDupMm) yield* uprobe_end_dup_mmap(w); // if (err) uprobe_end_dup_mmap();
    return null;
  }
  if (w.sw.uprobeSemInDupMm) yield* uprobe_end_dup_mmap(w);
  void tsk;
  return mm;
});

/**
 * copy_mm() - give the child the parent's mm (CLONE_VM) or a copy of it.
 * Returns: 0 or -ENOMEM.
 * Models: kernel/fork.c: copy_mm()
 */
export const copy_mm = kfn('copy_mm', function* (clone_flags: number, tsk: task_struct, current: task_struct): Model<number> {
  yield* store(tsk.mm, null);
  yield* store(tsk.active_mm, null);
  const oldmm = yield* load(current.mm);
  if (!oldmm) return 0; // a kernel thread forking
  let mm: mm_struct | null;
  if (clone_flags & CLONE_VM) {
    yield* mmget(oldmm);
    mm = oldmm;
  } else {
    mm = yield* dup_mm(tsk, oldmm);
    if (!mm) return -ENOMEM;
  }
  yield* store(tsk.mm, mm);
  yield* store(tsk.active_mm, mm);
  return 0;
});

/** Model-only: a new task struct (dup_task_struct's object), not yet on the task list. */
export function* alloc_task(w: world, comm: string, tgid: number | null, signal: signal_struct | null, robust_list = 0): Model<task_struct> {
  const pid = w.__next_pid++;
  const name = `${comm}[${pid}]`;
  const t: task_struct = {
    name,
    pid,
    tgid: tgid ?? pid,
    comm,
    w,
    mm: yield* newLoc(`${name}.mm`, null),
    active_mm: yield* newLoc(`${name}.active_mm`, null),
    flags: yield* newLoc(`${name}.flags`, 0, pf_text),
    thread_flags: yield* newLoc(`${name}.thread_flags`, 0, tif_text),
    alloc_lock: yield* lock_create(w, name, 'alloc_lock', 'spinlock'),
    signal: signal ?? {
      flags: yield* newLoc(`${name}.signal.flags`, 0, signal_flags_text),
      oom_mm: yield* newLoc(`${name}.signal.oom_mm`, null),
      live: yield* newLoc(`${name}.signal.live`, 0),
    },
    pending: yield* newLoc(`${name}.pending`, 0, sigset_text),
    frozen: yield* newLoc(`${name}.frozen`, false),
    robust_list,
    exit_mm: yield* newLoc(`${name}.exit_mm`, null),
    exit_state: yield* newLoc(`${name}.exit_state`, 0, exit_state_text),
    usage: yield* newLoc(`${name}.usage`, 1),
  };
  yield* rmw(t.signal.live, (n) => n + 1);
  w.__reg.tasks.push(t);
  return t;
}

/**
 * copy_process() - the mm-relevant slice of creating a child task.
 * Returns: the child task, or a negative errno (the child was never visible).
 * Models: kernel/fork.c: copy_process()
 */
export const copy_process = kfn('copy_process', function* (current: task_struct, clone_flags: number): Model<task_struct | number> {
  const w = current.w;
  if (yield* fault('copy_process:dup_task_struct')) return -ENOMEM;
  const thread = (clone_flags & CLONE_THREAD) !== 0;
  const p = yield* alloc_task(w, current.comm, thread ? current.tgid : null, thread ? current.signal : null);
  let retval = yield* copy_mm(clone_flags, p, current);
  if (retval) return yield* bad_fork_free(p, retval);
  if (yield* fault('copy_process:alloc_pid')) retval = -ENOMEM;
  else if (yield* fatal_signal_pending_at(current, 'copy_process:fatal_signal_pending')) retval = -EINTR;
  if (retval) {
    // bad_fork_cleanup_mm: if (p->mm) { mm_clear_owner(p->mm, p); mmput(p->mm); }
    const mm = yield* load(p.mm);
    if (mm) yield* mmput(mm);
    return yield* bad_fork_free(p, retval);
  }
  yield* rmw(w.tasklist, (l) => [...l, p]); // attach_pid(); list_add_tail_rcu(&p->tasks, ...)
  return p;
});

function* bad_fork_free(p: task_struct, retval: number): Model<number> {
  yield* rmw(p.signal.live, (n) => n - 1);
  yield* store(p.exit_state, -1); // free_task(p): never visible (model-only marker)
  yield* rmw(p.usage, (n) => n - 1);
  return retval;
}

/**
 * kernel_clone() - fork(): returns the child's pid or a negative errno.
 * Models: kernel/fork.c: kernel_clone()
 */
export const kernel_clone = kfn('kernel_clone', function* (current: task_struct, clone_flags: number = 0): Model<number> {
  const p = yield* copy_process(current, clone_flags);
  if (typeof p === 'number') return p;
  return p.pid;
});
