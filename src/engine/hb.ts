/**
 * Happens-before and races of one execution, built step by step with vector clocks.
 *
 * Dependence: same object and at least one writes (lock operations write the lock); spawn
 * orders the child after it, join orders the joiner after the child's last step; the timer
 * tick writes the clock and the set of sleepers, a thread that starts sleeping reads the
 * set, jiffies and sleep_until read the clock.
 *
 * Races (pairs e before e' that could run the other way round):
 * - a plain read races with the last write, a write with the last write and the reads
 *   since, unless the earlier event already happens before e' through e''s own thread;
 * - a blocking step races with the nearest earlier write before which it would have been
 *   enabled: an exclusive acquire with the previous acquisition of the lock (not with the
 *   release between them, as Nidhugg does), an await or sleep_until with the nearest write
 *   whose old value satisfies it; a queued acquire's completion never moves before the
 *   release that granted it; a join never races.
 */
import type { Execution } from './runtime.ts';
import { A_NONE, A_READ, A_WRITE, CLOCK_OBJ, TIMERS_OBJ } from './runtime.ts';
import type { Ev } from './events.ts';
import { ALL_LANES, Seq } from './events.ts';
import type { Op } from './op.ts';
import { TICK } from './schedule.ts';

// Step kinds that matter for race reversal.
const K_PLAIN = 0;
const K_AWAIT = 1;
const K_EXCL_ACQUIRE = 2;
const K_COMPLETE = 3;
const K_SLEEP = 4;
const K_JOIN = 5;
const K_TICK = 6;
const K_AWAITALL = 7;

export class HbRecorder {
  width = 8; // lanes per clock row
  len = 0;
  clk = new Int32Array(64 * 8);
  lane = new Int32Array(64);
  seq = new Int32Array(64);
  obj = new Int32Array(64);
  acc = new Uint8Array(64);
  obj2 = new Int32Array(64);
  acc2 = new Uint8Array(64);
  other = new Int32Array(64);
  isCas = new Uint8Array(64);
  acquired = new Uint8Array(64);
  timerBefore = new Uint8Array(64);
  prevWrite = new Int32Array(64);
  prevRead = new Int32Array(64);
  /** The read links of the timer set (a step can read it besides its own object). */
  prevReadTimers = new Int32Array(64);
  /** The position whose clock was the lane's clock before event j (-1: none). */
  preOf = new Int32Array(64);
  old: unknown[] = [];
  /** Objects an awaitall read besides `obj`, per position (null for every other step). */
  extraAt: (Int32Array | null)[] = [];
  /** Data decisions per event: dec[decStart[j] .. decStart[j+1]). */
  decStart = new Int32Array(65);
  dec = new Int32Array(64);
  decLen = 0;
  /** Races found: raceA[k] before raceB[k]. */
  raceA = new Int32Array(64);
  raceB = new Int32Array(64);
  races = 0;
  /** Position of the step that ended the execution with a violation, or -1. */
  violationAt = -1;

  // Scratch for reversals (reused: a reversal is consumed before the next is built).
  private readonly seqBuf = new Seq();
  /** event(j, false) of this execution, built once per step (see event()). */
  private readonly evCache: (Ev | undefined)[] = [];
  private picks = new Int32Array(64);
  private scratchRow = new Int32Array(8);
  private firstBuf = new Int32Array(8);
  private countBuf = new Int32Array(8);
  private usedBuf = new Int32Array(8);

  // Per lane / object state of the current execution.
  private laneLast = new Int32Array(8);
  private laneSeq = new Int32Array(8);
  private lastWrite = new Int32Array(16);
  private readHead = new Int32Array(16);
  /** Per lane: position of the release that granted its queued acquire. */
  private grantAt = new Int32Array(8);

  constructor() {
    // Reversal k's event is picks[k]; the last one (the moved e') keeps its decisions open.
    this.seqBuf.materialize = (k) => this.event(this.picks[k]!, k === this.seqBuf.length - 1);
  }

  reset(): void {
    this.evCache.length = 0;
    this.len = 0;
    this.races = 0;
    this.violationAt = -1;
    this.decLen = 0;
    this.decStart[0] = 0;
    this.laneLast.fill(-1);
    this.laneSeq.fill(0);
    this.lastWrite.fill(-1);
    this.readHead.fill(-1);
    this.grantAt.fill(-1);
    this.extraReads.clear();
  }

