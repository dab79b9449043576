// Property tests: random operation sequences run on the maple tree and on a plain sorted list of
// ranges; after every write the tree must validate (mt_validate) and hold exactly the list's
// ranges. Includes __mt_dup, RCU mode, gap searches and allocation failures (a failed allocation
// must leave the tree valid and unchanged).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type maple_entry,
  type maple_tree,
  GFP_KERNEL,
  MA_STATE,
  MT_FLAGS_ALLOC_RANGE,
  ULONG_MAX,
  XA_ZERO_ENTRY,
  __mt_dup,
  mas_empty_area,
  mas_empty_area_rev,
  mas_find,
  mas_find_range,
  mas_find_rev,
  mas_preallocate,
  mas_prealloc_calc,
  mas_store_gfp,
  mas_store_prealloc,
  mas_walk,
  mt_clear_in_rcu,
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
  xa_is_zero,
  xa_mk_value,
} from './maple_tree.ts';

interface range {
  a: number;
  b: number;
  e: maple_entry;
}

/** The reference: non-NULL ranges, sorted, non-overlapping. */
class ref_tree {
  ranges: range[] = [];

  store(a: number, b: number, e: maple_entry): void {
    const out: range[] = [];
    for (const r of this.ranges) {
      if (r.b < a || r.a > b) out.push(r);
      else {
        if (r.a < a) out.push({ a: r.a, b: a - 1, e: r.e });
        if (r.b > b) out.push({ a: b + 1, b: r.b, e: r.e });
      }
    }
    if (e !== null) out.push({ a, b, e });
    out.sort((x, y) => x.a - y.a);
    this.ranges = out;
  }

  /** The range holding @i: a stored range, or the NULL gap around it. */
  at(i: number): range {
    let lo = 0;
    for (const r of this.ranges) {
      if (r.a <= i && i <= r.b) return r;
      if (r.a > i) return { a: lo, b: r.a - 1, e: null };
      lo = r.b + 1;
    }
    return { a: lo, b: ULONG_MAX, e: null };
  }

  occupied(a: number, b: number): boolean {
    return this.ranges.some((r) => !(r.b < a || r.a > b));
  }

  /** NULL gaps in order. */
  gaps(): [number, number][] {
    const out: [number, number][] = [];
    let lo = 0;
    for (const r of this.ranges) {
      if (r.a > lo) out.push([lo, r.a - 1]);
      lo = r.b + 1;
    }
    if (lo <= ULONG_MAX && (this.ranges.length === 0 || this.ranges[this.ranges.length - 1]!.b < ULONG_MAX)) {
      out.push([lo, ULONG_MAX]);
    }
    return out;
  }
}

function tree_ranges(mt: maple_tree): range[] {
  const out: range[] = [];
  const mas = MA_STATE(mt, 0, 0);
  for (let e = mas_find(mas, ULONG_MAX); e !== null; e = mas_find(mas, ULONG_MAX)) out.push({ a: mas.index, b: mas.last, e });
  return out;
}

function check_same(mt: maple_tree, ref: ref_tree, what: string): void {
  const errors = mt_validate(mt);
  assert.deepEqual(errors, [], `${what}: mt_validate`);
  assert.deepEqual(tree_ranges(mt), ref.ranges, `${what}: contents`);
}

type op =
  | { t: 'store' | 'mstore' | 'insert'; a: number; b: number; e: maple_entry; k: number }
  | { t: 'prealloc'; a: number; b: number; e: maple_entry; k: number }
  | { t: 'erase' | 'load' | 'walk'; i: number }
  | { t: 'find'; i: number; max: number }
  | { t: 'dup'; k: number; keep: boolean }
  | { t: 'rcu'; on: boolean }
  | { t: 'empty'; min: number; max: number; size: number; rev: boolean }
  | { t: 'fill'; a: number; n: number; stride: number }
  | { t: 'iter' };

