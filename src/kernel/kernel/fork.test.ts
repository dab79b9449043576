import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Model } from '../../engine/op.ts';
import { load } from '../../engine/prims.ts';
import { presets } from '../config.ts';
import { fork_fault_site_names } from '../fault_sites.ts';
import { EINTR, ENOMEM } from '../include/linux/errno.ts';
import type { mm_struct, task_struct } from '../include/linux/mm_types.ts';
import { dup_mmap } from '../mm/mmap.ts';
import { as_task, fork_exit_parent, without_faults } from '../program.ts';
import { counts, layout, run_kernel } from '../testing.ts';
import type { world } from '../world.ts';
import { do_exit } from './exit.ts';
import { allocate_mm, kernel_clone, mm_init, mmput } from './fork.ts';
import { run_actors } from '../../scenarios/oom/common.ts';

function* child_of(w: world, pid: number): Model<task_struct> {
  return (yield* load(w.tasklist)).find((t) => t.pid === pid)!;
}

void test('fork: the child copies the whole address space and shares pages, swap and rmap', () => {
  for (const preset of ['v6.1', 'v6.8', 'v7.0']) {
    const seen: string[] = [];
    const r = run_kernel(preset, function* (w) {
      const P = yield* fork_exit_parent(w, 1);
      const pmm = (yield* load(P.mm))!;
      // before:  page 0123456789abcd
      //               .A..B...CC..D.   P: users 1 count 1 map_count 4
      seen.push(yield* layout(pmm), yield* counts(pmm));
      const pid = yield* as_task(w, P, kernel_clone(P, 0));
      assert.ok(pid > 0);
      const C = yield* child_of(w, pid);
      const cmm = (yield* load(C.mm))!;
      // after:   P .A..B...CC..D.  users 1 count 1    C .A..B...CC..D.  users 1 count 1
      //          C is on init_mm.mmlist right after P (it copied D's swap entry);
      //          A's page is shared (refcount 2), the file's i_mmap holds B, C, B', C'.
      seen.push(yield* layout(cmm), yield* counts(cmm));
      seen.push((yield* load(w.mmlist)).map((m) => (m === pmm ? 'P' : m === cmm ? 'C' : '?')).join(''));
      const f = w.__reg.files[0]!;
      seen.push(`i_mmap ${(yield* load(f.f_mapping.i_mmap)).length}`);
      yield* as_task(w, C, do_exit(C));
      yield* as_task(w, P, do_exit(P));
    });
    assert.equal(r.violations.length, 0, r.violations[0]?.message);
    assert.deepEqual(seen, [
      '.A..B...CC..D.', 'users 1 count 1 map_count 4 []',
      '.A..B...CC..D.', 'users 1 count 1 map_count 4 []',
      'PC', 'i_mmap 4',
    ], preset);
  }
});

/**
 * dup_mmap() failing at vm_area_dup() of the second VMA (B), drawn before the child's mmput:
 *
 *   parent   .A..B...CC..D.
 *   v6.1     .A............   prefix of child VMAs (per-entry build)
 *   v6.8     .A..Z...pp..p.   A' copied, XA_ZERO over B, parent pointers (p) after it
 *   v6.14    .A..Z...pp..p.   same, plus MMF_OOM_SKIP and MMF_UNSTABLE
 *   v7.0     ..............   torn down and destroyed; MMF_OOM_SKIP and MMF_UNSTABLE
 * Then mmput() of the child leaves nothing behind (the audit runs at the end).
 */
void test('dup_mmap failure recovery, version by version', () => {
  const want: Record<string, string> = {
    'v6.1': '.A............ users 1 count 1 map_count 1 []',
    'v6.8': '.A..Z...pp..p. users 1 count 1 map_count 1 []',
    'v6.14': '.A..Z...pp..p. users 1 count 1 map_count 1 [MMF_OOM_SKIP MMF_UNSTABLE]',
    'v7.0': '.............. users 1 count 1 map_count 1 [MMF_OOM_SKIP MMF_UNSTABLE]',
  };
  for (const [preset, picture] of Object.entries(want)) {
    const seen: string[] = [];
    const r = run_kernel(preset, function* (w) {
      const P = yield* without_faults(fork_exit_parent(w, 1));
      yield* as_task(w, P, (function* () {
        const mm: mm_struct = (yield* mm_init((yield* allocate_mm(w, '', 0))!, false))!;
        const err = yield* dup_mmap(mm, (yield* load(P.mm))!);
        seen.push(`${err} ${yield* layout(mm)} ${yield* counts(mm)}`);
        yield* mmput(mm);
        yield* do_exit(P);
      })());
    }, { maxFaults: 1, faultSites: ['dup_mmap:vm_area_dup'], stopOnViolation: false });
    assert.equal(r.violations.length, 0, r.violations[0]?.message);
    assert.ok(seen.includes(`-${ENOMEM} ${picture}`), `${preset}: ${seen.join(' | ')}`);
    assert.ok(seen.includes('0 .A..B...CC..D. users 1 count 1 map_count 4 []'), preset);
  }
});

