// Models include/linux/maple_tree.h and the node-layout helpers of lib/maple_tree.c @ 7.3.4:
// struct maple_tree, struct maple_node (leaf_64 / range_64 / arange_64), struct ma_state,
// the reserved xarray values (XA_ZERO_ENTRY, xa_mk_value) and ma_data_end()/mas_safe_pivot().
//
// CUSTOMISED (node layout):
// - A node is a JS object, not 256 bytes: the "encoded" node pointer is an object reference, the
//   parent pointer is an object reference plus `parent_slot`, and the node type is a field.
// - The data end is always kept in `end` (the kernel keeps it in metadata only when the node is not
//   full, and derives it from the pivots otherwise). Pivots follow the kernel's rules anyway: the
//   pivot of the last used slot is the node max when it has a pivot slot, unused pivots are 0.
// - The largest-gap offset metadata of arange_64 nodes is not stored; it is recomputed on demand.
// - Dead nodes (RCU) are marked with a `dead` flag instead of a parent pointer to themselves.
// - ULONG_MAX is Number.MAX_SAFE_INTEGER (2^53-1): every index is an exact JS number.
// - maple_dense and maple_copy are not modelled (no 7.3 write path links either into a tree).

/** The tree's ULONG_MAX (maple-tree.md section 2, option 1). */
export const ULONG_MAX = Number.MAX_SAFE_INTEGER;

export const EINVAL = 22;
export const ENOMEM = 12;
export const EEXIST = 17;
export const EBUSY = 16;

/* enum maple_type (only the three linked into trees) */
export const maple_leaf_64 = 1;
export const maple_range_64 = 2;
export const maple_arange_64 = 3;
export type maple_type = typeof maple_leaf_64 | typeof maple_range_64 | typeof maple_arange_64;

export const MAPLE_NODE_SLOTS = 31; // the dense-node slot count, used as "no offset"
export const MAPLE_RANGE64_SLOTS = 16;
export const MAPLE_ARANGE64_SLOTS = 10;

/** mt_slots[]: slots per node type. */
export function mt_slots(type: maple_type): number {
  return type === maple_arange_64 ? MAPLE_ARANGE64_SLOTS : MAPLE_RANGE64_SLOTS;
}

/** mt_pivots[]: pivots per node type (one fewer than slots). */
export function mt_pivots(type: maple_type): number {
  return mt_slots(type) - 1;
}

/** mt_min_slots[]: a non-root node must have data end >= this (leaf/range 6, arange 4). */
export function mt_min_slots(type: maple_type): number {
  return type === maple_arange_64 ? MAPLE_ARANGE64_SLOTS / 2 - 1 : MAPLE_RANGE64_SLOTS / 2 - 2;
}

/* Tree flags (include/linux/maple_tree.h) */
export const MT_FLAGS_ALLOC_RANGE = 0x01;
export const MT_FLAGS_USE_RCU = 0x02;
export const MT_FLAGS_HEIGHT_OFFSET = 0x02;
export const MT_FLAGS_HEIGHT_MASK = 0x7c;
export const MT_FLAGS_LOCK_IRQ = 0x100;
export const MT_FLAGS_LOCK_BH = 0x200;
export const MT_FLAGS_LOCK_EXTERN = 0x300;
export const MT_FLAGS_ALLOC_WRAPPED = 0x0800;
export const MAPLE_HEIGHT_MAX = 31;

/**
 * An opaque entry: any JS value; `null` is NULL (absent). Numbers are treated as the kernel's
 * pointer-sized words, so xa_mk_value(n) and the reserved internal values are numbers.
 */
export type maple_entry = unknown;

// Zeroed templates the node arrays are sliced from. slice() keeps the template's elements kind, so
// every pivot array is PACKED_DOUBLE (pivots reach 2^53-1, beyond a small integer) and every slot
// array PACKED_ELEMENTS from birth: V8 then sees one array shape at each node access, with no
// hole checks and no kind transition on the first large pivot. (The 0.5 only sets the kind.)
const ZERO_PIVOTS_RANGE64 = make_double_zeros(MAPLE_RANGE64_SLOTS - 1);
const ZERO_PIVOTS_ARANGE64 = make_double_zeros(MAPLE_ARANGE64_SLOTS - 1);
const ZERO_GAPS_ARANGE64 = make_double_zeros(MAPLE_ARANGE64_SLOTS);
const NULL_SLOTS_RANGE64: unknown[] = make_null_slots(MAPLE_RANGE64_SLOTS);
const NULL_SLOTS_ARANGE64: unknown[] = make_null_slots(MAPLE_ARANGE64_SLOTS);

function make_double_zeros(n: number): number[] {
  const a: number[] = [0.5];
  for (let i = 1; i < n; i++) a.push(0.5);
  for (let i = 0; i < n; i++) a[i] = 0;
  return a;
}

