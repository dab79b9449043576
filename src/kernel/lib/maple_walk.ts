// Models lib/maple_tree.c @ 7.3.4: the read side of the advanced API — mas_start(),
// mtree_range_walk(), mas_walk(), mtree_lookup_walk(), mas_next_slot()/mas_prev_slot(),
// mas_next_node()/mas_prev_node(), and the status machines mas_{next,prev,find,find_rev}_setup().
//
// CUSTOMISED: mas_next_node()/mas_prev_node() re-walk from the root to the neighbouring leaf
// instead of ascending and descending through the parents (same result, O(height) per leaf).
// A reader meeting a dead node re-walks from its save point, as mas_rewalk_if_dead() does.

import {
  type ma_state,
  type maple_entry,
  type maple_node,
  type maple_tree,
  MAPLE_NODE_SLOTS,
  ULONG_MAX,
  ma_is_leaf,
  xa_is_node,
  mas_is_active,
  mas_is_none,
  mas_is_overflow,
  mas_is_ptr,
  mas_is_start,
  mas_is_underflow,
} from './maple_node.ts';

/**
 * MA_STATE() - a fresh maple state for [first, last], in ma_start.
 * Models: include/linux/maple_tree.h: MA_STATE()
 */
export function MA_STATE(mt: maple_tree, first: number, last: number): ma_state {
  return {
    tree: mt,
    index: first,
    last,
    node: null,
    min: 0,
    max: ULONG_MAX,
    offset: 0,
    end: 0,
    depth: 0,
    status: 'ma_start',
    error: 0,
    store_type: 'wr_invalid',
    mas_flags: 0,
    alloc: 0,
  };
}

/**
 * mas_init() - reinitialise @mas on @tree at @addr.
 * Models: include/linux/maple_tree.h: mas_init()
 */
export function mas_init(mas: ma_state, tree: maple_tree, addr: number): void {
  Object.assign(mas, MA_STATE(tree, addr, addr));
}

/** mas_reset() - the next operation starts from the root. Models: maple_tree.h: mas_reset() */
export function mas_reset(mas: ma_state): void {
  mas.status = 'ma_start';
  mas.node = null;
}

/** mas_set_range() - set the range and reset. Models: maple_tree.h: mas_set_range() */
export function mas_set_range(mas: ma_state, start: number, last: number): void {
  mas.index = start;
  mas.last = last;
  mas_reset(mas);
}

/** mas_set() - set the index and reset. Models: maple_tree.h: mas_set() */
export function mas_set(mas: ma_state, index: number): void {
  mas_set_range(mas, index, index);
}

/** __mas_set_range() - change the range, keep the position. Models: maple_tree.h: __mas_set_range() */
export function __mas_set_range(mas: ma_state, start: number, last: number): void {
  mas.index = start;
  mas.last = last;
}

/** mas_pause() - the position may go stale; the next op re-walks. Models: lib/maple_tree.c: mas_pause() */
export function mas_pause(mas: ma_state): void {
  mas.status = 'ma_pause';
  mas.node = null;
}

/** mas_set_err(). Models: lib/maple_tree.c: mas_set_err() */
export function mas_set_err(mas: ma_state, err: number): void {
  mas.status = 'ma_error';
  mas.error = err;
  mas.node = null;
}

/**
 * mas_start() - set up the walk from the root: ma_active on a node tree, ma_none on an empty tree,
 * ma_root on a root-pointer tree (returning the root entry when index is 0).
 * Models: lib/maple_tree.c: mas_start()
 */
export function mas_start(mas: ma_state): maple_entry {
  if (mas.status !== 'ma_start') return null;
  mas.min = 0;
  mas.max = ULONG_MAX;
  mas.depth = 0;
  const root = mas.tree.ma_root;
  if (xa_is_node(root)) {
    mas.depth = 1;
    mas.status = 'ma_active';
    mas.node = root;
    mas.offset = 0;
    return null;
  }
  mas.node = null;
  mas.offset = MAPLE_NODE_SLOTS;
  if (root === null) {
    mas.status = 'ma_none';
    return null;
  }
  mas.status = 'ma_root';
  return mas.index > 0 ? null : root;
}

/**
 * mtree_range_walk() - descend from mas.node to the leaf slot holding mas.index, tracking the
 * node bounds; index/last become the slot's range.
 * Models: lib/maple_tree.c: mtree_range_walk()
 */
