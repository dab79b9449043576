/**
 * The operations a model thread yields to the explorer.
 *
 * A model thread is a generator that yields one `Op` for every step another CPU could
 * observe and receives that step's result back. Code between two yields touches only
 * thread-local values. Helpers are generators too and are called with `yield*`.
 *
 * Atomicity guarantee: when a thread's visible op executes, the engine resumes the thread at
 * once and runs it up to its next visible op before any other thread runs. So the code right
 * after a `load` of a location holding a plain data structure (a maple tree) reads that
 * structure in the same step, and an `rmw` whose function mutates such a structure in place
 * is one atomic step that counts as a write.
 *
 * Two kinds of op:
 * - visible ops (load, store, rmw, lock operations, await, sleep, spawn, join, tick reads):
 *   each is one scheduling point; the explorer may run other threads before it;
 * - local ops (new, enter, leave, choose, fault, note): handled at once, without a
 *   scheduling point. `choose` and `fault` still branch the exploration (data
 *   nondeterminism), but they are independent of every other thread's step.
 *
 * Every visible op names the shared object it touches (a `Loc`, a lock, a thread);
 * that identity is what partial-order reduction reasons about: two steps are dependent iff
 * they touch the same object and at least one of them writes. Lock operations count as
 * writes on the lock.
 */

/** A shared memory location: one field of a model object, created per execution. */
export interface Loc<T> {
  readonly id: number;
  readonly name: string;
  /** Phantom: carries the value type; never set. */
  readonly __type?: T;
}

/** The lock kinds the engine knows; each has the kernel's blocking semantics. */
export type LockKind = 'spinlock' | 'mutex' | 'rwsem' | 'percpu_rwsem';

/** A lock: created per execution like a Loc. */
export interface Lock {
  readonly id: number;
  readonly name: string;
  readonly kind: LockKind;
}

/** A lock operation's mode. */
export type LockMode = 'read' | 'write';

