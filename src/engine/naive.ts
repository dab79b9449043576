/**
 * The naive strategy: depth-first over every decision (every enabled actor at every step,
 * every choose value, every permitted fault). The ground truth the reductions are tested
 * against; exponential, for small programs only.
 */
import type { Session } from './session.ts';

export function exploreNaive(s: Session): boolean {
  // The decision stack: chosen index and number of options per branching point.
  let idx = new Int32Array(256);
  let cnt = new Int32Array(256);
  let depth = 0;
  let pos = 0;
  const next = (count: number): number => {
    if (count === 1) return 0;
    if (pos < depth) return idx[pos++]!;
    if (depth === idx.length) {
      const i2 = new Int32Array(depth * 2);
      i2.set(idx);
      idx = i2;
      const c2 = new Int32Array(depth * 2);
      c2.set(cnt);
      cnt = c2;
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
  const pick = (n: number): number => next(n);
  for (;;) {
    pos = 0;
    const exec = s.newExecution(decider);
    s.drive(exec, pick);
    if (!s.record(exec)) return false;
    while (depth > 0 && idx[depth - 1]! + 1 >= cnt[depth - 1]!) depth--;
    if (depth === 0) return true;
    idx[depth - 1] = idx[depth - 1]! + 1;
  }
}
