// Models lib/maple_tree.c @ 7.3.4: the write path — mas_wr_store_type() (store-type choice and
// hence node counts), mas_store_root()/mas_root_expand()/mas_new_root(), NULL expansion
// (mas_wr_extend_null() / mas_extend_spanning_null()); the node rewrite of node stores,
// splits, rebalances and spanning stores is in maple_rebuild.ts.
//
// CUSTOMISED (same logical result, different node layout):
// - One rewrite routine serves every store type: the new content of the leaves the write touches
//   (prefix of the first leaf + new range + suffix of the last leaf, like the kernel's big node) is
//   cut into nodes, and each parent level is rebuilt the same way up to the first level where one
//   node replaces one node. The kernel has separate paths per store type and 7.x's maple_copy.
// - Split points: the kernel's mab_calc_split() balances differently; here a level with n slots is
//   cut into ceil(n / slots) nearly equal nodes, never ending a non-right-most leaf on NULL.
// - An under-full node takes in all of one neighbour (left if any, else right) and is re-cut,
//   where the kernel may shift only part of a sibling. An overflowing node first shares with its
//   left sibling when that has room (the kernel's mas_push_data() also tries the right one).
// - In non-RCU mode a node replaced one-for-one is rewritten in place (as the kernel's node store
//   does through its on-stack copy); in RCU mode it is replaced by a new node and marked dead,
//   except exact-fit stores, which write one slot in place as in the kernel.

import {
  type ma_state,
  type maple_entry,
  type maple_tree,
  type store_type,
  MA_STATE_BULK,
  ULONG_MAX,
  ma_is_leaf,
  maple_leaf_64,
  maple_node,
  mt_in_rcu,
  mt_min_slots,
  mt_set_height,
  mt_slots,
  mte_is_root,
  xa_is_internal,
  xa_is_node,
} from './maple_node.ts';
import { MA_STATE, mas_set, mas_state_walk, mas_walk, mtree_lookup_walk } from './maple_walk.ts';
import { type big_node, mab_fill_node, mas_update_gap, mas_wr_rebuild, mte_set_dead_walk } from './maple_rebuild.ts';

/**
 * struct ma_wr_state - what the write walk learnt: the leaf holding index (when the write stays
 * in one leaf), the slot range there, and the write range after NULL expansion inside the leaf.
 * Models: lib/maple_tree.c: struct ma_wr_state / MA_WR_STATE()
 */
export interface ma_wr_state {
  mas: ma_state;
  entry: maple_entry;
  type: store_type;
  /** The leaf holding mas.index, or null (store_root, spanning store). */
  node: maple_node | null;
  min: number;
  max: number;
  /** The write range, widened over neighbouring NULLs inside the leaf for a NULL write. */
  index: number;
  last: number;
  r_min: number;
  r_max: number;
  /** The leaf slot holding index (after NULL expansion): an exact fit writes it directly. */
  offset: number;
}

/**
 * MA_WR_STATE() + mas_wr_store_type() - classify the write of @entry over [mas.index, mas.last]
 * as the kernel would on this tree's layout. Does not move @mas.
 * Models: lib/maple_tree.c: mas_wr_store_type() with mas_wr_walk(), mas_is_span_wr(),
 * mas_wr_end_piv(), mas_wr_extend_null() and mas_wr_new_end()
 */
export function mas_wr_state(mas: ma_state, entry: maple_entry): ma_wr_state {
  const wr: ma_wr_state = {
    mas, entry, type: 'wr_store_root', node: null, min: 0, max: ULONG_MAX,
    index: mas.index, last: mas.last, r_min: 0, r_max: 0, offset: 0,
  };
  wr.type = mas_wr_store_type(wr);
  return wr;
}

