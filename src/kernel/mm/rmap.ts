// Models the anon_vma side of mm/rmap.c @ v7.0 and v6.2-v6.19 (kernel-spec.md 10): anon_vma and
// anon_vma_chain objects, anon_vma_prepare() (first anonymous fault), anon_vma_clone() and
// anon_vma_fork() in both shapes (anonVmaTwoPhaseClone: Lorenzo Stoakes' v7.0 rework, no partial
// tear-down), unlink_anon_vmas() and the anon_vma reference count.
//
// CUSTOMISED: an anon_vma's interval tree (rb_root) is a list of AVCs; a VMA's "same_vma" list is
// vma->anon_vma_chain. The reuse rule uses num_children/num_active_vmas (the 2023 fix of the
// `degree` counter), in every preset.
// STUBBED: anon_vma_free()'s rwsem_is_locked() barrier, the interval-tree augmentation, folio
// ->mapping of anonymous pages (no rmap walk over pages is modelled here), mempolicy checks in
// anon_vma_compatible().
import type { Model } from '../../engine/op.ts';
import { ModelViolation } from '../../engine/op.ts';
import { fault, kfn, load, newLoc, note, rmw, store } from '../../engine/prims.ts';
import { vma_assert_live, vma_deref } from '../debug/kasan.ts';
import { lock_acquire, lock_create, lock_release } from '../debug/lockdep.ts';
import { ENOMEM } from '../include/linux/errno.ts';
import { VMA_ITERATOR, vma_iter_load, vma_prev } from '../include/linux/mm.ts';
import { PAGE_SIZE, type anon_vma, type anon_vma_chain, type vm_area_struct } from '../include/linux/mm_types.ts';
import { new_name, type world } from '../world.ts';

/** anon_vma_alloc() - refcount 1, its own root and parent. Null on failure at @site. */
function* anon_vma_alloc(w: world, site: string): Model<anon_vma | null> {
  if (yield* fault(site)) return null;
  const name = new_name(w, 'anon_vma');
  const av = {
    name,
    refcount: yield* newLoc(`${name}.refcount`, 1),
    num_children: yield* newLoc(`${name}.num_children`, 0),
    num_active_vmas: yield* newLoc(`${name}.num_active_vmas`, 0),
    rb_root: yield* newLoc<readonly anon_vma_chain[]>(`${name}.rb_root`, []),
    rwsem: yield* lock_create(w, name, 'anon_vma->rwsem', 'rwsem'),
    __state: 'live',
  } as Omit<anon_vma, 'root' | 'parent'> as anon_vma;
  av.root = av;
  av.parent = av;
  w.__reg.anon_vmas.push(av);
  return av;
}

/** anon_vma_chain_alloc() - null when the fault @site fires (no site: cannot fail here). */
function* anon_vma_chain_alloc(w: world, vma: vm_area_struct, av: anon_vma | null, site: string | null): Model<anon_vma_chain | null> {
  if (site && (yield* fault(site))) return null;
  const avc = { name: new_name(w, 'avc'), vma, anon_vma: av, __state: 'live' } as anon_vma_chain;
  w.__reg.avcs.push(avc);
  return avc;
}

function anon_vma_chain_free(avc: anon_vma_chain): void {
  if (avc.__state === 'freed') throw new ModelViolation('use-after-free', `double free of ${avc.name}`);
  avc.__state = 'freed';
}

function* anon_vma_lock_write(w: world, av: anon_vma): Model<void> {
  if (av.root.__state === 'freed') throw new ModelViolation('use-after-free', `BUG: KASAN: use-after-free in anon_vma_lock_write: ${av.root.name}`);
  yield* lock_acquire(w, av.root.rwsem, 'write');
}
function* anon_vma_unlock_write(w: world, av: anon_vma): Model<void> {
  yield* lock_release(w, av.root.rwsem, 'write');
}

/** get_anon_vma(). Models: mm/rmap.h: get_anon_vma() */
function* get_anon_vma(av: anon_vma): Model<void> {
  const old = yield* rmw(av.refcount, (n) => n + 1);
  if (old <= 0) throw new ModelViolation('refcount', `refcount_t: addition on 0; use-after-free (${av.name})`);
}

/**
 * put_anon_vma() - drop a reference; the last frees it, and drops the reference it held on
 * its root.
 * Models: include/linux/rmap.h: put_anon_vma(); mm/rmap.c: __put_anon_vma()
 */
