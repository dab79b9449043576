/**
 * Optimal dynamic partial-order reduction (Abdulla, Aronis, Jonsson, Sagonas: "Source Sets:
 * A Foundation for Optimal Dynamic Partial Order Reduction", JACM 64(4), 2017, Alg. 2):
 * source sets, wakeup trees and sleep sets, stateless (every execution re-runs from the
 * start along the current branch).
 *
 * Each node of the exploration stack is one prefix of the current execution: its wakeup
 * tree (what is still to explore from there, in order), its sleep set (what need not be),
 * and the child being explored. After each complete execution every race whose later event
 * is new is reversed: the sequence notdep(e, E).e' goes into the wakeup tree of the node
 * before e, unless a sleeping event is a weak initial of it or the tree already covers it.
 *
 * Data decisions (choose, fault) belong to the step whose continuation makes them. A step
 * run fresh explores every combination of its decisions; a step replayed as part of a
 * reversal repeats the decisions it made before (it reads the same values), except the
 * reversed step itself, which reads differently and is run fresh.
 *
 * A step that never ran (a thread blocked at a deadlock, a thread or the timer cut off by a
 * violation) still races with what ran; the violating step itself depends on every step,
 * since nothing runs after it.
 *
 * Known limits: when steps made data decisions, every race is reversed again after each
 * execution (a race seen before may come back with other decisions), which costs time;
 * a thread whose next step is asleep only for some decision values is not skipped, so a
 * few executions may repeat for programs with choose/fault; whether the timer may tick
 * earlier is judged by whether some thread slept there or started to sleep in between,
 * and a reversal that turns out not to fit is abandoned and counted as blocked.
 *
 * Memory: the wakeup trees hold every reversal still to explore, as whole sequences, and on a
 * big program they grow with every execution (soup: ~100 nodes per execution, never levelling
 * off). Once past `wakeupBudget` nodes (counted as they are added and taken, recounted every
 * 4,096 executions to drop what blocked executions abandoned) every later reversal goes
 * in as its first event only, tested against initials rather than weak initials (source sets,
 * `insertInitial`): the frontier stops growing, the search stays sound, and the price is
 * executions that end sleep-set blocked.
 */
import type { Ev, Seq, WNode } from './events.ts';
import { dependent, insertInitial, insertWakeup, wakeupSize } from './events.ts';
import { HbRecorder } from './hb.ts';
import type { Decider } from './runtime.ts';
import { TICK } from './schedule.ts';
import type { Session } from './session.ts';

interface Node {
  /** Pending wakeup-tree children, leftmost first. */
  wut: WNode[];
  readonly sleep: Ev[];
  /** The child being explored, or null. */
  cur: WNode | null;
  /** What the child actually ran (set when it ran). */
  ev: Ev | null;
  /** Decision trail of a fresh child: values and option counts. */
  tv: number[];
  tc: number[];
}

function newNode(wut: WNode[], sleep: Ev[]): Node {
  return { wut, sleep, cur: null, ev: null, tv: [], tc: [] };
}

/** Advances a decision trail to its next combination; false when all were explored. */
function advanceTrail(t: { tv: number[]; tc: number[] }): boolean {
  while (t.tv.length > 0 && t.tv[t.tv.length - 1]! + 1 >= t.tc[t.tc.length - 1]!) {
    t.tv.pop();
    t.tc.pop();
  }
  if (t.tv.length === 0) return false;
  t.tv[t.tv.length - 1]!++;
  return true;
}

function freshEvent(lane: number): Ev {
  return { lane, cv: null, obj: -1, acc: 0, obj2: -1, acc2: 0, other: -1, extra: null };
}

/** `ev` with its decisions left open; built field by field so that every Ev has one shape. */
function openEvent(ev: Ev): Ev {
  return { lane: ev.lane, cv: null, obj: ev.obj, acc: ev.acc, obj2: ev.obj2, acc2: ev.acc2, other: ev.other, extra: ev.extra };
}

