/**
 * One execution of a program: the store, the locks, the threads and the logical clock.
 *
 * The explorer drives it: `enabled()` lists the actors that can take a step (thread ids in
 * order, then TICK if the timer may fire), `step(actor)` runs one visible op and advances
 * that thread through its local ops up to its next visible op. Data decisions (choose,
 * fault) are asked of a `Decider`. Every decision is logged so the execution replays from
 * its schedule string. After each step `last*` describes what the step touched, for
 * partial-order reduction.
 *
 * Deterministic: nothing here reads a clock or a random source.
 *
 * Simplifications (deliberate):
 * - spinlocks and mutexes have no wait queue: while one is held, acquirers are simply not
 *   runnable, and which of them wins at the release is the scheduler's choice;
 * - a queued rwsem / percpu_rwsem acquire completes in a step of its own once granted;
 * - the logical clock only moves by the timer tick, straight to the earliest deadline;
 * - choose/fault decisions belong to the step whose continuation makes them (main's
 *   first run and a new thread's first run belong to the start and to the spawn).
 */
import type { LockState, Peek, ProgramInstance, Program, Trace, TraceStep } from './api.ts';
import type { Lock, Loc, Op, ViolationKind } from './op.ts';
import { ModelViolation } from './op.ts';
import * as L from './locks.ts';
import { renderValue, stepValue } from './render.ts';
import { findCycle } from './waitfor.ts';
import { D_CHOOSE, D_FAULT, D_STEP, DecisionLog, TICK } from './schedule.ts';

/** Answers the data decisions of an execution. */
export interface Decider {
  /** The value of a choose(n), n >= 2. */
  choose(n: number): number;
  /** Whether fault() call number `index` fails; `mayFail` says budget and site allow it. */
  fault(index: number, mayFail: boolean): boolean;
}

export interface RunOptions {
  readonly maxFaults: number;
  readonly faultSites: ReadonlySet<string> | null;
  readonly trace: boolean;
}

/** What ended an execution abnormally, before it is given a schedule. */
export interface RawViolation {
  readonly kind: ViolationKind;
  readonly message: string;
  readonly waitFor?: readonly string[];
}

/** Access kinds of a step, for dependence. */
export const A_NONE = 0;
export const A_READ = 1;
export const A_WRITE = 2;

/** Object id of the logical clock (locs and locks are numbered after it). */
export const CLOCK_OBJ = 0;
/**
 * Object id of the set of sleeping threads: a thread that starts to sleep reads it, the
 * timer tick writes it (what a tick does depends on who sleeps).
 */
export const TIMERS_OBJ = 1;

interface ThreadRec {
  readonly tid: number;
  readonly name: string;
  readonly gen: Generator<Op, void, unknown>;
  /** The visible op it will run next; null once done. */
  pending: Op | null;
  done: boolean;
  readonly stack: string[];
  /** rwsem / percpu_rwsem: the lock it queued on, until its acquire completes. */
  waitLock: L.LockRec | null;
  granted: boolean;
}

export class Execution implements Peek {
  readonly threads: ThreadRec[] = [];
  readonly log: DecisionLog;
  readonly metrics = new Map<string, number>();
  readonly traceSteps: TraceStep[] = [];
  violation: RawViolation | null = null;
  /** True once every thread finished or a violation ended the run. */
  finished = false;
  steps = 0;
  clock = 0;
  /** Threads not yet finished. */
  private live = 0;

  // What the last step touched (for dependence analysis).
  lastObj = -1;
  lastAccess = A_NONE;
  /** The last step was a successful lock acquisition (acquire granted / trylock true). */
  lastAcquired = false;
  /** The value its object held before the step (loc steps only). */
  lastOld: unknown = undefined;
  /** The thread spawned or joined by the last step, or -1. */
  lastOther = -1;
  /** Threads granted a lock by the last step (rwsem wake-ups). */
  lastWoken: readonly number[] = NONE;

  /** Set once any thread has slept: only then is the timer worth asking about. */
  usesTime = false;

  private readonly values: unknown[] = [undefined, undefined];
  private readonly objNames: string[] = ['jiffies', 'timers'];
  /** Per location: how traces render its values (newLoc's `render`), if it has its own way. */
  private readonly renders: (((v: unknown) => string) | undefined)[] = [];
  private readonly locks: (L.LockRec | undefined)[] = [undefined, undefined];
  private faultCalls = 0;
  private faultsUsed = 0;
  private readonly instance: ProgramInstance;
  private readonly opts: RunOptions;
  private readonly decider: Decider;

