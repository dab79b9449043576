import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explore } from '../engine/explore.ts';
import { kernelConfig } from '../kernel/config.ts';
import { forkExit } from './fork-exit.ts';
import { findScenario } from './index.ts';

void test('fork-exit is registered', () => {
  assert.equal(findScenario('fork-exit'), forkExit);
});

void test('fork vs exit: every interleaving, no fault, both modes, v7.0 and v6.8', () => {
  for (const preset of ['v7.0', 'v6.8']) for (const mode of [0, 1]) {
    const r = explore(forkExit.build({ params: { mode }, kernel: kernelConfig(preset) }), { maxFaults: 0 });
    assert.equal(r.violations.length, 0, `${preset} mode ${mode}: ${r.violations[0]?.message}`);
    assert.equal(r.coverage, 'exhaustive');
    assert.ok(r.executions > 10, `${preset} mode ${mode}: ${r.executions} executions`);
  }
});

void test('fork vs exit with one failure at vm_area_dup or anon_vma_fork (v7.0, v6.13)', () => {
  for (const preset of ['v7.0', 'v6.13']) {
    const r = explore(forkExit.build({ params: { mode: 0 }, kernel: kernelConfig(preset) }), {
      ...forkExit.options,
      faultSites: ['dup_mmap:vm_area_dup', 'anon_vma_fork:anon_vma_alloc'],
    });
    assert.equal(r.violations.length, 0, `${preset}: ${r.violations[0]?.message}`);
    assert.equal(r.coverage, 'exhaustive');
  }
});
