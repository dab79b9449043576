/**
 * The accepted range of each numeric exploration option, in one place: the CLI flags and the
 * trace-file schema check against it, so nothing out of range reaches the explorer (a PCT depth
 * of 2e8 would allocate its change points before the first step; a step bound of 1e12 would let
 * one execution exhaust memory).
 */
export interface Range {
  readonly min: number;
  readonly max: number;
}

export const OPTION_LIMITS = {
  maxExecutions: { min: 1, max: 1e12 },
  /** A step costs a few hundred bytes of schedule and bookkeeping: 10 million stays in memory. */
  maxSteps: { min: 1, max: 10_000_000 },
  preemptionBound: { min: 0, max: 1000 },
  seed: { min: 0, max: 2 ** 32 - 1 },
  /** Change points per execution: a depth beyond the step count means nothing. */
  pctDepth: { min: 1, max: 1000 },
  maxFaults: { min: 0, max: 1000 },
  /** Seconds (a week). */
  timeBudget: { min: 0, max: 7 * 24 * 3600 },
} as const satisfies Readonly<Record<string, Range>>;
