// Models mm/vma.c and mm/util.c @ v7.0: creating a mapping (the __mmap_region slice of
// do_mmap), removing mappings (do_vmi_align_munmap), remove_vma(), unmap_region(), the file
// rmap link (vma_link_file) and VM_ACCOUNT commit charging.
//
// CUSTOMISED:
// - Mappings are MAP_FIXED_NOREPLACE-like: the caller names the address; an overlap is -EEXIST.
//   munmap() removes whole VMAs only (a range cutting a VMA is -EINVAL): there is no VMA
//   split or merge in the model.
// - munmap keeps the write lock for the whole operation (the kernel may downgrade to read for
//   the unmap).
// STUBBED: get_unmapped_area, vma merging, file ->mmap() hooks, vm_ops->close, mempolicy,
//   userfaultfd unmap events, security hooks beyond the commit charge.
import type { Model } from '../../engine/op.ts';
import { fault, kfn, load, newLoc, rmw } from '../../engine/prims.ts';
import { vma_deref } from '../debug/kasan.ts';
import { lock_acquire, lock_create, lock_release } from '../debug/lockdep.ts';
import { EEXIST, EINVAL, ENOMEM } from '../include/linux/errno.ts';
import {
  VMA_ITERATOR,
  vma_find,
  vma_iter_clear_gfp,
  vma_iter_set,
  vma_iter_store_gfp,
  vma_pages,
  vma_prev,
  type vma_entry,
} from '../include/linux/mm.ts';
import { mmap_assert_write_locked, vma_mark_detached, vma_start_write } from '../include/linux/mmap_lock.ts';
import { PAGE_SIZE, VM_ACCOUNT, VM_LOCKED, VM_SHARED, VM_WRITE, type file, type mm_struct, type vm_area_struct } from '../include/linux/mm_types.ts';
import { new_name, type world } from '../world.ts';
import { free_pgtables, unmap_vmas } from './memory.ts';
import { vm_area_alloc, vm_area_free } from './vma_init.ts';

/** get_file(). Models: include/linux/fs.h: get_file() */
export function* get_file(f: file): Model<void> {
  yield* rmw(f.f_count, (n) => n + 1);
}

/** fput(). Models: fs/file_table.c: fput() (the file is never released: it is the scenario's) */
export function* fput(f: file): Model<void> {
  yield* rmw(f.f_count, (n) => n - 1);
}

/** Model-only: an inode with its address_space, and an open file of it (f_count 1). */
export function* file_create(w: world, comm: string): Model<file> {
  const name = new_name(w, `file:${comm}`);
  const f: file = {
    name,
    f_mapping: {
      name: `${name}.f_mapping`,
      i_mmap: yield* newLoc<readonly vm_area_struct[]>(`${name}.i_mmap`, []),
      i_mmap_rwsem: yield* lock_create(w, name, 'i_mmap_rwsem', 'rwsem'),
      i_pages: yield* newLoc(`${name}.i_pages`, new Map()),
    },
    f_count: yield* newLoc(`${name}.f_count`, 1),
  };
  w.__reg.files.push(f);
  return f;
}
/**
 * vm_acct_memory() / vm_unacct_memory() - the VM_ACCOUNT commit charge of an mm.
 * Models: mm/util.c: __vm_enough_memory() (always enough here), vm_unacct_memory()
 */
export function* vm_acct_memory(mm: mm_struct, pages: number): Model<void> {
  if (pages) yield* rmw(mm.committed, (n) => n + pages);
}
export function* vm_unacct_memory(mm: mm_struct, pages: number): Model<void> {
  if (pages) yield* rmw(mm.committed, (n) => n - pages);
}

/**
 * vma_link_file() - insert @vma into its file's i_mmap tree (reachable by file rmap walkers,
 * e.g. uprobe registration), after @after if given.
 * Models: mm/vma.c: vma_link_file() / __vma_link_file(); dup_mmap's vma_interval_tree_insert_after()
 */
export const vma_link_file = kfn('vma_link_file', function* (vma: vm_area_struct, after: vm_area_struct | null): Model<void> {
  const f = vma.vm_file;
  if (!f) return;
  const mapping = f.f_mapping;
  yield* lock_acquire(vma.vm_mm.w, mapping.i_mmap_rwsem, 'write'); // i_mmap_lock_write(mapping)
  yield* rmw(mapping.i_mmap, (l) => {
    const i = after ? l.indexOf(after) : -1;
    return i < 0 ? [...l, vma] : [...l.slice(0, i + 1), vma, ...l.slice(i + 1)];
  });
  yield* lock_release(vma.vm_mm.w, mapping.i_mmap_rwsem, 'write');
});

/**
 * remove_vma() - close and free a VMA that left the tree.
 * Models: mm/vma.c: remove_vma()
 */
export const remove_vma = kfn('remove_vma', function* (vma: vm_area_struct): Model<void> {
  // vma_close(vma): STUBBED
  if (vma.vm_file) yield* fput(vma.vm_file);
  // mpol_put(vma_policy(vma)): STUBBED
  yield* vm_area_free(vma);
});