function ops(keys: number): fc.Arbitrary<op[]> {
  const idx = fc.oneof(
    { weight: 12, arbitrary: fc.nat(keys) },
    { weight: 1, arbitrary: fc.constantFrom(ULONG_MAX, ULONG_MAX - 1, ULONG_MAX - 7) },
  );
  const len = fc.oneof(
    { weight: 4, arbitrary: fc.nat(3) },
    { weight: 3, arbitrary: fc.nat(Math.max(4, keys >> 6)) },
    { weight: 1, arbitrary: fc.nat(keys) },
  );
  const entry = fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant(XA_ZERO_ENTRY) },
    { weight: 8, arbitrary: fc.nat(60).map(xa_mk_value) },
  );
  // k: allocations allowed before the allocator fails (large = never fails)
  const k = fc.oneof({ weight: 6, arbitrary: fc.constant(1 << 30) }, { weight: 1, arbitrary: fc.nat(4) });
  const write = (t: 'store' | 'mstore' | 'insert' | 'prealloc'): fc.Arbitrary<op> =>
    fc.record({ a: idx, l: len, e: entry, k }).map(({ a, l, e, k }) => ({ t, a, b: Math.min(ULONG_MAX, a + l), e, k }));
  return fc.array(
    fc.oneof(
      { weight: 10, arbitrary: write('store') },
      { weight: 3, arbitrary: write('mstore') },
      { weight: 4, arbitrary: write('insert') },
      { weight: 2, arbitrary: write('prealloc') },
      { weight: 4, arbitrary: idx.map((i): op => ({ t: 'erase', i })) },
      { weight: 2, arbitrary: idx.map((i): op => ({ t: 'load', i })) },
      { weight: 2, arbitrary: idx.map((i): op => ({ t: 'walk', i })) },
      { weight: 2, arbitrary: fc.record({ i: idx, max: idx }).map(({ i, max }): op => ({ t: 'find', i, max })) },
      { weight: 1, arbitrary: fc.record({ k: fc.oneof(fc.constant(1 << 30), fc.nat(30)), keep: fc.boolean() }).map((r): op => ({ t: 'dup', ...r })) },
      { weight: 1, arbitrary: fc.boolean().map((on): op => ({ t: 'rcu', on })) },
      {
        weight: 2,
        arbitrary: fc.record({ min: idx, l: len, size: fc.integer({ min: 0, max: 20 }), rev: fc.boolean() })
          .map(({ min, l, size, rev }): op => ({ t: 'empty', min, max: Math.min(ULONG_MAX, min + l + 5), size, rev })),
      },
      { weight: 1, arbitrary: fc.constant<op>({ t: 'iter' }) },
      {
        weight: 1,
        arbitrary: fc.record({ a: fc.nat(keys), n: fc.integer({ min: 1, max: 400 }), stride: fc.integer({ min: 2, max: 20 }) })
          .map((r): op => ({ t: 'fill', ...r })),
      },
    ),
    { minLength: 1, maxLength: 120, size: 'max' },
  );
}

/** An allocator that grants @k nodes, then fails; counts requests. */
function budget(k: number): { gfp: () => boolean; asked: () => number } {
  let asked = 0;
  return { gfp: () => asked++ < k, asked: () => asked };
}

/** What the runs covered, so the tests can check they exercised something. */
const stats = { ops: 0, height: 0, enomem: 0, dups: 0 };

