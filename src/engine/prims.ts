/**
 * The primitives: each is exactly one `Op` (one scheduling point for visible ops). This is
 * the only module that turns a yielded result back into a typed value.
 *
 * Model code never touches a `Loc`'s value directly; it calls these with `yield*`.
 */
import type { Lock, LockKind, LockMode, Loc, Model, Op, ThreadBody } from './op.ts';

// --- memory ---------------------------------------------------------------------------

export function* load<T>(loc: Loc<T>): Model<T> {
  return (yield { k: 'load', loc }) as T;
}

export function* store<T>(loc: Loc<T>, value: T): Model<void> {
  yield { k: 'store', loc, value };
}

/** Stores f(old); returns old. */
export function* rmw<T>(loc: Loc<T>, f: (old: T) => T): Model<T> {
  return (yield { k: 'rmw', loc, f: f as (old: unknown) => unknown }) as T;
}

/** Compare-and-swap; returns the old value (success iff old === expected). */
export function* cas<T>(loc: Loc<T>, expected: T, desired: T): Model<T> {
  return (yield { k: 'cas', loc, expected, desired }) as T;
}

/** Adds `delta`; returns the new value (atomic_add_return). */
export function* addReturn(loc: Loc<number>, delta: number): Model<number> {
  const old = (yield { k: 'rmw', loc, f: (v) => (v as number) + delta }) as number;
  return old + delta;
}

/** Blocks until pred(value) holds, then returns the value. `what` names the wait in reports. */
export function* awaitUntil<T>(loc: Loc<T>, pred: (v: T) => boolean, what: string): Model<T> {
  return (yield { k: 'await', loc, pred: pred as (v: unknown) => boolean, what }) as T;
}

/** Blocks until pred(values of `locs`) holds, then returns the values read together. */
export function* awaitAll(
  locs: readonly Loc<unknown>[],
  pred: (values: readonly unknown[]) => boolean,
  what: string,
): Model<readonly unknown[]> {
  return (yield { k: 'awaitall', locs, pred, what }) as readonly unknown[];
}

// --- locks ----------------------------------------------------------------------------

export function* acquire(lock: Lock, mode: LockMode = 'write'): Model<void> {
  yield { k: 'acquire', lock, mode };
}

export function* tryAcquire(lock: Lock, mode: LockMode = 'write'): Model<boolean> {
  return (yield { k: 'tryacquire', lock, mode }) as boolean;
}

export function* release(lock: Lock, mode: LockMode = 'write'): Model<void> {
  yield { k: 'release', lock, mode };
}

// --- threads and time -----------------------------------------------------------------

export function* spawn(name: string, body: ThreadBody): Model<number> {
  return (yield { k: 'spawn', name, body }) as number;
}

export function* join(tid: number): Model<void> {
  yield { k: 'join', tid };
}

export function* jiffies(): Model<number> {
  return (yield { k: 'jiffies' }) as number;
}

/** Sleeps until the logical clock has advanced by `ticks` (schedule_timeout). */
export function* sleep(ticks: number): Model<void> {
  const now = yield* jiffies();
  yield { k: 'sleep_until', until: now + ticks };
}

export function* sleepUntil(until: number): Model<void> {
  yield { k: 'sleep_until', until };
}

// --- local ops ------------------------------------------------------------------------

/** A new shared location (not a scheduling point). */
export function* newLoc<T>(name: string, init: T): Model<Loc<T>> {
  return (yield { k: 'new', name, init }) as Loc<T>;
}

export function* newLock(name: string, kind: LockKind): Model<Lock> {
  return (yield { k: 'newlock', name, kind }) as Lock;
}

/** Returns 0..n-1; the explorer tries every value. */
export function* choose(n: number, what: string): Model<number> {
  return (yield { k: 'choose', n, what }) as number;
}

/** True if the injectable failure at `site` happens in this execution. */
export function* fault(site: string): Model<boolean> {
  return (yield { k: 'fault', site }) as boolean;
}

export function* note(text: string): Model<void> {
  yield { k: 'note', text };
}

export function* metric(name: string, value: number): Model<void> {
  yield { k: 'metric', name, value };
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
  const wrapped = function* (...args: A): Model<R> {
    yield enter;
    const r = yield* body(...args);
    yield LEAVE;
    return r;
  };
  Object.defineProperty(wrapped, 'name', { value: fn });
  return wrapped;
}