export type Op =
  // --- visible memory ops ---
  | { readonly k: 'load'; readonly loc: Loc<unknown> }
  | { readonly k: 'store'; readonly loc: Loc<unknown>; readonly value: unknown }
  /** Read-modify-write: stores f(old) and returns old. Always counts as a write. */
  | { readonly k: 'rmw'; readonly loc: Loc<unknown>; readonly f: (old: unknown) => unknown }
  /**
   * Compare-and-swap: if the value equals `expected` (===) store `desired`. Returns the old
   * value. A failed cas is a read.
   */
  | { readonly k: 'cas'; readonly loc: Loc<unknown>; readonly expected: unknown; readonly desired: unknown }
  /**
   * Blocks until pred(value) holds, then reads the value (GenMC's spin-assume): what the
   * kernel would spin or sleep on. A thread whose await never becomes true is reported by
   * the liveness check.
   */
  | { readonly k: 'await'; readonly loc: Loc<unknown>; readonly pred: (v: unknown) => boolean; readonly what: string }
  /**
   * Like await, over several locations read together: blocks until pred(values) holds (a
   * spin loop whose exit condition reads more than one location, e.g. Peterson's lock).
   */
  | {
      readonly k: 'awaitall';
      readonly locs: readonly Loc<unknown>[];
      readonly pred: (values: readonly unknown[]) => boolean;
      readonly what: string;
    }
  // --- visible lock ops (all count as writes on the lock) ---
  /**
   * Acquire. Blocks until granted. Semantics per kind:
   * - spinlock, mutex: exclusive ('write' mode only);
   * - rwsem (the kernel's rw_semaphore): a FIFO wait queue; a reader is granted at once iff
   *   no writer holds it and nobody waits; a writer iff nobody holds it and nobody waits;
   *   otherwise the thread queues (the queueing is itself the step) and is granted on
   *   release: a writer at the head alone, a reader at the head together with every reader
   *   in the queue (the kernel wakes all waiting readers);
   * - percpu_rwsem: readers never queue behind readers; a writer waits for readers to drain
   *   and, once it waits, new readers block until it is done (writer preference).
   */
  | { readonly k: 'acquire'; readonly lock: Lock; readonly mode: LockMode }
  /** Trylock: never blocks; returns true if acquired. Fails when the acquire would queue. */
  | { readonly k: 'tryacquire'; readonly lock: Lock; readonly mode: LockMode }
  | { readonly k: 'release'; readonly lock: Lock; readonly mode: LockMode }
  // --- threads ---
  /**
   * Start a new thread running `body(...args)`; returns its thread id. `name` heads its CPU
   * column. `body` should be a module-level generator function so no closure is made per run.
   */
  | {
      readonly k: 'spawn';
      readonly name: string;
      readonly body: (...args: never[]) => Generator<Op, void, unknown>;
      readonly args: readonly unknown[];
    }
  /** Blocks until thread `tid` has finished. */
  | { readonly k: 'join'; readonly tid: number }
  // --- logical time (jiffies) ---
  /** Blocks until the logical clock reaches `until`; the clock advances only through sleeps. */
  | { readonly k: 'sleep_until'; readonly until: number }
  /** Reads the logical clock (jiffies). */
  | { readonly k: 'jiffies' }
  // --- local ops (no scheduling point) ---
  /** Creates a shared location with an initial value. */
  | { readonly k: 'new'; readonly name: string; readonly init: unknown; readonly render?: (v: never) => string }
  /** Creates a lock. */
  | { readonly k: 'newlock'; readonly name: string; readonly kind: LockKind }
  /** Data nondeterminism: returns 0..n-1; every value is explored. */
  | { readonly k: 'choose'; readonly n: number; readonly what: string }
  /**
   * An injectable failure at a named site (allocation failure, fatal signal pending,
   * killable lock interrupted). Returns true if this call fails. Explored both ways while the
   * execution's fault budget lasts and the site is enabled; otherwise false.
   */
  | { readonly k: 'fault'; readonly site: string }
  /**
   * Enter / leave a model function: maintains the call stack shown in traces. `enter` returns
   * true iff the engine keeps stacks (traced executions); kfn() skips `leave` otherwise.
   */
  | { readonly k: 'enter'; readonly fn: string }
  | { readonly k: 'leave' }
  /** Annotates the trace at this point (e.g. "vm_area_dup() fails", "-> -ESRCH"). */
  | { readonly k: 'note'; readonly text: string }
  /** Records a scenario metric for this execution (last value wins). */
  | { readonly k: 'metric'; readonly name: string; readonly value: number };

export type OpKind = Op['k'];

/** A model computation: yields ops, returns T. */
export type Model<T = void> = Generator<Op, T, unknown>;

/** A thread body: a module-level generator function, given its arguments at spawn. */
export type ThreadBody<A extends readonly unknown[] = []> = (...args: A) => Model<void>;

/** What ended an execution abnormally. */
export type ViolationKind =
  | 'oops' // a kernel oops: NULL / XA_ZERO_ENTRY / bad pointer dereference, BUG_ON
  | 'use-after-free' // an access to a freed model object
  | 'refcount' // a refcount incremented from zero, underflowed, or freed twice
  | 'lockdep' // lock order inversion, lock held at return to user, bad unlock
  | 'leak' // end-of-execution audit: an object never freed
  | 'assertion' // a model or scenario assertion failed
  | 'property' // a scenario property failed
  | 'deadlock' // no thread can run, some are blocked: the wait-for cycle is reported
  | 'liveness' // the step bound was hit while a thread waits
  | 'uncaught'; // a JavaScript error in the model itself (a model bug)

/**
 * Thrown by model code (through the kernel's checkers) to end the execution with a
 * violation. The engine catches it, records the trace and reports it.
 */
export class ModelViolation extends Error {
  readonly kind: ViolationKind;
  constructor(kind: ViolationKind, message: string) {
    super(message);
    this.name = 'ModelViolation';
    this.kind = kind;
  }
}
