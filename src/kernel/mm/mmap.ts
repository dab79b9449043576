// Models mm/mmap.c @ v7.0: dup_mmap() (it moved here from kernel/fork.c in 2025, "mm: move
// dup_mmap() to mm"), exit_mmap() with every historical locking variant, tear_down_vmas(),
// and the mmap(2)/munmap(2) entries vm_mmap_pgoff()/vm_munmap() (kernel-spec.md 5.1.6-5.1.10,
// 6.4, 6.5).
//
// Versions (config.ts): forkMtDup (v6.8 __mt_dup; before: per-entry build after a bulk
// preallocation), xaZeroMarker (v6.8-v6.19 recovery), failedForkFlags (v6.14), forkFailTearDown
// (v7.0 recovery), forkKillableVmaLock (v7.0), uprobeSemInDupMm (v6.13: the read section is in
// dup_mm), ksmKhugepagedOnSuccessOnly (v6.12); exit_mmap: none (v4.13), exitMmapSkipThenBarrier
// (v4.14), exitMmapReapsVictim (v4.17), exitMmapWriteLocked (v5.17), exitMmapClearsList,
// exitMmapReadThenWrite + skipAlways (v6.1), exitMmapWholeWriteLock (proposal).
//
// CUSTOMISED: exit_mmap() collects the VMAs in one tree step and dereferences each (one step
// each) instead of walking with the mmu_gather; the VMA loop of dup_mmap() re-walks its iterator
// at the next address each pass (same entries as the kernel's continuing iterator).
// STUBBED: mmu notifiers, arch_dup_mmap/arch_exit_mmap, flush_cache_*/TLB flushes, userfaultfd
// (dup_userfaultfd and its events), vm_ops->open, hugetlb_dup_vma_private, mempolicy copies
// (only vma_dup_policy's failure point), hiwater marks, data/exec/stack_vm.
import type { Model } from '../../engine/op.ts';
import { fault, kfn, load, note, rmw, store } from '../../engine/prims.ts';
import { vma_deref } from '../debug/kasan.ts';
import { mm_flags_set, mm_flags_test } from '../include/linux/bitops.ts';
import { EINTR, ENOMEM } from '../include/linux/errno.ts';
import {
  GFP_FAIL,
  VMA_ITERATOR,
  vma_iter_bulk_store,
  vma_iter_clear_gfp,
  vma_iter_set,
  vma_next,
  vma_pages,
  vma_ranges,
  type vma_entry,
  type vma_iterator,
} from '../include/linux/mm.ts';
import {
  mmap_read_lock,
  mmap_read_unlock,
  mmap_write_lock,
  mmap_write_lock_killable,
  mmap_write_lock_nested,
  mmap_write_unlock,
  vma_mark_detached,
  vma_start_write,
  vma_start_write_killable,
} from '../include/linux/mmap_lock.ts';
import {
  FIRST_USER_ADDRESS,
  MMF_OOM_SKIP,
  MMF_OOM_VICTIM,
  MMF_UNSTABLE,
  USER_PGTABLES_CEILING,
  VM_ACCOUNT,
  VM_DONTCOPY,
  VM_LOCKED,
  VM_LOCKED_MASK,
  VM_WIPEONFORK,
  type file,
  type mm_struct,
  type task_struct,
  type vm_area_struct,
} from '../include/linux/mm_types.ts';
import { fatal_signal_pending_at, tsk_is_oom_victim } from '../include/linux/sched/signal.ts';
import { uprobe_dup_mmap, uprobe_end_dup_mmap, uprobe_start_dup_mmap } from '../include/linux/uprobes.ts';
import { lock_acquire, lock_release } from '../debug/lockdep.ts';
import { GFP_KERNEL, ULONG_MAX, XA_ZERO_ENTRY, __mt_destroy, __mt_dup, mas_set_range, mas_store, MA_STATE, xa_is_zero } from '../lib/maple_tree.ts';
import { this_cpu } from '../world.ts';
import { khugepaged_fork } from './khugepaged.ts';
import { ksm_fork } from './ksm.ts';
import { copy_page_range, free_pgtables, unmap_vmas } from './memory.ts';
import { munlock_vma_pages_all } from './mlock.ts';
import { __oom_reap_task_mm } from './oom_reaper.ts';
import { anon_vma_fork } from './rmap.ts';
import { mm_populate } from './gup.ts';
import { do_vmi_munmap, get_file, mmap_region, remove_vma, unmap_region, vm_acct_memory, vm_unacct_memory, vma_link_file } from './vma.ts';
import { vm_area_dup, vm_area_free } from './vma_init.ts';