function run(flags: number, list: op[]): void {
  let mt = mtree_init(flags);
  const ref = new ref_tree();
  for (const [n, o] of list.entries()) {
    stats.ops++;
    stats.height = Math.max(stats.height, mt_height(mt));
    const what = `op ${n} ${JSON.stringify(o, (_, x: unknown) => (x === XA_ZERO_ENTRY ? 'zero' : x))}`;
    switch (o.t) {
      case 'store':
      case 'mstore':
      case 'insert': {
        const before = tree_ranges(mt);
        const need = mas_prealloc_calc(MA_STATE(mt, o.a, o.b), o.e);
        const g = budget(o.k);
        let ret: number;
        if (o.t === 'store') ret = mtree_store_range(mt, o.a, o.b, o.e, g.gfp);
        else if (o.t === 'insert') ret = mtree_insert_range(mt, o.a, o.b, o.e, g.gfp);
        else {
          const mas = MA_STATE(mt, o.a, o.a);
          mas_walk(mas); // store from a walked (active) state, as the VMA code does
          mas.index = o.a;
          mas.last = o.b;
          ret = mas_store_gfp(mas, o.e, g.gfp);
          if (ret === 0 && o.e === null && mas.status === 'ma_active') {
            const r = ref.at(o.a);
            const lo = r.e === null ? r.a : o.a;
            assert.ok(mas.index <= lo && mas.last >= o.b, `${what}: NULL store widens`);
          }
        }
        if (o.t === 'insert' && ref.occupied(o.a, o.b)) {
          assert.equal(ret, -17, what);
        } else if (ret === -12) {
          stats.enomem++;
          assert.ok(need > 0 && o.k < need, `${what}: -ENOMEM only when nodes are needed (${need}) and refused`);
          assert.deepEqual(tree_ranges(mt), before, `${what}: failed store left the tree unchanged`);
        } else {
          assert.equal(ret, 0, what);
          assert.ok(need === 0 || o.k >= need, `${what}: needed ${need} nodes with budget ${o.k}`);
          ref.store(o.a, o.b, o.e);
        }
        check_same(mt, ref, what);
        break;
      }
      case 'prealloc': {
        const mas = MA_STATE(mt, o.a, o.b);
        const g = budget(o.k);
        const ret = mas_preallocate(mas, o.e, g.gfp);
        if (ret === 0) {
          mas_store_prealloc(mas, o.e);
          ref.store(o.a, o.b, o.e);
        } else {
          assert.equal(ret, -12, what);
          assert.equal(mas.status, 'ma_start', `${what}: state reset after a failed preallocation`);
        }
        check_same(mt, ref, what);
        break;
      }
      case 'erase': {
        const r = ref.at(o.i);
        assert.equal(mtree_erase(mt, o.i), r.e, what);
        if (r.e !== null) ref.store(r.a, r.b, null);
        check_same(mt, ref, what);
        break;
      }
      case 'load': {
        const e = ref.at(o.i).e;
        assert.equal(mtree_load(mt, o.i), xa_is_zero(e) ? null : e, what);
        break;
      }
      case 'walk': {
        const mas = MA_STATE(mt, o.i, o.i);
        const e = mas_walk(mas);
        const r = ref.at(o.i);
        assert.equal(e, r.e, what);
        if (mas.status === 'ma_active') assert.deepEqual([mas.index, mas.last], [r.a, r.b], what);
        break;
      }
      case 'find': {
        const idx = { index: o.i };
        const e = mt_find(mt, idx, o.max);
        const hit = o.i > o.max ? undefined : ref.ranges.find((r) => r.b >= o.i && r.a <= o.max && !xa_is_zero(r.e));
        assert.equal(e, hit === undefined ? null : hit.e, what);
        assert.equal(idx.index, hit === undefined ? o.i : hit.b === ULONG_MAX ? 0 : hit.b + 1, what);
        break;
      }
      case 'dup': {
        const copy = mtree_init(flags);
        copy.ma_flags = mt.ma_flags & ~0x7c;
        const g = budget(o.k);
        const ret = __mt_dup(mt, copy, g.gfp);
        if (ret === -12) {
          assert.equal(copy.ma_root, null, `${what}: failed dup leaves the new tree empty`);
        } else {
          assert.equal(ret, 0, what);
          stats.dups++;
          check_same(copy, ref, `${what} (copy)`);
          if (!o.keep) {
            // continue on the copy (the child after fork); the parent must not change
            const parent = tree_ranges(mt);
            mtree_store_range(copy, 0, 100, XA_ZERO_ENTRY, GFP_KERNEL);
            assert.deepEqual(tree_ranges(mt), parent, `${what}: writes to the copy leave the original alone`);
            mtree_store_range(copy, 0, 100, null, GFP_KERNEL);
            ref.store(0, 100, null);
            mt = copy;
          }
        }
        check_same(mt, ref, what);
        break;
      }
      case 'fill': {
        // many ranges at once, with a gap after each, to grow the tree (section 16's pattern)
        for (let i = 0; i < o.n; i++) {
          const a: number = o.a + i * o.stride;
          assert.equal(mtree_store_range(mt, a, a + o.stride - 2, xa_mk_value(i), GFP_KERNEL), 0, what);
          ref.store(a, a + o.stride - 2, xa_mk_value(i));
        }
        check_same(mt, ref, what);
        break;
      }
      case 'rcu':
        if (o.on) mt_set_in_rcu(mt);
        else mt_clear_in_rcu(mt);
        break;
      case 'empty': {
        const mas = MA_STATE(mt, 0, 0);
        const ret = (o.rev ? mas_empty_area_rev : mas_empty_area)(mas, o.min, o.max, o.size);
        if (o.size === 0 || o.min > o.max || o.max - o.min < o.size - 1) {
          assert.equal(ret, -22, what);
          break;
        }
        const fits = ref.gaps()
          .map(([gs, ge]): [number, number] => [Math.max(gs, o.min), Math.min(ge, o.max)])
          .filter(([lo, hi]) => hi >= lo && hi - lo + 1 >= o.size);
        const pick = o.rev ? fits[fits.length - 1] : fits[0];
        if (pick === undefined) {
          assert.equal(ret, -16, what);
        } else {
          assert.equal(ret, 0, what);
          const want = o.rev ? [pick[1] - o.size + 1, pick[1]] : [pick[0], pick[0] + o.size - 1];
          assert.deepEqual([mas.index, mas.last], want, what);
        }
        break;
      }
      case 'iter': {
        const rev: range[] = [];
        const mas = MA_STATE(mt, ULONG_MAX, ULONG_MAX);
        for (let e = mas_find_rev(mas, 0); e !== null; e = mas_find_rev(mas, 0)) rev.push({ a: mas.index, b: mas.last, e });
        assert.deepEqual(rev.reverse(), ref.ranges, `${what}: mas_find_rev`);
        const seen: maple_entry[] = [];
        mt_for_each(mt, 0, ULONG_MAX, (e) => seen.push(e));
        assert.deepEqual(seen, ref.ranges.filter((r) => !xa_is_zero(r.e)).map((r) => r.e), `${what}: mt_for_each`);
        // mas_find_range visits every range, NULL ones included, up to max (its first call
        // moves past a NULL range at the start index)
        const all = MA_STATE(mt, 0, 0);
        const head = ref.at(0);
        let next = head.e === null ? head.b + 1 : 0;
        for (;;) {
          const e = mas_find_range(all, ULONG_MAX);
          if (all.status !== 'ma_active') break;
          assert.equal(all.index, next, `${what}: mas_find_range is contiguous`);
          assert.equal(e, ref.at(all.index).e, what);
          if (all.last === ULONG_MAX) break;
          next = all.last + 1;
        }
        break;
      }
    }
  }
}