export const put_anon_vma = kfn('put_anon_vma', function* (av: anon_vma): Model<void> {
  const old = yield* rmw(av.refcount, (n) => n - 1);
  if (old <= 0) throw new ModelViolation('refcount', `refcount_t: underflow; use-after-free (${av.name})`);
  if (old !== 1) return;
  const root = av.root;
  av.__state = 'freed'; // anon_vma_free(anon_vma)
  if (root !== av) {
    const r = yield* rmw(root.refcount, (n) => n - 1);
    if (r <= 0) throw new ModelViolation('refcount', `refcount_t: underflow (${root.name})`);
    if (r === 1) root.__state = 'freed';
  }
});

/** Links @avc to @vma's list and @av's tree. Context: the root lock. */
function* anon_vma_chain_link(vma: vm_area_struct, avc: anon_vma_chain, av: anon_vma): Model<void> {
  avc.vma = vma;
  avc.anon_vma = av;
  yield* rmw(vma.anon_vma_chain, (l) => [...l, avc]);
  yield* rmw(av.rb_root, (l) => [...l, avc]); // anon_vma_interval_tree_insert(avc, &anon_vma->rb_root)
}

/**
 * anon_vma_compatible() - can @b share @a's anon_vma (adjacent, same file, same flags)?
 * Models: mm/vma.c: anon_vma_compatible()
 */
function anon_vma_compatible(a: vm_area_struct, aflags: number, b: vm_area_struct, bflags: number): boolean {
  return a.vm_end === b.vm_start && a.vm_file === b.vm_file && aflags === bflags &&
    b.vm_pgoff === a.vm_pgoff + (a.vm_end - a.vm_start) / PAGE_SIZE;
}

/**
 * find_mergeable_anon_vma() - reuse a neighbour's anon_vma: the next entry, then the previous
 * one, read with the RAW iterator (so an XA_ZERO_ENTRY neighbour is dereferenced: race R5).
 * Context: mmap lock held.
 * Models: mm/vma.c: find_mergeable_anon_vma() -> reusable_anon_vma()
 */
export const find_mergeable_anon_vma = kfn('find_mergeable_anon_vma', function* (vma: vm_area_struct, vflags: number): Model<anon_vma | null> {
  const mm = vma.vm_mm;
  const vmi = VMA_ITERATOR(mm, vma.vm_end);
  const next = yield* vma_iter_load(vmi); // Try next first.
  if (next) {
    const [n, nflags] = yield* vma_deref(next, mm, 'vm_start'); // reusable_anon_vma(next, vma, next)
    if (anon_vma_compatible(vma, vflags, n, nflags)) {
      const av = yield* load(n.anon_vma);
      if (av && (yield* load(n.anon_vma_chain)).length === 1) return av;
    }
  }
  yield* vma_prev(vmi); // prev == vma
  const prev = yield* vma_prev(vmi);
  if (prev) {
    const [p, pflags] = yield* vma_deref(prev, mm, 'vm_start'); // Try prev next.
    if (anon_vma_compatible(p, pflags, vma, vflags)) {
      const av = yield* load(p.anon_vma);
      if (av && (yield* load(p.anon_vma_chain)).length === 1) return av;
    }
  }
  return null;
});

/**
 * anon_vma_prepare() - give @vma an anon_vma before its first anonymous page: a neighbour's,
 * or a new root. Returns 0 or -ENOMEM.
 * Context: mmap lock held (page fault, uprobe_write_opcode).
 * Models: include/linux/rmap.h: anon_vma_prepare(); mm/rmap.c: __anon_vma_prepare()
 */
export const anon_vma_prepare = kfn('anon_vma_prepare', function* (vma: vm_area_struct): Model<number> {
  if (yield* load(vma.anon_vma)) return 0; // likely(vma->anon_vma)
  const w = vma.vm_mm.w;
  const avc = yield* anon_vma_chain_alloc(w, vma, null, '__anon_vma_prepare:avc_alloc');
  if (!avc) return -ENOMEM;
  const [, vflags] = yield* vma_deref(vma, vma.vm_mm, 'vm_flags');
  let av = yield* find_mergeable_anon_vma(vma, vflags);
  let allocated: anon_vma | null = null;
  if (!av) {
    av = yield* anon_vma_alloc(w, '__anon_vma_prepare:anon_vma_alloc');
    if (!av) {
      anon_vma_chain_free(avc);
      return -ENOMEM;
    }
    yield* rmw(av.num_children, (n) => n + 1); // self-parent link for new root
    allocated = av;
  }
  yield* anon_vma_lock_write(w, av);
  if (!(yield* load(vma.anon_vma))) {
    yield* store(vma.anon_vma, av);
    yield* anon_vma_chain_link(vma, avc, av);
    yield* rmw(av.num_active_vmas, (n) => n + 1);
    allocated = null;
  } else anon_vma_chain_free(avc);
  yield* anon_vma_unlock_write(w, av);
  if (allocated) yield* put_anon_vma(allocated);
  return 0;
});

