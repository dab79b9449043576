/**
 * The explorer's entry points: `explore` runs a strategy over a program, `replay` re-runs
 * one execution from its schedule string.
 */
import type { ExploreOptions, ExploreResult, Program, Trace, Violation } from './api.ts';
import { exploreDpor } from './dpor.ts';
import { minimizeSchedule } from './minimize.ts';
import { exploreNaive } from './naive.ts';
import { explorePct, exploreRandom } from './sampling.ts';
import { ScheduleFollower, Session } from './session.ts';
import { encodeSchedule } from './schedule.ts';

export function explore(program: Program, options: ExploreOptions = {}): ExploreResult {
  const strategy = options.strategy ?? 'dpor';
  const s = new Session(program, options);
  let complete: boolean;
  switch (strategy) {
    case 'naive':
      complete = exploreNaive(s)[0];
      break;
    case 'bounded': {
      const [done, uncut] = exploreNaive(s, options.preemptionBound ?? 2);
      complete = done && uncut;
      break;
    }
    case 'random':
      exploreRandom(s);
      complete = false;
      break;
    case 'pct':
      explorePct(s);
      complete = false;
      break;
    case 'dpor':
      complete = exploreDpor(s);
      break;
    case 'replay': {
      if (options.schedule === undefined) throw new Error("strategy 'replay' needs a schedule");
      const r = replay(program, options.schedule, options);
      s.executions = 1;
      s.steps = r.steps;
      Object.assign(s.metrics, r.metrics);
      if (r.violation !== undefined) s.violations.push(r.violation);
      complete = true;
      break;
    }
    default:
      throw new Error(`unknown strategy '${String(strategy)}'`);
  }
  return finish(program, options, s).result(strategy, complete);
}

/** Violations minimised per run (each costs a few bounded searches). */
const MINIMIZE_AT_MOST = 3;

/** Minimises the first violations' schedules and attaches a trace to every violation. */
function finish(program: Program, options: ExploreOptions, s: Session): Session {
  if (!(options.traces ?? true)) return s;
  const minimize = (options.minimize ?? true) && options.strategy !== 'replay';
  for (let i = 0; i < s.violations.length; i++) {
    const v = s.violations[i]!;
    const schedule = minimize && i < MINIMIZE_AT_MOST ? minimizeSchedule(program, v, options) : v.schedule;
    const r = replay(program, schedule, options);
    s.violations[i] = r.violation !== undefined && r.violation.kind === v.kind ? r.violation : { ...v, trace: replay(program, v.schedule, options).trace };
  }
  return s;
}

export interface ReplayResult {
  readonly violation?: Violation;
  readonly trace: Trace;
  readonly metrics: Readonly<Record<string, number>>;
  readonly steps: number;
}

/**
 * Re-runs the execution a schedule string describes, recording its trace. Throws an Error
 * if the schedule is malformed or does not fit the program.
 */
export function replay(program: Program, schedule: string, options: ExploreOptions = {}): ReplayResult {
  const s = new Session(program, options);
  const follower = new ScheduleFollower(schedule, s.maxSteps);
  const exec = s.newExecution(follower, true);
  s.drive(exec, follower.pick);
  follower.checkConsumed();
  const trace = exec.trace();
  const metrics = Object.fromEntries(exec.metrics);
  const v = exec.violation;
  const violation: Violation | undefined =
    v === null
      ? undefined
      : {
          kind: v.kind,
          message: v.message,
          schedule: encodeSchedule(exec.log),
          trace,
          metrics,
          ...(v.waitFor !== undefined ? { waitFor: v.waitFor } : {}),
        };
  return { ...(violation !== undefined ? { violation } : {}), trace, metrics, steps: exec.steps };
}