  /** Records a data decision of the step being run. */
  pushDecision(v: number): void {
    if (this.decLen === this.dec.length) this.dec = grow32(this.dec, this.decLen * 2);
    this.dec[this.decLen++] = v;
  }

  /** The decisions of event j. */
  decisions(j: number): Int32Array {
    return this.dec.slice(this.decStart[j], this.decStart[j + 1]);
  }

  // What `before` found about the step about to run (fields, not an object: it runs every step).
  private kind = K_PLAIN;
  private op: Op | null = null;
  private timer = false;

  /**
   * Called just before `exec.step(actor)`: notes the step kind, its op (what an await's or
   * a sleep's enabledness depends on) and whether the timer could fire.
   */
  before(exec: Execution, actor: number): void {
    this.timer = exec.usesTime && exec.nextDeadline() >= 0;
    if (actor === TICK) {
      this.kind = K_TICK;
      this.op = null;
      return;
    }
    const op = exec.pendingOp(actor);
    let kind = K_PLAIN;
    if (op !== null) {
      if (op.k === 'await') kind = K_AWAIT;
      else if (op.k === 'awaitall') kind = K_AWAITALL;
      else if (op.k === 'sleep_until') kind = K_SLEEP;
      else if (op.k === 'join') kind = K_JOIN;
      else if (op.k === 'acquire') {
        if (exec.isQueued(actor)) kind = K_COMPLETE;
        else if (op.lock.kind === 'spinlock' || op.lock.kind === 'mutex') kind = K_EXCL_ACQUIRE;
      }
    }
    this.kind = kind;
    this.op = op;
  }

  /** Records the step just run (`before` was called for it). */
  after(exec: Execution, actor: number): void {
    const kind = this.kind;
    const op = this.op;
    const j = this.len;
    this.ensure(j + 1);
    const l = actor === TICK ? 0 : actor + 1;
    this.ensureLanes(Math.max(l, exec.threads.length) + 1);
    this.ensureObjects(exec.objectCount());
    const W = this.width;
    const o = exec.lastObj;
    let a = exec.lastAccess;
    let o2 = -1;
    let a2 = A_NONE;
    let other = -1;
    if (kind === K_TICK) {
      o2 = TIMERS_OBJ;
      a2 = A_WRITE;
    } else {
      const next = exec.pendingOp(actor);
      if (next !== null && next.k === 'sleep_until') {
        o2 = TIMERS_OBJ;
        a2 = A_READ;
      }
      if (exec.lastOther >= 0) other = exec.lastOther + 1;
    }
    if (o < 0) a = A_NONE;
    this.lane[j] = l;
    this.obj[j] = o;
    this.acc[j] = a;
    this.obj2[j] = o2;
    this.acc2[j] = a2;
    this.other[j] = other;
    this.isCas[j] = op?.k === 'cas' ? 1 : 0;
    this.acquired[j] = exec.lastAcquired ? 1 : 0;
    this.timerBefore[j] = this.timer ? 1 : 0;
    this.old[j] = exec.lastOld;
    const extra = op?.k === 'awaitall' ? extraIds(op.locs) : null;
    this.extraAt[j] = extra;

    // Races, judged against the clock of the lane before this step.
    const pre = this.laneLast[l]!;
    this.preOf[j] = pre;
    if (kind === K_AWAITALL && op?.k === 'awaitall') this.awaitAllRaces(exec, j, pre, op);
    else if (o >= 0) this.findRaces(j, pre, o, a, kind, op);
    if (o2 >= 0) this.findRaces(j, pre, o2, a2, K_PLAIN, null);

    // The new clock: the lane's clock joined with what the step depends on.
    const row = j * W;
    // Plain loops: rows are short, and copyWithin/fill cost a builtin call each.
    const clk = this.clk;
    if (pre >= 0) for (let k = 0, f = pre * W; k < W; k++) clk[row + k] = clk[f + k]!;
    else for (let k = 0; k < W; k++) clk[row + k] = 0;
    if (o >= 0) this.joinObject(row, o, a);
    if (o2 >= 0) this.joinObject(row, o2, a2);
    if (extra !== null) for (const x of extra) this.joinObject(row, x, A_READ);
    if (kind === K_JOIN && other >= 0) this.joinRow(row, this.laneLast[other]!);
    const s = ++this.laneSeq[l]!;
    this.clk[row + l] = s;
    this.seq[j] = s;
    this.laneLast[l] = j;
    if (kind !== K_JOIN && other >= 0) this.laneLast[other] = j; // spawn: the child starts here
    for (const w of exec.lastWoken) this.grantAt[w + 1] = j;
    if (o >= 0) this.updateObject(j, o, a);
    if (o2 >= 0) this.updateObject(j, o2, a2);
    if (extra !== null) for (const x of extra) this.updateExtraRead(j, x);
    this.len = j + 1;
    this.decStart[j + 1] = this.decLen;
  }

