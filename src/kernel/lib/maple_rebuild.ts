// Models lib/maple_tree.c @ 7.3.4: the node rewrite behind every store that changes a node's
// layout: the big node of the leaves a write touches (mab_*), split, push-left and rebalance
// (mas_split(), mas_push_data(), mas_rebalance()), the parent levels rebuilt up to the root
// (mas_wr_spanning_store() and friends), gap updates and dead-node marking. The write path that
// decides when to call it is maple_write.ts; its CUSTOMISED list covers this file too.

import {
  type maple_entry,
  type maple_tree,
  ULONG_MAX,
  ma_is_leaf,
  ma_max_gap,
  maple_leaf_64,
  maple_node,
  mt_height,
  mt_internal_type,
  mt_min_slots,
  mt_set_height,
  mt_slots,
} from './maple_node.ts';

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
export interface big_node {
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
export function mab_fill_node(node: maple_node, b: big_node, from: number, to: number, min: number, max: number): void {
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
export function mte_set_dead_walk(node: maple_node): void {
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
export function mas_update_gap(node: maple_node, min: number, max: number): void {
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
export function mas_wr_rebuild(
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
