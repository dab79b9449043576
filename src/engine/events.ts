/**
 * Events as partial-order reduction sees them: which thread (lane), which objects they
 * touch and how, and the data decisions of their continuation.
 *
 * Lanes: lane 0 is the timer tick, lane t+1 is thread t.
 */
import { A_NONE, A_READ, A_WRITE } from './runtime.ts';

export { A_NONE, A_READ, A_WRITE };

export interface Ev {
  readonly lane: number;
  /** Decisions (choose values, fault 0/1) its continuation made; null: any (explore all). */
  readonly cv: Int32Array | null;
  readonly obj: number;
  readonly acc: number;
  /** A second object (the timer set), or -1. */
  readonly obj2: number;
  readonly acc2: number;
  /**
   * The lane it spawns or joins, or -1: dependent with every event of that lane;
   * ALL_LANES for a step that ended the execution with a violation.
   */
  readonly other: number;
  /** More objects it reads (an awaitall over several locations), or null. */
  readonly extra: Int32Array | null;
}

function conflict(o1: number, a1: number, o2: number, a2: number): boolean {
  return o1 >= 0 && o1 === o2 && (a1 === A_WRITE || a2 === A_WRITE) && a1 !== A_NONE && a2 !== A_NONE;
}

/** `other` of a step that ended the execution with a violation: dependent with everything. */
export const ALL_LANES = -2;

/** Two events are dependent iff same lane, spawn/join of the other's lane, or a conflicting access. */
export function dependent(a: Ev, b: Ev): boolean {
  if (a.other === ALL_LANES || b.other === ALL_LANES) return true;
  if (a.lane === b.lane || a.other === b.lane || b.other === a.lane) return true;
  if ((a.extra !== null && extraConflict(a.extra, b.obj, b.acc, b.obj2, b.acc2)) || (b.extra !== null && extraConflict(b.extra, a.obj, a.acc, a.obj2, a.acc2))) {
    return true;
  }
  return (
    conflict(a.obj, a.acc, b.obj, b.acc) ||
    conflict(a.obj, a.acc, b.obj2, b.acc2) ||
    conflict(a.obj2, a.acc2, b.obj, b.acc) ||
    conflict(a.obj2, a.acc2, b.obj2, b.acc2)
  );
}

/** Do reads of `extra` conflict with the accesses (o, a) and (o2, a2)? */
function extraConflict(extra: Int32Array, o: number, a: number, o2: number, a2: number): boolean {
  for (const x of extra) if (conflict(x, A_READ, o, a) || conflict(x, A_READ, o2, a2)) return true;
  return false;
}

/** Is event `d` (a sleeping event or a wakeup-tree child) the same event as `x`? */
export function sameEvent(d: Ev, x: Ev): boolean {
  if (d.lane !== x.lane) return false;
  if (d.cv === null) return true;
  if (x.cv === null || x.cv.length !== d.cv.length) return false;
  for (let i = 0; i < d.cv.length; i++) if (d.cv[i] !== x.cv[i]) return false;
  return true;
}

/**
 * A sequence of events with its happens-before order, for wakeup-tree insertion. Events
 * are kept as columns (lane, objects, accesses) in buffers reused from one race to the next;
 * `materialize(k)` builds event k's descriptor when a new branch needs it. Events can be
 * removed from the front of the partial order (an initial was matched).
 */
export class Seq {
  length = 0;
  width = 0;
  lane = new Int32Array(64);
  obj = new Int32Array(64);
  acc = new Int32Array(64);
  obj2 = new Int32Array(64);
  acc2 = new Int32Array(64);
  other = new Int32Array(64);
  /** 1 if event k made data decisions (its `cv` is then needed to compare it). */
  hasCv = new Uint8Array(64);
  extra: (Int32Array | null)[] = [];
  alive = new Uint8Array(64);
  /** preds[k * width + lane]: how many live events of `lane` happen before event k. */
  preds = new Int32Array(64 * 8);
  live = 0;
  materialize: (k: number) => Ev = () => {
    throw new Error('Seq.materialize not set');
  };

  /** Prepares for `m` events over `width` lanes (clears preds and marks all live). */
  reset(m: number, width: number): void {
    if (m > this.lane.length) {
      const cap = Math.max(m, this.lane.length * 2);
      this.lane = new Int32Array(cap);
      this.obj = new Int32Array(cap);
      this.acc = new Int32Array(cap);
      this.obj2 = new Int32Array(cap);
      this.acc2 = new Int32Array(cap);
      this.other = new Int32Array(cap);
      this.hasCv = new Uint8Array(cap);
      this.alive = new Uint8Array(cap);
    }
    if (m * width > this.preds.length) this.preds = new Int32Array(Math.max(m * width, this.preds.length * 2));
    this.preds.fill(0, 0, m * width);
    this.alive.fill(1, 0, m);
    this.length = m;
    this.width = width;
    this.live = m;
  }

  set(k: number, e: Ev): void {
    this.lane[k] = e.lane;
    this.obj[k] = e.obj;
    this.acc[k] = e.acc;
    this.obj2[k] = e.obj2;
    this.acc2[k] = e.acc2;
    this.other[k] = e.other;
    this.hasCv[k] = e.cv === null ? 0 : 1;
    this.extra[k] = e.extra;
  }

