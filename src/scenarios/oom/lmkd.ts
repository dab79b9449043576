/**
 * R10: process_mrelease() returns -ESRCH while the victim's memory is still held by a pin
 * (kernel-spec.md 8.3 and 12 R10; seeds/002, Minchan Kim's PROCESS_MRELEASE_REAP_KILL thread).
 *
 * V is a process with one anonymous page. An LMKD-like task kills V and reaps it: its main
 * thread tries process_mrelease(pidfd, PROCESS_MRELEASE_REAP_KILL) (kill and reap in one call,
 * where the kernel has it); on -EINVAL it sends SIGKILL through the pidfd and its reaper thread
 * calls process_mrelease(pidfd, 0), as Android's lmkd does. Meanwhile another process reads
 * /proc/V/cmdline (get_task_mm: an mm_users pin, the read lock, the copy to its own buffer -
 * which stalls on a userfaultfd/FUSE page until V has exited - then mmput). Precondition (the
 * spec's first row): LMKD acts once the reader is in that stall.
 * Property: process_mrelease() must not report -ESRCH while V's memory is still mapped and
 * pinned by someone else's mm_users (then nobody reaps it until that holder's mmput). Metric
 * pages_held_at_esrch: the pages still mapped when -ESRCH was returned.
 * No fault injection; every interleaving is explored (DPOR).
 */
import type { Loc, Model } from '../../engine/op.ts';
import { ModelViolation } from '../../engine/op.ts';
import { awaitUntil, kfn, load, metric, newLoc, store } from '../../engine/prims.ts';
import type { KernelConfig } from '../../kernel/config.ts';
import { get_cmdline } from '../../kernel/fs/proc/base.ts';
import { proc_maps_cat, type proc_stall } from '../../kernel/fs/proc/task_mmu.ts';
import { EINVAL, ESRCH } from '../../kernel/include/linux/errno.ts';
import { SIGKILL, type mm_struct, type task_struct } from '../../kernel/include/linux/mm_types.ts';
import { pidfd_open, pidfd_send_signal, type pidfd } from '../../kernel/kernel/pid.ts';
import { PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE } from '../../kernel/mm/oom_expedite.ts';
import { ENOSYS, PROCESS_MRELEASE_REAP_KILL, process_mrelease } from '../../kernel/mm/process_mrelease.ts';
import { as_task, exec_process, kernel_program } from '../../kernel/program.ts';
import { this_cpu, type world } from '../../kernel/world.ts';
import type { Scenario } from '../types.ts';
import { boot_init, mm_of, pages_held, process_with_memory, run_actors, victim_body } from './common.ts';

/**
 * The reader's copy_to_user() stalls (its buffer is on a userfaultfd/FUSE page) until V has
 * exited; @stalled records that it got there (the scenario's precondition for LMKD).
 */
function until_exited(V: task_struct, stalled: Loc<boolean>): proc_stall {
  return function* () {
    yield* store(stalled, true);
    yield* awaitUntil(V.exit_state, (s) => s !== 0, 'copy_to_user() fault on the reader\'s buffer: resolved only after V has exited');
  };
}

/**
 * LMKD's main thread: kill and reap V in one call where the kernel can, trying
 * process_mrelease(PROCESS_MRELEASE_REAP_KILL), then pidfd_send_signal(SIGKILL,
 * PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE); where neither exists (-EINVAL) send a plain SIGKILL
 * through the pidfd and hand the reap to its reaper thread (Android lmkd's reaper.cpp does the
 * same). @handoff: 1 = "reap V", 2 = nothing left to do.
 */
const lmkd_kill = kfn('lmkd', function* (fd: pidfd, handoff: Loc<number>, V: task_struct, mm: mm_struct): Model<void> {
  const ret = yield* process_mrelease(fd, PROCESS_MRELEASE_REAP_KILL);
  if (ret !== -EINVAL && ret !== -ENOSYS) { // REAP_KILL: killed and reaped in this call
    yield* store(handoff, 2);
    yield* kill_returned(ret, V, mm);
    return;
  }
  const expedited = yield* pidfd_send_signal(fd, SIGKILL, PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE);
  if (expedited !== -EINVAL) {
    yield* store(handoff, 2);
    yield* kill_returned(expedited, V, mm);
    return;
  }
  yield* pidfd_send_signal(fd, SIGKILL);
  yield* store(handoff, 1);
});

