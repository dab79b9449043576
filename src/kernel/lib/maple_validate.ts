// Models lib/maple_tree.c @ 7.3.4 (CONFIG_DEBUG_MAPLE_TREE): mt_validate() with
// mas_validate_parent_slot(), mas_validate_child_slot(), mas_validate_limits(),
// mas_validate_gaps() and mt_validate_nulls().
//
// CUSTOMISED: returns the list of violations (empty when the tree is valid) instead of printing
// and warning; the checks are the invariants of maple-tree.md sections 2, 3 and 5.

import {
  type maple_node,
  type maple_tree,
  ULONG_MAX,
  ma_is_leaf,
  ma_max_gap,
  mt_height,
  mt_internal_type,
  mt_is_alloc,
  mt_min_slots,
  mt_slots,
  xa_is_node,
} from './maple_node.ts';

interface validate_state {
  mt: maple_tree;
  errors: string[];
  leaf_depth: number;
  /** Entry of the last slot seen, in index order, to check NULL coalescing across leaves. */
  prev_entry: unknown;
  prev_max: number;
}

function err(v: validate_state, msg: string): void {
  if (v.errors.length < 20) v.errors.push(msg);
}

/** mas_validate_limits() and mt_validate_nulls() for one node, then its children. */
function mt_validate_node(v: validate_state, node: maple_node, min: number, max: number, depth: number): void {
  const where = `node [${min}, ${max}] depth ${depth}`;
  const end = node.end;
  const npiv = node.pivot.length;
  if (node.dead) err(v, `${where}: dead node linked in the tree`);
  if (end < 0 || end >= mt_slots(node.type)) err(v, `${where}: bad end ${end}`);
  if (node.parent !== null && end < mt_min_slots(node.type)) err(v, `${where}: under-full (end ${end})`);
  const leaf = ma_is_leaf(node.type);
  if (!leaf && node.type !== mt_internal_type(v.mt)) err(v, `${where}: wrong internal node type ${node.type}`);
  if ((node.gap !== null) !== (!leaf && mt_is_alloc(v.mt))) err(v, `${where}: gap array mismatch`);
  let lo = min;
  for (let i = 0; i <= end; i++) {
    const hi = i < end ? (node.pivot[i] as number) : max;
    if (hi < lo || hi > max) err(v, `${where}: pivot ${i} = ${hi} out of order (slot starts at ${lo})`);
    const slot = node.slot[i];
    if (leaf) {
      if (xa_is_node(slot)) err(v, `${where}: node in a leaf slot ${i}`);
      if (slot === null && v.prev_entry === null && v.prev_max === lo - 1) {
        err(v, `${where}: adjacent NULL ranges at ${lo}`);
      }
      if (slot === null && i === end && max !== ULONG_MAX) err(v, `${where}: non-right-most leaf ends in NULL`);
      v.prev_entry = slot;
      v.prev_max = hi;
    } else if (!xa_is_node(slot)) {
      err(v, `${where}: internal slot ${i} is not a node`);
    } else {
      if (slot.parent !== node || slot.parent_slot !== i) err(v, `${where}: child ${i} has a wrong parent link`);
      if (node.gap !== null) {
        const g = ma_max_gap(slot, lo, hi);
        if (node.gap[i] !== g) err(v, `${where}: gap ${i} is ${node.gap[i]}, expected ${g}`);
      }
      mt_validate_node(v, slot, lo, hi, depth + 1);
    }
    lo = hi + 1;
  }
  if (end < npiv && node.pivot[end] !== max) err(v, `${where}: pivot at end ${end} is not the node max`);
  for (let i = end + 1; i < npiv; i++) if (node.pivot[i] !== 0) err(v, `${where}: unused pivot ${i} not 0`);
  for (let i = end + 1; i < node.slot.length; i++) if (node.slot[i] !== null) err(v, `${where}: unused slot ${i} set`);
  if (node.gap !== null) for (let i = end + 1; i < node.gap.length; i++) if (node.gap[i] !== 0) err(v, `${where}: unused gap ${i} set`);
  if (leaf) {
    if (v.leaf_depth < 0) v.leaf_depth = depth;
    else if (v.leaf_depth !== depth) err(v, `${where}: leaves at different depths`);
  }
}

/**
 * mt_validate() - check the tree's structural invariants: pivots ordered and inside the node's
 * limits, data end and unused slots consistent, minimum occupancy of non-root nodes, parent
 * links, node types, gaps of allocation trees, no adjacent NULL ranges, height.
 * Returns the violations found (at most 20); an empty list means valid.
 * Models: lib/maple_tree.c: mt_validate()
 */
export function mt_validate(mt: maple_tree): string[] {
  const v: validate_state = { mt, errors: [], leaf_depth: -1, prev_entry: undefined, prev_max: -2 };
  const root = mt.ma_root;
  if (!xa_is_node(root)) {
    if (mt_height(mt) !== 0) err(v, `height ${mt_height(mt)} without a root node`);
    return v.errors;
  }
  if (root.parent !== null) err(v, 'root node has a parent');
  mt_validate_node(v, root, 0, ULONG_MAX, 1);
  if (v.leaf_depth !== mt_height(mt)) err(v, `height ${mt_height(mt)} but leaves at depth ${v.leaf_depth}`);
  return v.errors;
}
