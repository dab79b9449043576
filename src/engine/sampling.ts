/**
 * Sampling strategies: 'random' (every decision uniformly at random) and 'pct'
 * (probabilistic concurrency testing, Burckhardt et al., ASPLOS 2010: threads run by
 * priority, the running thread's priority drops at d-1 random change points; a bug of depth
 * d is found with probability at least 1/(n·k^(d-1))). Both use the explorer's own seeded
 * PRNG, so a run is reproducible from its seed; every execution also has a schedule string.
 */
import type { Decider } from './runtime.ts';
import { TICK } from './schedule.ts';
import type { Session } from './session.ts';

/** mulberry32: a small, fast, seeded 32-bit PRNG. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** A uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}

const DEFAULT_SAMPLES = 1000;

function randomDecider(rng: Prng): Decider {
  return {
    choose: (n) => rng.below(n),
    fault: (_index, mayFail) => mayFail && rng.below(2) === 1,
  };
}

/** Runs `maxExecutions` (default 1000) random executions. */
export function exploreRandom(s: Session): void {
  const rng = new Prng(s.options.seed ?? 1);
  const decider = randomDecider(rng);
  const budget = s.options.maxExecutions ?? DEFAULT_SAMPLES;
  while (s.executions < budget) {
    const exec = s.newExecution(decider);
    if (!s.drive(exec, (n) => rng.below(n)) || !s.record(exec)) return;
  }
}

/** Runs `maxExecutions` (default 1000) PCT executions of depth `pctDepth` (default 3). */
export function explorePct(s: Session): void {
  const rng = new Prng(s.options.seed ?? 1);
  const decider = randomDecider(rng);
  const depth = s.options.pctDepth ?? 3;
  const budget = s.options.maxExecutions ?? DEFAULT_SAMPLES;
  let k = 16; // estimated steps per execution, learnt as we go
  while (s.executions < budget) {
    // Priorities per actor (TICK at index 0, thread t at t+1): distinct values above depth.
    const prio: number[] = [];
    const priorityOf = (actor: number): number => {
      const i = actor === TICK ? 0 : actor + 1;
      while (prio.length <= i) prio.push(depth + prio.length + rng.below(1 << 20) * 64);
      return prio[i]!;
    };
    const changes: number[] = [];
    for (let c = 1; c < depth; c++) changes.push(1 + rng.below(k));
    let step = 0;
    const exec = s.newExecution(decider);
    const whole = s.drive(exec, (n, actors) => {
      let best = 0;
      for (let j = 1; j < n; j++) if (priorityOf(actors[j]!) > priorityOf(actors[best]!)) best = j;
      step++;
      const c = changes.indexOf(step);
      if (c >= 0) {
        // Change point c: the thread about to run drops below every initial priority.
        const a = actors[best]!;
        prio[a === TICK ? 0 : a + 1] = depth - 1 - c;
        best = 0;
        for (let j = 1; j < n; j++) if (priorityOf(actors[j]!) > priorityOf(actors[best]!)) best = j;
      }
      return best;
    });
    k = Math.max(k, exec.steps);
    if (!whole || !s.record(exec)) return;
  }
}