  /**
   * Races of a step that never ran (a thread blocked at a deadlock, or cut off when a
   * violation ended the execution): it is placed just past the end, without being recorded,
   * so that the orders in which it would have run earlier get explored too.
   */
  pendingRaces(exec: Execution, actor: number): void {
    const isTick = actor === TICK;
    const op = isTick ? null : exec.pendingOp(actor);
    if (!isTick && op === null) return;
    let o = -1;
    let a = A_NONE;
    switch (op?.k) {
      case undefined: // the timer tick
        o = CLOCK_OBJ;
        a = A_WRITE;
        break;
      case 'load':
      case 'await':
        o = op.loc.id;
        a = A_READ;
        break;
      case 'awaitall':
        o = op.locs[0]?.id ?? -1;
        a = A_READ;
        break;
      case 'store':
      case 'rmw':
      case 'cas':
        o = op.loc.id;
        a = A_WRITE;
        break;
      case 'acquire':
      case 'tryacquire':
      case 'release':
        o = op.lock.id;
        a = A_WRITE;
        break;
      case 'jiffies':
      case 'sleep_until':
        o = CLOCK_OBJ;
        a = A_READ;
        break;
      default:
        return;
    }
    const j = this.len;
    this.ensure(j + 1);
    this.ensureLanes(exec.threads.length + 1);
    const l = isTick ? 0 : actor + 1;
    this.before(exec, actor);
    // A queued acquire not granted yet cannot run earlier either.
    if (this.kind === K_COMPLETE && !exec.isEnabled(exec.threads[actor]!)) return;
    this.lane[j] = l;
    this.obj[j] = o;
    this.acc[j] = a;
    this.obj2[j] = isTick ? TIMERS_OBJ : -1;
    this.acc2[j] = isTick ? A_WRITE : A_NONE;
    this.other[j] = -1;
    this.isCas[j] = op?.k === 'cas' ? 1 : 0;
    this.seq[j] = this.laneSeq[l]! + 1;
    this.preOf[j] = this.laneLast[l]!;
    this.decStart[j + 1] = this.decStart[j]!;
    this.extraAt[j] = op?.k === 'awaitall' ? extraIds(op.locs) : null;
    if (op?.k === 'awaitall') this.awaitAllRaces(exec, j, this.laneLast[l]!, op);
    else this.findRaces(j, this.laneLast[l]!, o, a, this.kind, this.op);
    if (isTick) this.findRaces(j, this.laneLast[l]!, TIMERS_OBJ, A_WRITE, K_PLAIN, null);
    // Had it run before the violating step, the execution would have gone on.
    const v = this.violationAt;
    const enabled = isTick ? this.timer : exec.isEnabled(exec.threads[actor]!);
    if (v >= 0 && enabled && this.lane[v] !== l && !this.before_(v, this.laneLast[l]!)) this.addRace(v, j);
  }

  /**
   * The last step ended the execution with a violation: nothing can follow it, so it
   * depends on every step (it happens after all of them and races with every step left).
   */
  markViolation(): void {
    const j = this.len - 1;
    if (j < 0) return;
    const row = j * this.width;
    for (let l = 0; l < this.laneLast.length; l++) if (this.laneLast[l]! !== j) this.joinRow(row, this.laneLast[l]!);
    this.other[j] = ALL_LANES;
    this.violationAt = j;
    this.evCache[j] = undefined;
  }

