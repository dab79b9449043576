/**
 * What every strategy shares: building executions, driving one to its end, and the
 * bookkeeping of a run (counts, limits, violations, metrics, progress).
 */
import type { ExploreOptions, ExploreResult, Progress, StrategyName, Violation } from './api.ts';
import type { Program } from './api.ts';
import { type Decider, Execution, type RunOptions } from './runtime.ts';
import { DecisionLog, decodeSchedule, D_CHOOSE, D_FAULT, D_STEP, encodeSchedule, TICK } from './schedule.ts';

export const DEFAULT_MAX_STEPS = 100_000;

/** Picks which enabled actor steps next: an index into `actors[0..n)`. */
export type Picker = (n: number, actors: Int32Array) => number;

export class Session {
  executions = 0;
  blocked = 0;
  steps = 0;
  readonly violations: Violation[] = [];
  readonly metrics: Record<string, number> = {};
  /** Per metric, the executions in which it was above 0. */
  readonly metricExecutions: Record<string, number> = {};
  /** Executions that ended with a violation. */
  violatingExecutions = 0;
  stoppedBy: ExploreResult['stoppedBy'];
  /** 'dpor': wakeup-tree nodes left, when last counted (for progress). */
  frontier: number | undefined;
  /** elapsed() when the first violation was recorded. */
  firstViolationMs: number | undefined;
  readonly maxSteps: number;
  readonly runOptions: RunOptions;
  /** Scratch buffer for enabled actors. */
  actors = new Int32Array(16);
  private readonly started: number;
  private lastProgress: number;
  private readonly seen = new Set<string>();

  readonly program: Program;
  readonly options: ExploreOptions;

  constructor(program: Program, options: ExploreOptions) {
    this.program = program;
    this.options = options;
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    this.runOptions = {
      maxFaults: options.maxFaults ?? 1,
      faultSites: options.faultSites === undefined ? null : new Set(options.faultSites),
      trace: false,
    };
    this.started = options.now?.() ?? 0;
    this.lastProgress = this.started;
  }

  private readonly log = new DecisionLog();

  /** A fresh execution; untraced ones share one decision log (read it before the next). */
  newExecution(decider: Decider, trace = false): Execution {
    if (trace) return new Execution(this.program, { ...this.runOptions, trace }, decider);
    return new Execution(this.program, this.runOptions, decider, this.log);
  }

  /**
   * Runs `exec` to its end, asking `pick` at every scheduling point. Returns false if Ctrl-C or
   * the time budget cut it off half-way (cutMidExecution): the caller drops it and stops.
   */
  drive(exec: Execution, pick: Picker): boolean {
    while (!exec.finished) {
      if (exec.steps >= this.maxSteps) {
        exec.liveness(this.maxSteps);
        return true;
      }
      if (this.cutMidExecution(exec.steps)) return false;
      const n = this.enabled(exec);
      if (n === 0) {
        exec.deadlock();
        return true;
      }
      exec.step(this.actors[pick(n, this.actors)]!);
    }
    return true;
  }

  /**
   * Polled every 2^16 steps inside an execution, so that one long execution (a high --max-steps,
   * a big program) still stops on Ctrl-C and at the time budget; a cut execution is not counted.
   */
  cutMidExecution(steps: number): boolean {
    return (steps & 0xffff) === 0xffff && this.interrupted(this.options.now?.());
  }

  /** Ctrl-C, or the time budget at time @t (if given): sets stoppedBy; true if the run must stop. */
  private interrupted(t: number | undefined): boolean {
    const o = this.options;
    if (o.shouldStop?.() === true) this.stoppedBy = 'shouldStop';
    else if (t !== undefined && o.timeBudgetMs !== undefined && t - this.started >= o.timeBudgetMs) this.stoppedBy = 'timeBudget';
    return this.stoppedBy !== undefined;
  }

  enabled(exec: Execution): number {
    if (this.actors.length < exec.threads.length + 1) this.actors = new Int32Array(exec.threads.length * 2 + 2);
    return exec.enabled(this.actors);
  }

  /** Accounts one finished execution; returns false when the run must stop. */
  record(exec: Execution): boolean {
    this.executions++;
    this.steps += exec.steps;
    for (const [k, v] of exec.metrics) {
      if (!(k in this.metrics) || v > this.metrics[k]!) this.metrics[k] = v;
      if (v > 0) this.metricExecutions[k] = (this.metricExecutions[k] ?? 0) + 1;
    }
    const v = exec.violation;
    this.options.onExecution?.({
      ...(v !== null ? { violation: v.kind, message: v.message } : {}),
      peek: exec,
      steps: exec.steps,
      schedule: () => encodeSchedule(exec.log),
    });
    if (v !== null) {
      this.violatingExecutions++;
      const key = `${v.kind}\u0000${v.message}`;
      if (!this.seen.has(key)) {
        this.seen.add(key);
        if (this.violations.length === 0) this.firstViolationMs = this.elapsed();
        this.violations.push({
          kind: v.kind,
          message: v.message,
          schedule: encodeSchedule(exec.log),
          ...(v.waitFor !== undefined ? { waitFor: v.waitFor } : {}),
          metrics: Object.fromEntries(exec.metrics),
        });
      }
      if (this.options.stopOnViolation ?? true) {
        this.stoppedBy = 'violation';
        return false;
      }
    }
    return this.withinLimits();
  }