  /** `log` may be a reused log (it is cleared). */
  constructor(program: Program, opts: RunOptions, decider: Decider, log = new DecisionLog()) {
    log.clear();
    this.log = log;
    this.opts = opts;
    this.decider = decider;
    this.instance = program();
    const main = this.addThread(this.instance.mainName ?? 'main', this.instance.main);
    this.advance(main, undefined);
    if (this.violation === null && main.done) this.finish();
  }

  // --- Peek ----------------------------------------------------------------------------

  load<T>(loc: Loc<T>): T {
    return this.values[loc.id] as T;
  }

  lock(lock: Lock): LockState {
    const l = this.locks[lock.id];
    if (l === undefined) throw new Error(`unknown lock ${lock.name}`);
    const name = (t: number): string => this.threads[t]!.name;
    return {
      holders: L.holders(l).map(name),
      mode: l.writer >= 0 ? 'write' : l.readers.length > 0 ? 'read' : 'free',
      waiters: L.waiters(l).map(name),
    };
  }

  /** How many object ids are in use (locs, locks, the clock and the timer set). */
  objectCount(): number {
    return this.values.length;
  }

  objName(id: number): string {
    return this.objNames[id] ?? `#${id}`;
  }

  // --- scheduling ----------------------------------------------------------------------

  /** The visible op thread `tid` will run next, or null. */
  pendingOp(tid: number): Op | null {
    return this.threads[tid]?.pending ?? null;
  }

  /** Thread `tid` waits in a lock queue (its next step completes a granted acquire). */
  isQueued(tid: number): boolean {
    return this.threads[tid]?.waitLock != null;
  }

  /** Is thread `t`'s pending op enabled? */
  isEnabled(t: ThreadRec): boolean {
    const op = t.pending;
    if (op === null) return false;
    switch (op.k) {
      case 'await':
        return op.pred(this.values[op.loc.id]);
      case 'awaitall':
        return op.pred(op.locs.map((l) => this.values[l.id]));
      case 'acquire': {
        if (t.waitLock !== null) return t.granted;
        const l = this.lockRec(op.lock);
        return !L.isExclusiveKind(l) || l.writer < 0;
      }
      case 'join':
        return this.threads[op.tid]?.done ?? true;
      case 'sleep_until':
        return this.clock >= op.until;
      default:
        return true;
    }
  }

  /** The earliest deadline of a sleeping thread beyond the clock, or -1. */
  nextDeadline(): number {
    let best = -1;
    for (const t of this.threads) {
      const op = t.pending;
      if (op !== null && op.k === 'sleep_until' && op.until > this.clock && (best < 0 || op.until < best)) {
        best = op.until;
      }
    }
    return best;
  }

  /** Fills `out` with the actors that can step (thread ids ascending, then TICK); returns the count. */
  enabled(out: Int32Array): number {
    let n = 0;
    for (const t of this.threads) if (this.isEnabled(t)) out[n++] = t.tid;
    if (this.usesTime && this.nextDeadline() >= 0) out[n++] = TICK;
    return n;
  }

  /** Runs one step of `actor` (a thread id or TICK). */
  step(actor: number): void {
    this.log.push(D_STEP, actor);
    this.steps++;
    this.lastObj = -1;
    this.lastAccess = A_NONE;
    this.lastAcquired = false;
    this.lastOther = -1;
    this.lastWoken = NONE;
    if (actor === TICK) {
      this.clock = this.nextDeadline();
      this.lastObj = CLOCK_OBJ;
      this.lastAccess = A_WRITE;
      if (this.opts.trace) this.traceSteps.push({ tid: TICK, thread: 'timer', op: 'tick', value: `jiffies = ${this.clock}`, stack: [] });
      this.snapshot();
      return;
    }
    const t = this.threads[actor]!;
    const op = t.pending!;
    let result: unknown;
    try {
      result = this.runVisible(t, op);
    } catch (e) {
      this.fail(e, t);
      return;
    }
    if (this.violation !== null) return;
    if (op.k === 'spawn') this.advance(this.threads[this.lastOther]!, undefined);
    if (this.violation !== null) return;
    this.advance(t, result);
    if (this.violation === null && this.live === 0) this.finish();
  }

