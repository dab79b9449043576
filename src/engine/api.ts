/**
 * The explorer's public contract: what a program is, the options of a run, and what a run
 * reports. `explore.ts` implements it; the kernel model, the scenarios, the CLI and the web
 * page use only these types.
 */
import type { Lock, Loc, ThreadBody, ViolationKind } from './op.ts';

/** Who holds a lock and who waits for it, by thread name. */
export interface LockState {
  readonly holders: readonly string[];
  readonly mode: 'free' | 'read' | 'write';
  readonly waiters: readonly string[];
}

/** Read-only access to an execution's store, for end-of-run checks and state snapshots. */
export interface Peek {
  load<T>(loc: Loc<T>): T;
  lock(lock: Lock): LockState;
}

/**
 * The model state after a step, as the trace viewer's inspector shows it. Generic: the
 * kernel model decides what objects to list (mm_structs, tasks, globals).
 */
export interface StateSnapshot {
  readonly objects: readonly SnapshotObject[];
}
export interface SnapshotObject {
  /** 'mm_struct', 'task_struct', 'anon_vma', 'global', ... */
  readonly kind: string;
  /** A stable display name, e.g. 'mm#2 (child of fork)'. */
  readonly name: string;
  readonly fields: Readonly<Record<string, string | number | boolean | null | readonly string[]>>;
  /** A maple tree's ranges, in order; `entry` is e.g. 'vma#3', 'XA_ZERO_ENTRY'. */
  readonly entries?: readonly { readonly start: number; readonly last: number; readonly entry: string }[];
}

/**
 * One execution's program, built afresh for every execution (the explorer is stateless:
 * generators cannot be copied, so each execution re-runs from scratch along a schedule).
 * A factory must not read globals, clocks or Math.random.
 */
export interface ProgramInstance {
  /** Thread 0: builds the initial state (setup) and spawns the actor threads. */
  readonly main: ThreadBody;
  /** Name of thread 0's CPU column (default "main"). */
  readonly mainName?: string;
  /**
   * Runs once every thread has finished without a violation; reads final values through
   * `peek` and may throw a ModelViolation (leak audit, scenario property).
   */
  readonly atEnd?: (peek: Peek) => void;
  /** The state after each step, recorded only for traces (counterexamples, replays). */
  readonly snapshot?: (peek: Peek) => StateSnapshot;
}
export type Program = () => ProgramInstance;

export type StrategyName = 'dpor' | 'naive' | 'bounded' | 'random' | 'pct' | 'replay';

export interface ExploreOptions {
  readonly strategy?: StrategyName; // default 'dpor'
  /** Stop after this many executions (the result is then not exhaustive). */
  readonly maxExecutions?: number;
  /** Per-execution step bound; hitting it while a thread waits is a liveness violation. */
  readonly maxSteps?: number;
  /** Wall-time budget; needs `now` (the engine never reads a clock itself). */
  readonly timeBudgetMs?: number;
  /** Injected clock for budgets and elapsedMs (e.g. performance.now); absent: elapsedMs 0. */
  readonly now?: () => number;
  /** 'bounded': at most this many preemptions per execution. */
  readonly preemptionBound?: number;
  /** 'random' / 'pct': seed of the explorer's own PRNG. */
  readonly seed?: number;
  /** 'pct': bug depth d. */
  readonly pctDepth?: number;
  /** Faults per execution (default 1). */
  readonly maxFaults?: number;
  /** Fault sites that may fail (default: every site). */
  readonly faultSites?: readonly string[];
  /** Stop at the first violation (default true). */
  readonly stopOnViolation?: boolean;
  /** 'replay': the schedule string to re-run. */
  readonly schedule?: string;
  /** Record a full trace for every violation (default true). */
  readonly traces?: boolean;
  /** Called every so often with the counts so far. */
  readonly onProgress?: (p: Progress) => void;
  /** Polled between executions; true stops the run (Ctrl-C). */
  readonly shouldStop?: () => boolean;
  /** Called after every execution, e.g. to collect terminal-state signatures in tests. */
  readonly onExecution?: (end: ExecutionEnd) => void;
  /**
   * 'dpor': wakeup-tree nodes kept before new reversals are stored as single events (source
   * sets; sound, may add sleep-set-blocked executions); default 500,000.
   */
  readonly wakeupBudget?: number;
  /** Minimise each violation's counterexample (fewest preemptions, then steps); default true. */
  readonly minimize?: boolean;
}

/** One finished execution, as `onExecution` sees it. */
export interface ExecutionEnd {
  /** Set if the execution ended with a violation. */
  readonly violation?: ViolationKind;
  readonly message?: string;
  /** The final store (valid only during the callback). */
  readonly peek: Peek;
  readonly steps: number;
  /** The execution's schedule string. */
  schedule(): string;
}

export interface Progress {
  readonly executions: number;
  readonly blocked: number;
  readonly steps: number;
  readonly elapsedMs: number;
  /** 'dpor': wakeup-tree nodes left to explore (the frontier), when last counted. */
  readonly frontier?: number;
}

/** One step of a trace. */
export interface TraceStep {
  /** Thread id (0 = main) and its CPU column name. */
  readonly tid: number;
  readonly thread: string;
  /** Op kind ('load', 'acquire', 'note', ...). */
  readonly op: string;
  /** Object touched (loc or lock name), if any. */
  readonly obj?: string;
  /** Value read, written or returned, rendered as text. */
  readonly value?: string;
  /** Model function call stack, outermost first. */
  readonly stack: readonly string[];
  /** Annotation from `note`. */
  readonly text?: string;
  /** The state after this step, if the program provides snapshots. */
  readonly state?: StateSnapshot;
}

export interface Trace {
  readonly steps: readonly TraceStep[];
  readonly threads: readonly string[];
}

export interface Violation {
  readonly kind: ViolationKind;
  readonly message: string;
  /** Versioned, compact schedule string that replays this execution exactly. */
  readonly schedule: string;
  readonly trace?: Trace;
  /** Metrics of the violating execution. */
  readonly metrics?: Readonly<Record<string, number>>;
  /** For deadlocks: the wait-for cycle, as thread names and what each waits for. */
  readonly waitFor?: readonly string[];
}

export interface ExploreResult {
  readonly strategy: StrategyName;
  /** 'exhaustive': every class explored; 'bounded': a bound or budget cut it; 'sampled'. */
  readonly coverage: 'exhaustive' | 'bounded' | 'sampled';
  readonly executions: number;
  /** Executions abandoned as redundant (sleep-set blocked); zero for optimal DPOR. */
  readonly blocked: number;
  readonly steps: number;
  readonly elapsedMs: number;
  /** When the first violation was found (before minimisation), with an injected clock. */
  readonly firstViolationMs?: number;
  readonly violations: readonly Violation[];
  /** Per metric, the maximum over executions. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Per metric, in how many executions it was above 0 (with stopOnViolation false: of all). */
  readonly metricExecutions: Readonly<Record<string, number>>;
  /** How many executions ended with a violation. */
  readonly violatingExecutions: number;
  /** Terminal-state signatures are not kept here; tests use the hook below. */
  readonly stoppedBy?: 'maxExecutions' | 'timeBudget' | 'shouldStop' | 'violation';
}
