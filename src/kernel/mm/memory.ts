// Models mm/memory.c @ v7.0: page tables (pte_alloc, pte_offset_map_lock), fork's
// copy_page_range(), the zap path (unmap_page_range, unmap_vmas), free_pgtables(), and the
// page-fault slice (handle_mm_fault: anonymous, file, swap and write-protect faults).
//
// CUSTOMISED:
// - Two levels: mm->pgd maps a PMD index to a PTE page of PTRS_PER_PTE (4) entries, each PTE
//   page with its split lock (mm_types.ts). One step copies or zaps a whole PTE page under its
//   lock; page and swap reference counts are one step each.
// - Pages are freed as soon as their last reference goes (no mmu_gather batching, no TLB).
// - free_pgtables() unlinks every VMA from the rmap, then frees the PTE pages of the whole span
//   once, with the kernel's floor/ceiling rounding (free_pgd_range) at PMD granularity.
// - Transparent huge pages only as anonymous huge PMDs (mm/huge_memory.ts), with
//   transparent_hugepage=madvise; hugetlbfs is not modelled.
// STUBBED: PFN maps, device/migration entries, pinned-page copies at fork,
//   mmu notifiers, uffd-wp, per-VMA-lock faults (faults take mmap_read_lock).
import type { Model } from '../../engine/op.ts';
import { ModelViolation } from '../../engine/op.ts';
import { fault, kfn, load, newLoc, rmw, store } from '../../engine/prims.ts';
import { pt_ptes, vma_assert_live } from '../debug/kasan.ts';
import { lock_acquire, lock_create, lock_release, lock_tryacquire } from '../debug/lockdep.ts';
import { check_stable_address_space, vma_is_anonymous } from '../include/linux/mm.ts';
import {
  MM_ANONPAGES,
  MM_FILEPAGES,
  MM_SWAPENTS,
  PAGE_SIZE,
  PMD_SIZE,
  VM_HUGETLB,
  VM_PFNMAP,
  VM_SHARED,
  VM_WRITE,
  type mm_struct,
  type page,
  type pte_t,
  type pte_table,
  type vm_area_struct,
} from '../include/linux/mm_types.ts';
import { get_page, put_page, alloc_page } from './page_alloc.ts';
import { anon_vma_prepare, unlink_anon_vmas } from './rmap.ts';
import { add_to_mmlist, free_swap_and_cache, swap_duplicate } from './swapfile.ts';
import { new_name, type world } from '../world.ts';
import { do_huge_pmd_anonymous_page, thp_vma_suitable, zap_huge_pmd } from './huge_memory.ts';

export const VM_FAULT_OOM = 0x1;
export const VM_FAULT_SIGBUS = 0x2;
export const VM_FAULT_SIGSEGV = 0x40;
export const VM_FAULT_FALLBACK = 0x800;

export function pmd_index(addr: number): number {
  return Math.floor(addr / PMD_SIZE);
}

/** The mm's PMD level; a freed pgd (after __mmdrop) is a use-after-free. */
export function* mm_pgd(mm: mm_struct): Model<Map<number, pte_table>> {
  const pgd = yield* load(mm.pgd);
  if (!pgd) throw new ModelViolation('use-after-free', `BUG: KASAN: use-after-free: ${mm.name}->pgd accessed after mm_free_pgd()`);
  return pgd;
}

/** pte_lockptr() lock with lockdep class 'ptlock' (subclass 1 = spin_lock_nested). */
export function* pte_lock(mm: mm_struct, pt: pte_table, nested = 0): Model<void> {
  const stat = mm.w.__ptl_contention;
  if (stat && !nested) {
    // Model-only contention count (scenario R12): spin_lock()'s fast path is a trylock.
    if (yield* lock_tryacquire(mm.w, pt.ptl)) return;
    stat.count++;
  }
  yield* lock_acquire(mm.w, pt.ptl, 'write', nested);
}
export function* pte_unlock(mm: mm_struct, pt: pte_table): Model<void> {
  yield* lock_release(mm.w, pt.ptl);
}

/**
 * pte_offset_map_lock() - the PTE page covering @addr, locked; null if none is allocated.
 * Models: include/linux/mm.h: pte_offset_map_lock()
 */
export function* pte_offset_map_lock(mm: mm_struct, addr: number): Model<pte_table | null> {
  const pt = (yield* mm_pgd(mm)).get(pmd_index(addr));
  if (!pt) return null;
  yield* pte_lock(mm, pt);
  return pt;
}

