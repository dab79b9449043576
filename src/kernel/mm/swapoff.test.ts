// swapoff on a quiet system: every swapped-out page of every mm comes back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explore } from '../../engine/explore.ts';
import { load } from '../../engine/prims.ts';
import type { Model } from '../../engine/op.ts';
import { kernelConfig } from '../config.ts';
import { VM_READ, VM_WRITE, type mm_struct } from '../include/linux/mm_types.ts';
import { kernel_clone } from '../kernel/fork.ts';
import { as_task, exec_process, kernel_program } from '../program.ts';
import type { world } from '../world.ts';
import { do_user_addr_fault } from './gup.ts';
import { pte_at } from './memory.ts';
import { vm_mmap_pgoff } from './mmap.ts';
import { try_to_unuse } from './swapoff.ts';
import { swap_out_page } from './vmscan.ts';

function quiet(preset: string, body: (w: world) => Model<void>): void {
  const r = explore(() => kernel_program(kernelConfig(preset), body), { maxFaults: 0 });
  assert.equal(r.violations[0]?.message, undefined);
  assert.equal(r.executions, 1);
}

for (const preset of ['v6.8', 'v7.0']) {
  void test(`${preset}: try_to_unuse brings back every swapped page of a parent and its child`, () => {
    let checked = false;
    quiet(preset, function* (w) {
      const P = yield* exec_process(w, 'P');
      let mms: mm_struct[] = [];
      yield* as_task(w, P, (function* () {
        yield* vm_mmap_pgoff(P, 0x1000, 0x2000, VM_READ | VM_WRITE);
        yield* do_user_addr_fault(P, 0x1000, true);
        yield* do_user_addr_fault(P, 0x2000, true);
        const mm = (yield* load(P.mm))!;
        assert.equal(yield* swap_out_page(mm, 0x1000), 0);
        assert.equal(yield* swap_out_page(mm, 0x2000), 0);
        const pid = yield* kernel_clone(P, 0);
        const C = (yield* load(w.tasklist)).find((t) => t.pid === pid)!;
        mms = [mm, (yield* load(C.mm))!];
      })());
      // P: [0x1000 swp#1][0x2000 swp#2]   C: the same entries (swap_map 2 each)
      // init_mm.mmlist: P, C            nr_swap_pages 14 / 16
      assert.deepEqual(yield* load(w.mmlist), mms);
      assert.equal(yield* load(w.nr_swap_pages), w.total_swap_pages - 2);
      assert.equal(yield* try_to_unuse(w), 0);
      // P: [0x1000 page][0x2000 page]   C: [0x1000 page][0x2000 page]   nr_swap_pages 16 / 16
      assert.equal(yield* load(w.nr_swap_pages), w.total_swap_pages);
      for (const mm of mms) {
        for (const a of [0x1000, 0x2000]) assert.equal((yield* pte_at(mm, a))?.kind, 'page', `${mm.name} ${a}`);
        assert.deepEqual(yield* load(mm.rss_stat), [0, 2, 0]);
      }
      checked = true;
    });
    assert.ok(checked);
  });
}
