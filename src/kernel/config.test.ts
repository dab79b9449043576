import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelConfig, presetSwitchNames, presets, switchDocs, switchNames } from './config.ts';
import { listReport } from '../cli/list.ts';

void test('every preset builds and every switch is documented', () => {
  for (const p of presets) assert.equal(kernelConfig(p).preset, p);
  for (const s of switchNames) assert.ok(switchDocs[s].commit && switchDocs[s].release && switchDocs[s].effect, s);
  assert.equal(new Set(presets).size, presets.length);
  assert.equal(presets[0], 'v4.13');
  // The proposals come last and each starts from v7.0 plus at least one switch of its own.
  const proposals = presets.filter((p) => p.includes('+'));
  assert.deepEqual(presets.slice(-proposals.length), proposals);
  const base = new Set(presetSwitchNames('v7.0'));
  for (const p of proposals) assert.ok(presetSwitchNames(p).some((s) => !base.has(s)), p);
});

void test('each switch is on exactly in the presets its release range covers', () => {
  // Derived, not re-declared: a switch on in a release stays on in every later release until
  // it is gone, so no preset list can drift from the declarations.
  const releases = presets.filter((p) => !p.includes('+'));
  for (const s of switchNames) {
    const on = releases.map((p) => kernelConfig(p).switches[s]);
    const first = on.indexOf(true);
    if (first < 0) continue;
    const last = on.lastIndexOf(true);
    assert.ok(on.slice(first, last + 1).every(Boolean), `${s} has a hole in its range`);
  }
});

void test('presets follow the timeline of kernel-spec.md section 13', () => {
  const on = (p: string, s: (typeof switchNames)[number]) => kernelConfig(p).switches[s];
  assert.ok(on('v4.13', 'reaperPinsUsers') && !on('v4.14', 'reaperPinsUsers'));
  assert.ok(on('v6.8', 'xaZeroMarker') && on('v6.18', 'xaZeroMarker') && !on('v7.0', 'xaZeroMarker'));
  assert.ok(!on('v6.12', 'uprobeSemInDupMm') && on('v6.13', 'uprobeSemInDupMm'));
  assert.ok(!on('v6.13', 'failedForkFlags') && on('v6.14', 'failedForkFlags'));
  assert.ok(on('v6.11', 'numaDoWhileBug') && !on('v6.12', 'numaDoWhileBug') && !on('v6.1', 'numaDoWhileBug'));
  assert.ok(on('v5.15', 'mreleasePinsUsers') && !on('v5.17', 'mreleasePinsUsers') && on('v5.17', 'mreleaseMmgrab'));
  assert.ok(!on('v5.17-rc', 'exitMmapClearsList') && on('v5.17', 'exitMmapClearsList'));
  assert.ok(on('v7.0+exit-write-lock', 'exitMmapWholeWriteLock') && !on('v7.0+exit-write-lock', 'exitMmapReadThenWrite'));
  assert.ok(on('v7.0+reap-kill', 'mreleaseReapKill') && on('v7.0+exit-mm', 'taskExitMm'));
});

void test('patches flip switches; bad input names the problem and the valid names', () => {
  const c = kernelConfig('v6.13', '+failedForkFlags, -uprobeSemInDupMm');
  assert.ok(c.switches.failedForkFlags && !c.switches.uprobeSemInDupMm);
  assert.equal(c.preset, 'v6.13 +failedForkFlags,-uprobeSemInDupMm');
  assert.throws(() => kernelConfig('v9.9'), /unknown kernel preset 'v9.9'.*v4.13.*v7.0\+exit-write-lock/);
  assert.throws(() => kernelConfig('v7.0', '+noSuchSwitch'), /unknown kernel switch 'noSuchSwitch'.*forkMtDup/);
  assert.throws(() => kernelConfig('v7.0', 'forkMtDup'), /malformed kernel patch item/);
  assert.throws(() => kernelConfig('v6.1', '+xaZeroMarker'), /refused: xaZeroMarker needs forkMtDup/);
  assert.throws(() => kernelConfig('v6.8', '+forkFailTearDown'), /refused: forkFailTearDown cannot combine with xaZeroMarker/);
  assert.throws(() => kernelConfig('v6.1', '+exitMmapWholeWriteLock'), /locking variants exclude each other/);
  assert.ok(kernelConfig('v6.8', '+forkFailTearDown,-xaZeroMarker').switches.forkFailTearDown);
});

void test('a switch needs only its declaration: listed, accepted by --patch, on where its range says (no switch named here)', () => {
  const list = listReport();
  for (const s of switchNames) {
    const listed = list.switches.find((x) => x.name === s);
    assert.deepEqual(listed && { commit: listed.commit, effect: listed.effect }, { commit: switchDocs[s].commit, effect: switchDocs[s].effect }, s);
    // Some preset turns it on (its release range, or the proposal that names it), and list --json says so.
    const on = presets.filter((p) => kernelConfig(p).switches[s]);
    assert.ok(on.length > 0, `${s} is on in no preset`);
    for (const p of on) assert.ok(list.presets.find((x) => x.name === p)?.switches.includes(s), `${p} lists ${s}`);
    // --patch knows it by name: it flips it, or refuses only by a combination rule.
    for (const p of presets) {
      const was = kernelConfig(p).switches[s];
      try {
        assert.equal(kernelConfig(p, `${was ? '-' : '+'}${s}`).switches[s], !was, `--patch flips ${s} on ${p}`);
      } catch (e) {
        assert.match((e as Error).message, /refused/, `${s} on ${p}`);
      }
    }
  }
  // Counted from the declarations: every preset is listed once, releases first.
  assert.deepEqual(list.presets.map((p) => p.name), [...presets]);
  assert.ok(list.presets.findIndex((p) => p.kind === 'proposal') > list.presets.findLastIndex((p) => p.kind === 'release'));
});