/**
 * __pte_alloc() - make sure a PTE page covers @addr. Returns 0 or -ENOMEM.
 * @site: fault site of the page-table allocation ('copy_page_range:pte_alloc').
 * Models: mm/memory.c: __pte_alloc() / pmd_install()
 */
export function* __pte_alloc(mm: mm_struct, addr: number, site: string, huge = false): Model<number> {
  const idx = pmd_index(addr);
  if ((yield* mm_pgd(mm)).has(idx)) return 0;
  if (yield* fault(site)) return -12;
  const pt = yield* pte_alloc_one(mm.w, idx, huge, new Map());
  if (!(yield* pmd_install(mm, pt))) yield* pte_free(pt); // someone else populated it
  return 0;
}

/**
 * pte_alloc_one() - a new page table for PMD entry @idx holding @ptes (a huge one stands for a
 * huge PMD and its deposited table: mm_types.ts pte_table.huge). Registered for the audit.
 * Models: include/asm-generic/pgalloc.h: pte_alloc_one()
 */
export function* pte_alloc_one(w: world, idx: number, huge: boolean, ptes: ReadonlyMap<number, pte_t>): Model<pte_table> {
  const name = new_name(w, huge ? 'pmd_huge' : 'pt');
  const pt: pte_table = {
    name,
    pmd_index: idx,
    ptl: yield* lock_create(w, name, 'ptlock', 'spinlock'),
    huge,
    ptes: yield* newLoc<ReadonlyMap<number, pte_t> | null>(`${name}.ptes`, ptes),
    __state: 'live',
  };
  w.__reg.pts.push(pt);
  return pt;
}

/**
 * pmd_install() - point the empty PMD entry of @pt at it. Returns false when the entry was
 * populated meanwhile (the caller frees @pt).
 * Models: mm/memory.c: pmd_install() / mm/huge_memory.c: set_pmd_at() after pmd_none()
 */
export function* pmd_install(mm: mm_struct, pt: pte_table): Model<boolean> {
  let installed = false;
  yield* rmw(mm.pgd, (pgd) => {
    if (pgd && !pgd.has(pt.pmd_index)) { pgd.set(pt.pmd_index, pt); installed = true; }
    return pgd;
  });
  return installed;
}

/** pte_free() - free a PTE page (its entries must be gone). */
export function* pte_free(pt: pte_table): Model<void> {
  yield* store(pt.ptes, null);
  pt.__state = 'freed';
}

/** add_mm_counter() for the three rss counters at once. */
export function* add_mm_rss(mm: mm_struct, file: number, anon: number, swap: number): Model<void> {
  if (file || anon || swap) yield* rmw(mm.rss_stat, ([f, a, s]) => [f + file, a + anon, s + swap] as const);
}

/** PTE pages overlapping [start, end), in address order. */
function pmd_span(start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = pmd_index(start); i <= pmd_index(end - 1); i++) out.push(i);
  return out;
}

/**
 * copy_page_range() - copy the parent's PTEs of @src_vma into @dst_vma's mm: COW-share anon
 * pages (write-protecting both sides), share file pages, duplicate swap entries (and put the
 * child on init_mm.mmlist, where swapoff can find it).
 * Returns: 0 or -ENOMEM (a page-table allocation failed).
 * Context: both mmap write locks; takes dst then src PTE locks (src nested), then mmlist_lock.
 * Models: mm/memory.c: copy_page_range() -> copy_pte_range() -> copy_present_pte() /
 * copy_nonpresent_pte()
 */