  /** Does event `e` happen before the clock row of position `pre` (-1: empty clock)? */
  private before_(e: number, pre: number): boolean {
    return pre >= 0 && this.clk[pre * this.width + this.lane[e]!]! >= this.seq[e]!;
  }

  private findRaces(j: number, pre: number, o: number, a: number, kind: number, op: Op | null): void {
    const l = this.lane[j]!;
    const w = this.lastWrite[o]!;
    switch (kind) {
      case K_JOIN:
        return;
      case K_COMPLETE:
        if (w > this.grantAt[l]!) this.raceIfConcurrent(w, j, pre);
        return;
      case K_EXCL_ACQUIRE:
      case K_AWAIT:
      case K_SLEEP: {
        // The nearest earlier write before which this step would have been enabled.
        for (let e = w; e >= 0 && this.lane[e] !== l && !this.before_(e, pre); e = this.prevWrite[e]!) {
          if (this.enabledBefore(e, kind, op)) {
            this.addRace(e, j);
            return;
          }
        }
        return;
      }
      default:
        this.raceIfConcurrent(w, j, pre);
        if (a === A_WRITE) {
          const link = this.readLinks(o);
          for (let r = this.readHead[o]!; r >= 0; r = link[r]!) this.raceIfConcurrent(r, j, pre);
          if (this.extraReads.size > 0) for (const r of this.extraReads.get(o) ?? []) this.raceIfConcurrent(r, j, pre);
        }
    }
  }

  /** Adds race (e, j) unless e is on j's lane or happens before j (`pre`: j's lane clock). */
  private raceIfConcurrent(e: number, j: number, pre: number): void {
    const l = this.lane[j]!;
    if (e < 0 || this.lane[e] === l || this.before_(e, pre)) return;
    // The timer can only move before a step while some thread sleeps.
    if (l === 0 && this.timerBefore[e] === 0 && !this.sleepsAfter(e, j)) return;
    this.addRace(e, j);
  }

  /**
   * An awaitall races with the nearest earlier write, to any of its locations, before
   * which its condition held: the values there are those of the writes that do not
   * happen after that write.
   */
  private awaitAllRaces(exec: Execution, j: number, pre: number, op: Extract<Op, { k: 'awaitall' }>): void {
    const l = this.lane[j]!;
    const ptr = op.locs.map((loc) => this.lastWrite[loc.id] ?? -1);
    for (;;) {
      let c = -1;
      for (let k = 0; k < ptr.length; k++) if (ptr[k]! > (c < 0 ? -1 : ptr[c]!)) c = k;
      if (c < 0) return;
      const e = ptr[c]!;
      if (this.lane[e] === l || this.before_(e, pre)) {
        ptr[c] = -1; // writes further back on this location happen before it too
        continue;
      }
      const values = op.locs.map((loc) => this.valueBefore(exec, loc.id, e));
      if (op.pred(values)) {
        this.addRace(e, j);
        return;
      }
      ptr[c] = this.prevWrite[e]!;
    }
  }

  /** The value of object `o` once the writes at or happening after `e` are taken away. */
  private valueBefore(exec: Execution, o: number, e: number): unknown {
    let cur: unknown = exec.load({ id: o, name: '' });
    const W = this.width;
    for (let w = this.lastWrite[o]!; w >= 0; w = this.prevWrite[w]!) {
      if (w !== e && this.clk[w * W + this.lane[e]!]! < this.seq[e]!) break;
      cur = this.old[w];
    }
    return cur;
  }

  /** Reads of an awaitall's further objects since their last write, per object. */
  private readonly extraReads = new Map<number, number[]>();

  private updateExtraRead(j: number, o: number): void {
    const list = this.extraReads.get(o);
    if (list === undefined) this.extraReads.set(o, [j]);
    else list.push(j);
  }

  private readLinks(o: number): Int32Array {
    return o === TIMERS_OBJ ? this.prevReadTimers : this.prevRead;
  }

  /** Does a thread start to sleep between e and j, in a step that does not happen after e? */
  private sleepsAfter(e: number, j: number): boolean {
    const W = this.width;
    const le = this.lane[e]!;
    const se = this.seq[e]!;
    for (let x = e + 1; x < j; x++) {
      if (this.obj2[x] === TIMERS_OBJ && this.acc2[x] === A_READ && this.clk[x * W + le]! < se) return true;
    }
    return false;
  }

