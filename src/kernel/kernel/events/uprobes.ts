// Models the registration half of kernel/events/uprobes.c @ v7.0 (v6.8 .. v6.13 under
// -uprobeChecksUnstable): uprobe_register() -> register_for_each_vma() -> build_map_info(),
// install_breakpoint() -> uprobe_write_opcode() (kernel-spec.md 11.1, races R5 and R6). The
// fork-side hooks (dup_mmap_sem read section, uprobe_dup_mmap) are in include/linux/uprobes.ts.
//
// CUSTOMISED:
// - There are no instruction bytes. A breakpoint is the private anonymous copy of the probed
//   text page that uprobe_write_opcode() maps at the probed address (what __replace_page()
//   installs); verify_opcode() takes an anonymous page already mapped there as the breakpoint.
// - get_user_page_vma_remote() is a read fault at the probed address (handle_mm_fault) followed
//   by a read of the PTE: it maps the page-cache page if it was not mapped yet.
// - The info list of build_map_info() is a JS array; each GFP_NOWAIT allocation of an info
//   (and the GFP_KERNEL refill after an unlock) is a fault site.
// STUBBED: the uprobes rb-tree and uprobe refcount, consumers and filters (the new consumer
//   wants every mm), register_rwsem, ref_ctr_offset, arch_uprobe_analyze_insn / the XOL area,
//   FOLL_SPLIT_PMD, uprobe_unregister() / remove_breakpoint().
import type { Model } from '../../../engine/op.ts';
import { fault, kfn, load, note, rmw } from '../../../engine/prims.ts';
import { pt_ptes, vma_deref } from '../../debug/kasan.ts';
import { lock_acquire, lock_release } from '../../debug/lockdep.ts';
import { mm_flags_clear, mm_flags_set, mm_flags_test } from '../../include/linux/bitops.ts';
import { EAGAIN, EFAULT, ENOMEM } from '../../include/linux/errno.ts';
import { check_stable_address_space, find_vma } from '../../include/linux/mm.ts';
import { mmap_write_lock, mmap_write_unlock } from '../../include/linux/mmap_lock.ts';
import {
  MMF_HAS_UPROBES,
  MMF_RECALC_UPROBES,
  PAGE_SHIFT,
  PAGE_SIZE,
  VM_EXEC,
  VM_HUGETLB,
  VM_SHARED,
  VM_WRITE,
  type address_space,
  type mm_struct,
  type page,
  type vm_area_struct,
} from '../../include/linux/mm_types.ts';
import { mmget_not_zero } from '../../include/linux/sched/mm.ts';
import { add_mm_rss, handle_mm_fault, pte_offset_map_lock, pte_unlock, VM_FAULT_OOM } from '../../mm/memory.ts';
import { alloc_page, put_page } from '../../mm/page_alloc.ts';
import { anon_vma_prepare } from '../../mm/rmap.ts';
import type { world } from '../../world.ts';
import { mmput } from '../fork.ts';

/**
 * struct uprobe: a probe on one file offset of one inode.
 * Models: kernel/events/uprobes.c: struct uprobe
 */
export interface uprobe {
  readonly name: string;
  readonly inode: address_space;
  /** File offset of the probed instruction. */
  readonly offset: number;
}

/** struct map_info: one mm to visit, pinned by mmget_not_zero(), and the address there. */
interface map_info {
  readonly mm: mm_struct;
  readonly vaddr: number;
}

/** offset_to_vaddr(). */
function offset_to_vaddr(vma: vm_area_struct, offset: number): number {
  return vma.vm_start + offset - vma.vm_pgoff * PAGE_SIZE;
}

/** vaddr_to_offset(). */
function vaddr_to_offset(vma: vm_area_struct, vaddr: number): number {
  return vma.vm_pgoff * PAGE_SIZE + (vaddr - vma.vm_start);
}

/**
 * valid_vma() - an executable, private, non-hugetlb file mapping (for registration: not
 * writable).
 * DEVIATION: VM_MAYEXEC / VM_MAYSHARE are VM_EXEC / VM_SHARED in the model.
 * Models: kernel/events/uprobes.c: valid_vma()
 */
function valid_vma(vma: vm_area_struct, vm_flags: number, is_register: boolean): boolean {
  let flags = VM_HUGETLB | VM_EXEC | VM_SHARED;
  if (is_register) flags |= VM_WRITE;
  return vma.vm_file !== null && (vm_flags & flags) === VM_EXEC;
}

/**
 * build_map_info() - collect {mm, vaddr} for every VMA mapping the probed page, pinning each mm
 * with mmget_not_zero() under i_mmap_rwsem; a VMA whose mm has no users left is skipped. Infos
 * are allocated with GFP_NOWAIT under the lock; if one fails, everything is dropped (mmput), the
 * missing infos are allocated with GFP_KERNEL and the walk starts again.
 * Context: percpu_down_write(&dup_mmap_sem); takes i_mmap_rwsem for read.
 * Returns: the infos, or -ENOMEM.
 * Models: kernel/events/uprobes.c: build_map_info()
 */