export const copy_page_range = kfn('copy_page_range', function* (dst_vma: vm_area_struct, src_vma: vm_area_struct): Model<number> {
  const dst_mm = dst_vma.vm_mm;
  const src_mm = src_vma.vm_mm;
  const flags = yield* load(src_vma.vm_flags);
  // vma_needs_copy(): without an anon_vma, faults refill the child's page tables later
  if (!(flags & (VM_HUGETLB | VM_PFNMAP)) && !(yield* load(src_vma.anon_vma))) return 0;
  const cow = !(flags & VM_SHARED);
  for (const idx of pmd_span(src_vma.vm_start, src_vma.vm_end)) {
    const src_pt = (yield* mm_pgd(src_mm)).get(idx);
    if (!src_pt) continue; // pmd_none_or_clear_bad(src_pmd)
    const lo = Math.max(src_vma.vm_start, idx * PMD_SIZE);
    const hi = Math.min(src_vma.vm_end, (idx + 1) * PMD_SIZE);
    // copy_huge_pmd(): a huge PMD is copied as a huge PMD (its deposit is the allocation)
    if ((yield* __pte_alloc(dst_mm, lo, 'copy_page_range:pte_alloc', src_pt.huge)) !== 0) return -12;
    const dst_pt = (yield* mm_pgd(dst_mm)).get(idx)!;
    yield* pte_lock(dst_mm, dst_pt);
    yield* pte_lock(src_mm, src_pt, 1); // spin_lock_nested(src_ptl, SINGLE_DEPTH_NESTING)
    const src = yield* pt_ptes(src_pt);
    const copied = new Map<number, pte_t>();
    let file = 0;
    let anon = 0;
    let swap = 0;
    for (const [addr, pte] of src) {
      if (addr < lo || addr >= hi) continue;
      if (pte.kind === 'swap') {
        yield* swap_duplicate(pte); // copy_nonpresent_pte()
        yield* add_to_mmlist(dst_mm, src_mm); // list_add(&dst_mm->mmlist, &src_mm->mmlist)
        copied.set(addr, pte);
        swap++;
      } else {
        yield* get_page(pte.page); // copy_present_pte(): folio_get() + folio_dup_file/anon_rmap
        copied.set(addr, cow ? { kind: 'page', page: pte.page, write: false } : pte);
        if (pte.page.anon) anon++;
        else file++;
      }
    }
    yield* rmw(dst_pt.ptes, (m) => {
      const dst = m ?? new Map<number, pte_t>();
      for (const [a, p] of copied) (dst as Map<number, pte_t>).set(a, p);
      return dst;
    });
    if (cow) {
      // ptep_set_wrprotect(src_mm, addr, src_pte): both sides now fault on write (COW)
      yield* rmw(src_pt.ptes, (m) => {
        for (const [a, p] of copied) if (p.kind === 'page') (m as Map<number, pte_t>).set(a, { kind: 'page', page: p.page, write: false });
        return m;
      });
    }
    yield* pte_unlock(src_mm, src_pt);
    yield* pte_unlock(dst_mm, dst_pt);
    yield* add_mm_rss(dst_mm, file, anon, swap);
  }
  return 0;
});

/**
 * unmap_page_range() - zap the PTEs of [start, end) of @vma: drop page and swap references.
 * Context: mmap_lock held (read is enough: exit_mmap's unmap, the OOM reaper); PTE locks.
 * Models: mm/memory.c: unmap_page_range() -> zap_pte_range()
 */
export const unmap_page_range = kfn('unmap_page_range', function* (vma: vm_area_struct, start: number, end: number): Model<void> {
  const mm = vma.vm_mm;
  for (const idx of pmd_span(start, end)) {
    const pt = (yield* mm_pgd(mm)).get(idx);
    if (!pt) continue;
    if (pt.huge) { // zap_pmd_range(): pmd_trans_huge(*pmd)
      yield* zap_huge_pmd(vma, pt);
      continue;
    }
    yield* pte_lock(mm, pt);
    const zapped: pte_t[] = [];
    yield* pt_ptes(pt);
    yield* rmw(pt.ptes, (m) => {
      for (const [a, p] of m!) if (a >= start && a < end) { zapped.push(p); (m as Map<number, pte_t>).delete(a); }
      return m;
    });
    yield* pte_unlock(mm, pt);
    yield* zap_put_entries(mm, zapped);
  }
});

/** Drops the page and swap references of zapped entries and the rss counters with them. */
export function* zap_put_entries(mm: mm_struct, zapped: readonly pte_t[]): Model<void> {
  let file = 0;
  let anon = 0;
  let swap = 0;
  for (const p of zapped) {
    if (p.kind === 'swap') {
      swap--;
      yield* free_swap_and_cache(mm.w, p);
    } else {
      if (p.page.anon) anon--;
      else file--;
      yield* put_page(mm.w, p.page); // tlb_remove_page(): freed at tlb_finish_mmu
    }
  }
  yield* add_mm_rss(mm, file, anon, swap);
}

/**
 * unmap_vmas() - zap every VMA of @vmas over its whole range.
 * Models: mm/memory.c: unmap_vmas() -> unmap_single_vma()
 */