export function mtree_range_walk(mas: ma_state): maple_entry {
  let node = mas.node as maple_node;
  let min = mas.min;
  let max = mas.max;
  const index = mas.index;
  for (;;) {
    const end = node.end;
    const pivot = node.pivot;
    let offset = 0;
    while (offset < end && (pivot[offset] as number) < index) offset++;
    const smin = offset === 0 ? min : (pivot[offset - 1] as number) + 1;
    const smax = offset < end ? (pivot[offset] as number) : max;
    if (ma_is_leaf(node.type)) {
      mas.node = node;
      mas.offset = offset;
      mas.min = min;
      mas.max = max;
      mas.end = end;
      mas.index = smin;
      mas.last = smax;
      return node.slot[offset];
    }
    node = node.slot[offset] as maple_node;
    min = smin;
    max = smax;
    mas.depth++;
  }
}

/** mas_state_walk(). Models: lib/maple_tree.c: mas_state_walk() */
export function mas_state_walk(mas: ma_state): maple_entry {
  const entry = mas_start(mas);
  if (mas_is_none(mas)) return null;
  if (mas_is_ptr(mas)) return entry;
  return mtree_range_walk(mas);
}

/**
 * mas_walk() - find the range holding mas.index; index/last become that range (which may be
 * NULL). Returns the entry there, XA_ZERO_ENTRY included.
 * Models: lib/maple_tree.c: mas_walk()
 */
export function mas_walk(mas: ma_state): maple_entry {
  mas.status = 'ma_start';
  const entry = mas_state_walk(mas);
  if (mas_is_none(mas)) {
    mas.index = 0;
    mas.last = ULONG_MAX;
  } else if (mas_is_ptr(mas)) {
    if (mas.index === 0) {
      mas.last = 0;
      return entry;
    }
    mas.index = 1;
    mas.last = ULONG_MAX;
    mas.status = 'ma_none';
    return null;
  }
  return entry;
}

/**
 * mtree_lookup_walk() - the fast descent of mtree_load(): no bounds tracking.
 * Models: lib/maple_tree.c: mtree_lookup_walk()
 */
export function mtree_lookup_walk(root: maple_node, index: number): maple_entry {
  let node = root;
  for (;;) {
    const end = node.end;
    const pivot = node.pivot;
    let offset = 0;
    while (offset < end && (pivot[offset] as number) < index) offset++;
    const next = node.slot[offset];
    if (ma_is_leaf(node.type)) return next;
    node = next as maple_node;
  }
}

/** mas_rewalk(): re-walk to @index (after meeting a dead node). Models: lib/maple_tree.c: mas_rewalk() */
function mas_rewalk(mas: ma_state, index: number): void {
  mas_set(mas, index);
  mas_state_walk(mas);
}

/** Walk a scratch state to the leaf holding @index; copies the position into @mas. */
function mas_leaf_at(mas: ma_state, index: number): void {
  const save_index = mas.index;
  const save_last = mas.last;
  mas.index = index;
  mas.status = 'ma_start';
  mas_state_walk(mas);
  mas.index = save_index;
  mas.last = save_last;
}

/**
 * mas_next_node() - move to the next leaf; ma_overflow when the current one reaches @max or the
 * tree's end. Models: lib/maple_tree.c: mas_next_node() (CUSTOMISED: re-walk, see header)
 */
function mas_next_node(mas: ma_state, max: number): void {
  if (mas.max >= max || mas.max === ULONG_MAX) {
    mas.status = 'ma_overflow';
    return;
  }
  mas_leaf_at(mas, mas.max + 1);
}

/**
 * mas_prev_node() - move to the previous leaf, positioned on its last slot; ma_underflow at the
 * limit. Models: lib/maple_tree.c: mas_prev_node() (CUSTOMISED: re-walk, see header)
 */
function mas_prev_node(mas: ma_state, min: number): void {
  if (mas.min === 0 || mas.min - 1 < min) {
    mas.status = 'ma_underflow';
    return;
  }
  mas_leaf_at(mas, mas.min - 1);
  mas.offset = mas.end;
}

/**
 * mas_next_slot() - step to the next slot (@empty: NULL slots count), crossing leaves.
 * Models: lib/maple_tree.c: mas_next_slot()
 */