type loop_result = { readonly retval: number; readonly mpnt: vm_area_struct | null };

/**
 * dup_mmap_loop() - the per-VMA loop of dup_mmap() (F8a-F8n), from the first entry of @src.
 * Returns: retval and, on failure, the parent VMA where tear-down/marking starts (or null).
 */
function* dup_mmap_loop(mm: mm_struct, oldmm: mm_struct, vmi: vma_iterator, src: vma_iterator, current: task_struct): Model<loop_result> {
  const sw = mm.w.sw;
  let addr = 0;
  for (;;) {
    vma_iter_set(src, addr);
    const e = yield* vma_next(src); // for_each_vma(vmi, mpnt)
    if (!e) return { retval: 0, mpnt: null };
    const [mpnt, mflags] = yield* vma_deref(e, oldmm, 'vm_flags');
    addr = mpnt.vm_end;
    if (sw.forkKillableVmaLock) {
      if ((yield* vma_start_write_killable(mpnt, 'dup_mmap:vma_start_write_killable')) !== 0) return { retval: -EINTR, mpnt };
    } else yield* vma_start_write(mpnt); // F8a
    if (mflags & VM_DONTCOPY) { // F8b
      if (sw.forkMtDup && (yield* vma_iter_clear_gfp(vmi, mpnt.vm_start, mpnt.vm_end, 'dup_mmap:vma_iter_clear_gfp')) !== 0)
        return { retval: -ENOMEM, mpnt };
      yield* rmw(mm.total_vm, (n) => n - vma_pages(mpnt)); // vm_stat_account(mm, mpnt->vm_flags, -vma_pages(mpnt))
      continue;
    }
    // Don't duplicate many vmas if we've been oom-killed (for example); from v6.19 the killable
    // VMA write lock above stands in for this check
    if (!sw.forkKillableVmaLock && (yield* fatal_signal_pending_at(current, 'dup_mmap:fatal_signal_pending'))) return { retval: -EINTR, mpnt }; // F8c
    let charge = 0;
    if (mflags & VM_ACCOUNT) { // F8d security_vm_enough_memory_mm(oldmm, len)
      if (yield* fault('dup_mmap:security_vm_enough_memory_mm')) return { retval: -ENOMEM, mpnt };
      charge = vma_pages(mpnt);
      yield* vm_acct_memory(mm, charge);
    }
    const tmp = yield* vm_area_dup(mpnt, mm, 'dup_mmap:vm_area_dup'); // F8e
    if (!tmp) return yield* fail_nomem(mm, mpnt, charge);
    if (yield* fault('dup_mmap:vma_dup_policy')) { // F8f
      yield* vm_area_free(tmp);
      return yield* fail_nomem(mm, mpnt, charge);
    }
    if (mflags & VM_WIPEONFORK) yield* store(tmp.anon_vma, null); // F8h
    else if ((yield* anon_vma_fork(tmp, mpnt)) !== 0) {
      yield* vm_area_free(tmp); // fail_nomem_anon_vma_fork: mpol_put(); fail_nomem_policy: vm_area_free(tmp)
      return yield* fail_nomem(mm, mpnt, charge);
    }
    if (sw.forkKillableVmaLock) yield* vma_start_write(tmp); // v7.0: lock tmp before changing its flags
    yield* rmw(tmp.vm_flags, (f) => f & ~VM_LOCKED_MASK); // F8i vm_flags_clear(tmp, VM_LOCKED_MASK)
    if (!sw.forkLinksFileLate) yield* dup_mmap_link_file(tmp, mpnt); // F8l, before v6.9
    // F8j Link the vma into the MT (after __mt_dup, or the bulk preallocation, it cannot fail)
    vma_iter_set(vmi, tmp.vm_start);
    yield* vma_iter_bulk_store(vmi, tmp);
    yield* store(tmp.detached, false);
    yield* rmw(mm.map_count, (n) => n + 1);
    // if (tmp->vm_ops && tmp->vm_ops->open) tmp->vm_ops->open(tmp): STUBBED
    if (sw.forkLinksFileLate) yield* dup_mmap_link_file(tmp, mpnt); // F8l, v6.9+ (35e351780fa9)
    let retval = 0;
    if (!(mflags & VM_WIPEONFORK)) retval = yield* copy_page_range(tmp, mpnt); // F8n
    if (retval) {
      yield* note(`copy_page_range(${tmp.name}) -> ${retval}`);
      vma_iter_set(vmi, tmp.vm_end);
      const next = yield* vma_next(vmi); // mpnt = vma_next(&vmi)
      return { retval, mpnt: next ? (yield* vma_deref(next, oldmm, 'vm_start'))[0] : null };
    }
  }
}