export const unmap_vmas = kfn('unmap_vmas', function* (vmas: readonly vm_area_struct[]): Model<void> {
  for (const vma of vmas) {
    vma_assert_live(vma, 'vm_start');
    yield* unmap_page_range(vma, vma.vm_start, vma.vm_end);
  }
});

/**
 * unlink_file_vma() - remove @vma from its file's i_mmap tree.
 * Models: mm/mmap.c: unlink_file_vma() (unlink_file_vma_batch_add/final)
 */
export const unlink_file_vma = kfn('unlink_file_vma', function* (vma: vm_area_struct): Model<void> {
  const file = vma.vm_file;
  if (!file) return;
  const mapping = file.f_mapping;
  yield* lock_acquire(vma.vm_mm.w, mapping.i_mmap_rwsem, 'write'); // i_mmap_lock_write(mapping)
  yield* rmw(mapping.i_mmap, (l) => l.filter((v) => v !== vma)); // __remove_shared_vm_struct()
  yield* lock_release(vma.vm_mm.w, mapping.i_mmap_rwsem, 'write');
});

/**
 * free_pgtables() - hide every VMA of @vmas from the rmap (anon_vma and i_mmap trees), then
 * free the PTE pages of their span that lie inside [floor, ceiling) (ceiling 0: no limit).
 * Context: mmap write lock (exit_mmap, munmap, the failed-fork tear-down).
 * Models: mm/memory.c: free_pgtables() -> free_pgd_range()
 */
export const free_pgtables = kfn('free_pgtables', function* (mm: mm_struct, vmas: readonly vm_area_struct[], floor: number, ceiling: number): Model<void> {
  if (!vmas.length) return;
  for (const vma of vmas) {
    vma_assert_live(vma, 'anon_vma_chain');
    yield* unlink_anon_vmas(vma); // Hide vma from rmap and truncate_pagecache before freeing pgtables
    yield* unlink_file_vma(vma);
  }
  // free_pgd_range(tlb, addr, end, floor, ceiling) at PMD granularity
  let lo = vmas[0]!.vm_start - (vmas[0]!.vm_start % PMD_SIZE);
  if (lo < floor) lo += PMD_SIZE;
  let hi = vmas[vmas.length - 1]!.vm_end;
  hi = hi + ((PMD_SIZE - (hi % PMD_SIZE)) % PMD_SIZE);
  if (ceiling) hi = Math.min(hi, ceiling - (ceiling % PMD_SIZE));
  if (lo >= hi) return;
  const freed: pte_table[] = [];
  yield* rmw(mm.pgd, (pgd) => {
    for (const [idx, pt] of pgd ?? []) if (idx * PMD_SIZE >= lo && (idx + 1) * PMD_SIZE <= hi) { freed.push(pt); pgd!.delete(idx); }
    return pgd;
  });
  for (const pt of freed) yield* pte_free(pt); // pte_free_tlb()
});

/** Model-only: the PTE at @addr (null if none), read without the PTE lock (pte_offset_map). */
export function* pte_at(mm: mm_struct, addr: number): Model<pte_t | null> {
  const pt = (yield* mm_pgd(mm)).get(pmd_index(addr));
  if (!pt) return null;
  return (yield* pt_ptes(pt)).get(addr) ?? null;
}

/** Installs @pte at @addr under the PTE lock unless the slot changed from @expect. */
function* set_pte_if(mm: mm_struct, addr: number, expect: pte_t | null, pte: pte_t): Model<boolean> {
  const pt = (yield* pte_offset_map_lock(mm, addr))!;
  let ok = false;
  yield* pt_ptes(pt);
  yield* rmw(pt.ptes, (m) => {
    if (((m as Map<number, pte_t>).get(addr) ?? null) === expect) { (m as Map<number, pte_t>).set(addr, pte); ok = true; }
    return m;
  });
  yield* pte_unlock(mm, pt);
  return ok;
}

/** A new anonymous page for @vma (anon_vma_prepare first), or null on failure. */
function* new_anon_page(vma: vm_area_struct, site: string): Model<page | null> {
  if ((yield* anon_vma_prepare(vma)) !== 0) return null;
  return yield* alloc_page(vma.vm_mm.w, site, true);
}