  private enabledBefore(e: number, kind: number, op: Op | null): boolean {
    if (kind === K_EXCL_ACQUIRE) return this.acquired[e] === 1;
    if (op?.k === 'await') return op.pred(this.old[e]);
    if (op?.k === 'sleep_until') return this.obj[e] === CLOCK_OBJ && (this.old[e] as number) >= op.until;
    return false;
  }

  private addRace(e: number, j: number): void {
    if (this.races === this.raceA.length) {
      this.raceA = grow32(this.raceA, this.races * 2);
      this.raceB = grow32(this.raceB, this.races * 2);
    }
    this.raceA[this.races] = e;
    this.raceB[this.races] = j;
    this.races++;
  }

  private joinRow(row: number, from: number): void {
    if (from < 0) return;
    const W = this.width;
    const f = from * W;
    for (let k = 0; k < W; k++) if (this.clk[f + k]! > this.clk[row + k]!) this.clk[row + k] = this.clk[f + k]!;
  }

  private joinObject(row: number, o: number, a: number): void {
    this.joinRow(row, this.lastWrite[o]!);
    if (a === A_WRITE) {
      const link = this.readLinks(o);
      for (let r = this.readHead[o]!; r >= 0; r = link[r]!) this.joinRow(row, r);
      if (this.extraReads.size > 0) for (const r of this.extraReads.get(o) ?? []) this.joinRow(row, r);
    }
  }

  private updateObject(j: number, o: number, a: number): void {
    if (a === A_WRITE) {
      this.prevWrite[j] = this.lastWrite[o]!;
      this.lastWrite[o] = j;
      this.readHead[o] = -1;
      if (this.extraReads.size > 0) this.extraReads.delete(o);
    } else {
      this.readLinks(o)[j] = this.readHead[o]!;
      this.readHead[o] = j;
    }
  }

  /** The event at position j as a descriptor (`fresh`: its decisions left open). */
  event(j: number, fresh: boolean): Ev {
    if (!fresh) {
      // One shared descriptor per step of this execution: every wakeup sequence that contains
      // the step points at it (events are immutable) instead of holding a copy.
      const cached = this.evCache[j];
      if (cached !== undefined) return cached;
      return (this.evCache[j] = this.describe(j, false));
    }
    return this.describe(j, true);
  }

  private describe(j: number, fresh: boolean): Ev {
    const cas = this.isCas[j] === 1;
    // An event that made no decisions has no alternatives: it is the thread's only next event.
    const open = fresh || this.decStart[j] === this.decStart[j + 1];
    return {
      lane: this.lane[j]!,
      cv: open ? null : this.decisions(j),
      obj: this.obj[j]!,
      acc: fresh && cas ? A_WRITE : this.acc[j]!,
      obj2: this.obj2[j]!,
      acc2: this.acc2[j]!,
      other: this.other[j]!,
      extra: this.extraAt[j] ?? null,
    };
  }

  /**
   * The reversal of race (i, j): the events after i that do not happen after it, then j
   * (notdep(e, E).e'), with their happens-before order.
   */
  reversal(i: number, j: number): Seq {
    const W = this.width;
    const le = this.lane[i]!;
    const se = this.seq[i]!;
    const picks = this.picks;
    let m = 0;
    for (let x = i + 1; x < this.len; x++) if (x !== j && this.clk[x * W + le]! < se) picks[m++] = x;
    picks[m++] = j;
    const v = this.seqBuf;
    v.reset(m, W);
    const last = this.event(j, true);
    // e' moved: it keeps its own thread's past and what it depends on among the moved
    // events, not what it saw in this execution through e.
    const cj = this.scratchRow;
    const pre = this.preOf[j]!;
    if (pre >= 0) cj.set(this.clk.subarray(pre * W, pre * W + W));
    else cj.fill(0);
    v.set(m - 1, last);
    for (let k = 0; k < m - 1; k++) {
      const x = picks[k]!;
      this.setSeq(v, k, x);
      if (v.dependsOn(last, k)) {
        for (let l = 0; l < W; l++) if (this.clk[x * W + l]! > cj[l]!) cj[l] = this.clk[x * W + l]!;
      }
    }
    const first = this.firstBuf.fill(0);
    const count = this.countBuf.fill(0);
    // Only lanes of earlier picks can precede a pick: loop over those, not all W lanes.
    const used = this.usedBuf;
    let nu = 0;
    const preds = v.preds;
    for (let k = 0; k < m; k++) {
      const x = picks[k]!;
      const base = k < m - 1 ? x * W : -1;
      for (let u = 0; u < nu; u++) {
        const l = used[u]!;
        const c = count[l]!;
        const n = (base >= 0 ? this.clk[base + l]! : cj[l]!) - first[l]! + 1;
        preds[k * W + l] = n < 0 ? 0 : n > c ? c : n;
      }
      const lx = this.lane[x]!;
      if (count[lx] === 0) {
        first[lx] = this.seq[x]!;
        used[nu++] = lx;
      }
      count[lx]!++;
    }
    return v;
  }