/** F8l: a file VMA's child goes into the file's i_mmap just after its parent (rmap walkers can find it from here on). */
function* dup_mmap_link_file(tmp: vm_area_struct, mpnt: vm_area_struct): Model<void> {
  if (!tmp.vm_file) return;
  yield* get_file(tmp.vm_file);
  yield* vma_link_file(tmp, mpnt); // vma_interval_tree_insert_after(tmp, mpnt, &mapping->i_mmap)
}

function* fail_nomem(mm: mm_struct, mpnt: vm_area_struct, charge: number): Model<loop_result> {
  yield* vm_unacct_memory(mm, charge); // fail_nomem: retval = -ENOMEM; vm_unacct_memory(charge)
  return { retval: -ENOMEM, mpnt };
}

/**
 * dup_mmap_fail_teardown() - v7.0 recovery: tear down the child VMAs below the failure point,
 * destroy the tree, set MMF_OOM_SKIP and MMF_UNSTABLE, all before the locks are dropped.
 * Models: mm/mmap.c: dup_mmap() failure branch of 43873af772f8 "mm: change dup_mmap() recovery"
 */
const dup_mmap_fail_teardown = kfn('dup_mmap_fail_teardown', function* (mm: mm_struct, mpnt: vm_area_struct | null): Model<void> {
  const map_count = yield* load(mm.map_count);
  const max = map_count === 0 ? 0 : mpnt ? mpnt.vm_start : ULONG_MAX;
  yield* mm_flags_set(MMF_OOM_SKIP, mm); // Hide mm from oom killer because the memory is being freed
  if (max) {
    const vmas = yield* child_vmas(mm, max);
    yield* unmap_region(mm, vmas, null, null); // unmap_region(&vmi.mas, tmp, 0, max, max, NULL, NULL)
    const charge = yield* tear_down_vmas(mm, vmas);
    yield* vm_unacct_memory(mm, charge);
  }
  yield* rmw(mm.mm_mt, (mt) => { __mt_destroy(mt); return mt; });
  yield* mm_flags_set(MMF_UNSTABLE, mm);
});

/** The VMAs of @mm's tree that end at or below @max (entries beyond are not dereferenced). */
function* child_vmas(mm: mm_struct, max: number): Model<vm_area_struct[]> {
  const out: vm_area_struct[] = [];
  for (const r of yield* vma_ranges(mm)) {
    if (r.last + 1 > max) break;
    out.push((yield* vma_deref(r.entry, mm, 'vm_end'))[0]);
  }
  return out;
}

/**
 * dup_mmap() - copy @oldmm's VMAs, rmap links and page tables into the new @mm.
 * Returns: 0, -ENOMEM or -EINTR. On failure @mm is left as the version's recovery leaves it
 * (prefix of child VMAs; XA_ZERO marker; or torn down and empty), locks dropped.
 * Context: the forking task; takes dup_mmap_sem (read, before v6.13), both mmap write locks.
 * Models: mm/mmap.c: dup_mmap() (kernel/fork.c before 2025)
 */
