// uprobe registration on a quiet system: a breakpoint in every mapping of the file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explore } from '../../../engine/explore.ts';
import { load } from '../../../engine/prims.ts';
import type { Model } from '../../../engine/op.ts';
import { kernelConfig } from '../../config.ts';
import { mm_flags_test } from '../../include/linux/bitops.ts';
import { MMF_HAS_UPROBES, VM_EXEC, VM_READ, VM_WRITE, VM_SHARED, type mm_struct } from '../../include/linux/mm_types.ts';
import { pte_at } from '../../mm/memory.ts';
import { vm_mmap_pgoff } from '../../mm/mmap.ts';
import { file_create } from '../../mm/vma.ts';
import { as_task, exec_process, kernel_program } from '../../program.ts';
import type { world } from '../../world.ts';
import { kernel_clone } from '../fork.ts';
import { uprobe_register } from './uprobes.ts';

function quiet(preset: string, body: (w: world) => Model<void>): void {
  const r = explore(() => kernel_program(kernelConfig(preset), body), { maxFaults: 0 });
  assert.equal(r.violations[0]?.message, undefined);
  assert.equal(r.executions, 1);
}

for (const preset of ['v6.8', 'v7.0']) {
  void test(`${preset}: uprobe_register installs a breakpoint in every r-x private mapping of the file`, () => {
    let checked = false;
    quiet(preset, function* (w) {
      const f = yield* file_create(w, 'libfoo.so');
      const P = yield* exec_process(w, 'P');
      const Q = yield* exec_process(w, 'Q');
      const probed: [mm_struct, number][] = [];
      yield* as_task(w, P, (function* () {
        yield* vm_mmap_pgoff(P, 0x10000, 0x2000, VM_READ | VM_EXEC, f, 0); // pages 0, 1 of the file
        yield* vm_mmap_pgoff(P, 0x20000, 0x1000, VM_READ | VM_WRITE | VM_SHARED, f, 1); // not probed: shared, writable
        const pid = yield* kernel_clone(P, 0);
        const C = (yield* load(w.tasklist)).find((t) => t.pid === pid)!;
        probed.push([(yield* load(P.mm))!, 0x11000], [(yield* load(C.mm))!, 0x11000]);
      })());
      yield* as_task(w, Q, (function* () {
        yield* vm_mmap_pgoff(Q, 0x40000, 0x1000, VM_READ | VM_EXEC, f, 1); // page 1 at another address
        probed.push([(yield* load(Q.mm))!, 0x40000]);
      })());
      // Probe file page 1: P 0x11000, its child C 0x11000, Q 0x40000 (P's shared mapping is not valid_vma).
      assert.equal(yield* uprobe_register(w, f.f_mapping, 0x1000), 0);
      for (const [mm, vaddr] of probed) {
        const pte = yield* pte_at(mm, vaddr);
        assert.ok(pte?.kind === 'page' && pte.page.anon && !pte.write, `${mm.name}: breakpoint copy at ${vaddr.toString(16)}`);
        assert.ok(yield* mm_flags_test(MMF_HAS_UPROBES, mm));
      }
      const shared = yield* pte_at(probed[0]![0], 0x20000);
      assert.equal(shared, null, 'the shared mapping is untouched');
      // Registering again finds the breakpoints in place (verify_opcode) and changes nothing.
      const before = yield* load(w.nr_free_pages);
      assert.equal(yield* uprobe_register(w, f.f_mapping, 0x1000), 0);
      assert.equal(yield* load(w.nr_free_pages), before);
      checked = true;
    });
    assert.ok(checked);
  });
}
