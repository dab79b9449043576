// Models lib/maple_tree.c and include/linux/maple_tree.h @ 7.3.4: the maple tree's public API.
// This file is the one the mm model imports; the implementation is split like the kernel's code:
//   maple_node.ts     node layout, ma_state, flags, reserved xarray values
//   maple_walk.ts     walks, iteration and the ma_state status machine
//   maple_write.ts    the write path: store-type choice, root stores, NULL expansion
//   maple_rebuild.ts  node rewrites (split, push-left, rebalance, spanning store)
//   maple_alloc.ts    gfp_t allocator, node counts, mas_destroy()
//   maple_gap.ts      mas_empty_area() / mas_empty_area_rev()
//   maple_dup.ts      __mt_dup(), __mt_destroy()
//   maple_validate.ts mt_validate()
//
// Allocator convention: every call that can allocate takes a gfp_t, a function asked once per
// node the operation requests (the kernel's preallocation count for the store type, see
// mas_prealloc_calc()); answering false makes that allocation fail and the call return -ENOMEM
// with the tree unchanged. GFP_KERNEL always succeeds.
//
// Simplifications (DEVIATIONS from the kernel), each explained in the file that makes it:
// - ULONG_MAX is Number.MAX_SAFE_INTEGER; entries are JS values, XA_ZERO_ENTRY is a symbol,
//   xa_mk_value(n) is the number 2n+1 (maple_node.ts).
// - Node layout after splits/rebalances differs from the kernel's (maple_write.ts,
//   maple_rebuild.ts); logical content, API results and statuses are the kernel's, checked
//   against maple-oracle/.
// - No locks, no RCU callbacks: replaced nodes are flagged dead and readers re-walk (maple_walk.ts).
// - No slab: allocation is the gfp_t callback; mas_nomem() has nothing to retry (maple_alloc.ts).
// - mas_next_node()/mas_prev_node() re-walk from the root to the neighbouring leaf (maple_walk.ts).
// - Gap searches always start from the root; a failed one always leaves ma_error (maple_gap.ts).
// - __mt_dup() asks the allocator once per node in pre-order; on -ENOMEM the new tree is left
//   empty (maple_dup.ts). mt_validate() returns the violations instead of printing them.
// - mtree_insert_range() reports -EEXIST before trying to allocate; mas_store() takes an
//   optional gfp_t standing in for its GFP_NOWAIT allocation.

import {
  type ma_state,
  type maple_entry,
  type maple_tree,
  EEXIST,
  EINVAL,
  MA_STATE_PREALLOC,
  MT_FLAGS_USE_RCU,
  ULONG_MAX,
  xa_is_advanced,
  xa_is_zero,
  mas_is_active,
  mas_is_err,
} from './maple_node.ts';
import { GFP_KERNEL, GFP_NOWAIT, type gfp_t, mas_destroy, mas_node_count_gfp, mas_prealloc_calc_type } from './maple_alloc.ts';
import {
  MA_STATE,
  mas_find,
  mas_next,
  mas_next_slot,
  mas_prev,
  mas_reset,
  mas_set_err,
  mas_state_walk,
  mas_walk,
} from './maple_walk.ts';
import { type ma_wr_state, mas_wr_content, mas_wr_state, mas_wr_store_entry } from './maple_write.ts';

export {
  type ma_state,
  type maple_entry,
  type maple_status,
  type maple_tree,
  type store_type,
  EBUSY,
  EEXIST,
  EINVAL,
  ENOMEM,
  MAPLE_ARANGE64_SLOTS,
  MAPLE_RANGE64_SLOTS,
  MT_FLAGS_ALLOC_RANGE,
  MT_FLAGS_LOCK_EXTERN,
  MT_FLAGS_USE_RCU,
  ULONG_MAX,
  XA_ZERO_ENTRY,
  maple_node,
  mt_height,
  mt_in_rcu,
  mt_is_alloc,
  xa_is_advanced,
  xa_is_internal,
  xa_is_value,
  xa_is_zero,
  xa_mk_value,
  xa_to_value,
} from './maple_node.ts';
export { GFP_KERNEL, GFP_NOWAIT, type gfp_t, mas_destroy } from './maple_alloc.ts';
export {
  MA_STATE,
  __mas_set_range,
  mas_find,
  mas_find_range,
  mas_find_range_rev,
  mas_find_rev,
  mas_init,
  mas_next,
  mas_next_range,
  mas_pause,
  mas_prev,
  mas_prev_range,
  mas_reset,
  mas_set,
  mas_set_range,
  mas_walk,
} from './maple_walk.ts';
export { mas_empty_area, mas_empty_area_rev } from './maple_gap.ts';
export { __mt_destroy, __mt_dup, mtree_destroy, mtree_dup } from './maple_dup.ts';
export { mt_validate } from './maple_validate.ts';

