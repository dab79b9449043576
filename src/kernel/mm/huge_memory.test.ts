import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Model } from '../../engine/op.ts';
import { join, load } from '../../engine/prims.ts';
import { PAGE_SIZE, PMD_SIZE, PTRS_PER_PTE, VM_READ, VM_WRITE, type mm_struct, type task_struct } from '../include/linux/mm_types.ts';
import { do_exit } from '../kernel/exit.ts';
import { CLONE_THREAD, CLONE_VM, kernel_clone } from '../kernel/fork.ts';
import { as_task, exec_process } from '../program.ts';
import { kthread_run } from '../world.ts';
import { layout, run_kernel } from '../testing.ts';
import { do_user_addr_fault } from './gup.ts';
import { do_madvise } from './madvise.ts';
import { do_mlock } from './mlock.ts';
import { vm_mmap_pgoff, vm_munmap } from './mmap.ts';

const H = 2 * PMD_SIZE; // a PMD-aligned address

/** 'H' for a huge PMD, 'p' for a PTE page, per PMD index of the mm; then anon rss. */
function* tables(mm: mm_struct): Model<string> {
  const pgd = (yield* load(mm.pgd))!;
  const kinds = [...pgd.entries()].sort(([a], [b]) => a - b).map(([i, pt]) => `${i}${pt.huge ? 'H' : 'p'}`);
  return `${kinds.join(',') || '-'} rss ${(yield* load(mm.rss_stat))[1]}`;
}

/** mmap of one PMD at H, madvise(MADV_HUGEPAGE), mlock (whose populate faults it in), as @P. */
function* map_hugepage_locked(P: task_struct): Model<void> {
  assert.equal(yield* vm_mmap_pgoff(P, H, PMD_SIZE, VM_READ | VM_WRITE), H);
  assert.equal(yield* do_madvise(P, H, 'MADV_HUGEPAGE'), 0);
  assert.equal(yield* do_mlock(P, H, PMD_SIZE), 0);
}

/**
 * THP with transparent_hugepage=madvise, one VMA of one PMD at 2*PMD_SIZE:
 *   mmap + fault (no MADV_HUGEPAGE)   PTE page 2p, rss 1
 *   munmap, mmap again, madvise, mlock's populate: one huge PMD 2H, rss PTRS_PER_PTE (4)
 *   fork: the child has its own huge PMD over the same pages (rss 4 each)
 *   munmap in the parent: no page table left there, rss 0; the audit finds nothing leaked
 */
void test('a VM_HUGEPAGE fault maps a huge PMD; fork copies it; munmap zaps it', () => {
  const seen: string[] = [];
  const r = run_kernel('v7.0', function* (w) {
    const P = yield* exec_process(w, 'P');
    const mm = (yield* load(P.mm))!;
    yield* as_task(w, P, (function* () {
      yield* vm_mmap_pgoff(P, H, PMD_SIZE, VM_READ | VM_WRITE);
      assert.equal(yield* do_user_addr_fault(P, H, true), 0);
      seen.push(yield* tables(mm));
      assert.equal(yield* vm_munmap(P, H, PMD_SIZE), 0);
      yield* map_hugepage_locked(P);
      seen.push(yield* tables(mm));
      const pid = yield* kernel_clone(P, 0);
      const C = (yield* load(w.tasklist)).find((t) => t.pid === pid)!;
      const cmm = (yield* load(C.mm))!;
      seen.push(`child ${yield* tables(cmm)} ${yield* layout(cmm, 12)}`);
      assert.equal(yield* vm_munmap(P, H, PMD_SIZE), 0);
      seen.push(yield* tables(mm));
      yield* as_task(w, C, do_exit(C));
      yield* do_exit(P);
    })());
  }, {}, { world: { transparent_hugepage: 'madvise' } });
  assert.equal(r.violations.length, 0, r.violations[0]?.message);
  assert.deepEqual(seen, ['2p rss 1', `2H rss ${PTRS_PER_PTE}`, `child 2H rss ${PTRS_PER_PTE} ........AAAA`, '- rss 0']);
});

/** With transparent_hugepage=never (the default) the same mapping stays on a PTE page. */
void test('transparent_hugepage=never: MADV_HUGEPAGE memory is mapped by PTEs', () => {
  const seen: string[] = [];
  const r = run_kernel('v7.0', function* (w) {
    const P = yield* exec_process(w, 'P');
    const mm = (yield* load(P.mm))!;
    yield* as_task(w, P, (function* () {
      yield* map_hugepage_locked(P);
      seen.push(yield* tables(mm));
      yield* do_exit(P);
    })());
  });
  assert.equal(r.violations.length, 0, r.violations[0]?.message);
  assert.deepEqual(seen, [`2p rss ${PTRS_PER_PTE}`]);
});

/**
 * Two threads of P fault the same VM_HUGEPAGE PMD at once (two different pages of it): in
 * every interleaving one THP ends up mapped (rss PTRS_PER_PTE), the loser's huge page goes back
 * to the pool, and the audit at P's exit finds nothing leaked.
 */
void test('two racing faults on one huge PMD map one THP and leak nothing', () => {
  const rss = new Set<number>();
  const r = run_kernel('v7.0', function* (w) {
    const P = yield* exec_process(w, 'P');
    const mm = (yield* load(P.mm))!;
    yield* as_task(w, P, (function* () {
      yield* vm_mmap_pgoff(P, H, PMD_SIZE, VM_READ | VM_WRITE);
      yield* do_madvise(P, H, 'MADV_HUGEPAGE');
    })());
    const pid = yield* as_task(w, P, kernel_clone(P, CLONE_VM | CLONE_THREAD));
    const T = (yield* load(w.tasklist)).find((t) => t.pid === pid)!;
    const a = yield* kthread_run(w, 'P', P, function* () { yield* do_user_addr_fault(P, H, true); });
    const b = yield* kthread_run(w, 'P/T', T, function* () { yield* do_user_addr_fault(T, H + PAGE_SIZE, true); });
    yield* join(a);
    yield* join(b);
    rss.add((yield* load(mm.rss_stat))[1]);
    yield* as_task(w, T, do_exit(T));
    yield* as_task(w, P, do_exit(P));
  }, { strategy: 'dpor' }, { world: { transparent_hugepage: 'madvise' } });
  assert.equal(r.violations.length, 0, r.violations[0]?.message);
  assert.equal(r.coverage, 'exhaustive');
  assert.ok(r.executions > 1, `${r.executions} executions`);
  assert.deepEqual([...rss], [PTRS_PER_PTE]);
});
