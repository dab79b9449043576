// Unit tests of the maple tree port: ma_state transitions (maple-tree.md section 6), reserved
// values (section 8), structure (section 3), allocation failure (section 12), the validator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type maple_entry,
  type maple_tree,
  GFP_KERNEL,
  MA_STATE,
  MAPLE_ARANGE64_SLOTS,
  MAPLE_RANGE64_SLOTS,
  MT_FLAGS_ALLOC_RANGE,
  ULONG_MAX,
  XA_ZERO_ENTRY,
  __mt_destroy,
  __mt_dup,
  maple_node,
  mas_empty_area,
  mas_empty_area_rev,
  mas_erase,
  mas_find,
  mas_find_range,
  mas_for_each,
  mas_next,
  mas_pause,
  mas_preallocate,
  mas_prealloc_calc,
  mas_prev,
  mas_set,
  mas_store,
  mas_store_gfp,
  mas_store_prealloc,
  mas_walk,
  mt_find,
  mt_for_each,
  mt_height,
  mt_set_in_rcu,
  mt_validate,
  mtree_erase,
  mtree_init,
  mtree_insert_range,
  mtree_load,
  mtree_store_range,
  xa_mk_value,
} from './maple_tree.ts';

const v = xa_mk_value;

/** Build range i = [16i, 16i+9] -> v(i) for i < n (maple-tree.md section 16). */
function build(n: number, flags = 0): maple_tree {
  const mt = mtree_init(flags);
  for (let i = 0; i < n; i++) assert.equal(mtree_store_range(mt, 16 * i, 16 * i + 9, v(i), GFP_KERNEL), 0);
  return mt;
}

function state(e: maple_entry, mas: { index: number; last: number; status: string }): string {
  return `${e === null ? 'null' : e === XA_ZERO_ENTRY ? 'zero' : typeof e === 'number' ? String(e) : 'entry'} ${mas.index}..${mas.last} ${mas.status}`;
}

void test('section 6: mas_find / mas_next / mas_prev on v1@[10,20] v2@[30,40]', () => {
  //  0         10        20        30        40
  //  |  NULL   |== v1 ===|  NULL   |== v2 ===|  NULL ... max
  const mt = mtree_init();
  mtree_store_range(mt, 10, 20, v(1), GFP_KERNEL);
  mtree_store_range(mt, 30, 40, v(2), GFP_KERNEL);
  const mas = MA_STATE(mt, 15, 15);
  assert.equal(state(mas_find(mas, ULONG_MAX), mas), `${v(1)} 10..20 ma_active`);
  assert.equal(state(mas_find(mas, ULONG_MAX), mas), `${v(2)} 30..40 ma_active`);
  // at the end: NULL on the trailing range, and active, not overflow
  assert.equal(state(mas_find(mas, ULONG_MAX), mas), `null 41..${ULONG_MAX} ma_active`);

  mas_set(mas, 35);
  assert.equal(mas_walk(mas), v(2));
  assert.equal(state(mas_prev(mas, 15), mas), `${v(1)} 10..20 ma_active`);
  assert.equal(state(mas_prev(mas, 15), mas), `null 10..20 ma_underflow`);
  assert.equal(state(mas_prev(mas, 0), mas), `null 0..9 ma_underflow`);

  mas_set(mas, 35);
  mas_walk(mas);
  assert.equal(state(mas_next(mas, 40), mas), `null 30..40 ma_overflow`);

  // pausing after mas_set(35) resumes at 36, still inside [30,40]
  mas_set(mas, 35);
  mas_pause(mas);
  assert.equal(state(mas_find(mas, ULONG_MAX), mas), `${v(2)} 36..40 ma_active`.replace('36..40', '30..40'));

  const ranges: string[] = [];
  mas_set(mas, 15);
  for (let e = mas_find_range(mas, ULONG_MAX); mas.status === 'ma_active'; e = mas_find_range(mas, ULONG_MAX)) {
    ranges.push(state(e, mas));
    if (mas.last === ULONG_MAX) break;
  }
  assert.deepEqual(ranges, [`${v(1)} 10..20 ma_active`, 'null 21..29 ma_active', `${v(2)} 30..40 ma_active`, `null 41..${ULONG_MAX} ma_active`]);
});