export const dup_mmap = kfn('dup_mmap', function* (mm: mm_struct, oldmm: mm_struct): Model<number> {
  const w = mm.w;
  const sw = w.sw;
  const current = this_cpu(w).task!;
  if (!sw.uprobeSemInDupMm) yield* uprobe_start_dup_mmap(w); // F1
  if ((yield* mmap_write_lock_killable(oldmm, 'dup_mmap:mmap_write_lock_killable')) !== 0) { // F2
    if (!sw.uprobeSemInDupMm) yield* uprobe_end_dup_mmap(w); // fail_uprobe_end
    return -EINTR;
  }
  yield* uprobe_dup_mmap(oldmm, mm); // F3
  yield* mmap_write_lock_nested(mm); // F4: Not linked in yet - no deadlock potential
  yield* store(mm.total_vm, yield* load(oldmm.total_vm)); // F5
  let retval = 0;
  let mpnt: vm_area_struct | null = null;
  let looped = false;
  if (!sw.ksmKhugepagedOnSuccessOnly) { // F6 (before 985da552a98e)
    retval = yield* ksm_fork(mm, oldmm);
    if (!retval) yield* khugepaged_fork(mm, oldmm);
  }
  const vmi = VMA_ITERATOR(mm, 0);
  if (!retval && sw.forkMtDup) { // F7
    const gfp = (yield* fault('dup_mmap:__mt_dup')) ? GFP_FAIL : GFP_KERNEL;
    const oldmt = yield* load(oldmm.mm_mt);
    yield* rmw(mm.mm_mt, (mt) => { retval = __mt_dup(oldmt, mt, gfp); return mt; });
    if (retval) yield* note('__mt_dup() fails: -ENOMEM');
  } else if (!retval && (yield* fault('dup_mmap:mas_expected_entries'))) retval = -ENOMEM; // vma_iter_bulk_alloc()
  if (!retval) {
    looped = true;
    const r = yield* dup_mmap_loop(mm, oldmm, vmi, sw.forkMtDup ? vmi : VMA_ITERATOR(oldmm, 0), current);
    retval = r.retval;
    mpnt = r.mpnt;
  }
  if (looped) { // loop_out:
    if (!retval) {
      if (sw.ksmKhugepagedOnSuccessOnly) {
        yield* ksm_fork(mm, oldmm);
        yield* khugepaged_fork(mm, oldmm);
      }
    } else if (sw.xaZeroMarker) {
      if (mpnt) {
        const m = mpnt;
        yield* note(`dup_mmap: mas_store(XA_ZERO_ENTRY) over [${hex(m.vm_start)}, ${hex(m.vm_end - 1)}]`);
        yield* rmw(mm.mm_mt, (mt) => {
          const mas = MA_STATE(mt, m.vm_start, m.vm_end - 1);
          mas_set_range(mas, m.vm_start, m.vm_end - 1);
          mas_store(mas, XA_ZERO_ENTRY, GFP_KERNEL); // overwrites one existing range: no allocation
          return mt;
        });
        if (sw.failedForkFlags) yield* mm_flags_set(MMF_OOM_SKIP, mm); // Avoid OOM iterating a broken tree
      }
      if (sw.failedForkFlags) yield* mm_flags_set(MMF_UNSTABLE, mm);
    } else if (sw.forkFailTearDown) yield* dup_mmap_fail_teardown(mm, mpnt);
  }
  yield* mmap_write_unlock(mm); // F11 out:
  yield* mmap_write_unlock(oldmm);
  // F12 dup_userfaultfd_complete() / dup_userfaultfd_fail(): STUBBED
  if (!sw.uprobeSemInDupMm) yield* uprobe_end_dup_mmap(w); // F13 fail_uprobe_end:
  return retval;
});

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/**
 * tear_down_vmas() - detach and free every VMA of @vmas; returns the VM_ACCOUNT pages.
 * Context: mmap_write_lock(mm).
 * Models: mm/mmap.c: tear_down_vmas() (v7.0; the inline loop of exit_mmap before)
 */
export const tear_down_vmas = kfn('tear_down_vmas', function* (mm: mm_struct, vmas: readonly vm_area_struct[]): Model<number> {
  let nr_accounted = 0;
  for (const vma of vmas) {
    const [, flags] = yield* vma_deref(vma, mm, 'vm_flags');
    if (flags & VM_ACCOUNT) nr_accounted += vma_pages(vma);
    yield* vma_mark_detached(vma);
    yield* remove_vma(vma);
  }
  return nr_accounted;
});