  private setSeq(v: Seq, k: number, x: number): void {
    v.lane[k] = this.lane[x]!;
    v.obj[k] = this.obj[x]!;
    v.acc[k] = this.acc[x]!;
    v.obj2[k] = this.obj2[x]!;
    v.acc2[k] = this.acc2[x]!;
    v.other[k] = this.other[x]!;
    v.hasCv[k] = this.decStart[x] === this.decStart[x + 1] ? 0 : 1;
    v.extra[k] = this.extraAt[x] ?? null;
  }

  private ensure(n: number): void {
    if (n <= this.lane.length) return;
    const cap = Math.max(n, this.lane.length * 2);
    this.lane = grow32(this.lane, cap);
    this.seq = grow32(this.seq, cap);
    this.obj = grow32(this.obj, cap);
    this.obj2 = grow32(this.obj2, cap);
    this.other = grow32(this.other, cap);
    this.prevWrite = grow32(this.prevWrite, cap);
    this.prevRead = grow32(this.prevRead, cap);
    this.prevReadTimers = grow32(this.prevReadTimers, cap);
    this.preOf = grow32(this.preOf, cap);
    this.picks = grow32(this.picks, cap + 1);
    this.acc = grow8(this.acc, cap);
    this.acc2 = grow8(this.acc2, cap);
    this.isCas = grow8(this.isCas, cap);
    this.acquired = grow8(this.acquired, cap);
    this.timerBefore = grow8(this.timerBefore, cap);
    this.decStart = grow32(this.decStart, cap + 1);
    this.clk = grow32(this.clk, cap * this.width);
  }

  private ensureLanes(n: number): void {
    if (n > this.width) {
      // Exactly the lanes needed: every clock operation loops over the width.
      const W = n;
      const clk = new Int32Array(this.lane.length * W);
      for (let j = 0; j < this.len; j++) clk.set(this.clk.subarray(j * this.width, (j + 1) * this.width), j * W);
      this.clk = clk;
      this.width = W;
      this.scratchRow = new Int32Array(W);
      this.firstBuf = new Int32Array(W);
      this.countBuf = new Int32Array(W);
      this.usedBuf = new Int32Array(W);
    }
    if (n > this.laneLast.length) {
      const cap = Math.max(n, this.laneLast.length * 2);
      this.laneLast = growFill(this.laneLast, cap, -1);
      this.laneSeq = grow32(this.laneSeq, cap);
      this.grantAt = growFill(this.grantAt, cap, -1);
    }
  }

  /** Makes room for objects up to id `n - 1`. */
  ensureObjects(n: number): void {
    if (n <= this.lastWrite.length) return;
    const cap = Math.max(n, this.lastWrite.length * 2);
    this.lastWrite = growFill(this.lastWrite, cap, -1);
    this.readHead = growFill(this.readHead, cap, -1);
  }
}

function extraIds(locs: readonly { readonly id: number }[]): Int32Array | null {
  return locs.length > 1 ? Int32Array.from(locs.slice(1), (l) => l.id) : null;
}

function grow32(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}

function grow8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  b.set(a.subarray(0, Math.min(a.length, n)));
  return b;
}

function growFill(a: Int32Array, n: number, fill: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n).fill(fill);
  b.set(a);
  return b;
}
