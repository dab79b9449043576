/**
 * Counterexample minimisation: fewest preemptions first, then fewest steps.
 *
 * 1. Re-linearise within the equivalence class: replay the violation recording
 *    happens-before, then emit its steps greedily, running each thread as long as the order
 *    allows. Any linearisation shows the same violation; this one switches threads rarely.
 * 2. Try cheaper schedules: a bounded search with 0, 1, ... preemptions (each capped in
 *    executions) for the same violation; a hit is re-linearised too.
 * Every candidate is checked by replay and kept only if it shows the same violation
 * (kind and message) with fewer preemptions, or as many and fewer steps.
 */
import type { ExploreOptions, Program, Violation } from './api.ts';
import { HbRecorder } from './hb.ts';
import type { Decider } from './runtime.ts';
import { encodeSchedule } from './schedule.ts';
import { ScheduleFollower, Session } from './session.ts';
import { exploreNaive } from './naive.ts';

/**
 * Executions allowed, over all bounds, when looking for a cheaper schedule. 300 gives the same
 * minimised schedule as 1000 on every violating matrix cell, in well under half the time.
 */
const SEARCH_BUDGET = 300;
/** Bounds tried: 0 .. MAX_BOUND - 1 preemptions (few bugs need more, per SCTBench). */
const MAX_BOUND = 3;
/** With an injected clock, the search stops after this long. */
const SEARCH_MS = 5000;

interface Measured {
  readonly schedule: string;
  readonly preemptions: number;
  readonly steps: number;
  readonly kind: string;
  readonly message: string;
}

/** Replays `schedule`, counting preemptions (switching away from a thread that could go on). */
function measure(program: Program, schedule: string, options: ExploreOptions): Measured | null {
  try {
    const s = new Session(program, options);
    const f = new ScheduleFollower(schedule, s.maxSteps);
    let prev = -2;
    let preemptions = 0;
    const exec = s.newExecution(f);
    s.drive(exec, (n, actors) => {
      const i = f.pick(n, actors);
      const prevEnabled = actors.subarray(0, n).includes(prev);
      if (prevEnabled && actors[i] !== prev) preemptions++;
      prev = actors[i]!;
      return i;
    });
    f.checkConsumed();
    const v = exec.violation;
    if (v === null) return null;
    return { schedule: encodeSchedule(exec.log), preemptions, steps: exec.steps, kind: v.kind, message: v.message };
  } catch {
    return null;
  }
}

/**
 * Replays `schedule` and returns the same execution with its steps reordered greedily
 * within happens-before (the data decisions travel with their steps).
 */
function relinearise(program: Program, schedule: string, options: ExploreOptions): string | null {
  const s = new Session(program, options);
  const f = new ScheduleFollower(schedule, s.maxSteps);
  const hb = new HbRecorder();
  hb.reset();
  // Per step: the choose values and the fault outcomes of its continuation, in order.
  const stepDecisions: number[][] = [[]];
  const actors: number[] = [];
  const recorder: Decider = {
    choose: (n) => {
      const v = f.choose(n);
      stepDecisions[stepDecisions.length - 1]!.push(v);
      return v;
    },
    fault: (index) => {
      const v = f.fault(index);
      stepDecisions[stepDecisions.length - 1]!.push(v ? 1 : 0);
      return v;
    },
  };
  const exec = s.newExecution(recorder);
  const initial = stepDecisions[0]!;
  while (!exec.finished) {
    if (exec.steps >= s.maxSteps) return null;
    const n = s.enabled(exec);
    if (n === 0) break;
    const a = s.actors[f.pick(n, s.actors)]!;
    stepDecisions.push([]);
    actors.push(a);
    hb.before(exec, a);
    exec.step(a);
    hb.after(exec, a);
    if (exec.violation !== null) hb.markViolation();
  }
  // Greedy linearisation: keep running the current thread while its next step is ready.
  const n = actors.length;
  const W = hb.width;
  const emitted = new Int32Array(W);
  const done = new Uint8Array(n);
  const order: number[] = [];
  const ready = (x: number): boolean => {
    for (let l = 0; l < W; l++) {
      const need = l === hb.lane[x] ? hb.seq[x]! - 1 : hb.clk[x * W + l]!;
      if (emitted[l]! < need) return false;
    }
    return true;
  };
  let lane = -1;
  while (order.length < n) {
    let pick = -1;
    for (let x = 0; x < n; x++) {
      if (done[x] === 1 || !ready(x)) continue;
      if (pick < 0) pick = x;
      if (hb.lane[x] === lane) {
        pick = x;
        break;
      }
    }
    if (pick < 0) return null;
    done[pick] = 1;
    order.push(pick);
    lane = hb.lane[pick]!;
    emitted[lane] = emitted[lane]! + 1;
  }
  // Re-run in that order, handing each step its own decisions back.
  let queue: number[] = initial.slice();
  const replayer: Decider = {
    choose: () => queue.shift() ?? 0,
    fault: () => (queue.shift() ?? 0) === 1,
  };
  const s2 = new Session(program, options);
  const exec2 = s2.newExecution(replayer);
  for (const x of order) {
    if (exec2.finished) return null;
    const a = actors[x]!;
    const m = s2.enabled(exec2);
    if (!s2.actors.subarray(0, m).includes(a)) return null;
    queue = stepDecisions[x + 1]!.slice();
    exec2.step(a);
  }
  if (!exec2.finished && s2.enabled(exec2) === 0) exec2.deadlock();
  return exec2.violation === null ? null : encodeSchedule(exec2.log);
}

function better(a: Measured, b: Measured): boolean {
  return a.preemptions < b.preemptions || (a.preemptions === b.preemptions && a.steps < b.steps);
}

/** Returns the violation with the cheapest schedule found that shows the same violation. */
export function minimizeSchedule(program: Program, v: Violation, options: ExploreOptions): string {
  const base = { ...options, traces: false, onExecution: undefined, onProgress: undefined };
  let best = measure(program, v.schedule, base);
  if (best === null) return v.schedule;
  const same = (m: Measured | null): m is Measured => m !== null && m.kind === v.kind && m.message === v.message;
  const consider = (schedule: string | null): void => {
    if (schedule === null) return;
    const m = measure(program, schedule, base);
    if (same(m) && better(m, best!)) best = m;
    const lin = relinearise(program, schedule, base);
    const ml = lin === null ? null : measure(program, lin, base);
    if (same(ml) && better(ml, best!)) best = ml;
  };
  consider(v.schedule);
  const now = options.now;
  const started = now?.() ?? 0;
  let spent = 0;
  for (let bound = 0; bound < Math.min(best.preemptions, MAX_BOUND) && spent < SEARCH_BUDGET; bound++) {
    let found: string | null = null;
    const s = new Session(program, {
      ...base,
      stopOnViolation: false,
      maxExecutions: SEARCH_BUDGET - spent,
      shouldStop: () => found !== null || (now !== undefined && now() - started > SEARCH_MS),
      onExecution: (e) => {
        if (found === null && e.violation === v.kind && e.message === v.message) found = e.schedule();
      },
    });
    exploreNaive(s, bound);
    spent += s.executions;
    if (found !== null) {
      consider(found);
      break;
    }
  }
  return best.schedule;
}