/**
 * exit_mmap_vmas() - the VMAs exit_mmap() frees: every entry from the start, stopping at an
 * XA_ZERO_ENTRY (v6.8-v6.19: "stop releasing VMAs that have not been duplicated").
 */
function* exit_mmap_vmas(mm: mm_struct): Model<vm_area_struct[]> {
  const out: vm_area_struct[] = [];
  for (const r of yield* vma_ranges(mm)) {
    if (mm.w.sw.xaZeroMarker && xa_is_zero(r.entry)) break;
    out.push((yield* vma_deref(r.entry, mm, 'vm_start'))[0]);
  }
  return out;
}

/** The common end of exit_mmap(): free page tables and VMAs. Context: per the variant. */
function* exit_mmap_free(mm: mm_struct, vmas: readonly vm_area_struct[]): Model<number> {
  yield* free_pgtables(mm, vmas, FIRST_USER_ADDRESS, USER_PGTABLES_CEILING);
  const nr = yield* tear_down_vmas(mm, vmas);
  const map_count = yield* load(mm.map_count);
  if (vmas.length !== map_count) yield* note(`WARNING: exit_mmap: ${vmas.length} VMAs freed, map_count ${map_count}`);
  return nr;
}

function* mt_destroy(mm: mm_struct): Model<void> {
  yield* rmw(mm.mm_mt, (mt) => { __mt_destroy(mt); return mt; }); // __mt_destroy(&mm->mm_mt)
}

/**
 * exit_mmap() - tear down the address space of @mm (mm_users reached zero): unmap every
 * page, free page tables and VMAs, in the locking shape of the configured version.
 * Context: __mmput(), no locks held; runs on whichever CPU dropped the last mm_users.
 * Models: mm/mmap.c: exit_mmap()
 */
export const exit_mmap = kfn('exit_mmap', function* (mm: mm_struct): Model<void> {
  const sw = mm.w.sw;
  // E1 mmu_notifier_release(mm): STUBBED
  if (sw.exitMmapWholeWriteLock || sw.exitMmapReadThenWrite) {
    if (sw.exitMmapWholeWriteLock) yield* mmap_write_lock(mm);
    else yield* mmap_read_lock(mm); // E2
    const vmi = VMA_ITERATOR(mm, 0);
    const first: vma_entry = yield* vma_next(vmi); // E3
    let nr = 0;
    if (first && !(sw.xaZeroMarker && xa_is_zero(first))) {
      yield* unmap_vmas(yield* exit_mmap_vmas(mm)); // E4
      if (!sw.exitMmapWholeWriteLock) yield* mmap_read_unlock(mm); // E5
      if (sw.skipAlways) yield* mm_flags_set(MMF_OOM_SKIP, mm); // E6
      if (!sw.exitMmapWholeWriteLock) yield* mmap_write_lock(mm); // E7
      nr = yield* exit_mmap_free(mm, yield* exit_mmap_vmas(mm)); // E7, E8
    } else if (!sw.exitMmapWholeWriteLock) {
      yield* mmap_read_unlock(mm); // Can happen if dup_mmap() received an OOM
      yield* mmap_write_lock(mm);
    }
    yield* mt_destroy(mm); // E9
    yield* mmap_write_unlock(mm);
    yield* vm_unacct_memory(mm, nr);
    return;
  }
  yield* exit_mmap_old(mm);
});

/**
 * exit_mmap_old() - exit_mmap() before v6.1: no lock (v4.13), SKIP + barrier for OOM victims
 * (v4.14), reap-in-exit for MMF_OOM_VICTIM (v4.17), write lock over the destructive part (v5.17).
 * Models: mm/mmap.c: exit_mmap() of v4.13 .. v6.0 (VMA list era, on the maple tree)
 */