function mas_wr_store_type(wr: ma_wr_state): store_type {
  const mas = wr.mas;
  const entry = wr.entry;
  const mt = mas.tree;
  const root = mt.ma_root;
  if (!xa_is_node(root)) return 'wr_store_root';
  let index = mas.index;
  let last = mas.last;
  let node = root;
  let min = 0;
  let max = ULONG_MAX;
  let offset: number;
  let r_min: number;
  let r_max: number;
  for (;;) {
    const end = node.end;
    const pivot = node.pivot;
    offset = 0;
    while (offset < end && (pivot[offset] as number) < index) offset++;
    r_min = offset === 0 ? min : (pivot[offset - 1] as number) + 1;
    r_max = offset < end ? (pivot[offset] as number) : max;
    if (ma_is_leaf(node.type)) break;
    // mas_is_span_wr() on an internal level
    if (last > r_max || (last === r_max && entry === null && last !== ULONG_MAX)) return 'wr_spanning_store';
    node = node.slot[offset] as maple_node;
    min = r_min;
    max = r_max;
  }
  if (last >= r_max && last >= max) {
    if (last > max || (entry === null && last !== ULONG_MAX)) return 'wr_spanning_store';
  }
  const end = node.end;
  let offset_end = offset;
  while (offset_end < end && last > (node.pivot[offset_end] as number)) offset_end++;
  let end_piv = offset_end < end ? (node.pivot[offset_end] as number) : max;
  if (entry === null) {
    if (node.slot[offset_end] === null) {
      last = end_piv;
    } else if (last === end_piv && end !== offset_end && node.slot[offset_end + 1] === null) {
      offset_end++;
      last = end_piv = offset_end === end ? max : (node.pivot[offset_end] as number);
    }
    if (node.slot[offset] === null) {
      index = r_min;
    } else if (index === r_min && offset > 0 && node.slot[offset - 1] === null) {
      offset--;
      r_min = index = offset === 0 ? min : (node.pivot[offset - 1] as number) + 1;
      r_max = node.pivot[offset] as number;
    }
  }
  wr.node = node;
  wr.min = min;
  wr.max = max;
  wr.index = index;
  wr.last = last;
  wr.r_min = r_min;
  wr.r_max = r_max;
  wr.offset = offset;
  if (r_min === index && r_max === last) return 'wr_exact_fit';
  if (index === 0 && last === ULONG_MAX) return 'wr_new_root';
  let new_end = end + 2 - (offset_end - offset);
  if (r_min === index) new_end--;
  if (end_piv === last) new_end--;
  if (new_end < mt_min_slots(node.type)) {
    return !mte_is_root(node) && (mas.mas_flags & MA_STATE_BULK) === 0 ? 'wr_rebalance' : 'wr_node_store';
  }
  if (new_end >= mt_slots(node.type)) return 'wr_split_store';
  const rcu = mt_in_rcu(mt);
  if (!rcu && offset === end) return 'wr_append';
  if (new_end === end && (!rcu || offset_end - offset === 1)) return 'wr_slot_store';
  return 'wr_node_store';
}

/**
 * mas_wr_extend_null()/mas_extend_spanning_null() - a NULL write absorbs the NULL ranges next
 * to it, across leaves, so that no two NULL ranges are ever adjacent: widens [mas.index, mas.last].
 * One probe state is re-walked for each neighbour (mas_walk() leaves it on the slot's range).
 */
function mas_extend_null(mas: ma_state): void {
  const probe = MA_STATE(mas.tree, 0, 0);
  let index = mas.index;
  let last = mas.last;
  mas_set(probe, index);
  if (mas_walk(probe) === null) index = probe.index;
  else if (index === probe.index && index > 0) {
    mas_set(probe, index - 1);
    if (mas_walk(probe) === null) index = probe.index;
  }
  mas_set(probe, last);
  if (mas_walk(probe) === null) last = probe.last;
  else if (last === probe.last && last < ULONG_MAX) {
    mas_set(probe, last + 1);
    if (mas_walk(probe) === null) last = probe.last;
  }
  mas.index = index;
  mas.last = last;
}

/**
 * mas_store_root() / mas_root_expand() - a write into an empty or root-pointer tree.
 * Models: lib/maple_tree.c: mas_store_root(), mas_root_expand()
 */
function mas_store_root(mas: ma_state, entry: maple_entry): void {
  const mt = mas.tree;
  if (entry === null) {
    if (mas.index === 0) mt.ma_root = null;
    return;
  }
  if (mas.index === 0 && mas.last === 0 && !xa_is_internal(entry)) {
    mt.ma_root = entry;
    mas.status = 'ma_start';
    return;
  }
  const contents = mt.ma_root;
  const b: big_node = { piv: [], slt: [] };
  if (mas.index > 0) {
    if (contents !== null) {
      b.piv.push(0);
      b.slt.push(contents);
    }
    if (mas.index > 1 || contents === null) {
      b.piv.push(mas.index - 1);
      b.slt.push(null);
    }
  }
  b.piv.push(mas.last);
  b.slt.push(entry);
  if (mas.last !== ULONG_MAX) {
    b.piv.push(ULONG_MAX);
    b.slt.push(null);
  }
  const node = new maple_node(maple_leaf_64);
  mab_fill_node(node, b, 0, b.piv.length, 0, ULONG_MAX);
  mt.ma_root = node;
  mt_set_height(mt, 1);
  mas_wr_reposition(mas);
}

/**
 * mas_new_root() - a write over [0, ULONG_MAX]: NULL empties the tree, anything else is a
 * one-slot leaf. Models: lib/maple_tree.c: mas_new_root()
 */
function mas_new_root(mas: ma_state, entry: maple_entry): void {
  const mt = mas.tree;
  const old = mt.ma_root;
  if (entry === null) {
    mt.ma_root = null;
    mt_set_height(mt, 0);
    mas.status = 'ma_start';
  } else {
    const node = new maple_node(maple_leaf_64);
    node.slot[0] = entry;
    node.pivot[0] = ULONG_MAX;
    mt.ma_root = node;
    mt_set_height(mt, 1);
    mas_wr_reposition(mas);
  }
  if (xa_is_node(old)) mte_set_dead_walk(old);
}