function make_null_slots(n: number): unknown[] {
  const a: unknown[] = [null];
  for (let i = 1; i < n; i++) a.push(null);
  return a;
}

/**
 * struct maple_node - one node of any linked type.
 * Models: include/linux/maple_tree.h: struct maple_node / maple_range_64 / maple_arange_64
 */
export class maple_node {
  type: maple_type;
  parent: maple_node | null = null;
  /** Offset of this node in its parent (packed into the parent pointer in C). */
  parent_slot = 0;
  pivot: number[];
  /** Leaves hold entries, internal nodes hold child nodes. */
  slot: unknown[];
  /** arange_64 only: largest NULL run below each child. */
  gap: number[] | null;
  /** Offset of the last used slot (ma_meta_end / ma_data_end). */
  end = 0;
  /** Set when the node has been replaced (mte_set_node_dead()). */
  dead = false;

  /** A zeroed node of @type (mas_pop_node()), or a copy of @src's pivots, slots and gaps. */
  constructor(type: maple_type, src?: maple_node) {
    this.type = type;
    if (src !== undefined) {
      this.pivot = src.pivot.slice();
      this.slot = src.slot.slice();
      this.gap = src.gap === null ? null : src.gap.slice();
      this.end = src.end;
      return;
    }
    const arange = type === maple_arange_64;
    this.pivot = (arange ? ZERO_PIVOTS_ARANGE64 : ZERO_PIVOTS_RANGE64).slice();
    this.slot = (arange ? NULL_SLOTS_ARANGE64 : NULL_SLOTS_RANGE64).slice();
    this.gap = arange ? ZERO_GAPS_ARANGE64.slice() : null;
  }
}

/**
 * struct maple_tree.
 * Models: include/linux/maple_tree.h: struct maple_tree
 */
export interface maple_tree {
  /** NULL, a single entry for index 0, or the root node. */
  ma_root: maple_entry;
  ma_flags: number;
}

/** ma_state status values (enum maple_status). */
export type maple_status =
  | 'ma_active'
  | 'ma_start'
  | 'ma_root'
  | 'ma_none'
  | 'ma_pause'
  | 'ma_overflow'
  | 'ma_underflow'
  | 'ma_error';

/** enum store_type, chosen by mas_wr_store_type(). */
export type store_type =
  | 'wr_invalid'
  | 'wr_new_root'
  | 'wr_store_root'
  | 'wr_exact_fit'
  | 'wr_spanning_store'
  | 'wr_split_store'
  | 'wr_rebalance'
  | 'wr_append'
  | 'wr_slot_store'
  | 'wr_node_store';

export const MA_STATE_BULK = 1;
export const MA_STATE_REBALANCE = 2;
export const MA_STATE_PREALLOC = 4;

/**
 * struct ma_state.
 * Models: include/linux/maple_tree.h: struct ma_state
 * CUSTOMISED: the errno of ma_error lives in `error` (C encodes it in `node`); preallocated nodes
 * are a count in `alloc` (C keeps a sheaf of real nodes).
 */
export interface ma_state {
  tree: maple_tree;
  index: number;
  last: number;
  node: maple_node | null;
  min: number;
  max: number;
  offset: number;
  end: number;
  depth: number;
  status: maple_status;
  /** Negative errno when status is ma_error, else 0. */
  error: number;
  store_type: store_type;
  mas_flags: number;
  /** Number of preallocated nodes held by this state (mas_allocated()). */
  alloc: number;
}

/* ---- xarray entry encoding (include/linux/xarray.h) ---- */

/** XA_ZERO_ENTRY = xa_mk_internal(257): a non-NULL placeholder that readers may skip. */
export const XA_ZERO_ENTRY: unique symbol = Symbol('XA_ZERO_ENTRY');
/** The word value of XA_ZERO_ENTRY (1030): internal, so never a root pointer. */
const XA_ZERO_WORD = 257 * 4 + 2;
/** XA_RETRY_ENTRY's word value, xa_mk_internal(256). */
const XA_RETRY_WORD = 256 * 4 + 2;
/** Internal values below this are reserved (MAPLE_RESERVED_RANGE). */
export const MAPLE_RESERVED_RANGE = 4096;

/** xa_is_zero(). */
export function xa_is_zero(entry: maple_entry): boolean {
  return entry === XA_ZERO_ENTRY;
}

/** xa_mk_value(): encode a small integer as an entry, (v << 1) | 1. */
export function xa_mk_value(v: number): number {
  return v * 2 + 1;
}

/** xa_is_value(): low bit 1. */
export function xa_is_value(entry: maple_entry): entry is number {
  return typeof entry === 'number' && Number.isInteger(entry) && entry % 2 === 1;
}

