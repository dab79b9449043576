/**
 * The primitives: each is exactly one `Op` (one scheduling point for visible ops). This is
 * the only module that turns a yielded result back into a typed value.
 *
 * Model code never touches a `Loc`'s value directly; it calls these with `yield*`.
 */
import type { Lock, LockKind, LockMode, Loc, Model, Op, ThreadBody } from './op.ts';

/**
 * A one-op primitive: yields the op, then returns what the engine answers (`result` false:
 * nothing). A plain iterator, since a generator frame costs more and these run at every step.
 */
class OneOp<T> implements Generator<Op, T, unknown> {
  private readonly op: Op;
  private readonly result: boolean;
  private yielded = false;

  constructor(op: Op, result = true) {
    this.op = op;
    this.result = result;
  }

  next(input?: unknown): IteratorResult<Op, T> {
    if (!this.yielded) {
      this.yielded = true;
      return { value: this.op, done: false };
    }
    return { value: (this.result ? input : undefined) as T, done: true };
  }

  throw(e: unknown): IteratorResult<Op, T> {
    this.yielded = true;
    throw e;
  }

  return(value: T): IteratorResult<Op, T> {
    this.yielded = true;
    return { value, done: true };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

// --- memory ---------------------------------------------------------------------------

export function load<T>(loc: Loc<T>): Model<T> {
  return new OneOp({ k: 'load', loc });
}

export function store<T>(loc: Loc<T>, value: T): Model<void> {
  return new OneOp({ k: 'store', loc, value }, false);
}

/** Stores f(old); returns old. */
export function rmw<T>(loc: Loc<T>, f: (old: T) => T): Model<T> {
  return new OneOp({ k: 'rmw', loc, f: f as (old: unknown) => unknown });
}

/** Compare-and-swap; returns the old value (success iff old === expected). */
export function cas<T>(loc: Loc<T>, expected: T, desired: T): Model<T> {
  return new OneOp({ k: 'cas', loc, expected, desired });
}

/** Adds `delta`; returns the new value (atomic_add_return). */
export function* addReturn(loc: Loc<number>, delta: number): Model<number> {
  const old = (yield { k: 'rmw', loc, f: (v) => (v as number) + delta }) as number;
  return old + delta;
}

/** Blocks until pred(value) holds, then returns the value. `what` names the wait in reports. */
export function awaitUntil<T>(loc: Loc<T>, pred: (v: T) => boolean, what: string): Model<T> {
  return new OneOp({ k: 'await', loc, pred: pred as (v: unknown) => boolean, what });
}

/** Blocks until pred(values of `locs`) holds, then returns the values read together. */
export function awaitAll(
  locs: readonly Loc<unknown>[],
  pred: (values: readonly unknown[]) => boolean,
  what: string,
): Model<readonly unknown[]> {
  return new OneOp({ k: 'awaitall', locs, pred, what });
}

// --- locks ----------------------------------------------------------------------------

export function acquire(lock: Lock, mode: LockMode = 'write'): Model<void> {
  return new OneOp({ k: 'acquire', lock, mode }, false);
}

export function tryAcquire(lock: Lock, mode: LockMode = 'write'): Model<boolean> {
  return new OneOp({ k: 'tryacquire', lock, mode });
}

export function release(lock: Lock, mode: LockMode = 'write'): Model<void> {
  return new OneOp({ k: 'release', lock, mode }, false);
}

// --- threads and time -----------------------------------------------------------------

/**
 * Start thread `name` running `body(...args)`. Pass a module-level `function*` and its
 * arguments rather than a fresh closure: a closure per execution costs GC time (issue 14).
 */
export function spawn<A extends readonly unknown[]>(name: string, body: ThreadBody<A>, ...args: A): Model<number> {
  return new OneOp({ k: 'spawn', name, body: body as unknown as (...a: never[]) => Model<void>, args });
}

export function join(tid: number): Model<void> {
  return new OneOp({ k: 'join', tid }, false);
}

export function jiffies(): Model<number> {
  return new OneOp({ k: 'jiffies' });
}

/** Sleeps until the logical clock has advanced by `ticks` (schedule_timeout). */
export function* sleep(ticks: number): Model<void> {
  const now = yield* jiffies();
  yield { k: 'sleep_until', until: now + ticks };
}

export function sleepUntil(until: number): Model<void> {
  return new OneOp({ k: 'sleep_until', until }, false);
}

// --- local ops ------------------------------------------------------------------------

/**
 * A new shared location (not a scheduling point). A name starting with `scenario:` marks a
 * scenario's own bookkeeping (a hand-off between its actors, not kernel state): the race table
 * never shows it (`--full` does). @render, if given, is how traces show its values (flags by
 * name: `MMF_HAS_UPROBES`, not 524288).
 */
export function newLoc<T>(name: string, init: T, render?: (v: T) => string): Model<Loc<T>> {
  return new OneOp(render === undefined ? { k: 'new', name, init } : { k: 'new', name, init, render: render });
}

export function newLock(name: string, kind: LockKind): Model<Lock> {
  return new OneOp({ k: 'newlock', name, kind });
}

/** Returns 0..n-1; the explorer tries every value. */
export function choose(n: number, what: string): Model<number> {
  return new OneOp({ k: 'choose', n, what });
}

/** True if the injectable failure at `site` happens in this execution. */
export function fault(site: string): Model<boolean> {
  return new OneOp({ k: 'fault', site });
}

export function note(text: string): Model<void> {
  return new OneOp({ k: 'note', text }, false);
}

export function metric(name: string, value: number): Model<void> {
  return new OneOp({ k: 'metric', name, value }, false);
}

/**
 * Runs `body`, calling `hook()` each time it is resumed, before its code runs (the kernel
 * sets `current` there). A plain iterator, not a generator: every op of the body passes
 * through it, and a plain next() costs much less than resuming a generator frame.
 */
export function onResume<T>(body: Model<T>, hook: () => void): Model<T> {
  return new Resumed(body, hook);
}

class Resumed<T> implements Generator<Op, T, unknown> {
  private readonly body: Model<T>;
  private readonly hook: () => void;

  constructor(body: Model<T>, hook: () => void) {
    this.body = body;
    this.hook = hook;
  }

  next(input?: unknown): IteratorResult<Op, T> {
    this.hook();
    return this.body.next(input);
  }

  throw(e: unknown): IteratorResult<Op, T> {
    this.hook();
    return this.body.throw(e);
  }

  return(value: T): IteratorResult<Op, T> {
    this.hook();
    return this.body.return(value);
  }

  [Symbol.iterator](): this {
    return this;
  }
}

const LEAVE: Op = { k: 'leave' };

/**
 * Wraps a model function so that traces show it on the call stack:
 * `export const exit_mmap = kfn('exit_mmap', function* (mm: mm_struct) { ... })`.
 * On a violation the stack at the throw is what the report shows, so no unwinding is needed.
 */
export function kfn<A extends unknown[], R>(
  fn: string,
  body: (...args: A) => Model<R>,
): (...args: A) => Model<R> {
  const enter: Op = { k: 'enter', fn };
  const wrapped = (...args: A): Model<R> => new KfnCall(enter, body(...args));
  Object.defineProperty(wrapped, 'name', { value: fn });
  return wrapped;
}

const CALL_START = 0;
const CALL_ENTERED = 1;
const CALL_TRACKED = 2;
const CALL_UNTRACKED = 3;
const CALL_LEFT = 4;
const CALL_DONE = 5;

/**
 * One call of a kfn function. Every op of the callee passes through it, so it is a plain
 * iterator rather than one more generator frame to resume (much cheaper per op). It yields
 * `enter` first; the engine answers whether it keeps call stacks (only traced executions
 * do), and when it does not, `leave` is skipped.
 */
class KfnCall<R> implements Generator<Op, R, unknown> {
  private state = CALL_START;
  private result: R | undefined = undefined;
  private readonly enter: Op;
  private readonly body: Model<R>;

  constructor(enter: Op, body: Model<R>) {
    this.enter = enter;
    this.body = body;
  }

  next(input?: unknown): IteratorResult<Op, R> {
    switch (this.state) {
      case CALL_START:
        this.state = CALL_ENTERED;
        return { value: this.enter, done: false };
      case CALL_ENTERED:
        this.state = input === true ? CALL_TRACKED : CALL_UNTRACKED;
        return this.passOn(this.body.next());
      case CALL_TRACKED:
      case CALL_UNTRACKED:
        return this.passOn(this.body.next(input));
      case CALL_LEFT:
        this.state = CALL_DONE;
        return { value: this.result as R, done: true };
      default:
        return { value: undefined as R, done: true };
    }
  }

  throw(e: unknown): IteratorResult<Op, R> {
    if (this.state === CALL_TRACKED || this.state === CALL_UNTRACKED) return this.passOn(this.body.throw(e));
    this.state = CALL_DONE;
    throw e;
  }

  return(value: R): IteratorResult<Op, R> {
    if (this.state === CALL_TRACKED || this.state === CALL_UNTRACKED) return this.passOn(this.body.return(value));
    this.state = CALL_DONE;
    return { value, done: true };
  }

  [Symbol.iterator](): this {
    return this;
  }

  /** The callee's step: an op passes through; its return yields `leave` first when tracked. */
  private passOn(r: IteratorResult<Op, R>): IteratorResult<Op, R> {
    if (r.done !== true || this.state === CALL_UNTRACKED) {
      if (r.done === true) this.state = CALL_DONE;
      return r;
    }
    this.result = r.value;
    this.state = CALL_LEFT;
    return { value: LEAVE, done: false };
  }
}