/**
 * MTREE_INIT() / DEFINE_MTREE() - a new empty tree with @flags (MT_FLAGS_ALLOC_RANGE, ...).
 * Models: include/linux/maple_tree.h: MTREE_INIT()
 */
export function mtree_init(flags = 0): maple_tree {
  return { ma_root: null, ma_flags: flags };
}

/** mt_init_flags() - (re)initialise @mt as an empty tree with @flags. Models: maple_tree.h: mt_init_flags() */
export function mt_init_flags(mt: maple_tree, flags: number): void {
  mt.ma_flags = flags;
  mt.ma_root = null;
}

/** mt_init() - mt_init_flags(mt, 0). Models: include/linux/maple_tree.h: mt_init() */
export function mt_init(mt: maple_tree): void {
  mt_init_flags(mt, 0);
}

/** mt_set_in_rcu() - switch to RCU mode (new nodes for node stores). Models: maple_tree.h: mt_set_in_rcu() */
export function mt_set_in_rcu(mt: maple_tree): void {
  mt.ma_flags |= MT_FLAGS_USE_RCU;
}

/** mt_clear_in_rcu() - leave RCU mode. Models: include/linux/maple_tree.h: mt_clear_in_rcu() */
export function mt_clear_in_rcu(mt: maple_tree): void {
  mt.ma_flags &= ~MT_FLAGS_USE_RCU;
}

/** mtree_empty() - the root is NULL. Models: include/linux/maple_tree.h: mtree_empty() */
export function mtree_empty(mt: maple_tree): boolean {
  return mt.ma_root === null;
}

/**
 * mas_prealloc_calc() - how many nodes the kernel would preallocate to store @entry over
 * [mas.index, mas.last] (0: the store cannot fail with -ENOMEM). Does not move @mas.
 * Models: lib/maple_tree.c: mas_wr_store_type() + mas_prealloc_calc()
 */
export function mas_prealloc_calc(mas: ma_state, entry: maple_entry): number {
  const probe = MA_STATE(mas.tree, mas.index, mas.last);
  probe.mas_flags = mas.mas_flags;
  return mas_prealloc_calc_type(probe, mas_wr_state(probe, entry).type, entry);
}

/** mas_wr_prealloc_setup() + mas_wr_store_type(): classify the write and record its type. */
function mas_wr_prepare(mas: ma_state, entry: maple_entry): ma_wr_state {
  if (mas.status !== 'ma_active' && mas.status !== 'ma_start') mas_reset(mas);
  const wr = mas_wr_state(mas, entry);
  mas.store_type = wr.type;
  return wr;
}

/** mas_store_gfp() without leaving the state on the written range (the mtree_*() calls). */
function __mas_store_gfp(mas: ma_state, entry: maple_entry, gfp: gfp_t, reposition: boolean): number {
  if (mas.index > mas.last) {
    mas_set_err(mas, -EINVAL);
    return -EINVAL;
  }
  const wr = mas_wr_prepare(mas, entry);
  const request = mas_prealloc_calc_type(mas, wr.type, entry);
  if ((mas.mas_flags & MA_STATE_PREALLOC) === 0 && request > 0) {
    mas_node_count_gfp(mas, request, gfp);
    if (mas_is_err(mas)) {
      mas_destroy(mas);
      return mas.error;
    }
  }
  mas_wr_store_entry(wr, reposition);
  mas_destroy(mas);
  return 0;
}

/**
 * mas_store_gfp() - store @entry over [mas.index, mas.last], allocating with @gfp.
 * Returns 0, -EINVAL (index > last) or -ENOMEM (tree unchanged, state in ma_error). A NULL store
 * widens index/last to the merged NULL range.
 * Models: lib/maple_tree.c: mas_store_gfp()
 */
export function mas_store_gfp(mas: ma_state, entry: maple_entry, gfp: gfp_t): number {
  return __mas_store_gfp(mas, entry, gfp, true);
}