export function mas_next_slot(mas: ma_state, max: number, empty: boolean): maple_entry {
  const save_point = mas.last;
  for (;;) {
    let node = mas.node as maple_node;
    if (node.dead) {
      mas_rewalk(mas, save_point);
      continue;
    }
    if (mas.max >= max) {
      const pivot = mas.offset < mas.end ? (node.pivot[mas.offset] as number) : mas.max;
      if (pivot >= max) {
        mas.status = 'ma_overflow'; // was at the limit, next would extend beyond
        return null;
      }
    }
    if (mas.offset < mas.end) {
      mas.index = (node.pivot[mas.offset] as number) + 1;
      mas.offset++;
      mas.last = mas.offset < mas.end ? (node.pivot[mas.offset] as number) : mas.max;
    } else {
      if (mas.last >= max) {
        mas.status = 'ma_overflow';
        return null;
      }
      mas_next_node(mas, max);
      if (mas_is_overflow(mas)) return null;
      mas.offset = 0;
      mas.index = mas.min;
      node = mas.node as maple_node;
      mas.last = mas.end > 0 ? (node.pivot[0] as number) : mas.max;
    }
    for (;;) {
      const entry = node.slot[mas.offset];
      if (entry !== null || empty) return entry;
      if (mas.last >= max) {
        mas.status = 'ma_overflow';
        return null;
      }
      // skip the NULL: "goto again"
      mas.index = mas.last + 1;
      if (mas.offset >= mas.end) break;
      mas.offset++;
      mas.last = mas.offset < mas.end ? (node.pivot[mas.offset] as number) : mas.max;
    }
    // A NULL in a leaf's last slot only occurs in the right-most leaf, so this is the tree's end.
    mas.status = 'ma_overflow';
    return null;
  }
}

/**
 * mas_prev_slot() - step to the previous slot (@empty: NULL slots count), crossing leaves.
 * Models: lib/maple_tree.c: mas_prev_slot()
 */
export function mas_prev_slot(mas: ma_state, min: number, empty: boolean): maple_entry {
  const save_point = mas.index;
  for (;;) {
    let node = mas.node as maple_node;
    if (node.dead) {
      mas_rewalk(mas, save_point);
      continue;
    }
    if (mas.min <= min) {
      const pivot = mas.offset === 0 ? mas.min : (node.pivot[mas.offset - 1] as number) + 1;
      if (pivot <= min) {
        mas.status = 'ma_underflow';
        return null;
      }
    }
    for (;;) {
      if (mas.offset > 0) {
        mas.offset--;
        mas.last = mas.index - 1;
        mas.index = mas.offset === 0 ? mas.min : (node.pivot[mas.offset - 1] as number) + 1;
      } else {
        if (mas.index <= min) {
          mas.status = 'ma_underflow';
          return null;
        }
        mas_prev_node(mas, min);
        if (mas_is_underflow(mas)) return null;
        node = mas.node as maple_node;
        mas.last = mas.max;
        mas.index = mas.offset === 0 ? mas.min : (node.pivot[mas.offset - 1] as number) + 1;
      }
      const entry = node.slot[mas.offset];
      if (entry !== null || empty) return entry;
      if (mas.index <= min) {
        mas.status = 'ma_underflow';
        return null;
      }
    }
  }
}

type setup_result = { done: boolean; entry: maple_entry };
const CONTINUE: setup_result = Object.freeze({ done: false, entry: null });

function done(entry: maple_entry): setup_result {
  return { done: true, entry };
}

/**
 * mas_next_setup() - status handling before mas_next()/mas_next_range().
 * Models: lib/maple_tree.c: mas_next_setup()
 */