/** xa_to_value(). */
export function xa_to_value(entry: number): number {
  return (entry - 1) / 2;
}

/** The word an entry would have in C, for the low-bit tests (objects are aligned pointers). */
function entry_word(entry: maple_entry): number {
  if (entry === XA_ZERO_ENTRY) return XA_ZERO_WORD;
  if (typeof entry === 'number' && Number.isInteger(entry) && entry >= 0) return entry;
  return 0;
}

/** xa_is_internal(): low bits 10. */
export function xa_is_internal(entry: maple_entry): boolean {
  return entry_word(entry) % 4 === 2;
}

/** xa_is_advanced(): internal and at most XA_RETRY_ENTRY; the normal API rejects these. */
export function xa_is_advanced(entry: maple_entry): boolean {
  return xa_is_internal(entry) && entry_word(entry) <= XA_RETRY_WORD;
}

/** mt_is_reserved(): internal and below MAPLE_RESERVED_RANGE. */
export function mt_is_reserved(entry: maple_entry): boolean {
  return xa_is_internal(entry) && entry_word(entry) < MAPLE_RESERVED_RANGE;
}

/* ---- node helpers ---- */

/** xa_is_node() for a root or slot value. */
export function xa_is_node(v: unknown): v is maple_node {
  return v instanceof maple_node;
}

export function ma_is_leaf(type: maple_type): boolean {
  return type === maple_leaf_64;
}

/** mte_is_root(). */
export function mte_is_root(node: maple_node): boolean {
  return node.parent === null;
}

/** mt_is_alloc(). */
export function mt_is_alloc(mt: maple_tree): boolean {
  return (mt.ma_flags & MT_FLAGS_ALLOC_RANGE) !== 0;
}

/** mt_in_rcu(). */
export function mt_in_rcu(mt: maple_tree): boolean {
  return (mt.ma_flags & MT_FLAGS_USE_RCU) !== 0;
}

/** mt_height(). */
export function mt_height(mt: maple_tree): number {
  return (mt.ma_flags & MT_FLAGS_HEIGHT_MASK) >> MT_FLAGS_HEIGHT_OFFSET;
}

/** mas_set_height() on the tree. */
export function mt_set_height(mt: maple_tree, height: number): void {
  mt.ma_flags = (mt.ma_flags & ~MT_FLAGS_HEIGHT_MASK) | (height << MT_FLAGS_HEIGHT_OFFSET);
}

/** The internal node type of a tree (mt_node_type... arange for allocation trees). */
export function mt_internal_type(mt: maple_tree): maple_type {
  return mt_is_alloc(mt) ? maple_arange_64 : maple_range_64;
}

/** mas_safe_pivot(): the pivot at @piv, or the node max past the last pivot slot. */
export function mas_safe_pivot(node: maple_node, piv: number, max: number): number {
  return piv >= node.pivot.length ? max : (node.pivot[piv] as number);
}

/** mas_safe_min(): the lowest index of slot @piv. */
export function mas_safe_min(node: maple_node, piv: number, min: number): number {
  return piv === 0 ? min : (node.pivot[piv - 1] as number) + 1;
}

/**
 * ma_max_gap()/mas_leaf_max_gap(): largest NULL run covered by a node whose bounds are min..max.
 * Leaves scan their NULL slots; arange nodes read their gap array.
 */
export function ma_max_gap(node: maple_node, min: number, max: number): number {
  if (node.gap !== null) {
    let g = 0;
    for (let i = 0; i <= node.end; i++) if ((node.gap[i] as number) > g) g = node.gap[i] as number;
    return g;
  }
  let g = 0;
  let lo = min;
  for (let i = 0; i <= node.end; i++) {
    const hi = i < node.end ? (node.pivot[i] as number) : max;
    if (node.slot[i] === null && hi - lo + 1 > g) g = hi - lo + 1;
    lo = hi + 1;
  }
  return g;
}

/* ---- status tests (the kernel's mas_is_*() helpers; calls also stop TS narrowing) ---- */

export function mas_is_none(mas: ma_state): boolean {
  return mas.status === 'ma_none';
}
export function mas_is_ptr(mas: ma_state): boolean {
  return mas.status === 'ma_root';
}
export function mas_is_start(mas: ma_state): boolean {
  return mas.status === 'ma_start';
}
export function mas_is_active(mas: ma_state): boolean {
  return mas.status === 'ma_active';
}
export function mas_is_err(mas: ma_state): boolean {
  return mas.status === 'ma_error';
}
export function mas_is_overflow(mas: ma_state): boolean {
  return mas.status === 'ma_overflow';
}
export function mas_is_underflow(mas: ma_state): boolean {
  return mas.status === 'ma_underflow';
}