/** The reuse rule of anon_vma_clone() at fork (kernel-spec.md 10.1). */
function* try_reuse(dst: vm_area_struct, av: anon_vma): Model<boolean> {
  if (yield* load(dst.anon_vma)) return false;
  if ((yield* load(av.num_children)) >= 2 || (yield* load(av.num_active_vmas)) !== 0) return false;
  yield* store(dst.anon_vma, av);
  return true;
}

/**
 * anon_vma_clone() - give @dst an AVC for every anon_vma of @src, possibly reusing one of them
 * as dst's own. Old shape (v6.2-v6.19): link AVC by AVC under the root lock, dropping it to
 * allocate; on failure unlink_anon_vmas(dst) (partial tear-down, R15). New shape (v7.0):
 * allocate every AVC first, then link all under one lock hold; nothing to undo.
 * Returns: 0 or -ENOMEM.
 * Models: mm/rmap.c: anon_vma_clone()
 */
export const anon_vma_clone = kfn('anon_vma_clone', function* (dst: vm_area_struct, src: vm_area_struct): Model<number> {
  const w = dst.vm_mm.w;
  const src_chain = [...(yield* load(src.anon_vma_chain))].reverse(); // list_for_each_entry_reverse
  const src_av = yield* load(src.anon_vma);
  if (w.sw.anonVmaTwoPhaseClone) {
    if (!src_av) return 0;
    const avcs: anon_vma_chain[] = [];
    for (const pavc of src_chain) { // Phase 1: allocate, on dst's list only
      const avc = yield* anon_vma_chain_alloc(w, dst, pavc.anon_vma, 'anon_vma_clone:avc_alloc');
      if (!avc) {
        for (const a of avcs) anon_vma_chain_free(a); // cleanup_partial_anon_vmas(dst)
        yield* store(dst.anon_vma_chain, []);
        yield* store(dst.anon_vma, null);
        return -ENOMEM;
      }
      avcs.push(avc);
      yield* rmw(dst.anon_vma_chain, (l) => [...l, avc]);
    }
    if (!avcs.length) return 0;
    yield* anon_vma_lock_write(w, src_av); // Phase 2: one lock hold, cannot fail
    for (const avc of avcs) {
      yield* rmw(avc.anon_vma.rb_root, (l) => [...l, avc]);
      yield* try_reuse(dst, avc.anon_vma);
    }
    const mine = yield* load(dst.anon_vma);
    if (mine) yield* rmw(mine.num_active_vmas, (n) => n + 1);
    yield* anon_vma_unlock_write(w, src_av);
    return 0;
  }
  let locked: anon_vma | null = null;
  for (const pavc of src_chain) {
    // anon_vma_chain_alloc(GFP_NOWAIT) fails -> unlock the root, anon_vma_chain_alloc(GFP_KERNEL)
    const fails = yield* fault('anon_vma_clone:avc_alloc');
    if (fails || (yield* fault('anon_vma_clone:avc_alloc_nowait'))) {
      if (locked) yield* anon_vma_unlock_write(w, locked); // unlock_anon_vma_root(root); root = NULL
      locked = null;
    }
    const avc = fails ? null : yield* anon_vma_chain_alloc(w, dst, pavc.anon_vma, null);
    if (!avc) {
      yield* note('anon_vma_clone: AVC allocation fails; partial tear-down');
      yield* store(dst.anon_vma, null); // enomem_failure: dst->anon_vma = NULL
      yield* unlink_anon_vmas(dst);
      return -ENOMEM;
    }
    if (!locked) { yield* anon_vma_lock_write(w, pavc.anon_vma); locked = pavc.anon_vma; } // lock_anon_vma_root()
    yield* anon_vma_chain_link(dst, avc, pavc.anon_vma);
    if (src_av) yield* try_reuse(dst, pavc.anon_vma);
  }
  const mine = yield* load(dst.anon_vma);
  if (mine) yield* rmw(mine.num_active_vmas, (n) => n + 1);
  if (locked) yield* anon_vma_unlock_write(w, locked);
  return 0;
});

/**
 * anon_vma_fork() - give the child VMA @vma its own anon_vma, a child of @pvma's (or reuse
 * one), with AVCs for the whole family. Returns 0 or -ENOMEM.
 * Context: both mmap write locks (dup_mmap F8h).
 * Models: mm/rmap.c: anon_vma_fork()
 */