/**
 * The acceptance test: P (anon, private + shared file, swapped-out) forks; the child and P
 * exit; under every preset, with every single fork-path failure in turn. No sanitizer report,
 * no leak (audit), and fork returns a pid, -ENOMEM or -EINTR.
 */
void test('fork + exit under every preset with every single allocation failure', () => {
  for (const preset of presets) {
    const results = new Set<number>();
    const r = run_kernel(preset, function* (w) {
      const P = yield* without_faults(fork_exit_parent(w, 1));
      const pid = yield* as_task(w, P, kernel_clone(P, 0));
      results.add(pid > 0 ? 1 : pid);
      if (pid > 0) {
        const C = yield* child_of(w, pid);
        yield* as_task(w, C, do_exit(C));
      }
      yield* as_task(w, P, do_exit(P));
    }, { maxFaults: 1, faultSites: fork_fault_site_names, stopOnViolation: false });
    assert.equal(r.violations.length, 0, `${preset}: ${r.violations[0]?.message}`);
    assert.equal(r.coverage, 'exhaustive');
    assert.ok(r.executions > 15, `${preset}: only ${r.executions} executions`);
    for (const x of results) assert.ok(x === 1 || x === -ENOMEM || x === -EINTR, `${preset}: fork returned ${x}`);
    assert.ok(results.has(1) && results.has(-ENOMEM) && results.has(-EINTR), `${preset}: ${[...results].join(',')}`);
  }
});

void test('dup_mmap() links a file VMA into i_mmap before the tree store up to v6.8, after it from v6.9 (35e351780fa9)', () => {
  for (const [preset, early] of [['v6.8', true], ['v6.11', false], ['v7.0', false]] as const) {
    let seenEarly = false;
    const r = run_kernel(preset, function* (w) {
      const P = yield* fork_exit_parent(w, 1);
      const pmm = (yield* load(P.mm))!;
      const f = w.__reg.files[0]!;
      let pid = 0;
      yield* run_actors(w, [
        { cpu: 'fork', task: P, body: function* () { pid = yield* kernel_clone(P, 0); } },
        { cpu: 'rmap walker', task: null, body: function* () {
          // A file rmap walk (i_mmap) that meets the child's VMA: is it in the child's tree yet?
          for (const v of yield* load(f.f_mapping.i_mmap)) if (v.vm_mm !== pmm && (yield* load(v.detached))) seenEarly = true;
        } },
      ]);
      const C = yield* child_of(w, pid);
      yield* as_task(w, C, do_exit(C));
      yield* as_task(w, P, do_exit(P));
    }, { strategy: 'dpor' });
    assert.equal(r.violations.length, 0, `${preset}: ${r.violations[0]?.message}`);
    assert.equal(seenEarly, early, preset);
  }
});

void test('v6.19+: dup_mmap() no longer checks fatal_signal_pending() per VMA (the killable VMA lock replaced it)', () => {
  for (const [preset, checks] of [['v6.18', true], ['v6.19', false], ['v7.0', false]] as const) {
    const results = new Set<number>();
    const r = run_kernel(preset, function* (w) {
      const P = yield* fork_exit_parent(w, 1);
      const pid = yield* as_task(w, P, kernel_clone(P, 0));
      results.add(pid > 0 ? 1 : pid);
      if (pid > 0) yield* as_task(w, (yield* child_of(w, pid)), do_exit(yield* child_of(w, pid)));
      yield* as_task(w, P, do_exit(P));
    }, { maxFaults: 1, faultSites: ['dup_mmap:fatal_signal_pending'], stopOnViolation: false });
    assert.equal(r.violations.length, 0, `${preset}: ${r.violations[0]?.message}`);
    // dup_mm() loses dup_mmap()'s -EINTR: a failed copy is -ENOMEM from kernel_clone()
    assert.deepEqual([...results].sort(), checks ? [-ENOMEM, 1] : [1], preset);
  }
});