  /** Is `d` dependent with event k? (the same rule as `dependent`) */
  dependsOn(d: Ev, k: number): boolean {
    const other = this.other[k]!;
    if (d.other === ALL_LANES || other === ALL_LANES) return true;
    const lane = this.lane[k]!;
    if (d.lane === lane || d.other === lane || other === d.lane) return true;
    const o = this.obj[k]!;
    const a = this.acc[k]!;
    const o2 = this.obj2[k]!;
    const a2 = this.acc2[k]!;
    const extra = this.extra[k] ?? null;
    if ((d.extra !== null && extraConflict(d.extra, o, a, o2, a2)) || (extra !== null && extraConflict(extra, d.obj, d.acc, d.obj2, d.acc2))) {
      return true;
    }
    return (
      conflict(d.obj, d.acc, o, a) || conflict(d.obj, d.acc, o2, a2) || conflict(d.obj2, d.acc2, o, a) || conflict(d.obj2, d.acc2, o2, a2)
    );
  }

  firstOfLane(lane: number): number {
    for (let k = 0; k < this.length; k++) if (this.alive[k] === 1 && this.lane[k] === lane) return k;
    return -1;
  }

  isInitial(k: number): boolean {
    const base = k * this.width;
    for (let l = 0; l < this.width; l++) if (this.preds[base + l] !== 0) return false;
    return true;
  }

  independentOfAll(d: Ev): boolean {
    for (let k = 0; k < this.length; k++) if (this.alive[k] === 1 && this.dependsOn(d, k)) return false;
    return true;
  }

  /**
   * Is `d` a weak initial: the first event of its lane here and preceded by nothing, or of
   * a lane absent here and independent of every event? Returns the index to remove
   * (-1: nothing to remove) or -2 if not.
   */
  weakInitial(d: Ev): number {
    const k = this.firstOfLane(d.lane);
    if (k >= 0) {
      const same = d.cv === null || (this.hasCv[k] === 1 && sameEvent(d, this.materialize(k)));
      return same && this.isInitial(k) ? k : -2;
    }
    return this.independentOfAll(d) ? -1 : -2;
  }

  remove(k: number): void {
    this.alive[k] = 0;
    this.live--;
    const lane = this.lane[k]!;
    for (let j = k + 1; j < this.length; j++) {
      const at = j * this.width + lane;
      if (this.alive[j] === 1 && this.preds[at]! > 0) this.preds[at] = this.preds[at]! - 1;
    }
  }

  liveEvents(): Ev[] {
    const out: Ev[] = [];
    for (let k = 0; k < this.length; k++) if (this.alive[k] === 1) out.push(this.materialize(k));
    return out;
  }
}

/**
 * Source-set insertion (Abdulla et al., JACM 2017, Alg. 1), the memory-bounded fallback of
 * `insertWakeup`: if no child at this level and no sleeping event is an initial of `v` (the
 * first event of its lane in `v`, preceded by nothing in `v`, with the same decisions), add
 * `v`'s first event alone, not the whole sequence. Sound for source sets: one initial of every
 * reversal is explored from here; the steps after it are chosen fresh, so some executions may
 * end sleep-set blocked. The test is on initials only: a sleeping *weak* initial covers `v`
 * only when the whole sequence is followed (optimal DPOR), not here.
 * Returns the number of nodes added (0: `v` was already covered).
 */
export function insertInitial(children: WNode[], sleep: readonly Ev[], v: Seq): number {
  const isInitialOf = (d: Ev): boolean => {
    const k = v.firstOfLane(d.lane);
    return k >= 0 && v.isInitial(k) && (d.cv === null || (v.hasCv[k] === 1 && sameEvent(d, v.materialize(k))));
  };
  for (const c of children) if (isInitialOf(c.ev)) return 0;
  for (const d of sleep) if (isInitialOf(d)) return 0;
  for (let k = 0; k < v.length; k++) {
    if (v.alive[k] === 1) {
      children.push({ ev: v.materialize(k), children: [] });
      return 1;
    }
  }
  return 0;
}

/** The number of nodes of a wakeup tree. */
export function wakeupSize(children: readonly WNode[]): number {
  let n = 0;
  for (const c of children) n += 1 + (c.children.length === 0 ? 0 : wakeupSize(c.children));
  return n;
}

/** A wakeup tree: ordered children, each an event with its own subtree. */
export interface WNode {
  readonly ev: Ev;
  readonly children: WNode[];
}

/** Builds a chain of wakeup-tree nodes from a list of events. */
export function chain(evs: readonly Ev[]): WNode {
  let node: WNode = { ev: evs[evs.length - 1]!, children: [] };
  for (let i = evs.length - 2; i >= 0; i--) node = { ev: evs[i]!, children: [node] };
  return node;
}

/**
 * Inserts `v` into the wakeup tree `children` (Abdulla et al., JACM 2017, section 6.2):
 * follow the leftmost child that is a weak initial of what remains of `v`; stop if that
 * child is a leaf (v is covered); otherwise add the rest as a new rightmost branch.
 * Returns the number of nodes added (0: `v` was already covered).
 */
export function insertWakeup(children: WNode[], v: Seq): number {
  let level = children;
  for (;;) {
    let matched: WNode | undefined;
    let removeAt = -2;
    for (const c of level) {
      const k = v.weakInitial(c.ev);
      if (k !== -2) {
        matched = c;
        removeAt = k;
        break;
      }
    }
    if (matched === undefined) {
      const evs = v.liveEvents();
      level.push(chain(evs));
      return evs.length;
    }
    if (matched.children.length === 0) return 0;
    if (removeAt >= 0) v.remove(removeAt);
    if (v.live === 0) return 0;
    level = matched.children;
  }
}