function* exit_mmap_old(mm: mm_struct): Model<void> {
  const w = mm.w;
  const sw = w.sw;
  const current = this_cpu(w).task;
  if (sw.exitMmapReapsVictim && (yield* mm_flags_test(MMF_OOM_VICTIM, mm))) {
    // Manually reap the mm to free as much memory as possible.
    if (sw.reaperHoldsOomLock) yield* lock_acquire(w, w.oom_lock);
    yield* __oom_reap_task_mm(mm);
    if (sw.reaperHoldsOomLock) yield* lock_release(w, w.oom_lock);
    yield* mm_flags_set(MMF_OOM_SKIP, mm);
    if (!sw.exitMmapWriteLocked) { // down_write(&mm->mmap_sem); up_write(&mm->mmap_sem);
      yield* mmap_write_lock(mm);
      yield* mmap_write_unlock(mm);
    }
  }
  if (sw.exitMmapWriteLocked) yield* mmap_write_lock(mm);
  if (sw.reaperSkipsLocked && (yield* load(mm.locked_vm))) { // munlock before v5.18
    for (const vma of yield* exit_mmap_vmas(mm)) {
      const [, flags] = yield* vma_deref(vma, mm, 'vm_flags');
      if (flags & VM_LOCKED) yield* munlock_vma_pages_all(vma);
    }
  }
  const vmas = yield* exit_mmap_vmas(mm);
  if (!vmas.length) { // Can happen if dup_mmap() received an OOM
    if (sw.exitMmapWriteLocked) yield* mmap_write_unlock(mm);
    return;
  }
  yield* unmap_vmas(vmas);
  if (sw.exitMmapSkipThenBarrier && !sw.exitMmapReapsVictim) {
    yield* mm_flags_set(MMF_OOM_SKIP, mm); // v4.14: set_bit(MMF_OOM_SKIP, &mm->flags)
    // v4.14 asks whether *current* is the victim, but the last mmput() may come from another
    // task (a /proc reader's pin): R16. 4837fe37adff (v4.15) asks the mm instead.
    const victim = sw.mmIsOomVictim ? yield* mm_flags_test(MMF_OOM_VICTIM, mm) : current !== null && (yield* tsk_is_oom_victim(current));
    if (victim) { // Wait for oom_reap_task() to stop working on this mm.
      yield* mmap_write_lock(mm);
      yield* mmap_write_unlock(mm);
    }
  }
  const nr = yield* exit_mmap_free(mm, vmas);
  if (sw.exitMmapClearsList) yield* mt_destroy(mm); // mm->mmap = NULL
  if (sw.exitMmapWriteLocked) yield* mmap_write_unlock(mm);
  yield* vm_unacct_memory(mm, nr);
}

/**
 * vm_mmap_pgoff() - mmap(2) at a fixed address: [addr, addr+len) with @vm_flags, backed by
 * @file at page offset @pgoff, or anonymous. VM_LOCKED mappings are populated.
 * Returns: addr, or -EINTR / -EEXIST / -ENOMEM.
 * Models: mm/util.c: vm_mmap_pgoff() -> do_mmap() -> mmap_region(); mm_populate()
 */
export const vm_mmap_pgoff = kfn('vm_mmap_pgoff', function* (current: task_struct, addr: number, len: number, vm_flags: number, f: file | null = null, pgoff: number = 0): Model<number> {
  const mm = (yield* load(current.mm))!;
  if ((yield* mmap_write_lock_killable(mm, 'vm_mmap_pgoff:mmap_write_lock_killable')) !== 0) return -EINTR;
  const ret = yield* mmap_region(mm, addr, len, vm_flags, f, pgoff);
  yield* mmap_write_unlock(mm);
  if (ret >= 0 && vm_flags & VM_LOCKED) {
    yield* mm_populate(current, addr, len);
  }
  return ret;
});

/**
 * vm_munmap() - munmap(2) of whole VMAs. Returns 0, -EINTR, -EINVAL or -ENOMEM.
 * Models: mm/vma.c: vm_munmap() -> do_vmi_munmap()
 */
export const vm_munmap = kfn('vm_munmap', function* (current: task_struct, start: number, len: number): Model<number> {
  const mm = (yield* load(current.mm))!;
  if ((yield* mmap_write_lock_killable(mm, 'vm_munmap:mmap_write_lock_killable')) !== 0) return -EINTR;
  const ret = yield* do_vmi_munmap(mm, start, len);
  yield* mmap_write_unlock(mm);
  return ret;
});
