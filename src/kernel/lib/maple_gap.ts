// Models lib/maple_tree.c @ 7.3.4: gap search in allocation trees — mas_empty_area(),
// mas_empty_area_rev(), mas_awalk()/mas_anode_descend(), mas_rev_awalk() and mas_sparse_area().
//
// CUSTOMISED:
// - The search is a depth-first walk that enters a child only when the child's recorded gap
//   (arange_64 gap[]) is large enough, and clips NULL slots to [min, max] in the leaves. It finds
//   the same window as the kernel's ascend/descend loop; it always starts from the root, whereas a
//   kernel call made without mas_reset() continues from the state's current node.
// - On a plain tree (no gap data) every child is entered; the kernel's search cannot descend there.
// - A failed search always leaves the state in ma_error(-EBUSY) with index/last = min/max. The
//   kernel's reverse search can instead return -EBUSY with the state still ma_active when it gives
//   up while rewinding from the left-most subtree.

import {
  type ma_state,
  type maple_node,
  EBUSY,
  EINVAL,
  ULONG_MAX,
  ma_is_leaf,
  mas_is_none,
  mas_is_ptr,
} from './maple_node.ts';
import { mas_set_err, mas_start } from './maple_walk.ts';

interface gap_search {
  min: number;
  max: number;
  size: number;
  rev: boolean;
  /** The window found: its start (forward) or end (reverse). */
  found: number;
  leaf: maple_node | null;
  leaf_min: number;
  leaf_max: number;
  offset: number;
}

/** mas_anode_descend() / mas_rev_awalk() over one node, recursing into children that may fit. */
function mas_awalk_node(s: gap_search, node: maple_node, nmin: number, nmax: number): boolean {
  const end = node.end;
  for (let k = 0; k <= end; k++) {
    const offset = s.rev ? end - k : k;
    const smin = offset === 0 ? nmin : (node.pivot[offset - 1] as number) + 1;
    const smax = offset < end ? (node.pivot[offset] as number) : nmax;
    if (smax < s.min || smin > s.max) continue;
    if (ma_is_leaf(node.type)) {
      if (node.slot[offset] !== null) continue;
      const lo = smin > s.min ? smin : s.min;
      const hi = smax < s.max ? smax : s.max;
      if (hi - lo + 1 < s.size) continue;
      s.found = s.rev ? hi : lo;
      s.leaf = node;
      s.leaf_min = nmin;
      s.leaf_max = nmax;
      s.offset = offset;
      return true;
    }
    if (node.gap !== null && (node.gap[offset] as number) < s.size) continue;
    if (mas_awalk_node(s, node.slot[offset] as maple_node, smin, smax)) return true;
  }
  return false;
}

/**
 * mas_sparse_area() - the answer in an empty or root-pointer tree (index 0 is taken in the latter).
 * Models: lib/maple_tree.c: mas_sparse_area()
 */
function mas_sparse_area(mas: ma_state, min: number, max: number, size: number, fwd: boolean): number {
  if (mas.status !== 'ma_none' && min === 0) {
    min++;
    if (min > max || max - min + 1 < size) return -EBUSY;
  }
  if (fwd) {
    mas.index = min;
    mas.last = min + size - 1;
  } else {
    mas.last = max;
    mas.index = max - size + 1;
  }
  return 0;
}

function mas_empty_area_common(mas: ma_state, min: number, max: number, size: number, rev: boolean): number {
  if (min > max) return -EINVAL;
  if (size === 0 || max - min < size - 1) return -EINVAL;
  mas.status = 'ma_start';
  mas_start(mas);
  if (mas_is_none(mas) || mas_is_ptr(mas)) return mas_sparse_area(mas, min, max, size, !rev);
  // the start of the window can only be within these values
  mas.index = min;
  mas.last = max;
  const s: gap_search = { min, max, size, rev, found: 0, leaf: null, leaf_min: 0, leaf_max: 0, offset: 0 };
  if (!mas_awalk_node(s, mas.node as maple_node, 0, ULONG_MAX) || s.leaf === null) {
    mas_set_err(mas, -EBUSY);
    return -EBUSY;
  }
  mas.node = s.leaf;
  mas.min = s.leaf_min;
  mas.max = s.leaf_max;
  mas.offset = s.offset;
  mas.end = s.leaf.end;
  if (rev) {
    mas.last = s.found;
    mas.index = s.found - size + 1;
  } else {
    mas.index = s.found;
    mas.last = s.found + size - 1;
  }
  return 0;
}

/**
 * mas_empty_area() - the lowest window of @size NULL indices within [min, max]: index/last are
 * set to it. Returns 0, -EINVAL or -EBUSY.
 * Models: lib/maple_tree.c: mas_empty_area()
 */
export function mas_empty_area(mas: ma_state, min: number, max: number, size: number): number {
  return mas_empty_area_common(mas, min, max, size, false);
}

/**
 * mas_empty_area_rev() - the highest window of @size NULL indices within [min, max].
 * Models: lib/maple_tree.c: mas_empty_area_rev()
 */
export function mas_empty_area_rev(mas: ma_state, min: number, max: number, size: number): number {
  return mas_empty_area_common(mas, min, max, size, true);
}