void test('random operations on a plain tree match the reference', () => {
  const before = { ...stats };
  fc.assert(fc.property(ops(400), (l) => run(0, l)), { numRuns: 300 });
  const covered = `ops ${stats.ops - before.ops}, -ENOMEM ${stats.enomem - before.enomem}, dups ${stats.dups - before.dups}`;
  assert.ok(stats.ops - before.ops > 5000 && stats.enomem > before.enomem && stats.dups > before.dups, covered);
  assert.ok(stats.height >= 2, `height reached ${stats.height}`);
});

void test('random operations on an allocation tree match the reference', () => {
  fc.assert(fc.property(ops(400), (l) => run(MT_FLAGS_ALLOC_RANGE, l)), { numRuns: 300 });
});

void test('long random sequences build and shrink deep trees', () => {
  const long = fc.array(ops(20000), { minLength: 4, maxLength: 4 }).map((chunks) => chunks.flat());
  fc.assert(fc.property(long, fc.boolean(), (l, alloc) => run(alloc ? MT_FLAGS_ALLOC_RANGE : 0, l)), { numRuns: 25 });
  assert.ok(stats.height >= 3, `height reached ${stats.height}`);
});

void test('dense sequential fill and random erase keep every invariant', () => {
  fc.assert(
    fc.property(fc.integer({ min: 300, max: 1000 }), fc.boolean(), fc.integer(), (n, alloc, seed) => {
      const ops: op[] = [];
      for (let i = 0; i < n; i++) ops.push({ t: 'store', a: 4 * i, b: 4 * i + 2, e: xa_mk_value(i), k: 1 << 30 });
      let x = seed >>> 0;
      for (let i = 0; i < n; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        ops.push({ t: 'erase', i: 4 * (x % n) });
      }
      run(alloc ? MT_FLAGS_ALLOC_RANGE : 0, ops);
    }),
    { numRuns: 6 },
  );
  assert.ok(stats.height >= 3, `height reached ${stats.height}`);
});