/**
 * mas_store() - store @entry over [mas.index, mas.last]; returns the entry that covered
 * mas.index before. Uses preallocated nodes if mas_preallocate() ran, else allocates with @gfp
 * (GFP_NOWAIT in the kernel): on failure returns null with the state in ma_error(-ENOMEM).
 * Models: lib/maple_tree.c: mas_store()
 */
export function mas_store(mas: ma_state, entry: maple_entry, gfp: gfp_t = GFP_NOWAIT): maple_entry {
  if (mas.index > mas.last) {
    mas_set_err(mas, -EINVAL);
    return null;
  }
  const content = mas_wr_content(mas.tree, mas.index);
  return mas_store_gfp(mas, entry, gfp) === 0 ? content : null;
}

/**
 * mas_preallocate() - phase 1 of a two-phase write: classify the store of @entry and reserve its
 * nodes with @gfp. Returns 0 or -ENOMEM (state reset, nothing held).
 * Models: lib/maple_tree.c: mas_preallocate()
 */
export function mas_preallocate(mas: ma_state, entry: maple_entry, gfp: gfp_t): number {
  const request = mas_prealloc_calc_type(mas, mas_wr_prepare(mas, entry).type, entry);
  if (request === 0) return 0;
  mas_node_count_gfp(mas, request, gfp);
  if (mas_is_err(mas)) {
    const ret = mas.error;
    mas_destroy(mas);
    mas_reset(mas);
    return ret;
  }
  mas.mas_flags |= MA_STATE_PREALLOC;
  return 0;
}

/**
 * mas_store_prealloc() - phase 2: the store prepared by mas_preallocate(); cannot fail. Releases
 * leftover nodes. Models: lib/maple_tree.c: mas_store_prealloc()
 */
export function mas_store_prealloc(mas: ma_state, entry: maple_entry): void {
  mas.mas_flags |= MA_STATE_PREALLOC;
  mas_store_gfp(mas, entry, GFP_KERNEL);
}

/**
 * mas_erase() - store NULL over the whole range holding mas.index; index/last become the merged
 * NULL range. Returns the entry erased (NULL if none). Cannot fail (NOFAIL allocation).
 * Models: lib/maple_tree.c: mas_erase()
 */
export function mas_erase(mas: ma_state): maple_entry {
  return __mas_erase(mas, true);
}

function __mas_erase(mas: ma_state, reposition: boolean): maple_entry {
  mas.status = 'ma_start';
  const entry = mas_state_walk(mas);
  if (entry === null) return null;
  mas_reset(mas); // must reset to ensure spanning writes of last slot are detected
  mas_wr_store_entry(mas_wr_prepare(mas, null), reposition);
  mas_destroy(mas);
  return entry;
}

/**
 * mtree_load() - the entry at @index, NULL if none; XA_ZERO_ENTRY reads as NULL.
 * Models: lib/maple_tree.c: mtree_load()
 */
export function mtree_load(mt: maple_tree, index: number): maple_entry {
  const entry = mas_wr_content(mt, index);
  return xa_is_zero(entry) ? null : entry;
}

/**
 * mtree_store_range() - store @entry over [index, last]. XA_ZERO_ENTRY is accepted; other
 * advanced internal values are -EINVAL. Returns 0, -EINVAL or -ENOMEM.
 * Models: lib/maple_tree.c: mtree_store_range()
 */
export function mtree_store_range(mt: maple_tree, index: number, last: number, entry: maple_entry, gfp: gfp_t): number {
  if (xa_is_advanced(entry)) return -EINVAL; // XA_ZERO_ENTRY is above XA_RETRY_ENTRY: accepted
  if (index > last) return -EINVAL;
  return __mas_store_gfp(MA_STATE(mt, index, last), entry, gfp, false);
}

/** mtree_store() - mtree_store_range(mt, index, index, ...). Models: lib/maple_tree.c: mtree_store() */
export function mtree_store(mt: maple_tree, index: number, entry: maple_entry, gfp: gfp_t): number {
  return mtree_store_range(mt, index, index, entry, gfp);
}

/**
 * mas_insert() - store @entry only if [index, last] is all NULL, else ma_error(-EEXIST).
 * Returns the entry found at index. Models: lib/maple_tree.c: mas_insert()
 */
