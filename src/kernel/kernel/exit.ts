// Models kernel/exit.c @ v7.0 (kernel-spec.md 6.1-6.2): the mm-relevant slice of do_exit(),
// exit_mm() (with exit_mm_release()'s robust-futex read), exit_notify()/release_task() with
// autoreaping, and the return to user space of kernel/entry/common.c (lockdep check, fatal
// signals).
//
// CUSTOMISED:
// - Every exiting task is autoreaped (as if its parent ignored SIGCHLD) unless the caller asks
//   to stay a zombie; release_task() drops signal->oom_mm (mmdrop_async in the kernel, a plain
//   mmdrop here) when the last thread of the group goes, and the PROPOSED task->exit_mm.
// - The lazy-TLB mm_count reference exit_mm() takes is dropped at the end of do_exit() (the
//   kernel drops it in finish_task_switch() after do_task_dead()).
// - exit_robust_list() reads one user word at task->robust_list: present PTE -> fine; otherwise
//   a user fault, whose failure (e.g. SIGBUS on a reaped, MMF_UNSTABLE mm) loses the list.
// STUBBED: exit_sem/shm/files/fs/namespaces/task_work/thread, perf, cgroup exit, clear_child_tid
//   (mm_release), vfork_done, mm_update_next_owner, membarrier, taskstats, core dumps.
import type { Model } from '../../engine/op.ts';
import { kfn, load, metric, note, rmw, store } from '../../engine/prims.ts';
import { lockdep_sys_exit } from '../debug/lockdep.ts';
import { mmap_read_lock, mmap_read_unlock } from '../include/linux/mmap_lock.ts';
import { EXIT_DEAD, EXIT_ZOMBIE, PF_EXITING, TIF_MEMDIE, type mm_struct, type task_struct } from '../include/linux/mm_types.ts';
import { mmdrop, mmgrab } from '../include/linux/sched/mm.ts';
import { fatal_signal_pending } from '../include/linux/sched/signal.ts';
import { put_task_struct, task_lock, task_unlock } from '../include/linux/sched/task.ts';
import { do_user_addr_fault } from '../mm/gup.ts';
import { pte_at } from '../mm/memory.ts';
import { exit_oom_victim } from '../mm/oom_kill.ts';
import { mmput } from './fork.ts';

/**
 * exit_robust_list() - walk the task's user-space robust futex list (one word is read here).
 * Returns: true if the list could be read.
 * Models: kernel/futex/core.c: exit_robust_list() (get_user of the list head)
 */
export const exit_robust_list = kfn('exit_robust_list', function* (current: task_struct, mm: mm_struct): Model<boolean> {
  const addr = current.robust_list;
  const pte = yield* pte_at(mm, addr - (addr % 4096));
  if (pte && pte.kind === 'page') return true;
  const r = yield* do_user_addr_fault(current, addr, false); // get_user() faults the page in
  if (r) {
    yield* note(`exit_robust_list: get_user(0x${addr.toString(16)}) fails: robust futex waiters are never woken`);
    yield* metric('robust_list_lost', 1);
    return false;
  }
  return true;
});

/**
 * exit_mm_release() - futex and uprobe state of the exiting task, before the mm is detached.
 * Models: kernel/fork.c: exit_mm_release() -> futex_exit_release(), mm_release()
 */
export const exit_mm_release = kfn('exit_mm_release', function* (current: task_struct, mm: mm_struct | null): Model<void> {
  if (mm && current.robust_list) yield* exit_robust_list(current, mm); // futex_exit_release(tsk)
  // mm_release(tsk, mm): uprobe_free_utask, deactivate_mm, clear_child_tid, vfork_done: STUBBED
});

/**
 * exit_mm() - detach the exiting task from its mm and drop its mm_users reference (the last
 * one tears the address space down right here).
 * Context: the exiting task, no locks held; takes mmap_read_lock then task_lock.
 * Models: kernel/exit.c: exit_mm()
 */
export const exit_mm = kfn('exit_mm', function* (current: task_struct): Model<void> {
  const w = current.w;
  const mm = yield* load(current.mm);
  yield* exit_mm_release(current, mm);
  if (!mm) return;
  yield* mmap_read_lock(mm);
  yield* mmgrab(mm); // mmgrab_lazy_tlb(mm): the CPU keeps using it as active_mm
  yield* task_lock(current);
  if (w.sw.taskExitMm) { // PROPOSED-2026: current->exit_mm = mm, with its own mm_count reference
    yield* mmgrab(mm);
    yield* store(current.exit_mm, mm);
  }
  yield* store(current.mm, null); // current->mm = NULL; (after smp_mb__after_spinlock())
  yield* task_unlock(current);
  yield* mmap_read_unlock(mm);
  // mm_update_next_owner(mm): STUBBED
  yield* mmput(mm);
  if ((yield* load(current.thread_flags)) & TIF_MEMDIE) yield* exit_oom_victim(current);
});

/**
 * release_task() - the task leaves the task list (pid lookups fail from now on) and drops the
 * task list's reference; the signal struct (and signal->oom_mm's mm_count reference) goes when
 * the last task struct of the group is freed (free_task(), include/linux/sched/task.ts), so a
 * holder of a task reference (the OOM reaper) can still use signal->oom_mm.
 * Models: kernel/exit.c: release_task() -> __exit_signal()
 */
export const release_task = kfn('release_task', function* (p: task_struct): Model<void> {
  yield* rmw(p.w.tasklist, (l) => l.filter((t) => t !== p)); // __unhash_process()
  yield* store(p.exit_state, EXIT_DEAD);
  yield* rmw(p.signal.live, (n) => n - 1);
  yield* put_task_struct(p); // the last put runs free_task(): put_signal_struct(), PROPOSED-2026 exit_mm
});

/**
 * do_exit() - the mm-relevant slice of a task's exit.
 * @autoreap: release the task at once (default), or leave a zombie for release_task().
 * Models: kernel/exit.c: do_exit()
 */
export const do_exit = kfn('do_exit', function* (current: task_struct, autoreap = true): Model<void> {
  yield* rmw(current.flags, (f) => f | PF_EXITING); // exit_signals(tsk)
  yield* exit_mm(current);
  // exit_sem(), exit_shm(), exit_files(), exit_fs(), exit_task_namespaces(), ...: STUBBED
  yield* store(current.exit_state, EXIT_ZOMBIE); // exit_notify(tsk, group_dead)
  lockdep_sys_exit(current.w, `do_exit(${current.name})`);
  const active = yield* load(current.active_mm); // do_task_dead() -> finish_task_switch(): mmdrop_lazy_tlb()
  if (active) {
    yield* store(current.active_mm, null);
    yield* mmdrop(active);
  }
  if (autoreap) yield* release_task(current);
});

/**
 * exit_to_user_mode() - returning from a system call: no lock may be held; a pending SIGKILL
 * makes the task exit. Returns: true if the task exited.
 * Models: kernel/entry/common.c: syscall_exit_to_user_mode() -> exit_to_user_mode_loop()
 * -> get_signal() -> do_group_exit()
 */
export const exit_to_user_mode = kfn('exit_to_user_mode', function* (current: task_struct): Model<boolean> {
  lockdep_sys_exit(current.w, 'syscall_exit_to_user_mode');
  if (!(yield* fatal_signal_pending(current))) return false;
  yield* do_exit(current);
  return true;
});