  private runVisible(t: ThreadRec, op: Op): unknown {
    let result: unknown;
    let obj = -1;
    switch (op.k) {
      case 'load':
      case 'await':
        obj = op.loc.id;
        result = this.values[obj];
        this.setLast(obj, A_READ, result);
        break;
      case 'awaitall':
        obj = op.locs[0]?.id ?? -1;
        result = op.locs.map((l) => this.values[l.id]);
        this.setLast(obj, A_READ, undefined);
        break;
      case 'store':
        obj = op.loc.id;
        this.setLast(obj, A_WRITE, this.values[obj]);
        this.values[obj] = op.value;
        result = op.value;
        break;
      case 'rmw': {
        obj = op.loc.id;
        const old = this.values[obj];
        this.setLast(obj, A_WRITE, old);
        this.values[obj] = op.f(old);
        result = old;
        break;
      }
      case 'cas': {
        obj = op.loc.id;
        const old = this.values[obj];
        const ok = old === op.expected;
        this.setLast(obj, ok ? A_WRITE : A_READ, old);
        if (ok) this.values[obj] = op.desired;
        result = old;
        break;
      }
      case 'acquire':
        result = this.runAcquire(t, op.lock, op.mode);
        obj = op.lock.id;
        break;
      case 'tryacquire': {
        const l = this.lockRec(op.lock);
        obj = op.lock.id;
        result = L.tryAcquireLock(l, t.tid, op.mode);
        this.setLast(obj, A_WRITE, undefined);
        this.lastAcquired = result as boolean;
        break;
      }
      case 'release': {
        const l = this.lockRec(op.lock);
        obj = op.lock.id;
        this.setLast(obj, A_WRITE, undefined);
        if (!L.holds(l, t.tid, op.mode)) {
          throw new ModelViolation('lockdep', `${t.name} releases ${op.lock.name} (${op.mode}), which it does not hold`);
        }
        const woken = L.releaseLock(l, t.tid, op.mode);
        for (const w of woken) this.threads[w]!.granted = true;
        this.lastWoken = woken;
        break;
      }
      case 'spawn': {
        const child = this.addThread(op.name, op.body, op.args);
        this.lastOther = child.tid;
        result = child.tid;
        break;
      }
      case 'join':
        this.lastOther = op.tid;
        break;
      case 'sleep_until':
        this.setLast(CLOCK_OBJ, A_READ, this.clock);
        break;
      case 'jiffies':
        this.setLast(CLOCK_OBJ, A_READ, this.clock);
        result = this.clock;
        break;
      default:
        throw new Error(`engine: ${op.k} is not a visible op`);
    }
    if (this.opts.trace) this.traceVisible(t, op, obj, result);
    return result;
  }

  private runAcquire(t: ThreadRec, lock: Lock, mode: 'read' | 'write'): unknown {
    const l = this.lockRec(lock);
    this.setLast(lock.id, A_WRITE, undefined);
    if (t.waitLock !== null) {
      // A queued acquire completes: the lock was granted by a release.
      t.waitLock = null;
      t.granted = false;
      this.lastAcquired = true;
      return undefined;
    }
    if (L.acquireLock(l, t.tid, mode)) {
      this.lastAcquired = true;
      return undefined;
    }
    t.waitLock = l;
    t.granted = false;
    return QUEUED;
  }

  private setLast(obj: number, access: number, old: unknown): void {
    this.lastObj = obj;
    this.lastAccess = access;
    this.lastOld = old;
  }

  /** Feeds `input` to the thread and runs its local ops up to its next visible op. */
  private advance(t: ThreadRec, input: unknown): void {
    if (input === QUEUED) return; // it stays on its acquire until granted
    let value = input;
    for (;;) {
      let r: IteratorResult<Op, void>;
      try {
        r = t.gen.next(value);
      } catch (e) {
        this.fail(e, t);
        return;
      }
      if (r.done === true) {
        t.done = true;
        this.live--;
        t.pending = null;
        return;
      }
      const op = r.value;
      value = undefined;
      switch (op.k) {
        case 'new': {
          const id = this.values.length;
          this.values.push(op.init);
          this.objNames.push(op.name);
          this.renders[id] = op.render as ((v: unknown) => string) | undefined;
          this.locks.push(undefined);
          value = { id, name: op.name } satisfies Loc<unknown>;
          break;
        }
        case 'newlock': {
          const id = this.values.length;
          const lock: Lock = { id, name: op.name, kind: op.kind };
          this.values.push(undefined);
          this.objNames.push(op.name);
          this.locks.push(L.newLockRec(lock));
          value = lock;
          break;
        }
        case 'enter':
          // The stack is shown only in traces; the answer tells kfn() whether to say 'leave'.
          if (this.opts.trace) t.stack.push(op.fn);
          value = this.opts.trace;
          break;
        case 'leave':
          t.stack.pop();
          break;
        case 'note':
          if (this.opts.trace) this.traceLocal(t, 'note', undefined, undefined, op.text);
          break;
        case 'metric':
          this.metrics.set(op.name, op.value);
          break;
        case 'choose': {
          if (!(op.n >= 1) || !Number.isInteger(op.n)) {
            this.fail(new Error(`choose(${op.n}) for ${op.what}: n must be a positive integer`));
            return;
          }
          value = op.n === 1 ? 0 : this.decider.choose(op.n);
          if (op.n > 1) this.log.push(D_CHOOSE, value as number);
          if (this.opts.trace) this.traceLocal(t, 'choose', op.what, String(value), undefined);
          break;
        }
        case 'fault': {
          const index = this.faultCalls++;
          const sites = this.opts.faultSites;
          const mayFail = this.faultsUsed < this.opts.maxFaults && (sites === null || sites.has(op.site));
          const fails = this.decider.fault(index, mayFail);
          if (fails) {
            this.faultsUsed++;
            this.log.push(D_FAULT, index);
            if (this.opts.trace) this.traceLocal(t, 'fault', op.site, 'fails', undefined);
          }
          value = fails;
          break;
        }
        default:
          t.pending = op;
          if (op.k === 'sleep_until') this.usesTime = true;
          return;
      }
    }
  }

