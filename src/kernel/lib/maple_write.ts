// Models lib/maple_tree.c @ 7.3.4: the write path — mas_wr_store_type() (store-type choice and
// hence node counts), mas_store_root()/mas_root_expand()/mas_new_root(), NULL expansion
// (mas_wr_extend_null() / mas_extend_spanning_null()), and the node rewrite of node stores,
// splits, rebalances and spanning stores.
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
  ma_max_gap,
  maple_leaf_64,
  maple_node,
  mt_height,
  mt_in_rcu,
  mt_internal_type,
  mt_min_slots,
  mt_set_height,
  mt_slots,
  mte_is_root,
  xa_is_internal,
  xa_is_node,
} from './maple_node.ts';
import { MA_STATE, mas_set, mas_state_walk, mas_walk, mtree_lookup_walk } from './maple_walk.ts';

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

/** A node of the level being rebuilt, with its bounds. */
interface level_node {
  node: maple_node;
  min: number;
  max: number;
}

/** The leaf (or the node @levels above the leaves) holding @index, with its bounds. */
function node_at(mt: maple_tree, index: number, level: number): level_node {
  let node = mt.ma_root as maple_node;
  let min = 0;
  let max = ULONG_MAX;
  for (let depth = mt_height(mt) - 1; depth > level; depth--) {
    const end = node.end;
    const pivot = node.pivot;
    let offset = 0;
    while (offset < end && (pivot[offset] as number) < index) offset++;
    const smin = offset === 0 ? min : (pivot[offset - 1] as number) + 1;
    max = offset < end ? (pivot[offset] as number) : max;
    min = smin;
    node = node.slot[offset] as maple_node;
  }
  return { node, min, max };
}

/** Bounds of @node, found by ascending (mas_ascend()). */
function node_bounds(node: maple_node): level_node {
  let min = -1;
  let max = -1;
  let n = node;
  while (n.parent !== null && (min < 0 || max < 0)) {
    const p = n.parent;
    const s = n.parent_slot;
    if (min < 0 && s > 0) min = (p.pivot[s - 1] as number) + 1;
    if (max < 0 && s < p.end) max = p.pivot[s] as number;
    n = p;
  }
  return { node, min: min < 0 ? 0 : min, max: max < 0 ? ULONG_MAX : max };
}

/** The content of one level being rebuilt: slot i covers up to piv[i]. */
interface big_node {
  piv: number[];
  slt: unknown[];
}

/** Append the slots of @n (bounds @min..@max) whose range ends in [from, to]. */
function push_slots(b: big_node, n: maple_node, max: number, from: number, to: number): void {
  for (let i = 0; i <= n.end; i++) {
    const hi = i < n.end ? (n.pivot[i] as number) : max;
    if (hi >= from && hi <= to) {
      b.piv.push(hi);
      b.slt.push(n.slot[i]);
    }
  }
}

/**
 * Prepend all slots of @n to @b: the slots of @n, then those of @b, in new arrays (cheaper than
 * unshift() of a spread or concat() on these short mixed arrays).
 */
function mab_prepend(b: big_node, n: level_node): void {
  const nb: big_node = { piv: [], slt: [] };
  push_slots(nb, n.node, n.max, 0, ULONG_MAX);
  for (let i = 0; i < b.piv.length; i++) {
    nb.piv.push(b.piv[i] as number);
    nb.slt.push(b.slt[i]);
  }
  b.piv = nb.piv;
  b.slt = nb.slt;
}

/**
 * mab_calc_split()-like cut of @n slots into nodes of at most @cap and at least @min_count
 * (when more than one), never ending a non-last leaf on NULL. Returns the end (exclusive) of each node.
 */
