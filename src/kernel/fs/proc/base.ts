// Models /proc/<pid>/cmdline of fs/proc/base.c and get_cmdline()/access_remote_vm() of
// mm/util.c and mm/memory.c @ v7.0 (kernel-spec.md 11.6): get_task_mm() pins mm_users, the
// argument area is read under the killable mmap read lock, then mmput() - which runs __mmput()
// in the reader's context if the process exited meanwhile. Under walkersUseMmCountOnly the
// reader holds mm_count only (mmgrab under task_lock) and finds an empty tree after teardown.
// CUSTOMISED: the argument area is the first VMA (arg_start = its vm_start); "reading" it is a
// checked dereference of that VMA while the read lock is held. A reader can stall while it
// holds the lock (see task_mmu.ts).
// STUBBED: arg_lock, GUP of the argument pages (no fault-in), the setproctitle() special case.
import type { Model } from '../../../engine/op.ts';
import { kfn, load, note, sleep } from '../../../engine/prims.ts';
import { vma_deref } from '../../debug/kasan.ts';
import { find_vma } from '../../include/linux/mm.ts';
import { mmap_read_lock_killable, mmap_read_unlock } from '../../include/linux/mmap_lock.ts';
import type { mm_struct, task_struct } from '../../include/linux/mm_types.ts';
import { get_task_mm, mmdrop, mmgrab } from '../../include/linux/sched/mm.ts';
import { task_lock, task_unlock } from '../../include/linux/sched/task.ts';
import { mmput } from '../../kernel/fork.ts';
import type { proc_stall } from './task_mmu.ts';

/**
 * access_remote_vm() - read @len bytes at @addr of @mm under the killable read lock.
 * Returns: bytes read (0 if nothing is mapped there or the lock wait was interrupted).
 * Models: mm/memory.c: access_remote_vm() -> __access_remote_vm()
 */
export const access_remote_vm = kfn('access_remote_vm', function* (mm: mm_struct, addr: number, len: number, stall?: proc_stall): Model<number> {
  if ((yield* mmap_read_lock_killable(mm, 'access_remote_vm:mmap_read_lock_killable')) !== 0) return 0;
  let got = 0;
  const vma = yield* find_vma(mm, addr); // get_user_pages_remote() -> vma_lookup()
  if (vma) {
    yield* vma_deref(vma, mm);
    got = len;
    if (stall !== undefined) {
      yield* note(`cmdline reader stalls holding ${mm.name}->mmap_lock (slow page-in)`);
      if (typeof stall === 'number') yield* sleep(stall);
      else yield* stall();
    }
  }
  yield* mmap_read_unlock(mm);
  return got;
});

/**
 * get_cmdline() / proc_pid_cmdline_read() - read @task's command line.
 * @stall: the reader stalls holding the read lock ('locked': slow page-in) or, after the read,
 * holding only its mm reference ('copy_to_user': the copy to its own buffer faults).
 * Returns: bytes read (0 if the task has no mm).
 * Models: fs/proc/base.c: proc_pid_cmdline_read() -> get_mm_cmdline(); mm/util.c: get_cmdline()
 */
export const get_cmdline = kfn('get_cmdline', function* (task: task_struct, stall?: proc_stall, where: 'locked' | 'copy_to_user' = 'locked'): Model<number> {
  const count_only = task.w.sw.walkersUseMmCountOnly;
  let mm: mm_struct | null;
  if (count_only) {
    // PROPOSED (Linus, May 2026): mm_count and the read lock suffice.
    yield* task_lock(task);
    mm = yield* load(task.mm);
    if (mm) yield* mmgrab(mm);
    yield* task_unlock(task);
  } else {
    mm = yield* get_task_mm(task);
  }
  if (!mm) return 0;
  const n = yield* access_remote_vm(mm, 0, 8, where === 'locked' ? stall : undefined); // arg_start .. arg_end
  if (stall !== undefined && where === 'copy_to_user') {
    // copy_to_user(buf, page, got) faults on the reader's own buffer (userfaultfd, FUSE) while the mm is still held
    yield* note(`cmdline reader stalls in copy_to_user() holding ${count_only ? 'mm_count' : 'mm_users'} of ${mm.name}`);
    if (typeof stall === 'number') yield* sleep(stall);
    else yield* stall();
  }
  if (count_only) yield* mmdrop(mm);
  else yield* mmput(mm); // may be the last mm_users reference: __mmput() runs here
  return n;
});
