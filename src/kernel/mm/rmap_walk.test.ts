// The anon rmap walk on a quiet system: a COW-shared page is found in the parent and the child.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explore } from '../../engine/explore.ts';
import { load } from '../../engine/prims.ts';
import { kernelConfig } from '../config.ts';
import { vma_lookup } from '../include/linux/mm.ts';
import { VM_READ, VM_WRITE } from '../include/linux/mm_types.ts';
import { kernel_clone } from '../kernel/fork.ts';
import { as_task, exec_process, kernel_program } from '../program.ts';
import { do_user_addr_fault } from './gup.ts';
import { vm_mmap_pgoff } from './mmap.ts';
import { folio_referenced } from './rmap_walk.ts';

for (const preset of ['v6.8', 'v7.0']) {
  void test(`${preset}: folio_referenced finds the page in the parent and in the forked child`, () => {
    let checked = false;
    const r = explore(() => kernel_program(kernelConfig(preset), function* (w) {
      const P = yield* exec_process(w, 'P');
      yield* as_task(w, P, (function* () {
        yield* vm_mmap_pgoff(P, 0x1000, 0x2000, VM_READ | VM_WRITE);
        yield* do_user_addr_fault(P, 0x2000, true); // anon_vma_prepare(); page at 0x2000
        const vma = (yield* vma_lookup((yield* load(P.mm))!, 0x1000))!;
        const av = (yield* load(vma.anon_vma))!;
        const pgoff = vma.vm_pgoff + 1;
        assert.equal(yield* folio_referenced(w, av, pgoff), 1); // anon_vma: [P's VMA]
        assert.ok((yield* kernel_clone(P, 0)) > 0);
        assert.equal(yield* folio_referenced(w, av, pgoff), 2); // anon_vma: [P's VMA, C's VMA] (COW-shared)
        assert.equal(yield* folio_referenced(w, av, vma.vm_pgoff), 0); // page 0 was never touched
      })());
      checked = true;
    }), { maxFaults: 0 });
    assert.equal(r.violations[0]?.message, undefined);
    assert.ok(checked);
  });
}
