// task_numa_work on a quiet system: armed by the first call, it scans once the delay passed,
// then waits for the next scan period; an empty address space is survived only without the
// v6.2-v6.12-rc5 do-while loop (numaDoWhileBug).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explore } from '../../../engine/explore.ts';
import { load, sleep } from '../../../engine/prims.ts';
import type { Model } from '../../../engine/op.ts';
import { kernelConfig } from '../../config.ts';
import { VM_READ, VM_WRITE } from '../../include/linux/mm_types.ts';
import { do_user_addr_fault } from '../../mm/gup.ts';
import { vm_mmap_pgoff, vm_munmap } from '../../mm/mmap.ts';
import { as_task, exec_process, kernel_program } from '../../program.ts';
import type { world } from '../../world.ts';
import { NUMA_SCAN_DELAY, NUMA_SCAN_PERIOD, task_numa_work } from './fair.ts';

function quiet(preset: string, body: (w: world) => Model<void>): string | undefined {
  const r = explore(() => kernel_program(kernelConfig(preset), body), { maxFaults: 0 });
  assert.equal(r.executions, 1);
  return r.violations[0]?.message;
}

void test('v7.0: task_numa_work arms, scans every present page, then waits a scan period', () => {
  let checked = false;
  const err = quiet('v7.0', function* (w) {
    const P = yield* exec_process(w, 'P');
    yield* as_task(w, P, (function* () {
      yield* vm_mmap_pgoff(P, 0x1000, 0x3000, VM_READ | VM_WRITE); // [0x1000 page][0x2000 page][0x3000 none]
      yield* vm_mmap_pgoff(P, 0x8000, 0x1000, VM_READ | VM_WRITE); // [0x8000 page]
      for (const a of [0x1000, 0x2000, 0x8000]) yield* do_user_addr_fault(P, a, true);
      assert.equal(yield* task_numa_work(w), 0); // numa_next_scan = now + delay
      yield* sleep(NUMA_SCAN_DELAY);
      assert.equal(yield* task_numa_work(w), 3); // 3 present PTEs in 2 VMAs
      assert.equal(yield* load((yield* load(P.mm))!.numa_scan_offset), 0); // the whole space: reset
      assert.equal(yield* task_numa_work(w), 0); // time_before(now, numa_next_scan)
      yield* sleep(NUMA_SCAN_PERIOD);
      assert.equal(yield* task_numa_work(w), 3);
    })());
    checked = true;
  });
  assert.equal(err, undefined);
  assert.ok(checked);
});

for (const [preset, oops] of [['v6.11', true], ['v6.12', false]] as const) {
  void test(`${preset}: task_numa_work on an mm without VMAs ${oops ? 'dereferences NULL' : 'returns'}`, () => {
    const err = quiet(preset, function* (w) {
      const P = yield* exec_process(w, 'P');
      yield* as_task(w, P, (function* () {
        yield* vm_mmap_pgoff(P, 0x1000, 0x1000, VM_READ | VM_WRITE);
        yield* task_numa_work(w);
        yield* vm_munmap(P, 0x1000, 0x1000); // the tree is empty
        yield* sleep(NUMA_SCAN_DELAY);
        assert.equal(yield* task_numa_work(w), 0);
      })());
    });
    if (oops) assert.match(err ?? '', /NULL pointer dereference, address: 0x0000000000000020/);
    else assert.equal(err, undefined);
  });
}
