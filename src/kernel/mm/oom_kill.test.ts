// The OOM family's actors, each alone on a quiet system (one CPU, or a kthread the main CPU
// waits for): the OOM killer picks the largest process and kills it; the reaper frees its
// anonymous memory and sets MMF_OOM_SKIP; process_mrelease() on a killed process frees its
// memory; a /proc maps reader lists the VMAs; the errno values of process_mrelease().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Model } from '../../engine/op.ts';
import { explore } from '../../engine/explore.ts';
import { load } from '../../engine/prims.ts';
import { kernelConfig } from '../config.ts';
import { get_cmdline } from '../fs/proc/base.ts';
import { proc_maps_cat } from '../fs/proc/task_mmu.ts';
import { ESRCH, EINVAL } from '../include/linux/errno.ts';
import { MMF_OOM_REAP_QUEUED, MMF_OOM_SKIP, MMF_UNSTABLE, SIGKILL, SIGTERM, TIF_MEMDIE, type task_struct } from '../include/linux/mm_types.ts';
import { do_exit } from '../kernel/exit.ts';
import { do_send_sig_info } from '../kernel/signal.ts';
import { pidfd_open, pidfd_send_signal, type pidfd } from '../kernel/pid.ts';
import { as_task, kernel_program } from '../program.ts';
import type { world } from '../world.ts';
import { boot_init, process_with_memory, touch, vma_addr } from '../../scenarios/oom/common.ts';
import { VM_FAULT_OOM } from './memory.ts';
import { mm_pages_held, oom_killer_enable, oom_kills } from './oom_kill.ts';
import { oom_reaper_start, oom_reaper_stop } from './oom_reaper.ts';
import { PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE } from './oom_expedite.ts';
import { process_mrelease } from './process_mrelease.ts';
import { vm_mmap_pgoff } from './mmap.ts';
import { PAGE_SIZE, VM_READ, VM_WRITE } from '../include/linux/mm_types.ts';

/** Runs @setup once per interleaving under @preset; fails on any violation. Returns executions. */
function run(preset: string, setup: (w: world) => Model<void>, totalram: number, maxExecutions = 50): number {
  const boot = function* (w: world): Model<void> {
    yield* boot_init(w);
    yield* setup(w);
  };
  const r = explore(() => kernel_program(kernelConfig(preset), boot, { world: { totalram_pages: totalram } }), { maxFaults: 0, maxExecutions });
  assert.equal(r.violations.length, 0, r.violations[0]?.message);
  return r.executions;
}

const bit = (b: number): number => 1 << b;

/**
 * Memory: A 1 page (+1 mapped, not yet touched), V 4 pages, W 2 pages; pool of 7: full.
 *   A [a] [ ]     V [v v][v v]     W [w][w]
 */
function* three_processes(w: world): Model<{ A: task_struct; V: task_struct; W: task_struct }> {
  const A = yield* process_with_memory(w, 'A', [1]);
  yield* as_task(w, A, vm_mmap_pgoff(A, vma_addr(1), PAGE_SIZE, VM_READ | VM_WRITE));
  const V = yield* process_with_memory(w, 'V', [2, 2]);
  const W = yield* process_with_memory(w, 'W', [1, 1]);
  return { A, V, W };
}

void test('the OOM killer picks the largest process and kills it; its exit frees the memory', () => {
  for (const preset of ['v4.13', 'v5.17', 'v7.0']) {
    run(preset, function* (w) {
      const { A, V } = yield* three_processes(w);
      oom_killer_enable(w, 1);
      assert.equal(yield* load(w.nr_free_pages), 0);
      // A's fault finds the pool empty: out_of_memory() kills V; V has not exited, so A's allocation fails.
      assert.equal(yield* touch(w, A, vma_addr(1)), VM_FAULT_OOM);
      const kills = oom_kills(w);
      assert.equal(kills.length, 1);
      assert.equal(kills[0]!.victim, V);
      const mm = (yield* load(V.mm))!;
      assert.ok((yield* load(V.pending)) & bit(SIGKILL), 'SIGKILL pending');
      assert.equal(yield* load(V.signal.oom_mm), mm);
      assert.ok((yield* load(V.thread_flags)) & TIF_MEMDIE);
      if (preset === 'v7.0') assert.ok((yield* load(mm.flags)) & bit(MMF_OOM_REAP_QUEUED));
      // V dies; A's retry succeeds.
      yield* as_task(w, V, do_exit(V));
      assert.equal(yield* load(w.nr_free_pages), 4);
      assert.equal(yield* touch(w, A, vma_addr(1)), 0);
    }, 7);
  }
});

void test('a second OOM aborts on a victim that has not got MMF_OOM_SKIP yet', () => {
  run('v7.0', function* (w) {
    const { A } = yield* three_processes(w);
    oom_killer_enable(w, 3);
    assert.equal(yield* touch(w, A, vma_addr(1)), VM_FAULT_OOM); // kill V, then 3 retries abort on V
    assert.equal(oom_kills(w).length, 1);
  }, 7);
});

void test('the OOM reaper frees the victim\'s anonymous memory and sets MMF_OOM_SKIP (every reaper version)', () => {
  for (const preset of ['v4.13', 'v4.14', 'v5.17', 'v6.17', 'v7.0']) {
    run(preset, function* (w) {
      const { A, V } = yield* three_processes(w);
      yield* oom_reaper_start(w);
      oom_killer_enable(w, 1);
      // (the reaper runs concurrently from here: A's retry may already get one of V's pages)
      const got = (yield* touch(w, A, vma_addr(1))) === 0 ? 1 : 0;
      const mm = (yield* load(V.mm))!;
      yield* oom_reaper_stop(w); // waits for the timer (v5.18+) and the reap
      //   V [- -][- -]   mm_users 1, MMF_OOM_SKIP | MMF_UNSTABLE
      assert.equal(yield* mm_pages_held(mm), 0);
      assert.ok((yield* load(mm.flags)) & bit(MMF_OOM_SKIP));
      assert.ok((yield* load(mm.flags)) & bit(MMF_UNSTABLE));
      assert.equal(yield* load(w.nr_free_pages), 4 - got);
      yield* as_task(w, V, do_exit(V));
    }, 7, 10);
  }
});

void test('process_mrelease() on a killed process frees its memory; -EINVAL if it is not dying; -ESRCH once it exited', () => {
  for (const preset of ['v5.15-rc1', 'v5.15', 'v5.17', 'v7.0', 'v7.0+reap-kill']) {
    run(preset, function* (w) {
      const V = yield* process_with_memory(w, 'V', [2, 1]);
      const L = yield* process_with_memory(w, 'lmkd', [1]);
      const mm = (yield* load(V.mm))!;
      yield* as_task(w, L, (function* () {
        const fd = (yield* pidfd_open(w, V.pid)) as pidfd;
        assert.equal(typeof fd, 'object');
        assert.equal(yield* process_mrelease(fd, 0), -EINVAL); // not dying
        assert.equal(yield* pidfd_send_signal(fd, SIGKILL), 0);
        assert.equal(yield* process_mrelease(fd, 0), 0);
        assert.equal(yield* mm_pages_held(mm), 0);
        assert.ok((yield* load(mm.flags)) & bit(MMF_UNSTABLE));
      })());
      yield* as_task(w, V, do_exit(V));
      yield* as_task(w, L, (function* () {
        const fd = (yield* pidfd_open(w, V.pid)) as number;
        assert.equal(fd, -ESRCH);
      })());
    }, 4);
  }
});

void test('PROCESS_MRELEASE_REAP_KILL kills and reaps in one call; without the switch the flag is -EINVAL', () => {
  run('v7.0+reap-kill', function* (w) {
    const V = yield* process_with_memory(w, 'V', [2]);
    const L = yield* process_with_memory(w, 'lmkd', [1]);
    const mm = (yield* load(V.mm))!;
    yield* as_task(w, L, (function* () {
      const fd = (yield* pidfd_open(w, V.pid)) as pidfd;
      assert.equal(yield* process_mrelease(fd, 1), 0);
    })());
    assert.ok((yield* load(V.pending)) & bit(SIGKILL));
    assert.equal(yield* mm_pages_held(mm), 0);
    yield* as_task(w, V, do_exit(V));
  }, 3);
  run('v7.0', function* (w) {
    const V = yield* process_with_memory(w, 'V', [1]);
    const fd = (yield* pidfd_open(w, V.pid)) as pidfd;
    assert.equal(yield* process_mrelease(fd, 1), -EINVAL);
    yield* as_task(w, V, do_exit(V));
  }, 1);
});

void test('PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE kills and reaps in pidfd_send_signal(); SIGKILL only; -EINVAL without the switch', () => {
  run('v7.0+expedite', function* (w) {
    const V = yield* process_with_memory(w, 'V', [2]);
    const L = yield* process_with_memory(w, 'lmkd', [1]);
    const mm = (yield* load(V.mm))!;
    yield* as_task(w, L, (function* () {
      const fd = (yield* pidfd_open(w, V.pid)) as pidfd;
      assert.equal(yield* pidfd_send_signal(fd, SIGTERM, PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE), -EINVAL);
      assert.equal((yield* load(V.pending)) & bit(SIGKILL), 0, 'nothing sent for a refused call');
      assert.equal(yield* mm_pages_held(mm), 2);
      assert.equal(yield* pidfd_send_signal(fd, SIGKILL, PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE), 0);
      assert.equal(yield* mm_pages_held(mm), 0, 'reaped before the call returned');
    })());
    assert.ok((yield* load(V.pending)) & bit(SIGKILL));
    yield* as_task(w, V, do_exit(V));
  }, 3);
  for (const preset of ['v7.0', 'v7.0+reap-kill']) {
    run(preset, function* (w) {
      const V = yield* process_with_memory(w, 'V', [1]);
      const fd = (yield* pidfd_open(w, V.pid)) as pidfd;
      assert.equal(yield* pidfd_send_signal(fd, SIGKILL, PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE), -EINVAL);
      assert.equal((yield* load(V.pending)) & bit(SIGKILL), 0);
      yield* as_task(w, V, do_exit(V));
    }, 1);
  }
});

void test('/proc/<pid>/maps lists the VMAs; cmdline reads; after exit: -ESRCH / 0 bytes', () => {
  for (const preset of ['v7.0', 'v7.0+exit-write-lock']) {
    run(preset, function* (w) {
      const V = yield* process_with_memory(w, 'V', [1, 2, 1]);
      const R = yield* process_with_memory(w, 'cat', [1]);
      yield* as_task(w, R, (function* () {
        const lines = yield* proc_maps_cat(V);
        assert.ok(Array.isArray(lines));
        assert.equal((lines).length, 3);
        assert.match((lines)[0]!, /^10000-11000 rw-p vma#/);
        assert.equal(yield* get_cmdline(V), 8);
      })());
      yield* as_task(w, V, do_exit(V));
      yield* as_task(w, R, (function* () {
        assert.equal(yield* proc_maps_cat(V), -ESRCH);
        assert.equal(yield* get_cmdline(V), 0);
      })());
    }, 5);
  }
});

void test('an allocation by a task with SIGKILL pending makes it the OOM victim (task_will_free_mem), kills nobody else', () => {
  for (const preset of ['v4.13', 'v7.0']) {
    run(preset, function* (w) {
      const { A, V } = yield* three_processes(w);
      oom_killer_enable(w, 1);
      const amm = (yield* load(A.mm))!;
      yield* do_send_sig_info(SIGKILL, A);
      assert.equal(yield* touch(w, A, vma_addr(1)), VM_FAULT_OOM); // out_of_memory() picks A itself; its retry fails as a victim's
      assert.equal(yield* load(A.signal.oom_mm), amm, `${preset}: A is marked`);
      assert.ok((yield* load(A.thread_flags)) & TIF_MEMDIE);
      if (preset === 'v7.0') assert.ok((yield* load(amm.flags)) & bit(MMF_OOM_REAP_QUEUED), 'queued for the reaper');
      assert.equal(oom_kills(w).length, 0, 'no process is killed');
      assert.equal((yield* load(V.pending)) & bit(SIGKILL), 0);
      yield* as_task(w, A, do_exit(A));
      yield* as_task(w, V, do_exit(V));
    }, 7);
  }
});