/** Default bound on the wakeup trees' nodes: above lastzero(15)'s peak (~300,000), under 300 MB for soup. */
export const DEFAULT_WAKEUP_BUDGET = 500_000;

export function exploreDpor(s: Session): boolean {
  const hb = new HbRecorder();
  const budget = s.options.wakeupBudget ?? DEFAULT_WAKEUP_BUDGET;
  let bounded = budget <= 0; // past the budget: reversals are inserted as source sets
  let frontier = 0; // wakeup-tree nodes left to explore
  const root = { tv: [] as number[], tc: [] as number[] };

  // Decider state for the step being run.
  let trail: { tv: number[]; tc: number[] } = root;
  let trailAt = 0;
  let forced: Int32Array | null = null;
  let forcedAt = 0;
  let misfit = false;
  let record = false;
  const next = (n: number): number => {
    let v: number;
    if (forced !== null) {
      v = forcedAt < forced.length ? forced[forcedAt++]! : 0;
      if (v >= n || forcedAt > forced.length) misfit = true;
      if (v >= n) v = 0;
    } else if (trailAt < trail.tv.length) {
      v = trail.tv[trailAt++]!;
    } else {
      trail.tv.push(0);
      trail.tc.push(n);
      trailAt++;
      v = 0;
    }
    if (record) hb.pushDecision(v);
    return v;
  };
  const decider: Decider = {
    choose: next,
    fault: (_index, mayFail) => mayFail && next(2) === 1,
  };

  for (;;) {
    const stack: Node[] = [newNode([], [])];
    let firstNew = 0;
    for (;;) {
      hb.reset();
      trail = root;
      trailAt = 0;
      forced = null;
      record = false;
      const exec = s.newExecution(decider);
      let blocked = false;
      for (let pos = 0; !exec.finished; pos++) {
        if (exec.steps >= s.maxSteps) {
          exec.liveness(s.maxSteps);
          break;
        }
        if (s.cutMidExecution(exec.steps)) return false;
        const n = s.enabled(exec);
        if (n === 0) {
          exec.deadlock();
          break;
        }
        const node = stack[pos]!;
        if (node.cur === null) {
          const w = node.wut.shift();
          if (w !== undefined) {
            node.cur = w;
            frontier--;
          }
          else {
            const lane = pickFresh(node, s.actors, n, pos > 0 ? stack[pos - 1]!.cur!.ev.lane : -1);
            if (lane < 0) {
              blocked = true;
              break;
            }
            node.cur = { ev: freshEvent(lane), children: [] };
          }
          node.tv = [];
          node.tc = [];
        }
        const cur = node.cur;
        const actor = cur.ev.lane === 0 ? TICK : cur.ev.lane - 1;
        if (!isEnabledActor(s.actors, n, actor)) {
          blocked = true; // a reversal that does not fit this execution
          break;
        }
        forced = cur.ev.cv;
        forcedAt = 0;
        trail = node;
        trailAt = 0;
        misfit = false;
        record = true;
        hb.before(exec, actor);
        exec.step(actor);
        hb.after(exec, actor);
        if (forced !== null && forcedAt !== forced.length) misfit = true;
        if (misfit) {
          blocked = true;
          break;
        }
        if (exec.violation !== null) hb.markViolation();
        if (pos >= firstNew) node.ev = hb.event(pos, false);
        if (pos + 1 === stack.length) {
          const ev = node.ev!;
          stack.push(newNode(cur.children, awake(node.sleep, ev)));
        }
      }
      if (blocked) s.blocked++;
      else if (!s.record(exec)) return false;
      if (((s.executions + s.blocked) & 4095) === 0) {
        // an exact count now and then: a blocked execution may leave nodes behind the stack
        let size = 0;
        for (const nd of stack) size += wakeupSize(nd.wut);
        frontier = size;
      }
      s.frontier = frontier;
      // Once past the budget, for good: the two insertion rules must not alternate (a
      // sleeping weak initial covers a reversal only if every earlier one went in whole).
      if (frontier > budget) bounded = true;

      // Reverse the races whose later event is new in this execution. Races seen before
      // come back with other decisions in their reversal when steps made data decisions,
      // so then every race is reversed again (the wakeup trees drop what is covered).
      frontier += reverseRaces(hb, stack, 0, hb.decLen > 0 ? 0 : firstNew, bounded);
      if (!blocked && exec.violation !== null) {
        // Threads that never got to run their next step: it races too.
        for (const t of exec.threads) {
          if (t.done) continue;
          const from = hb.races;
          hb.pendingRaces(exec, t.tid);
          frontier += reverseRaces(hb, stack, from, 0, bounded);
        }
        if (exec.usesTime && exec.nextDeadline() >= 0) {
          const from = hb.races;
          hb.pendingRaces(exec, TICK);
          frontier += reverseRaces(hb, stack, from, 0, bounded);
        }
      }

      // Backtrack to the deepest node with something left to explore.
      let i = stack.length - 1;
      for (; i >= 0; i--) {
        const node = stack[i]!;
        const cur = node.cur;
        if (cur === null) continue;
        if (cur.ev.cv === null && node.ev !== null && advanceTrail(node)) break;
        if (node.ev !== null) node.sleep.push(cur.ev.cv === null ? openEvent(node.ev) : node.ev);
        node.cur = null;
        node.ev = null;
        if (node.wut.length > 0) break;
      }
      if (i < 0) break;
      stack.length = i + 1;
      firstNew = i;
    }
    if (!advanceTrail(root)) return true;
  }
}

