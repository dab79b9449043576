/**
 * fork() racing exit(): the mm life cycle end to end, under every allocation failure.
 *
 * Setup (through the model's system calls, kernel/program.ts fork_exit_parent): process P maps
 *
 *     mem 1:  page  0123456789abcd    A anon rw (written)   B file private r (read)
 *                   .A..B...CC..D.    C file shared rw (written)   D anon rw, swapped out
 *     mem 0 (default): .AA.....C..... with A's second page swapped out (fewer shared objects,
 *                   so the two-CPU search stays in the thousands of executions)
 *
 * and forks a first child C1 (so the anon_vma family, the file's i_mmap, the COW pages and the
 * swap slot are shared; C1 joins init_mm.mmlist). Then two CPUs race:
 *  - mode 0 (default): CPU "fork": P forks again; CPU "exit": C1 exits. Both walk the same
 *    anon_vma family, i_mmap, pages and swap slot. A child C2 exits after both finished.
 *  - mode 1: CPU "fork" as in mode 0; CPU "kill": C1 SIGKILLs P, then exits: P's fork sees the
 *    fatal signal at any of its checks (or not at all).
 * Finally C2 (if created) exits and P returns to user space and exits (killed in mode 1). Property: no sanitizer report, the end-of-execution audit finds no leak,
 * and a failed fork returned -ENOMEM or -EINTR.
 */
import type { Model } from '../engine/op.ts';
import { ModelViolation } from '../engine/op.ts';
import { join, load } from '../engine/prims.ts';
import { DEFAULT_PRESET, kernelConfig } from '../kernel/config.ts';
import { fork_fault_site_names } from '../kernel/fault_sites.ts';
import { EINTR, ENOMEM } from '../kernel/include/linux/errno.ts';
import { SIGKILL } from '../kernel/include/linux/mm_types.ts';
import { do_exit, exit_to_user_mode, release_task } from '../kernel/kernel/exit.ts';
import { kernel_clone } from '../kernel/kernel/fork.ts';
import { sys_kill } from '../kernel/kernel/signal.ts';
import { as_task, fork_exit_parent, kernel_program, without_faults } from '../kernel/program.ts';
import { kthread_run, type world } from '../kernel/world.ts';
import type { Scenario } from './types.ts';

/** The child @pid (if fork created one) exits. */
function* reap_child(w: world, pid: number): Model<void> {
  if (pid <= 0) return;
  const child = (yield* load(w.tasklist)).find((t) => t.pid === pid);
  if (!child) throw new ModelViolation('assertion', `fork returned ${pid} but no such task`);
  yield* as_task(w, child, do_exit(child));
}

export const forkExit: Scenario = {
  id: 'fork-exit',
  name: 'fork-vs-exit',
  summary:
    'P (anon, private and shared file, swapped-out memory) forks while its first child exits ' +
    '(mode 0) or kills it (mode 1); every allocation and fatal-signal point of the fork path may ' +
    'fail. Property: no sanitizer report, no leak at the end, a failed fork returns -ENOMEM or -EINTR.',
  source: 'kernel-spec.md sections 5, 6 and 10',
  kernel: true,
  params: {
    mode: { default: 0, min: 0, max: 1, help: '0: fork vs exiting child; 1: fork vs a SIGKILL from the child, then P exits' },
    mem: { default: 0, min: 0, max: 1, help: '0: small address space (anon + swap in one VMA, shared file); 1: anon, private file, shared file, swapped-out VMA' },
  },
  build: (ctx) => {
    const cfg = ctx.kernel ?? kernelConfig(DEFAULT_PRESET);
    const mode = ctx.params['mode'] ?? 0;
    const mem = ctx.params['mem'] ?? 0;
    return () => {
      let result = 0;
      return kernel_program(cfg, function* (w) {
        const P = yield* without_faults(fork_exit_parent(w, mem));
        const c1pid = yield* without_faults(as_task(w, P, kernel_clone(P, 0)));
        const C1 = (yield* load(w.tasklist)).find((t) => t.pid === c1pid)!;
        const a = yield* kthread_run(w, 'fork', P, function* () {
          result = yield* kernel_clone(P, 0);
        });
        const b = yield* kthread_run(w, mode === 1 ? 'kill' : 'exit', C1, function* () {
          if (mode === 1) yield* sys_kill(w, P.pid, SIGKILL);
          yield* do_exit(C1, false); // a zombie until P reaps it (after the race)
        });
        yield* join(a);
        yield* join(b);
        yield* as_task(w, C1, release_task(C1)); // wait4()
        yield* reap_child(w, result);
        // P returns to user space (SIGKILLed in mode 1) or exits
        if (!(yield* as_task(w, P, exit_to_user_mode(P)))) yield* as_task(w, P, do_exit(P));
      }, {
        atEnd: () => {
          if (result <= 0 && result !== -ENOMEM && result !== -EINTR)
            throw new ModelViolation('property', `fork() returned ${result}: neither a pid, -ENOMEM nor -EINTR`);
        },
      });
    };
  },
  expect: { 'v4.13': 'pass', 'v6.1': 'pass', 'v6.8': 'pass', 'v6.13': 'pass', 'v6.14': 'pass', 'v7.0': 'pass' },
  options: { maxFaults: 1, faultSites: fork_fault_site_names },
};
