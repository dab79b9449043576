// Models lib/maple_tree.c @ 7.3.4: node allocation for writes — mas_prealloc_calc(),
// mas_node_count_gfp()/mas_alloc_nodes(), mas_nomem() and mas_destroy().
//
// CUSTOMISED: there is no slab. A gfp_t is the caller's allocator: a function asked once per node
// an operation requests; it answers false to make that allocation fail. Preallocated nodes are a
// count in mas.alloc. The GFP_NOWAIT-then-gfp retry of mas_nomem() collapses into one attempt
// with the caller's allocator (the model decides failures, not the memory pressure).

import {
  type ma_state,
  type maple_entry,
  type store_type,
  ENOMEM,
  MA_STATE_BULK,
  MA_STATE_PREALLOC,
  MA_STATE_REBALANCE,
  mt_height,
  mt_in_rcu,
  xa_is_internal,
} from './maple_node.ts';
import { mas_set_err } from './maple_walk.ts';

/** The allocator: asked once per node; false means that node allocation fails. */
export type gfp_t = () => boolean;

/** GFP_KERNEL: every allocation succeeds. */
export const GFP_KERNEL: gfp_t = () => true;
/** GFP_NOWAIT: in the model it succeeds too; pass a failing gfp_t to inject -ENOMEM. */
export const GFP_NOWAIT: gfp_t = () => true;

/**
 * mas_prealloc_calc() - nodes the write classified as @type may need (worst case).
 * Models: lib/maple_tree.c: mas_prealloc_calc()
 */
export function mas_prealloc_calc_type(mas: ma_state, type: store_type, entry: maple_entry): number {
  const height = mt_height(mas.tree);
  switch (type) {
    case 'wr_invalid':
      return height * 3 + 1;
    case 'wr_new_root':
      return 1;
    case 'wr_store_root':
      if (mas.last !== 0 || mas.index !== 0) return 1;
      return xa_is_internal(entry) ? 1 : 0; // would look like an internal value: needs a leaf
    case 'wr_spanning_store':
      return height * 3 + 1;
    case 'wr_split_store':
      return height * 2 + 1;
    case 'wr_rebalance':
      return height * 2 - 1;
    case 'wr_node_store':
      return mt_in_rcu(mas.tree) ? 1 : 0;
    case 'wr_append':
    case 'wr_exact_fit':
    case 'wr_slot_store':
      return 0;
  }
}

/**
 * mas_node_count_gfp() - make sure @mas holds @count nodes, asking @gfp once per missing node.
 * On failure the state is in ma_error(-ENOMEM) and holds no nodes.
 * Models: lib/maple_tree.c: mas_node_count_gfp() / mas_alloc_nodes()
 */
export function mas_node_count_gfp(mas: ma_state, count: number, gfp: gfp_t): void {
  while (mas.alloc < count) {
    if (!gfp()) {
      mas.alloc = 0;
      mas_set_err(mas, -ENOMEM);
      return;
    }
    mas.alloc++;
  }
}

/**
 * mas_destroy() - release leftover preallocated nodes and clear the PREALLOC/BULK flags.
 * Models: lib/maple_tree.c: mas_destroy()
 */
export function mas_destroy(mas: ma_state): void {
  mas.mas_flags &= ~(MA_STATE_BULK | MA_STATE_PREALLOC | MA_STATE_REBALANCE);
  mas.alloc = 0;
}