/** LMKD's reaper thread: process_mrelease(pidfd, 0) on the process the main thread killed. */
const lmkd_reaper = kfn('lmkd_reaper', function* (fd: pidfd, handoff: Loc<number>, V: task_struct, mm: mm_struct): Model<void> {
  const job = yield* awaitUntil(handoff, (v) => v !== 0, 'lmkd reaper thread waits for a kill to reap');
  if (job !== 1) return;
  yield* kill_returned(yield* process_mrelease(fd, 0), V, mm);
});

/**
 * The userspace killer's kill-and-reap has returned @ret: record what is still mapped (metric
 * pages_held_at_kill_return, seeds/002's question) and check the -ESRCH property.
 */
function* kill_returned(ret: number, V: task_struct, mm: mm_struct): Model<void> {
  yield* metric('pages_held_at_kill_return', yield* pages_held(mm));
  yield* check_esrch(ret, V, mm);
}

/**
 * The property, observed by LMKD: after -ESRCH it polls the pidfd until V has exited (as lmkd
 * does), then looks at V's mm. Memory still mapped then is held by someone else's mm_users pin:
 * V's own exit did not free it and nobody reaps it.
 */
function* check_esrch(ret: number, V: task_struct, mm: mm_struct): Model<void> {
  if (ret !== -ESRCH) return;
  yield* metric('esrch', 1);
  const at_esrch = yield* pages_held(mm);
  yield* metric('pages_held_at_esrch', at_esrch);
  yield* awaitUntil(V.exit_state, (s) => s !== 0, 'lmkd: poll(pidfd) until V has exited');
  const held = yield* pages_held(mm);
  const users = yield* load(mm.mm_users);
  yield* metric('pages_held_after_exit', held);
  if (held > 0 && users > 0)
    throw new ModelViolation(
      'property',
      `process_mrelease() returned -ESRCH (${at_esrch} pages mapped); V has exited but ${mm.name} still maps ${held} pages, ` +
        `pinned by mm_users ${users}: nobody reaps it until the pin holder's mmput()`,
    );
}

/** Which /proc reader stalls beside LMKD: cmdline (R10: get_task_mm, no lock held in the stall) or maps (the read lock held in show_map). */
type reader = 'cmdline' | 'maps';

/**
 * V's thread from the kill to the end of its exit, counting the locks its own CPU takes on the
 * way (metric exit_lock_acquisitions: exit_mm(), and exit_mmap() when it runs here; what a
 * proposal adds to the exit path).
 */
function exit_counting_locks(w: world, V: task_struct): () => Model<void> {
  return function* () {
    const cpu = this_cpu(w);
    const before = cpu.acquired;
    yield* victim_body(V, false)();
    yield* metric('exit_lock_acquisitions', cpu.acquired - before);
  };
}

function build(kernel: KernelConfig, reader: reader = 'cmdline') {
  return () =>
    kernel_program(kernel, function* (w) {
      yield* boot_init(w);
      const V = yield* process_with_memory(w, 'V', [1]);
      const mm = yield* mm_of(V);
      const L = yield* exec_process(w, 'lmkd');
      const R = yield* exec_process(w, 'ps');
      const fd = (yield* as_task(w, L, pidfd_open(w, V.pid))) as pidfd;
      const stalled = yield* newLoc('scenario:reader_stalled', false);
      const handoff = yield* newLoc('scenario:lmkd_handoff', 0);
      yield* run_actors(w, [
        { cpu: 'V', task: V, body: exit_counting_locks(w, V) },
        {
          cpu: 'lmkd',
          task: L,
          body: function* () {
            yield* awaitUntil(stalled, (v) => v, 'precondition: LMKD acts while the cmdline reader is stalled');
            yield* lmkd_kill(fd, handoff, V, mm);
          },
        },
        { cpu: 'lmkd reaper', task: L, body: () => lmkd_reaper(fd, handoff, V, mm) },
        reader === 'cmdline'
          ? { cpu: 'cat /proc/V/cmdline', task: R, body: function* () { yield* get_cmdline(V, until_exited(V, stalled), 'copy_to_user'); } }
          : { cpu: 'cat /proc/V/maps', task: R, body: function* () { yield* proc_maps_cat(V, until_exited(V, stalled)); } },
      ]);
    }, { world: { totalram_pages: 1 } });
}