function mas_next_setup(mas: ma_state, max: number): setup_result {
  const was_none = mas_is_none(mas);
  if (mas.last >= max) {
    mas.status = 'ma_overflow';
    return done(null);
  }
  switch (mas.status) {
    case 'ma_active':
      return CONTINUE;
    case 'ma_none':
    case 'ma_pause':
    case 'ma_start':
      mas.status = 'ma_start';
      mas_walk(mas);
      break;
    case 'ma_overflow':
      mas.status = 'ma_active'; // overflowed before, but the max changed
      break;
    case 'ma_underflow': {
      mas.status = 'ma_active'; // the user expects the mas to be one before where it is
      const entry = mas_walk(mas);
      if (entry !== null) return done(entry);
      break;
    }
    case 'ma_root':
      break;
    case 'ma_error':
      return done(null);
  }
  if (mas_is_active(mas)) return CONTINUE;
  if (mas_is_ptr(mas)) {
    if (was_none && mas.index === 0) {
      mas.index = mas.last = 0;
      return done(null);
    }
    mas.index = 1;
    mas.last = ULONG_MAX;
    mas.status = 'ma_none';
    return done(null);
  }
  return done(null); // ma_none
}

/**
 * mas_next() - the next non-NULL entry after the current range, up to @max (may be XA_ZERO_ENTRY).
 * Models: lib/maple_tree.c: mas_next()
 */
export function mas_next(mas: ma_state, max: number): maple_entry {
  const s = mas_next_setup(mas, max);
  return s.done ? s.entry : mas_next_slot(mas, max, false);
}

/** mas_next_range() - the next range, NULL included. Models: lib/maple_tree.c: mas_next_range() */
export function mas_next_range(mas: ma_state, max: number): maple_entry {
  const s = mas_next_setup(mas, max);
  return s.done ? s.entry : mas_next_slot(mas, max, true);
}

/**
 * mas_prev_setup() - status handling before mas_prev()/mas_prev_range().
 * Models: lib/maple_tree.c: mas_prev_setup()
 */
function mas_prev_setup(mas: ma_state, min: number): setup_result {
  if (mas.index <= min) {
    mas.status = 'ma_underflow';
    return done(null);
  }
  switch (mas.status) {
    case 'ma_active':
      return CONTINUE;
    case 'ma_start':
      break;
    case 'ma_none':
    case 'ma_pause':
      mas.status = 'ma_start';
      break;
    case 'ma_underflow':
      mas.status = 'ma_active'; // underflowed before but the min changed
      break;
    case 'ma_overflow': {
      mas.status = 'ma_active'; // the user expects the mas to be one after where it is
      const entry = mas_walk(mas);
      if (entry !== null) return done(entry);
      break;
    }
    case 'ma_root':
      break;
    case 'ma_error':
      return done(null);
  }
  if (mas_is_start(mas)) mas_walk(mas);
  if (mas_is_ptr(mas)) {
    if (mas.index === 0) {
      mas.status = 'ma_none';
      return done(null);
    }
    mas.index = mas.last = 0;
    return done(mas.tree.ma_root);
  }
  if (mas_is_none(mas)) {
    if (mas.index !== 0) {
      // walked to an out-of-range pointer: the previous location is 0
      mas.index = mas.last = 0;
      mas.status = 'ma_root';
      return done(mas.tree.ma_root);
    }
    return done(null);
  }
  return CONTINUE;
}

/** mas_prev() - the previous non-NULL entry, down to @min. Models: lib/maple_tree.c: mas_prev() */
export function mas_prev(mas: ma_state, min: number): maple_entry {
  const s = mas_prev_setup(mas, min);
  return s.done ? s.entry : mas_prev_slot(mas, min, false);
}

/** mas_prev_range() - the previous range, NULL included. Models: lib/maple_tree.c: mas_prev_range() */
export function mas_prev_range(mas: ma_state, min: number): maple_entry {
  const s = mas_prev_setup(mas, min);
  return s.done ? s.entry : mas_prev_slot(mas, min, true);
}

/**
 * mas_find_setup() - status handling before mas_find()/mas_find_range().
 * Models: lib/maple_tree.c: mas_find_setup()
 */
