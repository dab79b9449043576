import assert from 'node:assert/strict';
import { test } from 'node:test';
import { load } from '../../engine/prims.ts';
import { EINVAL } from '../include/linux/errno.ts';
import { PAGE_SIZE, VM_LOCKED, type anon_vma } from '../include/linux/mm_types.ts';
import { do_exit } from '../kernel/exit.ts';
import { kernel_clone } from '../kernel/fork.ts';
import { as_task, fork_exit_parent } from '../program.ts';
import { layout, run_kernel } from '../testing.ts';
import { do_user_addr_fault } from './gup.ts';
import { pte_at } from './memory.ts';
import { do_mlock } from './mlock.ts';
import { vm_munmap } from './mmap.ts';

const P_ = (n: number): number => n * PAGE_SIZE;

/**
 * munmap(C), then a munmap cutting A:
 *   before   .A..B...CC..D.   map_count 4, i_mmap {B, C}, PTE pages for pages 0-3, 4-7, 8-b, c-f
 *   after    .A..B.......C.   map_count 3 (letters name VMAs in order: D is now the third), i_mmap {B}, the PTE page of 8-b freed; C's page-cache
 *                             page stays in the cache
 *   munmap(0x0, 2 pages) cuts A? no: A is page 1 only, so [0,2) covers it; [1,1.5) is -EINVAL.
 */
void test('munmap removes whole VMAs, their rmap links and page tables', () => {
  const seen: string[] = [];
  const r = run_kernel('v7.0', function* (w) {
    const P = yield* fork_exit_parent(w, 1);
    const mm = (yield* load(P.mm))!;
    const f = w.__reg.files[0]!;
    yield* as_task(w, P, (function* () {
      seen.push(`${yield* layout(mm)} ${yield* load(mm.map_count)} ${(yield* load(f.f_mapping.i_mmap)).length} ${[...(yield* load(mm.pgd))!.keys()].join(',')}`);
      assert.equal(yield* vm_munmap(P, P_(8), P_(2)), 0);
      seen.push(`${yield* layout(mm)} ${yield* load(mm.map_count)} ${(yield* load(f.f_mapping.i_mmap)).length} ${[...(yield* load(mm.pgd))!.keys()].join(',')}`);
      assert.equal(yield* vm_munmap(P, P_(1), PAGE_SIZE / 2), -EINVAL);
      yield* do_exit(P);
    })());
  });
  assert.equal(r.violations.length, 0, r.violations[0]?.message);
  assert.deepEqual(seen, ['.A..B...CC..D. 4 2 0,1,2,3', '.A..B.......C. 3 1 0,1,3']);
});

/** mlock(A) sets VM_LOCKED and locked_vm; the child of a fork does not inherit VM_LOCKED. */
void test('mlock, and fork clears VM_LOCKED in the child', () => {
  const seen: number[] = [];
  const r = run_kernel('v7.0', function* (w) {
    const P = yield* fork_exit_parent(w, 1);
    const mm = (yield* load(P.mm))!;
    yield* as_task(w, P, (function* () {
      assert.equal(yield* do_mlock(P, P_(1), PAGE_SIZE), 0);
      const pid = yield* kernel_clone(P, 0);
      const C = (yield* load(w.tasklist)).find((t) => t.pid === pid)!;
      const cmm = (yield* load(C.mm))!;
      seen.push(yield* load(mm.locked_vm), yield* load(cmm.locked_vm));
      seen.push((yield* load(w.__reg.vmas.find((v) => v.vm_mm === cmm)!.vm_flags)) & VM_LOCKED);
      yield* as_task(w, C, do_exit(C));
      yield* do_exit(P);
    })());
  });
  assert.equal(r.violations.length, 0, r.violations[0]?.message);
  assert.deepEqual(seen, [1, 0, 0]);
});

/**
 * COW after fork and the anon_vma family:
 *   P's A has anon_vma#1 (root: num_children 1 self + 1 child = 2); C's A' gets anon_vma#2
 *   (parent anon_vma#1, root anon_vma#1, whose refcount becomes 2); A' is on both trees.
 *   C writes page 1: a new page for C, P's page goes back to _refcount 1.
 */
void test('fork builds the anon_vma family; a write after fork copies the page', () => {
  for (const preset of ['v6.8', 'v7.0']) {
    const seen: string[] = [];
    const r = run_kernel(preset, function* (w) {
      const P = yield* fork_exit_parent(w, 1);
      const mm = (yield* load(P.mm))!;
      const pid = yield* as_task(w, P, kernel_clone(P, 0));
      const C = (yield* load(w.tasklist)).find((t) => t.pid === pid)!;
      const av = (yield* load(w.__reg.vmas[0]!.anon_vma))!;
      const cmm = (yield* load(C.mm))!;
      const cav: anon_vma = (yield* load(w.__reg.vmas.find((v) => v.vm_mm === cmm && v.vm_start === P_(1))!.anon_vma))!;
      seen.push(`${av.name} children ${yield* load(av.num_children)} active ${yield* load(av.num_active_vmas)} ref ${yield* load(av.refcount)} tree ${(yield* load(av.rb_root)).length}`);
      seen.push(`${cav.name} parent ${cav.parent.name} root ${cav.root.name} tree ${(yield* load(cav.rb_root)).length}`);
      const page = (yield* pte_at(mm, P_(1)))!;
      assert.equal(page.kind, 'page');
      if (page.kind === 'page') {
        seen.push(`shared ${yield* load(page.page._refcount)}`);
        yield* as_task(w, C, do_user_addr_fault(C, P_(1), true));
        seen.push(`after COW ${yield* load(page.page._refcount)}`);
      }
      yield* as_task(w, C, do_exit(C));
      yield* as_task(w, P, do_exit(P));
    });
    assert.equal(r.violations.length, 0, `${preset}: ${r.violations[0]?.message}`);
    assert.deepEqual(seen, [
      'anon_vma#1 children 2 active 1 ref 2 tree 2',
      'anon_vma#3 parent anon_vma#1 root anon_vma#1 tree 1',
      'shared 2', 'after COW 1',
    ], preset);
  }
});