/** filemap_fault(): the page cache page at @pgoff, read in (allocated) if absent. */
function* filemap_fault(vma: vm_area_struct, pgoff: number): Model<page | null> {
  const mapping = vma.vm_file!.f_mapping;
  const cached = (yield* load(mapping.i_pages)).get(pgoff);
  if (cached) return cached;
  const p = yield* alloc_page(vma.vm_mm.w, 'filemap_fault:alloc_page', false, mapping);
  if (!p) return null;
  let other: page | undefined;
  yield* rmw(mapping.i_pages, (m) => {
    other = m.get(pgoff);
    if (!other) (m as Map<number, page>).set(pgoff, p); // filemap_add_folio(): the cache's reference
    return m;
  });
  if (other) { yield* put_page(vma.vm_mm.w, p); return other; }
  return p;
}

/**
 * handle_mm_fault() - resolve a fault at @addr of @vma: anonymous, file, swap-in and
 * write-protect (COW) faults. Returns 0 or VM_FAULT_* bits.
 * Context: mmap_read_lock(vma->vm_mm).
 * Models: mm/memory.c: handle_mm_fault() -> do_anonymous_page() / do_read_fault() /
 * do_cow_fault() / do_shared_fault() / do_swap_page() / do_wp_page()
 */
export const handle_mm_fault = kfn('handle_mm_fault', function* (vma: vm_area_struct, addr: number, write: boolean): Model<number> {
  const mm = vma.vm_mm;
  addr -= addr % PAGE_SIZE;
  const flags = yield* load(vma.vm_flags);
  if (yield* check_stable_address_space(mm)) return VM_FAULT_SIGBUS; // reaped by the OOM reaper
  if (thp_vma_suitable(vma, flags, addr) && !(yield* mm_pgd(mm)).has(pmd_index(addr))) {
    const ret = yield* do_huge_pmd_anonymous_page(vma, addr, flags); // create_huge_pmd()
    if (ret !== VM_FAULT_FALLBACK) return ret;
  }
  if ((yield* __pte_alloc(mm, addr, 'handle_mm_fault:pte_alloc')) !== 0) return VM_FAULT_OOM;
  const old = yield* pte_at(mm, addr);
  const shared = (flags & VM_SHARED) !== 0;
  const pgoff = vma.vm_pgoff + (addr - vma.vm_start) / PAGE_SIZE;
  if (old && old.kind === 'page') {
    if (!write || old.write) return 0;
    if (!(flags & VM_WRITE)) return VM_FAULT_SIGSEGV;
    if (shared || (old.page.anon && (yield* load(old.page._refcount)) === 1)) {
      // wp_page_shared() / wp_can_reuse_anon_folio(): make the PTE writable in place
      yield* set_pte_if(mm, addr, old, { kind: 'page', page: old.page, write: true });
      return 0;
    }
    const np = yield* new_anon_page(vma, 'do_wp_page:alloc_page'); // wp_page_copy()
    if (!np) return VM_FAULT_OOM;
    if (!(yield* set_pte_if(mm, addr, old, { kind: 'page', page: np, write: true }))) { yield* put_page(mm.w, np); return 0; }
    yield* add_mm_rss(mm, old.page.anon ? 0 : -1, old.page.anon ? 0 : 1, 0);
    yield* put_page(mm.w, old.page);
    return 0;
  }
  let np: page | null;
  let rss: [number, number, number];
  if (old && old.kind === 'swap') {
    np = yield* alloc_page(mm.w, 'do_swap_page:alloc_page', true); // do_swap_page(): swapin_readahead()
    rss = [0, 1, -1];
  } else if (vma_is_anonymous(vma)) {
    np = yield* new_anon_page(vma, 'do_anonymous_page:alloc_page');
    rss = [0, 1, 0];
  } else if (write && !shared) {
    np = yield* new_anon_page(vma, 'do_cow_fault:alloc_page'); // copy of the file page
    rss = [0, 1, 0];
  } else {
    np = yield* filemap_fault(vma, pgoff);
    if (np) yield* get_page(np); // finish_fault(): the mapping's reference
    rss = [1, 0, 0];
  }
  if (!np) return VM_FAULT_OOM;
  if (!(yield* set_pte_if(mm, addr, old, { kind: 'page', page: np, write }))) {
    yield* put_page(mm.w, np); // someone else resolved it
    return 0;
  }
  if (old && old.kind === 'swap') yield* free_swap_and_cache(mm.w, old); // swap_free_nr()
  yield* add_mm_rss(mm, rss[0], rss[1], rss[2]);
  return 0;
});

export { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS };
