/**
 * The OOM killer and the OOM reaper against the exiting victim (kernel-spec.md 7, 9, R1, R2,
 * R12, R13, R14, and the clean oom_reaper-vs-exit).
 *
 * Memory is a small page pool filled exactly by the scenario's processes. Process A has one
 * populated page and one more mapped page; its write fault on that page finds the pool empty
 * and enters the OOM killer (__alloc_pages_may_oom -> out_of_memory), which kills the largest
 * process V. The oom_reaper kthread runs throughout (with its 2 s timer from v5.18).
 */
import type { Model } from '../../engine/op.ts';
import { ModelViolation } from '../../engine/op.ts';
import { awaitUntil, jiffies, load, metric, note, sleepUntil } from '../../engine/prims.ts';
import type { KernelConfig } from '../../kernel/config.ts';
import { get_cmdline } from '../../kernel/fs/proc/base.ts';
import { proc_maps_cat, type proc_stall } from '../../kernel/fs/proc/task_mmu.ts';
import { MMF_OOM_SKIP, PAGE_SIZE, PMD_SIZE, PTRS_PER_PTE, VM_READ, VM_WRITE, type mm_struct, type task_struct } from '../../kernel/include/linux/mm_types.ts';
import { freeze_task } from '../../kernel/kernel/freezer.ts';
import { CLONE_THREAD, CLONE_VM, kernel_clone } from '../../kernel/kernel/fork.ts';
import { do_madvise } from '../../kernel/mm/madvise.ts';
import { do_mlock } from '../../kernel/mm/mlock.ts';
import { vm_mmap_pgoff, vm_munmap } from '../../kernel/mm/mmap.ts';
import { oom_killer_enable, oom_kills } from '../../kernel/mm/oom_kill.ts';
import { OOM_REAPER_DELAY, oom_reaper_gave_up, oom_reaper_start, oom_reaper_stop } from '../../kernel/mm/oom_reaper.ts';
import { as_task, exec_process, kernel_program } from '../../kernel/program.ts';
import type { world } from '../../kernel/world.ts';
import type { Scenario } from '../types.ts';
import { boot_init, mm_of, process_with_memory, run_actors, syscall_then_exit_body, touch, vma_addr, victim_body, type actor } from './common.ts';
import { do_user_addr_fault } from '../../kernel/mm/gup.ts';

/** A: one populated page and one mapped, untouched page at vma_addr(1) (its next fault allocates). */
function* allocator(w: world): Model<task_struct> {
  const A = yield* process_with_memory(w, 'A', [1]);
  yield* as_task(w, A, vm_mmap_pgoff(A, vma_addr(1), PAGE_SIZE, VM_READ | VM_WRITE));
  return A;
}

/** The OOM kill as a setup step: A's fault finds the pool empty; the OOM killer kills V. */
function* kill_by_oom(w: world, A: task_struct): Model<number> {
  oom_killer_enable(w, 1);
  yield* touch(w, A, vma_addr(1));
  return yield* jiffies();
}

type kcfg = KernelConfig;

/** The oom_reaper kthread runs; A's fault OOM-kills the largest process; @actors run beside the reaper. */
function* reaper_after_oom_kill(w: world, A: task_struct, actors: readonly actor[]): Model<void> {
  yield* oom_reaper_start(w);
  yield* kill_by_oom(w, A);
  yield* run_actors(w, actors);
  yield* oom_reaper_stop(w);
}

// ---- oom_reaper-vs-exit --------------------------------------------------------------------------

function build_reaper_vs_exit(kernel: kcfg) {
  return () =>
    kernel_program(kernel, function* (w) {
      yield* boot_init(w);
      const V = yield* process_with_memory(w, 'V', [3]);
      const A = yield* allocator(w);
      yield* reaper_after_oom_kill(w, A, [{ cpu: 'V (exit)', task: V, body: victim_body(V) }]);
    }, { world: { totalram_pages: 4 } });
}

export const oom_reaper_vs_exit: Scenario = {
  id: 'oom_reaper-vs-exit',
  name: 'oom_reaper-vs-exit',
  summary:
    'An allocation fault OOM-kills V (setup); V exits (exit_mm -> exit_mmap) while the oom_reaper ' +
    'kthread (after its 2 s timer from v5.18; the timer may fire at any point) reaps V under the ' +
    'read lock: no sanitizer fires. No fault injection; DPOR bounded to 300 executions.',
  source: 'kernel-spec.md 7.5-7.7 and 6.4',
  kernel: true,
  build: ({ kernel }) => build_reaper_vs_exit(kernel!),
  expect: { 'v4.17': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 0, maxExecutions: 300 },
};

// ---- R12: page-table lock contention -------------------------------------------------------------

/** R12's threshold: more than one contended PTE lock (reverse order meets exit_mmap once at most). */
export const R12_MAX_CONTENDED = 1;

function build_r12(kernel: kcfg) {
  return () =>
    kernel_program(kernel, function* (w) {
      yield* boot_init(w);
      const V = yield* process_with_memory(w, 'V', [1, 1]);
      const A = yield* allocator(w);
      yield* oom_reaper_start(w);
      yield* kill_by_oom(w, A);
      const stat = { count: 0 };
      w.__ptl_contention = stat;
      yield* run_actors(w, [{ cpu: 'V (exit_mmap)', task: V, body: victim_body(V) }]);
      yield* oom_reaper_stop(w);
      w.__ptl_contention = null;
      yield* metric('ptl_contended', stat.count);
      if (stat.count > R12_MAX_CONTENDED)
        throw new ModelViolation('property', `the OOM reaper and exit_mmap() contended ${stat.count} PTE locks (threshold ${R12_MAX_CONTENDED}): both walk V's VMAs upwards`);
    }, { world: { totalram_pages: 3 } });
}

export const R12: Scenario = {
  id: 'R12',
  name: 'oom_reaper-vs-exit_mmap-ptl',
  summary:
    'Quantitative. V (two VMAs, one PTE page each) is OOM-killed and exits; its exit_mmap() ' +
    'unmaps upwards under the read lock while the oom_reaper reaps it: before v6.18 the reaper ' +
    'also walks upwards and both fight for the same PTE locks; since v6.18 it walks from the top ' +
    '(zhongjinji v9, switch reaperReverse) and they meet once at most. Metric ptl_contended ' +
    '(PTE-lock acquisitions that found the lock held); the scenario declares a violation when it ' +
    `exceeds ${R12_MAX_CONTENDED}. No fault injection; DPOR bounded to 400 executions (the first counterexample comes after ~250).`,
  source: 'seeds/000 (slides: "Exit racing with OOM - the PTE teardown with split PT locks"); kernel-spec.md R12',
  kind: 'metric',
  kernel: true,
  build: ({ kernel }) => build_r12(kernel!),
  expect: { 'v6.17': 'violation', 'v6.18': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 0, maxExecutions: 400 },
};

// ---- R13: a frozen victim ------------------------------------------------------------------------

function build_r13(kernel: kcfg) {
  return () =>
    kernel_program(kernel, function* (w) {
      yield* boot_init(w);
      const V = yield* process_with_memory(w, 'V', [3]);
      const pid = yield* as_task(w, V, kernel_clone(V, CLONE_VM | CLONE_THREAD)); // pthread_create()
      const T2 = (yield* load(w.tasklist)).find((t) => t.pid === pid)!;
      const A = yield* allocator(w);
      yield* freeze_task(V); // echo 1 > cgroup.freeze
      yield* freeze_task(T2);
      yield* oom_reaper_start(w);
      const killed = yield* kill_by_oom(w, A);
      const threads: task_struct[] = [V, T2];
      const admin: actor = {
        cpu: 'observer',
        task: null,
        body: function* () {
          // When the reaper's timer fires, can the victim still exit by itself?
          yield* sleepUntil(killed + OOM_REAPER_DELAY);
          let frozen = 0;
          for (const t of threads) if (yield* load(t.frozen)) frozen++;
          yield* metric('frozen_victim_threads', frozen);
          if (frozen > 0)
            throw new ModelViolation('property', `${frozen} thread(s) of OOM victim ${V.comm} still frozen ${OOM_REAPER_DELAY} jiffies after the kill: it cannot exit (mm_users > 0, no exit_mmap); only the delayed reaper frees its memory and further OOMs abort on it meanwhile`);
          yield* note('every victim thread was thawed by mark_oom_victim()');
        },
      };
      yield* run_actors(w, [
        { cpu: 'V', task: V, body: victim_body(V) },
        { cpu: 'V/T2', task: T2, body: victim_body(T2) },
        admin,
      ]);
      yield* oom_reaper_stop(w);
    }, { world: { totalram_pages: 4 } });
}

export const R13: Scenario = {
  id: 'R13',
  name: 'oom_kill-vs-frozen_victim',
  summary:
    'Quantitative. V has two threads in a frozen cgroup; an allocation fault OOM-kills V. Before ' +
    'v6.18 mark_oom_victim() thaws only the thread it marks, so V\'s second thread stays frozen, ' +
    'V cannot exit and its memory waits for the reaper\'s 2 s timer; since v6.18 the whole ' +
    'process is thawed (zhongjinji v9 "Thaw the entire OOM victim process", switch ' +
    'thawWholeProcess; the "no delay when frozen" alternative was dropped). Metric ' +
    'frozen_victim_threads when the reaper timer fires; the scenario declares a violation when ' +
    'it is above 0. No fault injection; DPOR bounded to 200 executions.',
  source: 'seeds/000 (slides: "Do not delay oom reaper when the victim is frozen"); kernel-spec.md 7.4-7.5, R13',
  kind: 'metric',
  kernel: true,
  build: ({ kernel }) => build_r13(kernel!),
  expect: { 'v6.17': 'violation', 'v6.18': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 0, maxExecutions: 200 },
};

// ---- R1: a second victim while the first still frees memory --------------------------------------

function build_r1(kernel: kcfg) {
  return () =>
    kernel_program(kernel, function* (w) {
      yield* boot_init(w);
      const W = yield* process_with_memory(w, 'W', [3]);
      const V = yield* process_with_memory(w, 'V', [3]);
      const A = yield* allocator(w);
      yield* oom_reaper_start(w);
      oom_killer_enable(w, 2);
      yield* run_actors(w, [
        { cpu: 'V', task: V, body: victim_body(V) },
        { cpu: 'A (page fault)', task: A, body: function* () { yield* do_user_addr_fault(A, vma_addr(1), true); } },
      ]);
      yield* oom_reaper_stop(w);
      for (const k of oom_kills(w).slice(1)) {
        for (const e of k.earlier) {
          if (e.held > 0)
            throw new ModelViolation('property', `second OOM victim ${k.victim.comm} killed while the first victim ${e.victim.comm} still held ${e.held} pages (its exit_mmap() was still freeing them; MMF_OOM_SKIP was set too early)`);
        }
      }
      void W;
    }, { world: { totalram_pages: 7 } });
}

export const R1: Scenario = {
  id: 'R1',
  name: 'oom_reaper-vs-exit_mmap-second_victim',
  summary:
    'A\'s page fault OOM-kills V (largest). V exits; on <= v4.13 the reaper pins mm_users with ' +
    'mmget_not_zero(): when V is already in __mmput it fails, the reaper reports success and sets ' +
    'MMF_OOM_SKIP while exit_mmap() is still freeing V\'s memory; A\'s next OOM skips V and kills ' +
    'W too early (David Rientjes\' report; Michal Hocko 2017). Fixed by Andrea Arcangeli\'s ' +
    '212925802454 (v4.14: no pin, exit_mmap sets SKIP after unmapping + write-lock barrier; in ' +
    'the model two switches: -reaperPinsUsers +exitMmapSkipThenBarrier). W is a passive process. ' +
    'No fault injection; A retries its allocation at most twice (model bound). Sampled with PCT ' +
    '(depth 3, seed 1, 3000 executions): the counterexample needs V preempted inside exit_mmap(), ' +
    'which PCT reaches after 90 executions and DPOR\'s depth-first order only after ~6000.',
  source: 'seeds/003 (Michal Hocko, "mm, oom: allow oom reaper to race with exit_mmap"); kernel-spec.md 9, R1',
  kernel: true,
  build: ({ kernel }) => build_r1(kernel!),
  expect: { 'v4.13': 'violation', 'v4.14': 'pass' },
  options: { maxFaults: 0, strategy: 'pct', pctDepth: 3, seed: 1, maxExecutions: 3000 },
};

// ---- R2: exit_mmap's munlock against the reaper's unmap -------------------------------------------

/** V: one mlocked anonymous VMA of one PMD, madvise(MADV_HUGEPAGE)d: mlock's populate maps a THP. */
function* mlocked_thp_process(w: world, comm: string): Model<task_struct> {
  const V = yield* exec_process(w, comm);
  yield* as_task(w, V, (function* () {
    yield* vm_mmap_pgoff(V, vma_addr(0), PMD_SIZE, VM_READ | VM_WRITE);
    yield* do_madvise(V, vma_addr(0), 'MADV_HUGEPAGE');
    yield* do_mlock(V, vma_addr(0), PMD_SIZE);
  })());
  return V;
}

function build_r2(kernel: kcfg) {
  return () =>
    kernel_program(kernel, function* (w) {
      yield* boot_init(w);
      const V = yield* mlocked_thp_process(w, 'V');
      const A = yield* allocator(w);
      yield* reaper_after_oom_kill(w, A, [{ cpu: 'V (exit_mmap)', task: V, body: victim_body(V) }]);
    }, { world: { totalram_pages: PTRS_PER_PTE + 1, transparent_hugepage: 'madvise' } });
}

export const R2: Scenario = {
  id: 'R2',
  name: 'oom_reaper-vs-exit_mmap-munlock',
  summary:
    'V has one mlocked VMA mapped by a transparent huge page (madvise(MADV_HUGEPAGE) + mlock); ' +
    'A\'s page fault OOM-kills V. On v4.14-v4.16 exit_mmap() runs without mmap_lock and ' +
    'munlocks first: munlock_vma_pages_all() clears VM_LOCKED, then walks the pages ' +
    '(follow_page_mask). The reaper, whose read trylock succeeds and which sees neither ' +
    'MMF_OOM_SKIP nor VM_LOCKED any more, zaps the VMA and clears the huge PMD between the ' +
    'walk\'s pmd_none() check and its pmd_lock(): a NULL page-table-lock dereference (seen on ' +
    'powerpc). Fixed by David Rientjes\' 27ae357fa82b "mm, oom: fix concurrent munlock and oom ' +
    'reaper unmap" (v4.17: exitMmapReapsVictim: exit_mmap of an OOM victim reaps itself, sets ' +
    'MMF_OOM_SKIP and passes the write-lock barrier before it munlocks). On v4.13 the reaper ' +
    'pins mm_users, so exit_mmap never runs beside it. No fault injection; DPOR bounded to 3000 ' +
    'executions (exhaustive on v4.13-v4.17; v7.0, with the reaper timer, is cut at the bound).',
  source: 'kernel-spec.md 6.5 and R2 (27ae357fa82b)',
  kernel: true,
  build: ({ kernel }) => build_r2(kernel!),
  expect: { 'v4.13': 'pass', 'v4.14': 'violation', 'v4.17': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 0, maxExecutions: 3000 },
};

// ---- R16: the last mmput() of a victim's mm from another task -------------------------------------

function build_r16(kernel: kcfg) {
  return () =>
    kernel_program(kernel, function* (w) {
      yield* boot_init(w);
      const V = yield* process_with_memory(w, 'V', [3]);
      const A = yield* allocator(w);
      const R = yield* exec_process(w, 'ps');
      // The reader's copy_to_user() (a userfaultfd/FUSE page) stalls until V has exited, so its
      // mmput() of the pinned mm can be the last one: exit_mmap() then runs in the reader.
      const until_v_exited: proc_stall = function* () {
        yield* awaitUntil(V.exit_state, (x) => x !== 0, 'copy_to_user() fault on the reader\'s buffer: resolved only after V has exited');
      };
      yield* reaper_after_oom_kill(w, A, [
        { cpu: 'cat /proc/V/cmdline', task: R, body: function* () { yield* get_cmdline(V, until_v_exited, 'copy_to_user'); } },
        { cpu: 'V (exit)', task: V, body: victim_body(V) },
      ]);
    }, { world: { totalram_pages: 4 } });
}

export const R16: Scenario = {
  id: 'R16',
  name: 'oom_reaper-vs-exit_mmap-foreign_mmput',
  summary:
    'An allocation fault OOM-kills V; a /proc/V/cmdline reader holds a get_task_mm() pin across ' +
    'a stalled copy_to_user(), so its mmput() is the last one and exit_mmap() runs in the reader. ' +
    'The v4.14 exit_mmap() (212925802454) sets MMF_OOM_SKIP and then waits for the reaper with an ' +
    'empty mmap write lock only if tsk_is_oom_victim(current) - the reader is not the victim, so ' +
    'it frees page tables and VMAs while the reaper, whose read trylock succeeded earlier, still ' +
    'walks them. Fixed by 4837fe37adff "mm, oom_reaper: fix memory corruption" (v4.15, also ' +
    '4.14-stable; switch mmIsOomVictim): MMF_OOM_VICTIM on the mm, mm_is_oom_victim(mm) in ' +
    'exit_mmap(). v4.13\'s reaper pins mm_users, so exit_mmap() never runs beside it. No fault ' +
    'injection; DPOR bounded to 6,000 executions (the first counterexample comes after ~4,850).',
  source: 'kernel-spec.md 6.4-6.5, 9.4 (212925802454); 4837fe37adff',
  kernel: true,
  build: ({ kernel }) => build_r16(kernel!),
  expect: { 'v4.13': 'pass', 'v4.14': 'violation', 'v4.15': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 0, maxExecutions: 6000 },
};

// ---- R14: the reaper cannot get mmap_lock and gives up --------------------------------------------

/**
 * The maps reader's stall holding V's read lock: it lasts longer than the reaper's ten tries
 * (modelled as "until MMF_OOM_SKIP is set on V's mm", so no clock race decides it).
 */
function r14_stall(mm: mm_struct): proc_stall {
  return function* () {
    yield* awaitUntil(mm.flags, (f) => (f & (1 << MMF_OOM_SKIP)) !== 0, 'slow page-in: outlasts the OOM reaper\'s ten tries');
  };
}

function build_r14(kernel: kcfg) {
  return () =>
    kernel_program(kernel, function* (w) {
      yield* boot_init(w);
      const V = yield* process_with_memory(w, 'V', [2, 1]);
      const A = yield* allocator(w);
      const R = yield* exec_process(w, 'cat');
      const mm = yield* mm_of(V);
      yield* oom_reaper_start(w);
      oom_killer_enable(w, 1);
      yield* run_actors(w, [
        { cpu: 'cat /proc/V/maps', task: R, body: function* () { yield* proc_maps_cat(V, r14_stall(mm)); } },
        { cpu: 'V (munmap)', task: V, body: syscall_then_exit_body(V, () => vm_munmap(V, vma_addr(1), PAGE_SIZE)) },
        { cpu: 'A (page fault)', task: A, body: function* () { yield* do_user_addr_fault(A, vma_addr(1), true); } },
      ]);
      yield* oom_reaper_stop(w);
      for (const g of oom_reaper_gave_up(w))
        if (g.held > 0)
          throw new ModelViolation('property', `oom_reaper: unable to reap pid:${g.tsk.tgid} (${g.tsk.comm}); MMF_OOM_SKIP set while ${g.mm.name} still maps ${g.held} pages: the next OOM may pick another victim (by design)`);
    }, { world: { totalram_pages: 4 } });
}

export const R14: Scenario = {
  id: 'R14',
  name: 'oom_reaper-vs-mmap_lock-writer',
  summary:
    'By design, every release. A /proc/V/maps reader stalls holding V\'s mmap_lock for read (slow ' +
    'page-in); V\'s thread queues for the write lock in munmap(); A\'s fault OOM-kills V. The ' +
    'reaper\'s mmap_read_trylock() fails while a writer waits, ten times HZ/10 apart; it logs ' +
    '"unable to reap" and sets MMF_OOM_SKIP with V\'s memory still mapped, so the next OOM may ' +
    'kill another process. The scenario documents it: expected violation on every preset. The ' +
    'reader\'s stall (until MMF_OOM_SKIP is set: longer than the ten tries) is the only model ' +
    'device; no fault injection; every interleaving explored (bounded to 300 executions).',
  source: 'kernel-spec.md 7.6 and R14',
  kind: 'by-design',
  kernel: true,
  build: ({ kernel }) => build_r14(kernel!),
  expect: { 'v4.13': 'violation', 'v4.17': 'violation', 'v6.1': 'violation', 'v7.0': 'violation' },
  options: { maxFaults: 0, maxExecutions: 300 },
};
