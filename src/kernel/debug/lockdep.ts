// A lockdep-like checker (DESIGN.md section 3): every lock of the model is taken through these
// wrappers, which record per lock class the order "held A, then took B". Seeing the inverse
// order of two classes in the same execution is a lockdep violation, as is a lock still held
// when a task returns to user space or exits, and releasing a lock not held.
//
// Models the reports of kernel/locking/lockdep.c: "possible circular locking dependency
// detected", "possible recursive locking detected", "lock held when returning to user space".
// CUSTOMISED: classes are strings ('mmap_lock', 'ptlock', 'anon_vma->rwsem'); a nested
// acquisition (mmap_write_lock_nested, spin_lock_nested) is the class with '/1' appended.
// Only direct inversions and cycles through recorded edges are found (no irq-safety states).
import type { Lock, LockKind, LockMode, Model } from '../../engine/op.ts';
import { ModelViolation } from '../../engine/op.ts';
import { acquire, newLock, release, tryAcquire } from '../../engine/prims.ts';
import type { world } from '../world.ts';
import { this_cpu } from '../world.ts';

export interface held_lock {
  readonly lock: Lock;
  readonly cls: string;
  readonly mode: LockMode;
}

export interface lockdep_state {
  /** Lock id -> class. */
  readonly classes: Map<number, string>;
  /** Class -> classes taken while holding it. */
  readonly edges: Map<string, Set<string>>;
}

/** Creates a lock of class `cls`, named after its owner ('mm#2->mmap_lock'). */
export function* lock_create(w: world, owner: string, cls: string, kind: LockKind): Model<Lock> {
  const lock = yield* newLock(`${owner}->${cls}`, kind);
  w.__lockdep.classes.set(lock.id, cls);
  return lock;
}

function class_of(w: world, lock: Lock, subclass: number): string {
  const cls = w.__lockdep.classes.get(lock.id) ?? lock.name;
  return subclass ? `${cls}/${subclass}` : cls;
}

function reaches(w: world, from: string, to: string): boolean {
  // Most classes have no outgoing edge yet: answer without allocating the search.
  if (from === to) return true;
  if (!w.__lockdep.edges.has(from)) return false;
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const c = stack.pop()!;
    if (c === to) return true;
    if (seen.has(c)) continue;
    seen.add(c);
    for (const n of w.__lockdep.edges.get(c) ?? []) stack.push(n);
  }
  return false;
}

/** lock_acquire() checks: recursion on one class and order inversions; records new edges. */
function check_order(w: world, cls: string, mode: LockMode, lock: Lock): void {
  const cpu = this_cpu(w);
  for (const h of cpu.held) {
    if (h.lock === lock)
      throw new ModelViolation('lockdep', `possible recursive locking detected: ${cpu.name} takes ${lock.name} again`);
    if (h.cls === cls && !(mode === 'read' && h.mode === 'read'))
      throw new ModelViolation('lockdep', `possible recursive locking detected: ${cpu.name} holds ${h.lock.name} and takes ${lock.name} (class ${cls}) without a nesting annotation`);
    if (reaches(w, cls, h.cls))
      throw new ModelViolation('lockdep', `possible circular locking dependency detected: ${cpu.name} takes ${cls} while holding ${h.cls}, but ${cls} -> ${h.cls} was seen before`);
  }
  for (const h of cpu.held) {
    let set = w.__lockdep.edges.get(h.cls);
    if (!set) w.__lockdep.edges.set(h.cls, (set = new Set()));
    set.add(cls);
  }
}

/** Takes `lock` (blocking), after the lockdep checks. `subclass` 1 = SINGLE_DEPTH_NESTING. */
export function* lock_acquire(w: world, lock: Lock, mode: LockMode = 'write', subclass = 0): Model<void> {
  const cls = class_of(w, lock, subclass);
  check_order(w, cls, mode, lock);
  yield* acquire(lock, mode);
  this_cpu(w).held.push({ lock, cls, mode });
  this_cpu(w).acquired++;
}

/**
 * A killable acquisition (down_read_killable() / down_write_killable()): annotated and
 * order-checked as lock_acquire() is, it takes a free lock at once without looking at signals
 * (the fast path); only when it would have to wait does @interrupted() decide (a fatal signal
 * pending or arriving while queued: -EINTR, returned as false, nothing held).
 */
export function* lock_acquire_killable(w: world, lock: Lock, mode: LockMode, interrupted: () => Model<boolean>): Model<boolean> {
  const cls = class_of(w, lock, 0);
  check_order(w, cls, mode, lock);
  if (!(yield* tryAcquire(lock, mode))) {
    if (yield* interrupted()) return false;
    yield* acquire(lock, mode);
  }
  this_cpu(w).held.push({ lock, cls, mode });
  this_cpu(w).acquired++;
  return true;
}

/**
 * Trylock: a failed try records nothing; a successful one is held but, as in the kernel
 * (validate_chain() skips hlock->trylock), adds no dependency and is not order-checked:
 * a trylock cannot deadlock. Locks taken later while it is held do record edges from it.
 */
export function* lock_tryacquire(w: world, lock: Lock, mode: LockMode = 'write'): Model<boolean> {
  const cls = class_of(w, lock, 0);
  const ok = yield* tryAcquire(lock, mode);
  if (ok) {
    this_cpu(w).held.push({ lock, cls, mode });
    this_cpu(w).acquired++;
  }
  return ok;
}

/** Releases `lock`; releasing a lock this CPU does not hold is a lockdep report. */
export function* lock_release(w: world, lock: Lock, mode: LockMode = 'write'): Model<void> {
  const held = this_cpu(w).held;
  const i = held.findIndex((h) => h.lock === lock && h.mode === mode);
  if (i < 0) throw new ModelViolation('lockdep', `bad unlock balance detected: ${this_cpu(w).name} releases ${lock.name} (${mode}) it does not hold`);
  held.splice(i, 1);
  yield* release(lock, mode);
}

/** True if this CPU holds `lock` (lockdep_is_held()), in `mode` if given. */
export function lockdep_is_held(w: world, lock: Lock, mode?: LockMode): boolean {
  return this_cpu(w).held.some((h) => h.lock === lock && (mode === undefined || h.mode === mode));
}

/**
 * lockdep_sys_exit() - no lock may be held when a task returns to user space or exits.
 * Models: kernel/locking/lockdep.c: lockdep_sys_exit()
 */
export function lockdep_sys_exit(w: world, where: string): void {
  const cpu = this_cpu(w);
  if (cpu.held.length)
    throw new ModelViolation('lockdep', `lock held when returning to user space (${where}): ${cpu.name} holds ${cpu.held.map((h) => h.lock.name).join(', ')}`);
}
