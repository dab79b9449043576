// Models lib/maple_tree.c @ 7.3.4: whole-tree copy and destruction — __mt_dup()/mtree_dup()
// (mas_dup_build(), mas_copy_node(), mas_dup_free()) and __mt_destroy()/mtree_destroy().
//
// CUSTOMISED: nodes are copied depth first in pre-order, asking the allocator once per node (the
// kernel bulk-allocates each node's children). On -ENOMEM the partial copy is discarded and the new
// tree is left empty. Destroying marks the nodes dead instead of freeing them (no RCU callbacks).

import {
  type maple_tree,
  EINVAL,
  ENOMEM,
  MT_FLAGS_HEIGHT_MASK,
  ma_is_leaf,
  maple_node,
  mt_set_height,
  xa_is_node,
} from './maple_node.ts';
import type { gfp_t } from './maple_alloc.ts';

/** mas_copy_node() and its children, pre-order; null when @gfp refused a node. */
function mas_dup_node(src: maple_node, parent: maple_node | null, parent_slot: number, gfp: gfp_t): maple_node | null {
  if (!gfp()) return null;
  // mas_copy_node(): same pivots and gaps; leaf entries are shared, not copied
  const node = new maple_node(src.type, src);
  node.parent = parent;
  node.parent_slot = parent_slot;
  if (ma_is_leaf(src.type)) return node;
  for (let i = 0; i <= src.end; i++) {
    const child = mas_dup_node(src.slot[i] as maple_node, node, i, gfp);
    if (child === null) return null;
    node.slot[i] = child;
  }
  return node;
}

/**
 * __mt_dup() - copy @mt into the empty tree @new_mt node by node, sharing the entries; @new_mt
 * then takes @mt's flags (height included). The caller holds both locks.
 * Returns 0, -EINVAL (@new_mt not empty, or flags differ apart from the height) or -ENOMEM
 * (@gfp refused a node; @new_mt is left empty).
 * Models: lib/maple_tree.c: __mt_dup() / mas_dup_build()
 */
export function __mt_dup(mt: maple_tree, new_mt: maple_tree, gfp: gfp_t): number {
  if (new_mt.ma_root !== null || (mt.ma_flags & ~MT_FLAGS_HEIGHT_MASK) !== (new_mt.ma_flags & ~MT_FLAGS_HEIGHT_MASK)) {
    return -EINVAL;
  }
  const root = mt.ma_root;
  if (xa_is_node(root)) {
    const copy = mas_dup_node(root, null, 0, gfp);
    if (copy === null) return -ENOMEM; // mas_dup_free(): the partial copy is dropped
    new_mt.ma_root = copy;
  } else {
    new_mt.ma_root = root;
  }
  new_mt.ma_flags = mt.ma_flags;
  return 0;
}

/** mtree_dup() - __mt_dup() taking both trees' locks. Models: lib/maple_tree.c: mtree_dup() */
export function mtree_dup(mt: maple_tree, new_mt: maple_tree, gfp: gfp_t): number {
  return __mt_dup(mt, new_mt, gfp);
}

/** Mark a whole subtree dead (mte_destroy_walk()). */
function mt_destroy_walk(node: maple_node): void {
  node.dead = true;
  if (ma_is_leaf(node.type)) return;
  for (let i = 0; i <= node.end; i++) mt_destroy_walk(node.slot[i] as maple_node);
}

/**
 * __mt_destroy() - drop every node, set the root to NULL, keep the attribute flags, zero the height.
 * Models: lib/maple_tree.c: __mt_destroy()
 */
export function __mt_destroy(mt: maple_tree): void {
  const root = mt.ma_root;
  if (xa_is_node(root)) mt_destroy_walk(root);
  mt.ma_root = null;
  mt_set_height(mt, 0);
}

/** mtree_destroy() - __mt_destroy() under the tree lock. Models: lib/maple_tree.c: mtree_destroy() */
export function mtree_destroy(mt: maple_tree): void {
  __mt_destroy(mt);
}