export const build_map_info = kfn('build_map_info', function* (w: world, mapping: address_space, offset: number, is_register: boolean): Model<map_info[] | number> {
  const pgoff = offset >> PAGE_SHIFT;
  let spare = 0; // infos allocated by the previous round (prev)
  for (;;) {
    const curr: map_info[] = [];
    let more = 0;
    yield* lock_acquire(w, mapping.i_mmap_rwsem, 'read'); // i_mmap_lock_read(mapping)
    // vma_interval_tree_foreach(vma, &mapping->i_mmap, pgoff, pgoff)
    for (const vma of yield* load(mapping.i_mmap)) {
      if (pgoff < vma.vm_pgoff || pgoff >= vma.vm_pgoff + (vma.vm_end - vma.vm_start) / PAGE_SIZE) continue;
      const [, flags] = yield* vma_deref(vma, null, 'vm_flags');
      if (!valid_vma(vma, flags, is_register)) continue;
      if (!spare && !more && !(yield* fault('build_map_info:kmalloc_nowait'))) spare = 1; // prev = kmalloc(GFP_NOWAIT)
      if (!spare) {
        more++;
        continue;
      }
      if (!(yield* mmget_not_zero(vma.vm_mm))) continue;
      spare--;
      curr.unshift({ mm: vma.vm_mm, vaddr: offset_to_vaddr(vma, offset) }); // info->next = curr; curr = info;
    }
    yield* lock_release(w, mapping.i_mmap_rwsem, 'read'); // i_mmap_unlock_read(mapping)
    if (!more) return curr;
    for (const info of curr) yield* mmput(info.mm); // may be the last reference
    spare += curr.length;
    for (; more > 0; more--) {
      if (yield* fault('build_map_info:kmalloc')) return -ENOMEM; // kmalloc(GFP_KERNEL)
      spare++;
    }
  }
});

/**
 * uprobe_write_opcode() - make the page at @vaddr a private copy with the breakpoint: read the
 * page (fault it in), anon_vma_prepare() (which looks at the neighbouring tree entries with the
 * RAW iterator: race R5), allocate the copy and replace the PTE.
 * Context: mmap_write_lock(mm).
 * Returns: 0, -ENOMEM, -EFAULT (the fault failed, e.g. SIGBUS on an MMF_UNSTABLE mm), or
 * -EAGAIN if the PTE changed under us (the kernel retries).
 * Models: kernel/events/uprobes.c: set_swbp() -> uprobe_write_opcode(), __replace_page()
 */
export const uprobe_write_opcode = kfn('uprobe_write_opcode', function* (vma: vm_area_struct, vaddr: number): Model<number> {
  const mm = vma.vm_mm;
  // old_page = get_user_page_vma_remote(mm, vaddr, FOLL_FORCE | FOLL_SPLIT_PMD, &vma)
  const fret = yield* handle_mm_fault(vma, vaddr, false);
  if (fret) return fret & VM_FAULT_OOM ? -ENOMEM : -EFAULT; // GUP: vm_fault_to_errno()
  const pt = yield* pte_offset_map_lock(mm, vaddr);
  const old = pt ? (yield* pt_ptes(pt)).get(vaddr) : undefined;
  if (pt) yield* pte_unlock(mm, pt);
  if (!old || old.kind !== 'page') return -EAGAIN;
  if (old.page.anon) return 0; // verify_opcode(): the breakpoint is already there
  if ((yield* anon_vma_prepare(vma)) !== 0) return -ENOMEM; // ret = anon_vma_prepare(vma)
  const new_page = yield* alloc_page(mm.w, 'uprobe_write_opcode:alloc_page', true); // alloc_page_vma()
  if (!new_page) return -ENOMEM;
  return yield* __replace_page(vma, vaddr, old.page, new_page);
});

/**
 * __replace_page() - map @new_page (the breakpoint copy) where @old_page was mapped, under the
 * PTE lock; drop the mapping's reference on the page-cache page.
 * Models: kernel/events/uprobes.c: __replace_page()
 */