function mab_calc_split(b: big_node, cap: number, min_count: number, leaf: boolean): number[] {
  const n = b.piv.length;
  for (let k = Math.ceil(n / cap); ; k++) {
    const cuts: number[] = [];
    const base = Math.floor(n / k);
    let rem = n % k;
    let at = 0;
    for (let j = 0; j < k; j++) {
      at += base + (rem > 0 ? 1 : 0);
      if (rem > 0) rem--;
      cuts.push(at);
    }
    let ok = true;
    for (let j = 0; leaf && j < k - 1; j++) {
      const cut = cuts[j] as number;
      if (b.slt[cut - 1] !== null) continue;
      const size = cut - (j === 0 ? 0 : (cuts[j - 1] as number));
      const next = (cuts[j + 1] as number) - cut;
      if (size - 1 >= min_count && next + 1 <= cap) cuts[j] = cut - 1;
      else if (size + 1 <= cap && next - 1 >= min_count) cuts[j] = cut + 1;
      else ok = false;
    }
    if (ok) return cuts;
  }
}

/**
 * mas_push_data()-like: a node that overflows by a little shares with its left sibling when that
 * has room, leaving the left node nearly full (this keeps sequentially built trees as shallow as
 * the kernel's). Prepends the sibling's slots to @b and returns the sibling (with its bounds) and the
 * left node's new size, or null when there is no push.
 * Models: lib/maple_tree.c: mas_push_data() (CUSTOMISED: left only, fill to slots - 1)
 */
function mas_push_left(
  mt: maple_tree, level: number, lo: level_node, hi: level_node, b: big_node, cap: number, min_count: number,
): push_left | null {
  if (lo.node !== hi.node || lo.node.parent === null || lo.node.parent_slot === 0 || b.piv.length <= cap) return null;
  const sib = lo.node.parent.slot[lo.node.parent_slot - 1] as maple_node;
  const total = sib.end + 1 + b.piv.length;
  if (sib.end + 1 >= cap - 1 || total > 2 * cap - 1) return null;
  const left = node_at(mt, lo.min - 1, level);
  mab_prepend(b, left);
  return { left, fill: Math.min(cap - 1, total - min_count) };
}

/** What mas_push_left() moved: the left sibling and the size the left node gets. */
interface push_left {
  left: level_node;
  fill: number;
}

/** Two cuts for a push: the left node gets @left slots (one fewer or more if it would end in NULL). */
function mab_push_cuts(b: big_node, left: number, cap: number, leaf: boolean): number[] {
  const n = b.piv.length;
  let cut = left;
  if (leaf && b.slt[cut - 1] === null) cut = n - (cut - 1) <= cap ? cut - 1 : cut + 1;
  return [cut, n];
}

/** Fill @node with slots [from, to) of @b; the node's bounds are min..max. */
function mab_fill_node(node: maple_node, b: big_node, from: number, to: number, min: number, max: number): void {
  const count = to - from;
  const slot = node.slot;
  const pivot = node.pivot;
  const npiv = pivot.length;
  node.end = count - 1;
  // slots [0, count) from @b, the rest NULL; pivots from @b, the last used one is max, the rest 0
  for (let i = 0; i < count; i++) slot[i] = b.slt[from + i];
  for (let i = count; i < slot.length; i++) slot[i] = null;
  for (let i = 0; i < count - 1 && i < npiv; i++) pivot[i] = b.piv[from + i] as number;
  if (count - 1 < npiv) pivot[count - 1] = max;
  for (let i = count; i < npiv; i++) pivot[i] = 0;
  if (!ma_is_leaf(node.type)) {
    let cmin = min;
    for (let i = 0; i < count; i++) {
      const child = node.slot[i] as maple_node;
      const cmax = i < count - 1 ? (b.piv[from + i] as number) : max;
      child.parent = node;
      child.parent_slot = i;
      if (node.gap !== null) node.gap[i] = ma_max_gap(child, cmin, cmax);
      cmin = cmax + 1;
    }
    if (node.gap !== null) for (let i = count; i < node.gap.length; i++) node.gap[i] = 0;
  }
}

/** Is @node still reachable from the root through consistent parent links? */
function mte_linked(mt: maple_tree, node: maple_node): boolean {
  let n = node;
  while (n.parent !== null) {
    if (n.parent.slot[n.parent_slot] !== n) return false;
    n = n.parent;
  }
  return mt.ma_root === n;
}

