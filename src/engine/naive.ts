/**
 * The naive strategy: depth-first over every decision (every enabled actor at every step,
 * every choose value, every permitted fault). The ground truth the reductions are tested
 * against; exponential, for small programs only.
 *
 * With a preemption bound it is the 'bounded' strategy: switching away from a thread that
 * could go on counts as a preemption, and schedules with more than `bound` of them are not
 * explored (conservative: every schedule within the bound is run, nothing is reduced). The
 * coverage is exhaustive only if the bound never cut a branch.
 */
import type { Session } from './session.ts';

/** Returns [explored everything within the limits, the bound never cut a branch]. */
export function exploreNaive(s: Session, bound = Infinity): [boolean, boolean] {
  // The decision stack: chosen index and number of options per branching point.
  let idx = new Int32Array(256);
  let cnt = new Int32Array(256);
  let depth = 0;
  let pos = 0;
  let cut = false;
  const next = (count: number): number => {
    if (count === 1) return 0;
    if (pos < depth) return idx[pos++]!;
    if (depth === idx.length) {
      idx = grow(idx);
      cnt = grow(cnt);
    }
    idx[depth] = 0;
    cnt[depth] = count;
    depth++;
    pos++;
    return 0;
  };
  const decider = {
    choose: next,
    fault: (_index: number, mayFail: boolean): boolean => mayFail && next(2) === 1,
  };
  let prev = -2;
  let preemptions = 0;
  const pick = (n: number, actors: Int32Array): number => {
    if (bound === Infinity) return next(n);
    // The previous thread first (no preemption); the others only while the bound allows.
    let at = -1;
    for (let k = 0; k < n; k++) if (actors[k] === prev) at = k;
    if (at >= 0 && preemptions >= bound) {
      if (n > 1) cut = true;
      return at;
    }
    const order = at >= 0 ? [at, ...Array.from({ length: n }, (_, k) => k).filter((k) => k !== at)] : null;
    const i = next(n);
    const chosen = order === null ? i : order[i]!;
    if (at >= 0 && chosen !== at) preemptions++;
    prev = actors[chosen]!;
    return chosen;
  };
  for (;;) {
    pos = 0;
    prev = -2;
    preemptions = 0;
    const exec = s.newExecution(decider);
    if (!s.drive(exec, pick) || !s.record(exec)) return [false, !cut];
    while (depth > 0 && idx[depth - 1]! + 1 >= cnt[depth - 1]!) depth--;
    if (depth === 0) return [true, !cut];
    idx[depth - 1] = idx[depth - 1]! + 1;
  }
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