void test('section 6: walks in empty and root-pointer trees', () => {
  const mt = mtree_init();
  const mas = MA_STATE(mt, 5, 5);
  assert.equal(state(mas_walk(mas), mas), `null 0..${ULONG_MAX} ma_none`);
  mtree_store_range(mt, 0, 0, v(7), GFP_KERNEL);
  assert.equal(mt.ma_root, v(7), 'a single entry at 0 lives in the root pointer');
  mas_set(mas, 0);
  assert.equal(state(mas_walk(mas), mas), `${v(7)} 0..0 ma_root`);
  mas_set(mas, 3);
  assert.equal(state(mas_walk(mas), mas), `null 1..${ULONG_MAX} ma_none`);
  // XA_ZERO_ENTRY looks like an internal value: it gets a leaf, not the root pointer
  const z = mtree_init();
  mtree_store_range(z, 0, 0, XA_ZERO_ENTRY, GFP_KERNEL);
  assert.ok(z.ma_root instanceof maple_node, 'zero entry at 0 is in a leaf');
});

void test('section 8: XA_ZERO_ENTRY — which readers return it, which skip it', () => {
  const mt = mtree_init();
  mtree_store_range(mt, 100, 110, XA_ZERO_ENTRY, GFP_KERNEL);
  mtree_store_range(mt, 200, 210, v(3), GFP_KERNEL);
  assert.equal(mtree_load(mt, 105), null);
  const mas = MA_STATE(mt, 105, 105);
  assert.equal(state(mas_walk(mas), mas), 'zero 100..110 ma_active');
  assert.equal(mtree_insert_range(mt, 100, 100, v(1), GFP_KERNEL), -17);
  const idx = { index: 0 };
  assert.equal(mt_find(mt, idx, ULONG_MAX), v(3), 'mt_find skips the zero entry');
  assert.equal(idx.index, 211);
  const seen: maple_entry[] = [];
  mt_for_each(mt, 0, ULONG_MAX, (e) => seen.push(e));
  assert.deepEqual(seen, [v(3)]);
  const all: maple_entry[] = [];
  mas_set(mas, 0);
  mas_for_each(mas, ULONG_MAX, (e) => all.push(e));
  assert.deepEqual(all, [XA_ZERO_ENTRY, v(3)]);
  assert.equal(mtree_erase(mt, 105), XA_ZERO_ENTRY);
  // reserved internal values are rejected; the zero entry is not
  assert.equal(mtree_store_range(mt, 1, 2, 2 /* xa_mk_internal(0) */, GFP_KERNEL), -22);
  assert.equal(mtree_store_range(mt, 5, 4, v(1), GFP_KERNEL), -22);
});

void test('section 2: NULL stores report the merged NULL range; equal neighbours stay apart', () => {
  const mt = mtree_init();
  mtree_store_range(mt, 50, 60, v(1), GFP_KERNEL);
  mtree_store_range(mt, 70, 80, v(1), GFP_KERNEL);
  const mas = MA_STATE(mt, 55, 65);
  assert.equal(mas_store_gfp(mas, null, GFP_KERNEL), 0);
  // 55 is inside v1@[50,60], so only the right side merges with the NULL 61..69
  assert.equal(`${mas.index}..${mas.last}`, '55..69');
  mtree_store_range(mt, 81, 90, v(1), GFP_KERNEL);
  const m2 = MA_STATE(mt, 75, 75);
  mas_walk(m2);
  assert.equal(`${m2.index}..${m2.last}`, '70..80', 'v1@[70,80] and v1@[81,90] are not merged');
  // mas_store returns what covered index, even if later parts were occupied
  const m3 = MA_STATE(mt, 60, 75);
  assert.equal(mas_store(m3, v(9)), null);
  assert.equal(mtree_load(mt, 70), v(9));
});

void test('section 5: gap search (oracle check values)', () => {
  const mt = mtree_init(MT_FLAGS_ALLOC_RANGE);
  mtree_store_range(mt, 0, 9, v(1), GFP_KERNEL);
  mtree_store_range(mt, 20, 29, v(2), GFP_KERNEL);
  mtree_store_range(mt, 100, 199, v(3), GFP_KERNEL);
  const cases: [boolean, number, number, number, string][] = [
    [false, 0, ULONG_MAX, 5, '10..14'],
    [false, 0, ULONG_MAX, 11, '30..40'],
    [false, 15, ULONG_MAX, 3, '15..17'],
    [true, 0, ULONG_MAX, 10, `${ULONG_MAX - 9}..${ULONG_MAX}`],
    [true, 0, 99, 10, '90..99'],
  ];
  for (const [rev, min, max, size, want] of cases) {
    const mas = MA_STATE(mt, 0, 0);
    assert.equal((rev ? mas_empty_area_rev : mas_empty_area)(mas, min, max, size), 0);
    assert.equal(`${mas.index}..${mas.last}`, want);
  }
  const mas = MA_STATE(mt, 0, 0);
  assert.equal(mas_empty_area(mas, 0, 9, 1), -16);
  assert.equal(mas.status, 'ma_error');
  assert.equal(mas_empty_area(MA_STATE(mt, 0, 0), 5, 4, 1), -22);
  assert.equal(mas_empty_area(MA_STATE(mt, 0, 0), 0, 10, 0), -22);
});

