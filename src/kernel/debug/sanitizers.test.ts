import assert from 'node:assert/strict';
import { test } from 'node:test';
import { load, newLoc } from '../../engine/prims.ts';
import { vma_entries } from '../include/linux/mm.ts';
import type { vm_area_struct } from '../include/linux/mm_types.ts';
import { do_exit } from '../kernel/exit.ts';
import { mmput } from '../kernel/fork.ts';
import { vm_area_alloc } from '../mm/vma_init.ts';
import { XA_ZERO_ENTRY } from '../lib/maple_tree.ts';
import { as_task, fork_exit_parent } from '../program.ts';
import { run_kernel } from '../testing.ts';
import { pt_ptes, vma_deref } from './kasan.ts';
import { lock_acquire, lock_create, lock_release } from './lockdep.ts';

function verdict(setup: Parameters<typeof run_kernel>[1]): string {
  const r = run_kernel('v7.0', setup);
  const v = r.violations[0];
  return v ? `${v.kind}: ${v.message}` : 'pass';
}

void test('checked VMA dereference: NULL, XA_ZERO_ENTRY, freed, foreign', () => {
  assert.match(verdict(function* (w) {
    const P = yield* fork_exit_parent(w, 0);
    yield* vma_deref(null, (yield* load(P.mm)), 'vm_flags');
  }), /^oops: BUG: kernel NULL pointer dereference, address: 0x0000000000000020/);
  assert.match(verdict(function* (w) {
    const P = yield* fork_exit_parent(w, 0);
    yield* vma_deref(XA_ZERO_ENTRY, (yield* load(P.mm)), 'anon_vma');
  }), /^oops: general protection fault, probably for non-canonical address 0x0000000000000446/);
  assert.match(verdict(function* (w) {
    const P = yield* fork_exit_parent(w, 0);
    const mm = (yield* load(P.mm))!;
    const [first] = yield* vma_entries(mm);
    yield* as_task(w, P, do_exit(P));
    yield* vma_deref(first, null, 'vm_flags');
  }), /^use-after-free: BUG: KASAN: slab-use-after-free in vma->vm_flags: vma#1/);
  assert.match(verdict(function* (w) {
    const P = yield* fork_exit_parent(w, 0);
    const Q = yield* fork_exit_parent(w, 0);
    const [qv] = yield* vma_entries((yield* load(Q.mm))!);
    yield* vma_deref(qv, (yield* load(P.mm)), 'vm_start');
  }), /^oops: BUG: vma#3 of mm#2 found in the VMA tree of mm#1/);
});

void test('page table use after free_pgtables', () => {
  assert.match(verdict(function* (w) {
    const P = yield* fork_exit_parent(w, 0);
    const mm = (yield* load(P.mm))!;
    const pt = [...(yield* load(mm.pgd))!.values()][0]!;
    yield* as_task(w, P, do_exit(P));
    yield* pt_ptes(pt);
  }), /^use-after-free: .*page table pt#1 accessed after free_pgtables/);
});
void test('refcounts: mmput underflow, increment from zero', () => {
  assert.match(verdict(function* (w) {
    const P = yield* fork_exit_parent(w, 0);
    const mm = (yield* load(P.mm))!;
    yield* as_task(w, P, do_exit(P));
    yield* mmput(mm);
  }), /^(refcount|use-after-free): /);
});

void test('lockdep: an inversion between two classes, a lock held at return to user', () => {
  assert.match(verdict(function* (w) {
    const a = yield* lock_create(w, 'x', 'class_a', 'mutex');
    const b = yield* lock_create(w, 'x', 'class_b', 'mutex');
    yield* lock_acquire(w, a); yield* lock_acquire(w, b); yield* lock_release(w, b); yield* lock_release(w, a);
    yield* lock_acquire(w, b); yield* lock_acquire(w, a);
  }), /^lockdep: possible circular locking dependency detected: main takes class_a while holding class_b/);
  assert.match(verdict(function* (w) {
    const P = yield* fork_exit_parent(w, 0);
    yield* as_task(w, P, (function* () {
      yield* lock_acquire(w, w.oom_lock);
      yield* do_exit(P);
    })());
  }), /^lockdep: lock held when returning to user space \(do_exit\(P\[1\]\)\)/);
});

void test('the end-of-execution audit finds a leaked VMA and a process that never exits is no leak', () => {
  assert.match(verdict(function* (w) {
    const P = yield* fork_exit_parent(w, 0);
    const v: vm_area_struct | null = yield* vm_area_alloc((yield* load(P.mm))!, { start: 0x40000, end: 0x41000, flags: 0, file: null, pgoff: 0 }, 'test');
    assert.ok(v);
    yield* as_task(w, P, do_exit(P));
  }), /^leak: vma#3 of mm#1 never freed/);
  assert.equal(verdict(function* (w) { yield* fork_exit_parent(w, 0); yield* newLoc('x', 0); }), 'pass');
});