/** mte_destroy_walk()-like: mark @node and its unshared descendants dead. */
function mte_set_dead_walk(node: maple_node): void {
  node.dead = true;
  // The kernel's mte_set_node_dead() overwrites the parent pointer too. Dropping it matters here:
  // a replaced node old enough to sit in V8's old generation would otherwise keep the young nodes
  // above it alive through every scavenge. Nothing follows a dead node's parent (readers re-walk).
  node.parent = null;
  if (ma_is_leaf(node.type)) return;
  for (let i = 0; i <= node.end; i++) {
    const child = node.slot[i] as maple_node;
    if (child.parent === node && !child.dead) mte_set_dead_walk(child);
  }
}

/**
 * mas_update_gap() - push the largest gap of @node up through its parents until it stops
 * changing. Models: lib/maple_tree.c: mas_update_gap() / mas_parent_gap()
 */
function mas_update_gap(node: maple_node, min: number, max: number): void {
  let n = node;
  let lo = min;
  let hi = max;
  while (n.parent !== null) {
    const p = n.parent;
    if (p.gap === null) return;
    const g = ma_max_gap(n, lo, hi);
    if (p.gap[n.parent_slot] === g) return;
    p.gap[n.parent_slot] = g;
    const bounds = node_bounds(p);
    lo = bounds.min;
    hi = bounds.max;
    n = p;
  }
}

/** The tree shrinks while its root is an internal node with one child. */
function mas_collapse_root(mt: maple_tree): void {
  let root = mt.ma_root as maple_node;
  let height = mt_height(mt);
  while (!ma_is_leaf(root.type) && root.end === 0) {
    const child = root.slot[0] as maple_node;
    root.dead = true;
    child.parent = null;
    child.parent_slot = 0;
    root = child;
    height--;
  }
  mt.ma_root = root;
  mt_set_height(mt, height);
}

/**
 * mas_wr_rebuild() - replace the leaves holding [index, last] by their new content and rebuild
 * each parent level until one node replaces one node (see the file header).
 * Models: lib/maple_tree.c: mas_wr_node_store(), mas_split(), mas_rebalance(),
 * mas_wr_spanning_store() (CUSTOMISED: one routine, see header)
 */