export const R10: Scenario = {
  id: 'R10',
  name: 'process_mrelease-vs-exit-vs-get_cmdline',
  summary:
    'LMKD kills V and calls process_mrelease(); V\'s threads all passed exit_mm() already, so ' +
    'find_lock_task_mm() finds none and the call returns -ESRCH - while a /proc/V/cmdline reader\'s ' +
    'get_task_mm() pin defers exit_mmap() to the reader\'s mmput(): the memory is still mapped and ' +
    'nobody reaps it (Minchan Kim, 2026; unfixed in mainline). PROCESS_MRELEASE_REAP_KILL ' +
    '(mm-new, switch mreleaseReapKill) kills and reaps in one call while a thread still has ->mm; ' +
    'Minchan Kim\'s PIDFD_SIGNAL_PROCESS_GROUP_EXPEDITE (v7.0+expedite, pidfdSignalExpedite) does the ' +
    'same from pidfd_send_signal(); task->exit_mm (taskExitMm) lets process_mrelease find the mm after exit_mm; Linus\' ' +
    'mm_count-only walkers remove the pin (the -ESRCH stays, but V\'s own exit frees the memory). ' +
    'Metrics esrch, pages_held_at_esrch, pages_held_at_kill_return, pages_held_after_exit. V stays a zombie (its parent has not waited). ' +
    'No fault injection; bounded: at most 400 executions per run (DPOR order).',
  source: 'seeds/002 (PROCESS_MRELEASE_REAP_KILL v3 thread, May 2026); kernel-spec.md 8.3, R10',
  kernel: true,
  build: ({ kernel }) => build(kernel!),
  expect: { 'v7.0': 'violation', 'v7.0+reap-kill': 'pass', 'v7.0+expedite': 'pass', 'v7.0+exit-mm': 'pass', 'v7.0+exit-write-lock': 'pass' },
  options: { maxFaults: 0, maxExecutions: 400 },
  metricDocs: {
    esrch: 'process_mrelease() returned -ESRCH to the userspace killer (1)',
    pages_held_at_esrch: 'pages still mapped when it returned -ESRCH',
    pages_held_at_kill_return: "pages still mapped when the killer's kill-and-reap call returned",
    pages_held_after_exit: "pages still mapped after V's last thread exited (nobody reaps them)",
    exit_lock_acquisitions: "locks V's own CPU took from the kill to the end of its exit (exit_mm, and exit_mmap when it runs there)",
  },
};

/** Minchan Kim's second objection (seeds/002) as an exploration: the stalled reader holds V's mmap_lock. */
export const lmkd_vs_stalled_maps: Scenario = {
  id: 'lmkd-vs-stalled-proc_maps',
  name: 'lmkd-vs-stalled-proc_maps',
  summary:
    'R10 with a /proc/V/maps reader instead of cmdline: its stall (a slow page-in inside show_map, ' +
    'until V has exited) holds V\'s mmap_lock for read and an mm_users pin. Can it block V\'s exit, ' +
    'process_mrelease() or the expedited kill? Under Linus\' whole-teardown write lock V\'s ' +
    'exit_mmap() queues for the write lock behind the reader, and every later reader (the reap) ' +
    'queues behind it: the run deadlocks (Minchan\'s objection); elsewhere the pin defers the ' +
    'teardown and the -ESRCH of R10 is what remains on v7.0. Same metrics as R10 (mmlife weigh). ' +
    'No fault injection; bounded: at most 400 executions per run (DPOR order).',
  source: 'seeds/002 (Minchan Kim, May 22 2026: "the latency bottleneck transfers from mmput() to mmap_lock"); kernel-spec.md 8.3, R10, R11',
  kernel: true,
  build: ({ kernel }) => build(kernel!, 'maps'),
  expect: { 'v7.0': 'violation', 'v7.0+reap-kill': 'pass', 'v7.0+expedite': 'pass', 'v7.0+exit-mm': 'pass', 'v7.0+exit-write-lock': 'violation' },
  options: { maxFaults: 0, maxExecutions: 400 },
  metricDocs: R10.metricDocs!,
};