/**
 * Inserts the reversal of every race from index `from` whose later event is at `firstNew` or
 * after: as a whole sequence, or (`bounded`) as its first event only. Returns the nodes added.
 */
function reverseRaces(hb: HbRecorder, stack: readonly Node[], from: number, firstNew: number, bounded: boolean): number {
  let added = 0;
  for (let k = from; k < hb.races; k++) {
    const j = hb.raceB[k]!;
    if (j < firstNew) continue;
    const i = hb.raceA[k]!;
    const target = stack[i]!;
    const v = hb.reversal(i, j);
    if (bounded) added += insertInitial(target.wut, target.sleep, v);
    else if (!sleepCovers(target.sleep, v)) added += insertWakeup(target.wut, v);
  }
  return added;
}

/** The sleeping events that stay asleep after `ev` runs: those independent of it. */
function awake(sleep: readonly Ev[], ev: Ev): Ev[] {
  const out: Ev[] = [];
  for (const d of sleep) if (!dependent(d, ev)) out.push(d);
  return out;
}

/** Is some sleeping event a weak initial of `v` (so `v` was explored already)? */
function sleepCovers(sleep: readonly Ev[], v: Seq): boolean {
  for (const d of sleep) if (v.weakInitial(d) !== -2) return true;
  return false;
}

function isEnabledActor(actors: Int32Array, n: number, actor: number): boolean {
  for (let k = 0; k < n; k++) if (actors[k] === actor) return true;
  return false;
}

/**
 * A fresh step for a node with an empty wakeup tree: the previous step's thread if it can
 * go on (fewer context switches), else the first enabled one, never one asleep.
 */
function pickFresh(node: Node, actors: Int32Array, n: number, prevLane: number): number {
  const asleep = (lane: number): boolean => node.sleep.some((d) => d.lane === lane && d.cv === null);
  let best = -1;
  for (let k = 0; k < n; k++) {
    const a = actors[k]!;
    const lane = a === TICK ? 0 : a + 1;
    if (asleep(lane)) continue;
    if (lane === prevLane) return lane;
    if (best < 0) best = lane;
  }
  return best;
}