function mas_wr_rebuild(
  mt: maple_tree, index: number, last: number, entry: maple_entry, in_place: boolean, leaf: level_node | null,
): void {
  let lo = leaf ?? node_at(mt, index, 0);
  let hi = lo.max >= last ? lo : node_at(mt, last, 0);
  let b: big_node = { piv: [], slt: [] };
  // the big node: the head of the first leaf, the new range, the tail of the last leaf
  for (let i = 0, smin = lo.min; i <= lo.node.end; i++) {
    const smax = i < lo.node.end ? (lo.node.pivot[i] as number) : lo.max;
    if (smax >= index) {
      if (smin < index) {
        b.piv.push(index - 1);
        b.slt.push(lo.node.slot[i]);
      }
      break;
    }
    b.piv.push(smax);
    b.slt.push(lo.node.slot[i]);
    smin = smax + 1;
  }
  b.piv.push(last);
  b.slt.push(entry);
  push_slots(b, hi.node, hi.max, last + 1, ULONG_MAX);
  const olds: maple_node[] = [];
  for (let level = 0; ; level++) {
    const leaf = level === 0;
    const type = leaf ? maple_leaf_64 : mt_internal_type(mt);
    const cap = mt_slots(type);
    const min_count = mt_min_slots(type) + 1;
    // a non-right-most leaf must not end in NULL: take in the next leaf
    if (leaf && hi.max !== ULONG_MAX && b.slt[b.slt.length - 1] === null) {
      hi = node_at(mt, hi.max + 1, 0);
      push_slots(b, hi.node, hi.max, 0, ULONG_MAX);
    }
    const is_root = lo.node.parent === null && hi.node.parent === null;
    if (!is_root && b.piv.length < min_count) {
      // rebalance: take in a whole neighbour at this level
      if (lo.min > 0) {
        lo = node_at(mt, lo.min - 1, level);
        mab_prepend(b, lo);
      } else if (hi.max < ULONG_MAX) {
        hi = node_at(mt, hi.max + 1, level);
        push_slots(b, hi.node, hi.max, 0, ULONG_MAX);
      }
    }
    const push = mas_push_left(mt, level, lo, hi, b, cap, min_count);
    if (push !== null) {
      // the left sibling joined the big node: lo moves to it
      lo = push.left;
      olds.push(lo.node);
    }
    const cuts = push !== null ? mab_push_cuts(b, push.fill, cap, leaf) : mab_calc_split(b, cap, min_count, leaf);
    olds.push(lo.node);
    if (hi.node !== lo.node) olds.push(hi.node);
    if (!leaf) {
      const l = lo.node;
      const h = hi.node;
      for (let i = 0; i <= l.end; i++) olds.push(l.slot[i] as maple_node);
      if (h !== l) for (let i = 0; i <= h.end; i++) olds.push(h.slot[i] as maple_node);
    }
    if (cuts.length === 1 && lo.node === hi.node) {
      // one node replaces one node: rewrite in place, or swap in a new node (RCU)
      let node = lo.node;
      if (!in_place) {
        node = new maple_node(type);
        node.parent = lo.node.parent;
        node.parent_slot = lo.node.parent_slot;
        if (node.parent === null) mt.ma_root = node;
        else node.parent.slot[node.parent_slot] = node;
      }
      mab_fill_node(node, b, 0, b.piv.length, lo.min, lo.max);
      if (node.parent === null) mas_collapse_root(mt);
      else mas_update_gap(node, lo.min, lo.max);
      if (level === 0 && in_place) return; // nothing was unlinked
      break;
    }
    // build the new nodes of this level
    const made: maple_node[] = [];
    const maxes: number[] = [];
    let from = 0;
    let nmin = lo.min;
    for (const cut of cuts) {
      const node = new maple_node(type);
      const nmax = cut === b.piv.length ? hi.max : (b.piv[cut - 1] as number);
      mab_fill_node(node, b, from, cut, nmin, nmax);
      made.push(node);
      maxes.push(nmax);
      from = cut;
      nmin = nmax + 1;
    }
    if (is_root) {
      if (made.length === 1) {
        (made[0] as maple_node).parent = null;
        mt.ma_root = made[0];
        mas_collapse_root(mt);
      } else {
        const root = new maple_node(mt_internal_type(mt));
        const rb: big_node = { piv: maxes, slt: made };
        mab_fill_node(root, rb, 0, made.length, 0, ULONG_MAX);
        mt.ma_root = root;
        mt_set_height(mt, mt_height(mt) + 1);
      }
      break;
    }
    // the parent level: its slots before lo, the new nodes, its slots after hi
    const pl = lo.node.parent as maple_node;
    const ph = hi.node.parent as maple_node;
    const pl_bounds = node_bounds(pl);
    const ph_bounds = pl === ph ? pl_bounds : node_bounds(ph);
    const phmax = ph_bounds.max;
    const pb: big_node = { piv: [], slt: [] };
    for (let i = 0; i < lo.node.parent_slot; i++) {
      pb.piv.push(pl.pivot[i] as number);
      pb.slt.push(pl.slot[i]);
    }
    for (let i = 0; i < made.length; i++) {
      pb.piv.push(maxes[i] as number);
      pb.slt.push(made[i]);
    }
    for (let i = hi.node.parent_slot + 1; i <= ph.end; i++) {
      pb.piv.push(i < ph.end ? (ph.pivot[i] as number) : phmax);
      pb.slt.push(ph.slot[i]);
    }
    b = pb;
    lo = pl_bounds;
    hi = ph_bounds;
  }
  mte_set_dead_unlinked(mt, olds);
}

/**
 * Mark dead every node of @olds no longer reachable from the root. @olds lists siblings together,
 * so a parent found linked is remembered: a sibling under it then needs one slot check instead of
 * a climb to the root (same answer as mte_linked(); only dead flags change in the loop).
 */
function mte_set_dead_unlinked(mt: maple_tree, olds: readonly maple_node[]): void {
  let linked_parent: maple_node | null = null;
  for (let i = 0; i < olds.length; i++) {
    const n = olds[i] as maple_node;
    if (n.dead) continue;
    const p = n.parent;
    let linked: boolean;
    if (p !== null && p === linked_parent) {
      linked = p.slot[n.parent_slot] === n;
    } else {
      linked = mte_linked(mt, n);
      if (linked && p !== null) linked_parent = p;
    }
    if (!linked) mte_set_dead_walk(n);
  }
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