/** Heights and node kinds of every node, by walking the tree. */
function shape(mt: maple_tree): { height: number; types: Set<number>; maxFill: Map<number, number> } {
  const types = new Set<number>();
  const maxFill = new Map<number, number>();
  let height = 0;
  const visit = (n: maple_node, d: number): void => {
    types.add(n.type);
    maxFill.set(n.type, Math.max(maxFill.get(n.type) ?? 0, n.end + 1));
    height = Math.max(height, d);
    if (n.type !== 1) for (let i = 0; i <= n.end; i++) visit(n.slot[i] as maple_node, d + 1);
  };
  visit(mt.ma_root as maple_node, 1);
  return { height, types, maxFill };
}

void test('section 3: node kinds, fan-out and height of a B-tree', () => {
  const plain = build(10000);
  const alloc = build(10000, MT_FLAGS_ALLOC_RANGE);
  assert.deepEqual(mt_validate(plain), []);
  assert.deepEqual(mt_validate(alloc), []);
  const p = shape(plain);
  const a = shape(alloc);
  assert.deepEqual([...p.types].sort(), [1, 2], 'plain: leaf_64 + range_64');
  assert.deepEqual([...a.types].sort(), [1, 3], 'alloc: leaf_64 + arange_64');
  assert.ok((p.maxFill.get(2) ?? 0) >= MAPLE_RANGE64_SLOTS - 1 && (p.maxFill.get(1) ?? 0) <= MAPLE_RANGE64_SLOTS, 'range_64 fan-out');
  assert.ok((a.maxFill.get(3) ?? 0) <= MAPLE_ARANGE64_SLOTS, 'arange fan-out');
  assert.equal(p.height, mt_height(plain));
  // the kernel's heights after this sequential build (section 16): 4 plain, 5 allocation tree
  assert.equal(p.height, 4, 'plain height');
  assert.equal(a.height, 5, 'alloc height');
  // erasing everything shrinks back to an empty tree
  for (let i = 0; i < 10000; i++) mtree_erase(plain, 16 * i);
  assert.equal(plain.ma_root, null);
  assert.equal(mt_height(plain), 0);
});

void test('section 12: allocation failure leaves the tree valid and unchanged', () => {
  const mt = build(200);
  const before = JSON.stringify(dump(mt));
  const fail = (): boolean => false;
  // a gap insert into a full leaf needs new nodes (a split): it fails
  let i = 0;
  while (mas_prealloc_calc(MA_STATE(mt, 16 * i + 11, 16 * i + 13), v(1)) === 0) i++;
  assert.ok(i < 200, 'some gap insert needs a split');
  const mas = MA_STATE(mt, 16 * i + 11, 16 * i + 13);
  assert.equal(mas_store_gfp(mas, v(1), fail), -12);
  assert.equal(mas.status, 'ma_error');
  assert.equal(JSON.stringify(dump(mt)), before);
  assert.deepEqual(mt_validate(mt), []);
  // an exact-fit overwrite needs none: it cannot fail
  const ex = MA_STATE(mt, 16 * 50, 16 * 50 + 9);
  assert.equal(mas_prealloc_calc(ex, v(2)), 0);
  assert.equal(mas_store_gfp(ex, v(2), fail), 0);
  // two-phase write, again where a split is needed
  let j = i + 1;
  while (mas_prealloc_calc(MA_STATE(mt, 16 * j + 11, 16 * j + 12), v(3)) === 0) j++;
  const pre = MA_STATE(mt, 16 * j + 11, 16 * j + 12);
  assert.equal(mas_preallocate(pre, v(3), fail), -12);
  assert.equal(pre.status, 'ma_start');
  assert.equal(mas_preallocate(pre, v(3), GFP_KERNEL), 0);
  assert.ok(pre.alloc > 0, 'nodes are held after mas_preallocate');
  mas_store_prealloc(pre, v(3));
  assert.equal(pre.alloc, 0);
  assert.equal(mtree_load(mt, 16 * j + 12), v(3));
  assert.deepEqual(mt_validate(mt), []);
  // __mt_dup fails at every possible node, leaving the new tree empty
  let nodes = 0;
  const copy = mtree_init();
  assert.equal(__mt_dup(mt, copy, () => (nodes++, true)), 0);
  for (let k = 0; k < nodes; k += 7) {
    let left = k;
    const c = mtree_init();
    assert.equal(__mt_dup(mt, c, () => left-- > 0), -12);
    assert.equal(c.ma_root, null);
  }
  assert.equal(__mt_dup(mt, copy, GFP_KERNEL), -22, 'the new tree must be empty');
  assert.equal(__mt_dup(mt, mtree_init(MT_FLAGS_ALLOC_RANGE), GFP_KERNEL), -22, 'flags must match');
});

