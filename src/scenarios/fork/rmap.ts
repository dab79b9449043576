/**
 * An anon rmap walker against a fork whose anon_vma_fork() fails (R15).
 *
 * P maps one anonymous page and touches it (the VMA gets its anon_vma). P forks; the only
 * injectable failures are anon_vma_fork()'s and anon_vma_clone()'s allocations. Reclaim
 * (kswapd) meanwhile asks folio_referenced() about P's page: rmap_walk_anon() visits every VMA
 * in the anon_vma's tree.
 */
import type { Program } from '../../engine/api.ts';
import type { Model } from '../../engine/op.ts';
import { ModelViolation } from '../../engine/op.ts';
import { join, kfn, load } from '../../engine/prims.ts';
import type { KernelConfig } from '../../kernel/config.ts';
import { PAGE_SIZE, VM_READ, VM_WRITE, type task_struct, type vm_area_struct } from '../../kernel/include/linux/mm_types.ts';
import { vma_lookup } from '../../kernel/include/linux/mm.ts';
import { kernel_clone } from '../../kernel/kernel/fork.ts';
import { do_user_addr_fault } from '../../kernel/mm/gup.ts';
import { vm_mmap_pgoff } from '../../kernel/mm/mmap.ts';
import { folio_referenced_one, rmap_walk_anon } from '../../kernel/mm/rmap_walk.ts';
import { as_task, exec_process, kernel_program } from '../../kernel/program.ts';
import { kthread_run } from '../../kernel/world.ts';
import type { Scenario } from '../types.ts';
import { mm_of } from './common.ts';

export const R_START = 0x40000;

/** What the walker saw and how the fork ended, per execution. */
interface observation {
  fork: number;
  readonly seen: vm_area_struct[];
}

/** The reclaim actor: folio_referenced() of P's page, recording every VMA the walk visits. */
const kswapd_folio_referenced = kfn('folio_referenced', function* (P: task_struct, obs: observation): Model<void> {
  const mm = yield* mm_of(P);
  const vma = (yield* vma_lookup(mm, R_START))!;
  const av = (yield* load(vma.anon_vma))!; // folio_anon_vma(folio)
  const referenced = { n: 0 };
  yield* rmap_walk_anon(mm.w, av, vma.vm_pgoff, {
    rmap_one: function* (v, address) {
      obs.seen.push(v); // the scenario's observer: which VMAs the walk reached
      return yield* folio_referenced_one(v, address, referenced);
    },
  });
});

function r15_program(cfg: KernelConfig): Program {
  return () => {
    const obs: observation = { fork: 0, seen: [] };
    let P: task_struct | null = null;
    return kernel_program(
      cfg,
      function* (w) {
        const p = yield* exec_process(w, 'P');
        P = p;
        yield* as_task(w, p, (function* () {
          yield* vm_mmap_pgoff(p, R_START, PAGE_SIZE, VM_READ | VM_WRITE, null, 0);
          yield* do_user_addr_fault(p, R_START, true);
        })());
        const t0 = yield* kthread_run(w, 'fork', p, function* () { obs.fork = yield* kernel_clone(p, 0); });
        const t1 = yield* kthread_run(w, 'kswapd', null, () => kswapd_folio_referenced(p, obs));
        yield* join(t0);
        yield* join(t1);
      },
      {
        atEnd: (_w, peek) => {
          if (obs.fork >= 0 || !P) return;
          const pmm = peek.load(P.mm);
          const child = obs.seen.find((v) => v.vm_mm !== pmm);
          if (child)
            throw new ModelViolation(
              'property',
              `rmap_walk_anon() reached ${child.name} of ${child.vm_mm.name}, a VMA of a fork that then failed ` +
                `(fork() = ${obs.fork}): anon_vma_fork() had linked it into the anon_vma tree and unwound it with ` +
                'unlink_anon_vmas() on a half-built VMA',
            );
        },
      },
    );
  };
}

export const R15: Scenario = {
  id: 'R15',
  name: 'rmap_walk_anon-vs-anon_vma_fork-enomem',
  summary:
    'Before Lorenzo Stoakes\' v7.0 anon_vma rework, anon_vma_fork() linked the child VMA into the ' +
    'family\'s anon_vma trees (anon_vma_clone) before allocating the child\'s own anon_vma and AVC; ' +
    'when that allocation fails it unwinds with unlink_anon_vmas() on the half-built VMA. No crash ' +
    'is known: what is flagged (a property, at the end) is that the reclaim rmap walk (kswapd: ' +
    'folio_referenced) reached, through the anon_vma tree, a VMA of a fork that then failed, i.e. ' +
    'the walker could see a VMA that anon_vma_fork() was about to tear down again. v7.0 ' +
    'pre-allocates, so a failing anon_vma_fork() never links anything (anonVmaTwoPhaseClone). ' +
    'Bounds: one fault, only at the anon_vma allocations of anon_vma_fork/anon_vma_clone (so a ' +
    'failed fork is one that failed there).',
  source: 'seeds/004 ("mm/rmap: eliminate partial anon_vma tear-down in anon_vma_fork()"); kernel-spec.md R15',
  kernel: true,
  build: ({ kernel }) => r15_program(kernel!),
  expect: { 'v6.8': 'violation', 'v6.18': 'violation', 'v7.0': 'pass' },
  options: { maxFaults: 1, faultSites: ['anon_vma_fork:anon_vma_alloc', 'anon_vma_fork:avc_alloc', 'anon_vma_clone:avc_alloc'] },
};