  /** Checks the execution and time limits and Ctrl-C; reports progress. */
  withinLimits(): boolean {
    const o = this.options;
    if (o.maxExecutions !== undefined && this.executions >= o.maxExecutions) {
      this.stoppedBy = 'maxExecutions';
      return false;
    }
    // the clock every 16 executions, Ctrl-C after every one
    const t = o.now !== undefined && (this.executions & 15) === 0 ? o.now() : undefined;
    if (this.interrupted(t)) return false;
    if (t !== undefined && o.onProgress !== undefined && t - this.lastProgress >= 500) {
      this.lastProgress = t;
      o.onProgress(this.progress());
    }
    return true;
  }

  progress(): Progress {
    const p = { executions: this.executions, blocked: this.blocked, steps: this.steps, elapsedMs: this.elapsed() };
    return this.frontier === undefined ? p : { ...p, frontier: this.frontier };
  }

  elapsed(): number {
    return this.options.now === undefined ? 0 : this.options.now() - this.started;
  }

  result(strategy: StrategyName, complete: boolean): ExploreResult {
    const stopped = this.stoppedBy !== undefined;
    const coverage = strategy === 'random' || strategy === 'pct' || strategy === 'replay'
      ? 'sampled'
      : complete && !stopped ? 'exhaustive' : 'bounded';
    return {
      strategy,
      coverage,
      executions: this.executions,
      blocked: this.blocked,
      steps: this.steps,
      elapsedMs: this.elapsed(),
      ...(this.firstViolationMs !== undefined ? { firstViolationMs: this.firstViolationMs } : {}),
      violations: this.violations,
      metrics: this.metrics,
      metricExecutions: this.metricExecutions,
      violatingExecutions: this.violatingExecutions,
      ...(this.stoppedBy !== undefined ? { stoppedBy: this.stoppedBy } : {}),
    };
  }
}

/**
 * A decider and picker that follow a schedule string exactly; they throw a clear Error
 * when the schedule does not fit the program.
 */
export class ScheduleFollower implements Decider {
  private pos = 0;
  private readonly log;

  /** `maxSteps`: the execution's step bound; a longer schedule is refused before it is expanded. */
  constructor(schedule: string, maxSteps = DEFAULT_MAX_STEPS) {
    this.log = decodeSchedule(schedule, maxSteps);
  }

  readonly pick: Picker = (n, actors) => {
    const actor = this.take(D_STEP, 'a thread step');
    for (let i = 0; i < n; i++) if (actors[i] === actor) return i;
    const runnable = Array.from(actors.subarray(0, n), (a) => (a === TICK ? 't' : String(a))).join(', ');
    throw new Error(
      `schedule does not fit the program: decision ${this.pos} runs ${actor === TICK ? 'the tick' : `thread ${actor}`}, which is not runnable (runnable: ${runnable})`,
    );
  };

  choose(n: number): number {
    const v = this.take(D_CHOOSE, `a choice among ${n}`);
    if (v >= n) throw new Error(`schedule does not fit the program: decision ${this.pos} chooses ${v} of ${n}`);
    return v;
  }

  fault(index: number): boolean {
    if (this.pos < this.log.length && this.log.kinds[this.pos] === D_FAULT) {
      const v = this.log.values[this.pos]!;
      if (v === index) {
        this.pos++;
        return true;
      }
      if (v < index) throw new Error(`schedule does not fit the program: fault call ${v} was not made there`);
    }
    return false;
  }

  /** Checks that the schedule was used up. */
  checkConsumed(): void {
    if (this.pos < this.log.length) {
      throw new Error(`schedule does not fit the program: ${this.log.length - this.pos} decisions left after the execution ended`);
    }
  }

  private take(kind: number, what: string): number {
    if (this.pos >= this.log.length) {
      throw new Error(`schedule does not fit the program: it ends after ${this.pos} decisions, but the execution needs ${what}`);
    }
    if (this.log.kinds[this.pos] !== kind) {
      const found = ['a thread step', 'a choice', 'a fault'][this.log.kinds[this.pos]!];
      throw new Error(`schedule does not fit the program: decision ${this.pos + 1} is ${found}, but the execution needs ${what}`);
    }
    return this.log.values[this.pos++]!;
  }
}