/**
 * mas_wr_node_store() - the write stays inside @leaf (bounds min..max) and the leaf neither
 * overflows nor falls under its minimum: rewrite it in place (non-RCU). Returns false otherwise.
 * Models: lib/maple_tree.c: mas_wr_node_store() / mas_wr_slot_store() / mas_wr_append()
 */
function mas_wr_node_store(leaf: maple_node, min: number, max: number, index: number, last: number, entry: maple_entry): boolean {
  const end = leaf.end;
  const pivot = leaf.pivot;
  let offset = 0;
  while (offset < end && (pivot[offset] as number) < index) offset++;
  let offset_end = offset;
  while (offset_end < end && (pivot[offset_end] as number) < last) offset_end++;
  const r_min = offset === 0 ? min : (pivot[offset - 1] as number) + 1;
  const end_piv = offset_end < end ? (pivot[offset_end] as number) : max;
  const head = r_min < index ? 1 : 0;
  const tail = end_piv > last ? 1 : 0;
  const new_end = end - (offset_end - offset + 1) + head + 1 + tail;
  if (new_end >= leaf.slot.length || (leaf.parent !== null && new_end < mt_min_slots(leaf.type))) return false;
  const head_entry = leaf.slot[offset];
  const tail_entry = leaf.slot[offset_end];
  // the slots after the write move by (new_end - end); copy in the direction that is safe
  const shift = new_end - end;
  // (the slot at end has no pivot of its own: its upper bound is max; inline, no closure)
  const npiv = pivot.length;
  const slot = leaf.slot;
  if (shift > 0) {
    for (let i = end; i > offset_end; i--) {
      slot[i + shift] = slot[i];
      if (i + shift < npiv) pivot[i + shift] = i < end ? (pivot[i] as number) : max;
    }
  } else if (shift < 0) {
    for (let i = offset_end + 1; i <= end; i++) {
      slot[i + shift] = slot[i];
      if (i + shift < npiv) pivot[i + shift] = i < end ? (pivot[i] as number) : max;
    }
  }
  let at = offset;
  if (head) {
    leaf.slot[at] = head_entry;
    pivot[at++] = index - 1;
  }
  leaf.slot[at] = entry;
  if (at < pivot.length) pivot[at] = last;
  at++;
  if (tail) {
    leaf.slot[at] = tail_entry;
    if (at < pivot.length) pivot[at] = end_piv;
  }
  for (let i = new_end + 1; i < leaf.slot.length; i++) leaf.slot[i] = null;
  if (new_end < pivot.length) pivot[new_end] = max;
  for (let i = new_end + 1; i < pivot.length; i++) pivot[i] = 0;
  leaf.end = new_end;
  mas_update_gap(leaf, min, max);
  return true;
}

/** Leave @mas on the range just written, status ma_active (as after mas_wr_store_entry()). */
function mas_wr_reposition(mas: ma_state): void {
  mas.status = 'ma_start';
  mas_state_walk(mas);
}

/**
 * mas_wr_store_entry() - perform the write classified in @wr; allocation has already been
 * accounted. With @reposition, leaves the state on the written range (which a NULL write widens
 * to the merged NULL range), status ma_active; the mtree_*() calls skip that walk.
 * Models: lib/maple_tree.c: mas_wr_store_entry()
 */
export function mas_wr_store_entry(wr: ma_wr_state, reposition: boolean): void {
  const mas = wr.mas;
  const entry = wr.entry;
  const mt = mas.tree;
  mas.store_type = wr.type;
  if (wr.type === 'wr_store_root') {
    mas_store_root(mas, entry);
    return;
  }
  if (wr.type === 'wr_spanning_store') {
    if (entry === null) mas_extend_null(mas);
  } else {
    mas.index = wr.index;
    mas.last = wr.last;
  }
  if (mas.index === 0 && mas.last === ULONG_MAX) {
    mas_new_root(mas, entry);
    return;
  }
  const leaf = wr.node;
  if (wr.type === 'wr_exact_fit' && leaf !== null) {
    // one slot rewritten in place, even in RCU mode; the walk found the slot
    const offset = wr.offset;
    const was_null = leaf.slot[offset] === null;
    leaf.slot[offset] = entry;
    if (was_null !== (entry === null)) mas_update_gap(leaf, wr.min, wr.max);
  } else if (leaf === null || mt_in_rcu(mt) || !mas_wr_node_store(leaf, wr.min, wr.max, mas.index, mas.last, entry)) {
    const lo = leaf === null ? null : { node: leaf, min: wr.min, max: wr.max };
    mas_wr_rebuild(mt, mas.index, mas.last, entry, !mt_in_rcu(mt), lo);
  }
  if (reposition) mas_wr_reposition(mas);
}

/** The entry stored at @index (mtree_load() without the zero-entry filter). */
export function mas_wr_content(mt: maple_tree, index: number): maple_entry {
  const root = mt.ma_root;
  if (xa_is_node(root)) return mtree_lookup_walk(root, index);
  return index === 0 ? root : null;
}
