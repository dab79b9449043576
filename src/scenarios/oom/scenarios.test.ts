// The OOM-family scenarios: each verdict per preset as declared, the first counterexample in
// under a second (R1: see its summary), every counterexample replays to the same violation, and
// flipping the one fixing switch makes the violation appear (on the clean preset) or vanish.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Scenario } from '../types.ts';
import { replay_scenario, run_scenario } from '../fork/harness.ts';
import { R1, R2, R12, R13, R14, oom_reaper_vs_exit } from './oom.ts';
import { R10 } from './lmkd.ts';
import { R11, proc_maps_vs_exit } from './proc.ts';
import { R3, R4, process_mrelease_vs_exit } from './process_mrelease.ts';

interface oom_case {
  readonly s: Scenario;
  /** A preset and a patch that makes the violation appear (or, with `vanish`, disappear). */
  readonly flip?: readonly [string, string, 'appear' | 'vanish'];
  /** What the violation says. */
  readonly report?: RegExp;
  /** Budget for the first counterexample (ms). */
  readonly firstMs?: number;
}

const cases: readonly oom_case[] = [
  { s: R3, flip: ['v5.15', '-mreleasePinsUsers', 'appear'], report: /use-after-free: page table .* accessed after free_pgtables/ },
  { s: R4, flip: ['v5.17', '-exitMmapClearsList', 'appear'], report: /slab-use-after-free in vma->vm_flags/ },
  { s: process_mrelease_vs_exit },
  { s: R10, flip: ['v7.0+reap-kill', '-mreleaseReapKill', 'appear'], report: /returned -ESRCH .* still maps \d+ pages, pinned by mm_users/ },
  { s: R11, flip: ['v7.0+exit-write-lock', '-walkersUseMmCountOnly', 'vanish'], report: /deadlock: .*mmap_lock held by cat/ },
  { s: proc_maps_vs_exit },
  // R12 needs two lock-step interleavings of the reaper and exit_mmap: DPOR finds it after ~250 executions.
  { s: R12, flip: ['v6.18', '-reaperReverse', 'appear'], report: /contended \d+ PTE locks/, firstMs: 15_000 },
  { s: R13, flip: ['v6.18', '-thawWholeProcess', 'appear'], report: /still frozen/ },
  { s: R14, report: /unable to reap .* MMF_OOM_SKIP set while .* still maps/ },
  // R1's fix is one commit but two switches in the model (the reaper's pin, exit_mmap's SKIP + barrier).
  { s: R1, flip: ['v4.14', '+reaperPinsUsers,-exitMmapSkipThenBarrier', 'appear'], report: /second OOM victim W killed while the first victim V still held/ },
  { s: R2, flip: ['v4.17', '-exitMmapReapsVictim', 'appear'], report: /NULL page-table lock\): follow_page_mask\(\) -> pmd_lock\(\) on the huge PMD/ },
  { s: oom_reaper_vs_exit },
];

const now = () => performance.now();

for (const { s, flip, report, firstMs } of cases) {
  void describe(`${s.id} ${s.name}`, () => {
    for (const [preset, expected] of Object.entries(s.expect ?? {})) {
      void test(`${preset}: ${expected}`, () => {
        const { result, verdict } = run_scenario(s, preset, undefined, {}, now);
        assert.equal(verdict, expected, `${s.id} at ${preset}: ${result.violations[0]?.message ?? 'no violation'}`);
        if (verdict === 'violation') {
          const v = result.violations[0]!;
          if (report) assert.match(v.message, report);
          const found = result.firstViolationMs ?? result.elapsedMs;
          assert.ok(found < (firstMs ?? 1000), `first counterexample after ${found.toFixed(0)} ms`);
          const again = replay_scenario(s, preset, v.schedule);
          assert.equal(again.violation?.kind, v.kind);
          assert.equal(again.violation?.message, v.message);
        }
      });
    }
    if (flip) {
      const [preset, patch, dir] = flip;
      void test(`${preset} ${patch} makes the violation ${dir}`, () => {
        const { result, verdict } = run_scenario(s, preset, patch, {}, now);
        assert.equal(verdict, dir === 'appear' ? 'violation' : 'pass', result.violations[0]?.message ?? 'no violation');
        if (dir === 'appear' && report) assert.match(result.violations[0]!.message, report);
      });
    }
  });
}

// R1 needs V preempted inside exit_mmap(): DPOR's depth-first order gets there after ~13,400
// executions (~6,100 before __mmput() also set MMF_OOM_SKIP at v4.13, as the kernel's did; the
// scenario samples with PCT instead); it must get there all the same.
void test('R1 at v4.13: DPOR finds the second victim too', () => {
  const { result, verdict } = run_scenario(R1, 'v4.13', undefined, { strategy: 'dpor', maxExecutions: 16_000 });
  assert.equal(verdict, 'violation', `DPOR: ${result.executions} executions, no violation`);
  assert.match(result.violations[0]!.message, /second OOM victim W killed/);
});

void test('R10 and R12 report their metrics', () => {
  assert.ok((run_scenario(R10, 'v7.0').result.metrics['pages_held_at_esrch'] ?? 0) > 0);
  assert.ok((run_scenario(R12, 'v6.17').result.metrics['ptl_contended'] ?? 0) > 1);
});
