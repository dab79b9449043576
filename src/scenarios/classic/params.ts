/** Shared helpers for the classic programs. */
import type { ScenarioContext, ScenarioParam } from '../types.ts';

/**
 * The size parameter N of a classic program. At most 64 threads: beyond that one execution
 * alone takes minutes (every step compares vector clocks of every thread).
 */
export function sizeParam(def: number, help: string, min = 1, max = 64): Readonly<Record<string, ScenarioParam>> {
  return { N: { default: def, min, max, help } };
}

/** Reads N from the context, falling back to the default; rejects nonsense. */
export function sizeOf(ctx: ScenarioContext, def: number, min = 1): number {
  const n = ctx.params['N'] ?? def;
  if (!Number.isInteger(n) || n < min) throw new Error(`N must be an integer >= ${min} (got ${n})`);
  return n;
}