void test('__mt_dup shares entries but not nodes; mas_erase returns the erased range', () => {
  const mt = build(500);
  const copy = mtree_init();
  assert.equal(__mt_dup(mt, copy, GFP_KERNEL), 0);
  assert.deepEqual(mt_validate(copy), []);
  assert.equal(mt_height(copy), mt_height(mt));
  mtree_store_range(copy, 0, 16 * 400, XA_ZERO_ENTRY, GFP_KERNEL);
  assert.equal(mtree_load(mt, 16 * 3), v(3), 'the original is untouched');
  const mas = MA_STATE(copy, 16 * 401 + 3, 16 * 401 + 3);
  assert.equal(mas_erase(mas), v(401));
  assert.equal(`${mas.index}..${mas.last}`, `${16 * 400 + 10}..${16 * 402 - 1}`);
  __mt_destroy(copy);
  assert.equal(copy.ma_root, null);
  assert.equal(mt_height(copy), 0);
});

void test('RCU mode: a reader positioned in a replaced leaf re-walks', () => {
  const mt = build(300);
  mt_set_in_rcu(mt);
  const reader = MA_STATE(mt, 16 * 100, 16 * 100);
  assert.equal(mas_walk(reader), v(100));
  const old = reader.node as maple_node;
  assert.ok(reader.offset > 1, 'reader not at the start of its leaf');
  // a node store in the reader's leaf, before the reader's slot
  mtree_store_range(mt, reader.min + 11, reader.min + 12, v(9999), GFP_KERNEL);
  assert.ok(old.dead, 'the node store replaced the leaf');
  assert.equal(mas_next(reader, ULONG_MAX), v(101), 'the reader re-walks from its position');
  assert.equal(mas_prev(reader, 0), v(100));
  assert.equal(`${reader.index}..${reader.last}`, `${16 * 100}..${16 * 100 + 9}`);
  assert.deepEqual(mt_validate(mt), []);
});

void test('mt_validate catches broken invariants', () => {
  const corrupt = (f: (mt: maple_tree, leaf: maple_node) => void): string[] => {
    const mt = build(100, MT_FLAGS_ALLOC_RANGE);
    let leaf = mt.ma_root as maple_node;
    while (leaf.type !== 1) leaf = leaf.slot[1] as maple_node;
    f(mt, leaf);
    return mt_validate(mt);
  };
  assert.deepEqual(corrupt(() => undefined), []);
  assert.ok(corrupt((_, l) => { l.pivot[2] = (l.pivot[0] as number) - 1; }).length > 0, 'pivot order');
  assert.ok(corrupt((_, l) => { l.slot[1] = null; }).length > 0, 'adjacent NULLs');
  assert.ok(corrupt((_, l) => { l.parent_slot = 5; }).length > 0, 'parent slot');
  assert.ok(corrupt((_, l) => { (l.parent as maple_node).gap![1] = 1; }).length > 0, 'gap');
  assert.ok(corrupt((_, l) => { l.end = 3; for (let i = 4; i < 16; i++) { l.slot[i] = null; if (i < 15) l.pivot[i] = 0; } l.pivot[3] = l.pivot[14] ?? 0; }).length > 0, 'under-full node');
  assert.ok(corrupt((mt) => { mt.ma_flags += 4; }).length > 0, 'height');
});

/** Every range with its entry, in order (mas_find_range over the whole tree). */
export function dump(mt: maple_tree): [number, number, maple_entry][] {
  const out: [number, number, maple_entry][] = [];
  const mas = MA_STATE(mt, 0, 0);
  for (;;) {
    const e = mas_find_range(mas, ULONG_MAX);
    if (mas.status !== 'ma_active' && mas.status !== 'ma_overflow') break;
    if (e !== null) out.push([mas.index, mas.last, e]);
    if (mas.last === ULONG_MAX || mas.status === 'ma_overflow') break;
  }
  return out;
}