  private addThread(
    name: string,
    body: (...args: never[]) => Generator<Op, void, unknown>,
    args: readonly unknown[] = [],
  ): ThreadRec {
    const t: ThreadRec = {
      tid: this.threads.length,
      name,
      gen: start(body, args),
      pending: null,
      done: false,
      stack: [],
      waitLock: null,
      granted: false,
    };
    this.threads.push(t);
    this.live++;
    return t;
  }

  private lockRec(lock: Lock): L.LockRec {
    const l = this.locks[lock.id];
    if (l === undefined) throw new Error(`engine: ${lock.name} is not a lock of this execution`);
    return l;
  }

  // --- ends ----------------------------------------------------------------------------

  /** Records a thrown error as the execution's violation; `t` is the thread that threw. */
  fail(e: unknown, t?: ThreadRec): void {
    if (this.violation !== null) return;
    if (e instanceof ModelViolation) this.violation = { kind: e.kind, message: e.message };
    else this.violation = { kind: 'uncaught', message: e instanceof Error ? e.message : String(e) };
    this.finished = true;
    this.traceViolation(t);
  }

  /**
   * The violation as the trace's last step, in the column of the thread it happened on (with
   * its model call stack), so the per-CPU table ends the way an oops report does.
   */
  private traceViolation(t: ThreadRec | undefined): void {
    const v = this.violation;
    if (!this.opts.trace || v === null) return;
    const kernelBug = v.kind === 'oops' || v.kind === 'use-after-free' || v.kind === 'refcount' || v.kind === 'lockdep';
    const where = t ?? this.threads[0]!;
    this.traceSteps.push({
      tid: where.tid,
      thread: where.name,
      op: 'violation',
      stack: t ? t.stack.slice() : [],
      text: kernelBug ? (v.message.startsWith('BUG') ? v.message : `BUG: ${v.message}`) : `${v.kind.toUpperCase()}: ${v.message.replace(`${v.kind}: `, '')}`,
    });
  }

  /** All threads finished: runs the program's end-of-execution check. */
  private finish(): void {
    this.finished = true;
    try {
      this.instance.atEnd?.(this);
    } catch (e) {
      this.fail(e);
    }
  }

  /** No actor can step but some thread has not finished: a deadlock. */
  deadlock(): void {
    const waits = this.blockedThreads().map((t) => ({ t, holders: this.blockers(t), what: this.waitText(t) }));
    const cycle = findCycle(waits.map((w) => ({ tid: w.t.tid, next: w.holders })));
    const shown = cycle === null ? waits : cycle.map((tid) => waits.find((w) => w.t.tid === tid)!);
    const waitFor = shown.map((w) => w.what);
    this.violation = { kind: 'deadlock', message: `deadlock: ${waitFor.join('; ')}`, waitFor };
    this.finished = true;
    this.traceViolation(shown[0]?.t);
  }

  /** The step bound was hit. */
  liveness(maxSteps: number): void {
    const blocked = this.blockedThreads();
    const running = this.threads.filter((t) => !t.done && !blocked.includes(t)).map((t) => t.name);
    const parts = blocked.map((t) => this.waitText(t));
    if (running.length > 0) parts.push(`still running: ${running.join(', ')}`);
    this.violation = {
      kind: 'liveness',
      message: `no progress within ${maxSteps} steps: ${parts.join('; ')}`,
      waitFor: blocked.map((t) => this.waitText(t)),
    };
    this.finished = true;
    this.traceViolation(blocked[0]);
  }