/**
 * mmap_region() - map [addr, addr+len) with @vm_flags (a file mapping if @file).
 * Returns: addr, or -EEXIST (overlap), -ENOMEM.
 * Context: mmap_write_lock(mm).
 * Models: mm/vma.c: mmap_region() -> __mmap_region()
 */
export const mmap_region = kfn('mmap_region', function* (mm: mm_struct, addr: number, len: number, vm_flags: number, file: file | null, pgoff: number): Model<number> {
  mmap_assert_write_locked(mm);
  const end = addr + len;
  const vmi = VMA_ITERATOR(mm, addr);
  if (yield* vma_find(vmi, end)) return -EEXIST; // MAP_FIXED_NOREPLACE
  if (!(vm_flags & VM_SHARED) && vm_flags & VM_WRITE) vm_flags |= VM_ACCOUNT; // accountable_mapping()
  const charged = vm_flags & VM_ACCOUNT ? len / PAGE_SIZE : 0;
  if (charged && (yield* fault('mmap_region:security_vm_enough_memory_mm'))) return -ENOMEM;
  yield* vm_acct_memory(mm, charged);
  const vma = yield* vm_area_alloc(mm, { start: addr, end, flags: vm_flags, file, pgoff }, 'mmap_region:vm_area_alloc');
  if (!vma) { yield* vm_unacct_memory(mm, charged); return -ENOMEM; }
  if (file) yield* get_file(file);
  if ((yield* vma_iter_store_gfp(vmi, vma, 'mmap_region:vma_iter_prealloc')) !== 0) {
    if (file) yield* fput(file);
    yield* vm_area_free(vma);
    yield* vm_unacct_memory(mm, charged);
    return -ENOMEM;
  }
  yield* rmw(vma.detached, () => false); // vma_mark_attached()
  yield* rmw(mm.map_count, (n) => n + 1);
  yield* vma_link_file(vma, null);
  yield* rmw(mm.total_vm, (n) => n + len / PAGE_SIZE); // vm_stat_account()
  if (vm_flags & VM_LOCKED) yield* rmw(mm.locked_vm, (n) => n + len / PAGE_SIZE);
  return addr;
});

/**
 * unmap_region() - zap the pages of @vmas and free their page tables between @prev and @next.
 * Context: mmap_write_lock(mm).
 * Models: mm/vma.c: unmap_region()
 */
export const unmap_region = kfn('unmap_region', function* (mm: mm_struct, vmas: readonly vm_area_struct[], prev: vm_area_struct | null, next: vm_area_struct | null): Model<void> {
  yield* unmap_vmas(vmas);
  yield* free_pgtables(mm, vmas, prev ? prev.vm_end : 0, next ? next.vm_start : 0);
});

/**
 * do_vmi_munmap() - remove the VMAs of [start, start+len). Returns 0, -EINVAL or -ENOMEM.
 * Context: mmap_write_lock(mm).
 * Models: mm/vma.c: do_vmi_munmap() -> do_vmi_align_munmap() (vms_gather_munmap_vmas,
 * vms_complete_munmap_vmas)
 */
export const do_vmi_munmap = kfn('do_vmi_munmap', function* (mm: mm_struct, start: number, len: number): Model<number> {
  mmap_assert_write_locked(mm);
  const end = start + len;
  const vmi = VMA_ITERATOR(mm, start);
  const vmas: vm_area_struct[] = [];
  for (let e: vma_entry = yield* vma_find(vmi, end); e; e = yield* vma_find(vmi, end)) {
    const [vma] = yield* vma_deref(e, mm, 'vm_start');
    if (vma.vm_start < start || vma.vm_end > end) return -EINVAL; // DEVIATION: no __split_vma()
    vmas.push(vma);
  }
  if (!vmas.length) return 0;
  vma_iter_set(vmi, start);
  const prev_e = yield* vma_prev(vmi);
  vma_iter_set(vmi, end);
  const next_e = yield* vma_find(vmi, Number.MAX_SAFE_INTEGER);
  const prev = prev_e ? (yield* vma_deref(prev_e, mm, 'vm_end'))[0] : null;
  const next = next_e ? (yield* vma_deref(next_e, mm, 'vm_start'))[0] : null;
  for (const vma of vmas) yield* vma_start_write(vma); // vms_gather_munmap_vmas()
  if ((yield* vma_iter_clear_gfp(vmi, start, end, 'do_vmi_align_munmap:vma_iter_clear_gfp')) !== 0) return -ENOMEM;
  let charged = 0;
  let locked = 0;
  let pages = 0;
  for (const vma of vmas) {
    pages += vma_pages(vma);
    const flags = yield* load(vma.vm_flags);
    if (flags & VM_ACCOUNT) charged += vma_pages(vma);
    if (flags & VM_LOCKED) locked += vma_pages(vma);
    yield* vma_mark_detached(vma);
  }
  yield* rmw(mm.map_count, (n) => n - vmas.length);
  yield* unmap_region(mm, vmas, prev, next); // vms_complete_munmap_vmas()
  for (const vma of vmas) yield* remove_vma(vma);
  yield* rmw(mm.total_vm, (n) => n - pages);
  if (locked) yield* rmw(mm.locked_vm, (n) => n - locked);
  yield* vm_unacct_memory(mm, charged);
  return 0;
});