function mas_insert(mas: ma_state, entry: maple_entry, gfp: gfp_t): maple_entry {
  const probe = MA_STATE(mas.tree, mas.index, mas.index);
  const content = mas_walk(probe);
  // NULL ranges are coalesced: if the NULL range at index ends before last, something follows
  if (content !== null || (mas_is_active(probe) && probe.last < mas.last)) {
    mas_set_err(mas, -EEXIST);
    return content;
  }
  __mas_store_gfp(mas, entry, gfp, false);
  return content;
}

/**
 * mtree_insert_range() - store @entry over [first, last] if nothing non-NULL (a zero entry
 * counts) is there. Returns 0, -EEXIST, -EINVAL or -ENOMEM.
 * Models: lib/maple_tree.c: mtree_insert_range()
 */
export function mtree_insert_range(mt: maple_tree, first: number, last: number, entry: maple_entry, gfp: gfp_t): number {
  if (xa_is_advanced(entry)) return -EINVAL;
  if (first > last) return -EINVAL;
  const mas = MA_STATE(mt, first, last);
  mas_insert(mas, entry, gfp);
  return mas_is_err(mas) ? mas.error : 0;
}

/** mtree_insert() - mtree_insert_range(mt, index, index, ...). Models: lib/maple_tree.c: mtree_insert() */
export function mtree_insert(mt: maple_tree, index: number, entry: maple_entry, gfp: gfp_t): number {
  return mtree_insert_range(mt, index, index, entry, gfp);
}

/**
 * mtree_erase() - erase the whole range holding @index; returns what was there (XA_ZERO_ENTRY
 * included). Cannot fail. Models: lib/maple_tree.c: mtree_erase()
 */
export function mtree_erase(mt: maple_tree, index: number): maple_entry {
  return __mas_erase(MA_STATE(mt, index, index), false);
}

/** An in/out index, standing in for C's `unsigned long *index`. */
export interface mt_index {
  index: number;
}

/**
 * mt_find() - the first entry at or after @idx.index up to @max, skipping zero entries. On success
 * idx.index becomes one past the entry's range (0 after ULONG_MAX); on failure it is unchanged.
 * Models: lib/maple_tree.c: mt_find()
 */
export function mt_find(mt: maple_tree, idx: mt_index, max: number): maple_entry {
  if (idx.index > max) return null;
  const mas = MA_STATE(mt, idx.index, idx.index);
  let entry = mas_state_walk(mas);
  if (xa_is_zero(entry)) entry = null;
  if (entry === null) {
    while (mas_is_active(mas) && mas.last < max) {
      entry = mas_next_slot(mas, max, false);
      if (entry !== null && !xa_is_zero(entry)) break;
    }
    if (xa_is_zero(entry)) entry = null;
  }
  if (entry !== null) idx.index = mas.last === ULONG_MAX ? 0 : mas.last + 1;
  return entry;
}

/** mt_find_after() - mt_find() unless the index wrapped to 0. Models: lib/maple_tree.c: mt_find_after() */
export function mt_find_after(mt: maple_tree, idx: mt_index, max: number): maple_entry {
  return idx.index === 0 ? null : mt_find(mt, idx, max);
}

/**
 * mt_for_each() - call @fn for every entry from @start up to @max, zero entries skipped.
 * Models: include/linux/maple_tree.h: mt_for_each()
 */
export function mt_for_each(mt: maple_tree, start: number, max: number, fn: (entry: maple_entry) => void): void {
  const idx: mt_index = { index: start };
  for (let entry = mt_find(mt, idx, max); entry !== null; entry = mt_find_after(mt, idx, max)) fn(entry);
}

/**
 * mas_for_each() - call @fn for every entry from the state's position up to @max, zero entries
 * included; @fn sees the state on the entry's range. Models: include/linux/maple_tree.h: mas_for_each()
 */
export function mas_for_each(mas: ma_state, max: number, fn: (entry: maple_entry) => void): void {
  for (let entry = mas_find(mas, max); entry !== null; entry = mas_find(mas, max)) fn(entry);
}

/** mt_next() - the entry after @index up to @max (zero entries included). Models: lib/maple_tree.c: mt_next() */
export function mt_next(mt: maple_tree, index: number, max: number): maple_entry {
  const mas = MA_STATE(mt, index, index);
  return mas_next(mas, max);
}

/** mt_prev() - the entry before @index down to @min. Models: lib/maple_tree.c: mt_prev() */
export function mt_prev(mt: maple_tree, index: number, min: number): maple_entry {
  const mas = MA_STATE(mt, index, index);
  return mas_prev(mas, min);
}
