// ksmd and khugepaged on a quiet system: registration by madvise and at fork, a scan of every
// registered mm, and the exit hooks (free the slot at once, or the write-lock barrier when the
// daemon is on the slot, after which the daemon drops it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explore } from '../../engine/explore.ts';
import { load } from '../../engine/prims.ts';
import type { Model } from '../../engine/op.ts';
import { kernelConfig } from '../config.ts';
import { vma_lookup } from '../include/linux/mm.ts';
import { mmap_write_lock, mmap_write_unlock } from '../include/linux/mmap_lock.ts';
import { VM_READ, VM_WRITE, type task_struct } from '../include/linux/mm_types.ts';
import { do_exit } from '../kernel/exit.ts';
import { kernel_clone } from '../kernel/fork.ts';
import { as_task, exec_process, kernel_program } from '../program.ts';
import type { world } from '../world.ts';
import { do_user_addr_fault } from './gup.ts';
import { hugepage_madvise, khugepaged_scan_mm_slot } from './khugepaged.ts';
import { ksm_do_scan, ksm_madvise } from './ksm.ts';
import { vm_mmap_pgoff } from './mmap.ts';

function quiet(preset: string, body: (w: world) => Model<void>): void {
  const r = explore(() => kernel_program(kernelConfig(preset), body), { maxFaults: 0 });
  assert.equal(r.violations[0]?.message, undefined);
  assert.equal(r.executions, 1);
}

/** P with two touched anonymous pages at 0x1000, madvised for @daemon. */
function* madvised(w: world, daemon: 'ksm' | 'khugepaged'): Model<task_struct> {
  const P = yield* exec_process(w, 'P');
  yield* as_task(w, P, (function* () {
    yield* vm_mmap_pgoff(P, 0x1000, 0x2000, VM_READ | VM_WRITE);
    const mm = (yield* load(P.mm))!;
    yield* mmap_write_lock(mm);
    const vma = (yield* vma_lookup(mm, 0x1000))!;
    if (daemon === 'ksm') assert.equal(yield* ksm_madvise(vma), 0);
    else yield* hugepage_madvise(vma);
    yield* mmap_write_unlock(mm);
    yield* do_user_addr_fault(P, 0x1000, true);
    yield* do_user_addr_fault(P, 0x2000, true);
  })());
  return P;
}

function* fork_child(w: world, P: task_struct): Model<task_struct> {
  let C: task_struct | undefined;
  yield* as_task(w, P, (function* () {
    const pid = yield* kernel_clone(P, 0);
    C = (yield* load(w.tasklist)).find((t) => t.pid === pid);
  })());
  return C!;
}

void test('v7.0: ksmd scans every registered mm; ksm_exit frees a slot or waits for ksmd', () => {
  let checked = false;
  quiet('v7.0', function* (w) {
    const P = yield* madvised(w, 'ksm');
    const names = function* () { return (yield* load(w.ksm_scan.mm_head)).map((m) => m.name); };
    assert.deepEqual(yield* names(), ['mm#1']);
    assert.equal(yield* ksm_do_scan(w), 2); // ksm_mm_head: [P]; 2 present PTEs in VM_MERGEABLE
    const C = yield* fork_child(w, P); // ksm_fork(): the child joins
    assert.deepEqual(yield* names(), ['mm#1', 'mm#2']);
    assert.equal(yield* ksm_do_scan(w), 2); // P; ksm_scan.mm_slot moves on to C
    assert.equal((yield* load(w.ksm_scan.mm_slot))?.name, 'mm#2');
    yield* as_task(w, C, do_exit(C)); // ksmd is on C's slot: __ksm_exit() only takes the barrier
    assert.deepEqual(yield* names(), ['mm#1', 'mm#2']);
    assert.equal(yield* ksm_do_scan(w), 0); // ksm_test_exit(C): ksmd drops the slot (and its mmgrab)
    assert.deepEqual(yield* names(), ['mm#1']);
    yield* as_task(w, P, do_exit(P)); // not being scanned: freed at once
    assert.deepEqual(yield* names(), []);
    checked = true;
  });
  assert.ok(checked);
});

void test('v7.0: khugepaged scans every registered mm; khugepaged_exit frees a slot or waits for khugepaged', () => {
  let checked = false;
  quiet('v7.0', function* (w) {
    const P = yield* madvised(w, 'khugepaged');
    assert.equal(yield* khugepaged_scan_mm_slot(w), 2);
    const C = yield* fork_child(w, P); // khugepaged_fork(): the child joins at the tail
    assert.deepEqual((yield* load(w.khugepaged_scan.mm_head)).map((m) => m.name), ['mm#1', 'mm#2']);
    assert.equal(yield* khugepaged_scan_mm_slot(w), 2); // a new round: P again; khugepaged_scan.mm_slot = C
    yield* as_task(w, C, do_exit(C)); // khugepaged is on C's slot: the barrier only
    yield* as_task(w, P, do_exit(P)); // P's slot is freed at once
    assert.deepEqual((yield* load(w.khugepaged_scan.mm_head)).map((m) => m.name), ['mm#2']);
    assert.equal(yield* khugepaged_scan_mm_slot(w), 0); // C exited: collect_mm_slot()
    assert.deepEqual(yield* load(w.khugepaged_scan.mm_head), []);
    checked = true;
  });
  assert.ok(checked);
});
