/**
 * Lock semantics, per kind, as op.ts documents them. Pure bookkeeping on one lock's state;
 * the runtime decides when a thread runs.
 *
 * - spinlock, mutex: exclusive. An acquire is enabled only while the lock is free (no wait
 *   queue is modelled: which waiter wins is the scheduler's choice, as with a spinlock).
 * - rwsem: FIFO wait queue. A reader is granted at once iff no writer holds it and nobody
 *   waits; a writer iff nobody holds it and nobody waits. Otherwise the acquire step queues
 *   the thread; a release grants the head writer alone, or (head is a reader) every reader
 *   in the queue. The granted thread then completes its acquire in a step of its own.
 * - percpu_rwsem: readers share; a writer that finds readers becomes the pending writer and
 *   waits for them to drain; while a writer holds or waits, new readers queue (writer
 *   preference). On the writer's release the queue is woken in order: readers up to the
 *   first writer, which becomes the next pending writer.
 * Trylock fails whenever the acquire would not be granted at once.
 */
import type { Lock, LockMode } from './op.ts';

export interface Waiter {
  readonly tid: number;
  readonly mode: LockMode;
}

export interface LockRec {
  readonly lock: Lock;
  /** Thread holding it for write (exclusive kinds: the holder), or -1. */
  writer: number;
  readonly readers: number[];
  readonly queue: Waiter[];
  /** percpu_rwsem: the writer waiting for readers to drain, or -1. */
  pendingWriter: number;
}

export function newLockRec(lock: Lock): LockRec {
  return { lock, writer: -1, readers: [], queue: [], pendingWriter: -1 };
}

/** Spinlocks and mutexes have no modelled queue: their acquire blocks until free. */
export function isExclusiveKind(l: LockRec): boolean {
  return l.lock.kind === 'spinlock' || l.lock.kind === 'mutex';
}

function exclusiveMode(l: LockRec, mode: LockMode): LockMode {
  return isExclusiveKind(l) ? 'write' : mode;
}

/** Would an acquire in `mode` be granted at once? */
export function grantableNow(l: LockRec, mode: LockMode): boolean {
  const m = exclusiveMode(l, mode);
  if (l.writer >= 0 || l.queue.length > 0 || l.pendingWriter >= 0) return false;
  return m === 'read' || l.readers.length === 0;
}

function grant(l: LockRec, tid: number, mode: LockMode): void {
  if (exclusiveMode(l, mode) === 'write') l.writer = tid;
  else l.readers.push(tid);
}

/** Trylock: acquires and returns true iff the acquire would be granted at once. */
export function tryAcquireLock(l: LockRec, tid: number, mode: LockMode): boolean {
  if (!grantableNow(l, mode)) return false;
  grant(l, tid, mode);
  return true;
}

/**
 * The acquire step. Exclusive kinds are only run when free. Returns true if granted at
 * once, false if the thread now waits (queued, or percpu_rwsem pending writer).
 */
export function acquireLock(l: LockRec, tid: number, mode: LockMode): boolean {
  if (tryAcquireLock(l, tid, mode)) return true;
  if (
    l.lock.kind === 'percpu_rwsem' &&
    mode === 'write' &&
    l.writer < 0 &&
    l.pendingWriter < 0 &&
    l.queue.length === 0
  ) {
    l.pendingWriter = tid; // blocks new readers; granted when the readers drain
    return false;
  }
  l.queue.push({ tid, mode });
  return false;
}

/** Does `tid` hold the lock in `mode`? */
export function holds(l: LockRec, tid: number, mode: LockMode): boolean {
  return exclusiveMode(l, mode) === 'write' ? l.writer === tid : l.readers.includes(tid);
}

/**
 * Releases; returns the threads granted the lock by this release. The caller has checked
 * `holds` (releasing a lock one does not hold is a lockdep violation).
 */
export function releaseLock(l: LockRec, tid: number, mode: LockMode): number[] {
  if (exclusiveMode(l, mode) === 'write') l.writer = -1;
  else l.readers.splice(l.readers.indexOf(tid), 1);
  if (isExclusiveKind(l)) return [];
  if (l.lock.kind === 'rwsem') return wakeRwsem(l);
  return wakePercpu(l);
}

function wakeRwsem(l: LockRec): number[] {
  const head = l.queue[0];
  if (head === undefined || l.writer >= 0) return [];
  if (head.mode === 'write') {
    if (l.readers.length > 0) return [];
    l.queue.shift();
    l.writer = head.tid;
    return [head.tid];
  }
  const woken: number[] = [];
  for (let i = 0; i < l.queue.length; ) {
    const w = l.queue[i]!;
    if (w.mode === 'read') {
      l.queue.splice(i, 1);
      l.readers.push(w.tid);
      woken.push(w.tid);
    } else i++;
  }
  return woken;
}

function wakePercpu(l: LockRec): number[] {
  const woken: number[] = [];
  if (l.writer >= 0) return woken;
  if (l.pendingWriter >= 0) {
    if (l.readers.length === 0) {
      l.writer = l.pendingWriter;
      l.pendingWriter = -1;
      woken.push(l.writer);
    }
    return woken;
  }
  while (l.queue.length > 0) {
    const w = l.queue.shift()!;
    if (w.mode === 'read') {
      l.readers.push(w.tid);
      woken.push(w.tid);
    } else if (l.readers.length === 0) {
      l.writer = w.tid;
      woken.push(w.tid);
      break;
    } else {
      l.pendingWriter = w.tid;
      break;
    }
  }
  return woken;
}

/** Every thread holding the lock. */
export function holders(l: LockRec): number[] {
  return l.writer >= 0 ? [l.writer] : l.readers.slice();
}

/** Every thread waiting for the lock, in queue order (a pending writer first). */
export function waiters(l: LockRec): number[] {
  const w = l.queue.map((q) => q.tid);
  if (l.pendingWriter >= 0) w.unshift(l.pendingWriter);
  return w;
}