const __replace_page = kfn('__replace_page', function* (vma: vm_area_struct, vaddr: number, old_page: page, new_page: page): Model<number> {
  const mm = vma.vm_mm;
  const pt = yield* pte_offset_map_lock(mm, vaddr); // page_vma_mapped_walk(&pvmw)
  let replaced = false;
  if (pt) {
    yield* pt_ptes(pt);
    yield* rmw(pt.ptes, (m) => {
      const cur = m?.get(vaddr);
      if (!m || !cur || cur.kind !== 'page' || cur.page !== old_page) return m; // !pte_same(): -EAGAIN
      replaced = true;
      return new Map(m).set(vaddr, { kind: 'page', page: new_page, write: false }); // set_pte_at_notify()
    });
    yield* pte_unlock(mm, pt);
  }
  if (!replaced) {
    yield* put_page(mm.w, new_page);
    return -EAGAIN;
  }
  yield* add_mm_rss(mm, -1, 1, 0); // dec_mm_counter(mm, MM_FILEPAGES); inc_mm_counter(mm, MM_ANONPAGES)
  yield* put_page(mm.w, old_page); // folio_remove_rmap_pte(old_folio); folio_put(old_folio)
  return 0;
});

/**
 * install_breakpoint() - set MMF_HAS_UPROBES and write the breakpoint; on failure of the
 * first probe of this mm the flag is cleared again.
 * Context: mmap_write_lock(mm).
 * Models: kernel/events/uprobes.c: install_breakpoint()
 */
export const install_breakpoint = kfn('install_breakpoint', function* (vma: vm_area_struct, vaddr: number): Model<number> {
  const mm = vma.vm_mm;
  const first_uprobe = !(yield* mm_flags_test(MMF_HAS_UPROBES, mm));
  if (first_uprobe) yield* mm_flags_set(MMF_HAS_UPROBES, mm);
  let ret = yield* uprobe_write_opcode(vma, vaddr); // set_swbp(&uprobe->arch, vma, vaddr)
  // DEVIATION: uprobe_write_opcode() itself loops ("goto retry") while the PTE changes under
  // it; the model retries once (mmap_write_lock is held: only reclaim could change the PTE).
  if (ret === -EAGAIN) ret = yield* uprobe_write_opcode(vma, vaddr);
  if (!ret) yield* mm_flags_clear(MMF_RECALC_UPROBES, mm);
  else if (first_uprobe) yield* mm_flags_clear(MMF_HAS_UPROBES, mm);
  return ret;
});

/**
 * register_for_each_vma() - install @uprobe in every mm mapping its page: with dup_mmap_sem
 * held for write (no fork may be inside dup_mmap), build the info list, then per mm take
 * mmap_write_lock, skip an MMF_UNSTABLE mm (uprobeChecksUnstable, 64c37e134b12), look the VMA up
 * again (filtered find_vma), install the breakpoint, unlock and mmput() (possibly the last
 * reference: the mm's teardown then runs in the registrar's context).
 * Context: no locks held.
 * Returns: 0 or the first error.
 * Models: kernel/events/uprobes.c: register_for_each_vma()
 */
export const register_for_each_vma = kfn('register_for_each_vma', function* (w: world, up: uprobe): Model<number> {
  let err = 0;
  yield* lock_acquire(w, w.dup_mmap_sem, 'write'); // percpu_down_write(&dup_mmap_sem)
  const info = yield* build_map_info(w, up.inode, up.offset, true);
  if (typeof info === 'number') err = info;
  else {
    for (const { mm, vaddr } of info) {
      if (!err) {
        yield* mmap_write_lock(mm);
        if (w.sw.uprobeChecksUnstable && (yield* check_stable_address_space(mm))) {
          yield* note(`register_for_each_vma: ${mm.name} is MMF_UNSTABLE: skipped`); // goto unlock
        } else {
          const vma = yield* find_vma(mm, vaddr);
          if (vma && vma.vm_start <= vaddr && vma.vm_file?.f_mapping === up.inode && vaddr_to_offset(vma, vaddr) === up.offset) {
            const [, flags] = yield* vma_deref(vma, mm, 'vm_flags');
            if (valid_vma(vma, flags, true)) err = yield* install_breakpoint(vma, vaddr);
          }
        }
        yield* mmap_write_unlock(mm); // unlock:
      }
      yield* mmput(mm); // free: mmput(mm)
    }
  }
  yield* lock_release(w, w.dup_mmap_sem, 'write'); // percpu_up_write(&dup_mmap_sem)
  return err;
});

/**
 * uprobe_register() - probe @offset of @inode and install it in every current mapping.
 * Returns: 0 or a negative errno.
 * Models: kernel/events/uprobes.c: uprobe_register() (alloc_uprobe, register_for_each_vma)
 */
export const uprobe_register = kfn('uprobe_register', function* (w: world, inode: address_space, offset: number): Model<number> {
  if (yield* fault('alloc_uprobe:kzalloc')) return -ENOMEM; // alloc_uprobe()
  const up: uprobe = { name: `uprobe(${inode.name}+${offset.toString(16)})`, inode, offset };
  yield* note(`uprobe_register: ${up.name}`);
  return yield* register_for_each_vma(w, up);
});