export const anon_vma_fork = kfn('anon_vma_fork', function* (vma: vm_area_struct, pvma: vm_area_struct): Model<number> {
  const w = vma.vm_mm.w;
  const pav = yield* load(pvma.anon_vma);
  if (!pav) return 0; // Don't bother if the parent process has no anon_vma here.
  yield* store(vma.anon_vma, null); // Drop inherited anon_vma, we'll reuse existing or allocate new.
  let av: anon_vma | null;
  let avc: anon_vma_chain | null;
  if (w.sw.anonVmaTwoPhaseClone) {
    av = yield* anon_vma_alloc(w, 'anon_vma_fork:anon_vma_alloc'); // pre-allocate
    if (!av) return -ENOMEM;
    avc = yield* anon_vma_chain_alloc(w, vma, av, 'anon_vma_fork:avc_alloc');
    if (!avc) { yield* put_anon_vma(av); return -ENOMEM; }
    const err = yield* anon_vma_clone(vma, pvma);
    if (err || (yield* load(vma.anon_vma))) {
      anon_vma_chain_free(avc);
      yield* put_anon_vma(av);
      return err;
    }
    yield* store(av.num_active_vmas, 1);
  } else {
    const err = yield* anon_vma_clone(vma, pvma);
    if (err) return err;
    if (yield* load(vma.anon_vma)) return 0; // An existing anon_vma has been reused
    av = yield* anon_vma_alloc(w, 'anon_vma_fork:anon_vma_alloc');
    if (!av) { yield* unlink_anon_vmas(vma); return -ENOMEM; } // out_error
    yield* rmw(av.num_active_vmas, (n) => n + 1);
    avc = yield* anon_vma_chain_alloc(w, vma, av, 'anon_vma_fork:avc_alloc');
    if (!avc) { // out_error_free_anon_vma
      yield* put_anon_vma(av);
      yield* unlink_anon_vmas(vma);
      return -ENOMEM;
    }
  }
  av.root = pav.root; // The root anon_vma's rwsem is the lock actually used when we lock any of the anon_vmas
  av.parent = pav;
  yield* get_anon_vma(av.root); // the root's refcount pins the whole family
  yield* store(vma.anon_vma, av);
  yield* anon_vma_lock_write(w, av);
  yield* anon_vma_chain_link(vma, avc, av);
  yield* rmw(pav.num_children, (n) => n + 1);
  yield* anon_vma_unlock_write(w, av);
  return 0;
});

/**
 * unlink_anon_vmas() - take @vma out of every anon_vma tree of its family; an anon_vma whose
 * tree became empty loses its parent's child count and is put after unlocking.
 * Context: mmap lock held (write, or read in the old fork error path).
 * Models: mm/rmap.c: unlink_anon_vmas()
 */
export const unlink_anon_vmas = kfn('unlink_anon_vmas', function* (vma: vm_area_struct): Model<void> {
  vma_assert_live(vma, 'anon_vma_chain');
  const w = vma.vm_mm.w;
  const chain = [...(yield* load(vma.anon_vma_chain))].reverse();
  const own = yield* load(vma.anon_vma);
  if (w.sw.anonVmaTwoPhaseClone && !own) { // v7.0: nothing to do without an anon_vma
    if (chain.length) yield* note(`WARNING: unlink_anon_vmas(${vma.name}): AVCs without an anon_vma`);
    return;
  }
  if (!chain.length) {
    if (own) yield* rmw(own.num_active_vmas, (n) => n - 1);
    if (own && w.sw.anonVmaTwoPhaseClone) yield* store(vma.anon_vma, null);
    return;
  }
  const emptied: anon_vma_chain[] = [];
  yield* anon_vma_lock_write(w, chain[0]!.anon_vma); // lock_anon_vma_root()
  for (const avc of chain) {
    let empty = false;
    yield* rmw(avc.anon_vma.rb_root, (l) => {
      const r = l.filter((a) => a !== avc);
      empty = r.length === 0;
      return r;
    });
    if (empty) { // Leave empty anon_vmas on the list - we'll need to free them outside the lock.
      yield* rmw(avc.anon_vma.parent.num_children, (n) => n - 1);
      emptied.push(avc);
    } else anon_vma_chain_free(avc);
  }
  if (own) yield* rmw(own.num_active_vmas, (n) => n - 1);
  if (w.sw.anonVmaTwoPhaseClone) yield* store(vma.anon_vma, null);
  yield* anon_vma_unlock_write(w, chain[0]!.anon_vma);
  yield* store(vma.anon_vma_chain, []);
  for (const avc of emptied) { // list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma)
    const av = avc.anon_vma;
    const kids = yield* load(av.num_children);
    const active = yield* load(av.num_active_vmas);
    if (kids !== 0 || active !== 0) yield* note(`WARNING: ${av.name} freed with num_children ${kids}, num_active_vmas ${active}`);
    yield* put_anon_vma(av);
    anon_vma_chain_free(avc);
  }
});