function mas_find_setup(mas: ma_state, max: number): setup_result {
  switch (mas.status) {
    case 'ma_active':
      return mas.last < max ? CONTINUE : done(null);
    case 'ma_start':
      break;
    case 'ma_pause':
      if (mas.last >= max) return done(null);
      mas.index = ++mas.last;
      mas.status = 'ma_start';
      break;
    case 'ma_none':
      if (mas.last >= max) return done(null);
      mas.index = mas.last;
      mas.status = 'ma_start';
      break;
    case 'ma_underflow': {
      if (mas.index >= max) {
        mas.status = 'ma_overflow';
        return done(null);
      }
      mas.status = 'ma_active';
      const entry = mas_walk(mas);
      if (entry !== null) return done(entry);
      break;
    }
    case 'ma_overflow': {
      if (mas.last >= max) return done(null);
      mas.status = 'ma_active';
      const entry = mas_walk(mas);
      if (entry !== null) return done(entry);
      break;
    }
    case 'ma_root':
      break;
    case 'ma_error':
      return done(null);
  }
  if (mas_is_start(mas)) {
    if (mas.index > max) return done(null); // first run or continue
    const entry = mas_walk(mas);
    if (entry !== null) return done(entry);
  }
  if (mas_is_ptr(mas)) {
    mas.status = 'ma_none'; // ptr_out_of_range
    mas.index = 1;
    mas.last = ULONG_MAX;
    return done(null);
  }
  if (mas_is_none(mas)) return done(null);
  if (mas.index === max) return done(null);
  return CONTINUE;
}

/**
 * mas_find() - first call: the entry at or after index up to @max; later calls: the next one.
 * Never leaves ma_overflow ("Ignore overflow"). May return XA_ZERO_ENTRY.
 * Models: lib/maple_tree.c: mas_find()
 */
export function mas_find(mas: ma_state, max: number): maple_entry {
  const s = mas_find_setup(mas, max);
  if (s.done) return s.entry;
  const entry = mas_next_slot(mas, max, false);
  mas.status = 'ma_active';
  return entry;
}

/** mas_find_range() - as mas_find() but NULL ranges count. Models: lib/maple_tree.c: mas_find_range() */
export function mas_find_range(mas: ma_state, max: number): maple_entry {
  const s = mas_find_setup(mas, max);
  return s.done ? s.entry : mas_next_slot(mas, max, true);
}

/**
 * mas_find_rev_setup() - status handling before mas_find_rev()/mas_find_range_rev().
 * Models: lib/maple_tree.c: mas_find_rev_setup()
 */
function mas_find_rev_setup(mas: ma_state, min: number): setup_result {
  switch (mas.status) {
    case 'ma_active':
      return mas.index < min ? done(null) : CONTINUE;
    case 'ma_start':
      break;
    case 'ma_pause':
      if (mas.index <= min) {
        mas.status = 'ma_underflow';
        return done(null);
      }
      mas.last = --mas.index;
      mas.status = 'ma_start';
      break;
    case 'ma_none':
      if (mas.index <= min) {
        mas.status = 'ma_none';
        return done(null);
      }
      mas.last = mas.index;
      mas.status = 'ma_start';
      break;
    case 'ma_overflow': // user expects the mas to be one after where it is
      if (mas.index <= min) {
        mas.status = 'ma_underflow';
        return done(null);
      }
      mas.status = 'ma_active';
      break;
    case 'ma_underflow': // user expects the mas to be one before where it is
      if (mas.index <= min) return done(null);
      mas.status = 'ma_active';
      break;
    case 'ma_root':
      break;
    case 'ma_error':
      return done(null);
  }
  if (mas_is_start(mas)) {
    if (mas.index < min) return done(null); // first run or continue
    const entry = mas_walk(mas);
    if (entry !== null) return done(entry);
  }
  if (mas_is_ptr(mas)) {
    mas.status = 'ma_none';
    return done(null);
  }
  if (mas_is_none(mas)) {
    // walked to the location and there was nothing, so the previous location is 0
    mas.last = mas.index = 0;
    mas.status = 'ma_root';
    return done(mas.tree.ma_root);
  }
  return mas.index < min ? done(null) : CONTINUE;
}

/**
 * mas_find_rev() - first call: the entry at or below index down to @min; later: the previous one.
 * Models: lib/maple_tree.c: mas_find_rev()
 */
export function mas_find_rev(mas: ma_state, min: number): maple_entry {
  const s = mas_find_rev_setup(mas, min);
  return s.done ? s.entry : mas_prev_slot(mas, min, false);
}

/** mas_find_range_rev() - as mas_find_rev() but NULL ranges count. Models: lib/maple_tree.c: mas_find_range_rev() */
export function mas_find_range_rev(mas: ma_state, min: number): maple_entry {
  const s = mas_find_rev_setup(mas, min);
  return s.done ? s.entry : mas_prev_slot(mas, min, true);
}