  private blockedThreads(): ThreadRec[] {
    return this.threads.filter((t) => !t.done && !this.isEnabled(t));
  }

  /** The threads a blocked thread waits for (lock holders, the joined thread). */
  private blockers(t: ThreadRec): number[] {
    const op = t.pending;
    if (op === null) return [];
    if (op.k === 'acquire') {
      const l = this.lockRec(op.lock);
      const h = L.holders(l);
      return h.length > 0 ? h : L.waiters(l).filter((w) => w !== t.tid);
    }
    if (op.k === 'join') return [op.tid];
    return [];
  }

  private waitText(t: ThreadRec): string {
    const op = t.pending;
    const name = (tid: number): string => this.threads[tid]?.name ?? `thread ${tid}`;
    if (op === null) return `${t.name} has finished`;
    switch (op.k) {
      case 'acquire': {
        const l = this.lockRec(op.lock);
        const h = L.holders(l);
        const held = h.length > 0 ? ` held by ${h.map(name).join(', ')}` : '';
        return `${t.name} waits for lock ${op.lock.name}${held}`;
      }
      case 'await':
        return `${t.name} waits until ${op.what} (${op.loc.name} = ${renderValue(this.values[op.loc.id])})`;
      case 'awaitall':
        return `${t.name} waits until ${op.what} (${op.locs.map((l) => `${l.name} = ${renderValue(this.values[l.id])}`).join(', ')})`;
      case 'join':
        return `${t.name} waits for ${name(op.tid)} to exit`;
      case 'sleep_until':
        return `${t.name} sleeps until jiffies ${op.until} (now ${this.clock})`;
      default:
        return `${t.name} is at ${op.k}`;
    }
  }

  // --- traces --------------------------------------------------------------------------

  private traceVisible(t: ThreadRec, op: Op, obj: number, result: unknown): void {
    const value =
      op.k === 'acquire'
        ? result === QUEUED
          ? 'waits'
          : undefined
        : stepValue(op, result, obj >= 0 ? this.values[obj] : undefined, (tid) => this.threads[tid]?.name, obj >= 0 ? this.renders[obj] : undefined);
    const objName = op.k === 'awaitall' ? op.locs.map((l) => l.name).join(', ') : obj >= 0 ? this.objName(obj) : undefined;
    const step: TraceStep = {
      tid: t.tid,
      thread: t.name,
      op: op.k,
      ...(objName !== undefined ? { obj: objName } : {}),
      ...(value !== undefined ? { value } : {}),
      stack: t.stack.slice(),
    };
    this.traceSteps.push(step);
    this.snapshot();
  }

  private traceLocal(t: ThreadRec, op: string, obj: string | undefined, value: string | undefined, text: string | undefined): void {
    this.traceSteps.push({
      tid: t.tid,
      thread: t.name,
      op,
      ...(obj !== undefined ? { obj } : {}),
      ...(value !== undefined ? { value } : {}),
      stack: t.stack.slice(),
      ...(text !== undefined ? { text } : {}),
    });
  }

  private snapshot(): void {
    const snap = this.instance.snapshot;
    if (!this.opts.trace || snap === undefined) return;
    const last = this.traceSteps[this.traceSteps.length - 1];
    if (last === undefined) return;
    try {
      this.traceSteps[this.traceSteps.length - 1] = { ...last, state: snap(this) };
    } catch (e) {
      this.fail(e);
    }
  }

  trace(): Trace {
    return { steps: this.traceSteps.slice(), threads: this.threads.map((t) => t.name) };
  }
}

const NONE: readonly number[] = [];
const QUEUED = Symbol('queued');

const GENERATOR_FUNCTION = Object.getPrototypeOf(function* () {}) as { prototype: object };
/** The prototype every generator object inherits next/return/throw from. */
const GENERATOR_PROTO = GENERATOR_FUNCTION.prototype;

/**
 * Starts a thread body. Model code passes a fresh generator closure to every spawn, and
 * V8 gives each closure its own prototype object (with its own map) on its first call,
 * which made starting threads a large share of a re-run, mostly in GC. The generators need
 * nothing of their own there, so the closure gets the shared generator prototype first.
 */
function start(
  body: (...args: never[]) => Generator<Op, void, unknown>,
  args: readonly unknown[],
): Generator<Op, void, unknown> {
  if (Object.getPrototypeOf(body) === GENERATOR_FUNCTION) (body as unknown as { prototype: object }).prototype = GENERATOR_PROTO;
  return (body as (...a: readonly unknown[]) => Generator<Op, void, unknown>)(...args);
}
