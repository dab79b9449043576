/**
 * The CLI's exit statuses and verdicts, shared by every command (check, replay, matrix).
 *
 * - OK: a complete search (exhaustive, or exactly the scenario's declared bound) found nothing,
 *   or every matrix cell matched its expectation;
 * - VIOLATION: a violation was found (check/replay), or a matrix cell did not match;
 * - USAGE: the user's input was wrong (one line on stderr, nothing explored, nothing written);
 * - INCOMPLETE: the search was cut short (Ctrl-C, --time-budget, --max-executions below the
 *   scenario's own bound) and found nothing: a sample, not a proof.
 */
import type { ExploreOptions, ExploreResult } from '../engine/api.ts';

export const EXIT = { OK: 0, VIOLATION: 1, USAGE: 2, INCOMPLETE: 3 } as const;

/** The one verdict vocabulary of text output, JSON and the matrix. */
export type CliVerdict = 'violation' | 'pass' | 'incomplete';

export function exitStatusFor(verdict: CliVerdict): number {
  return verdict === 'violation' ? EXIT.VIOLATION : verdict === 'incomplete' ? EXIT.INCOMPLETE : EXIT.OK;
}

/**
 * How a search ended:
 * - 'exhaustive': every class of executions explored;
 * - 'search-bound': the preemption or step bound left some out, and every execution inside it ran;
 * - 'scenario-bound': it ran the scenario's own declared number of executions, with its strategy;
 * - 'violation': it stopped at the first violation;
 * - 'max-executions': --max-executions cut it below the scenario's own bound;
 * - 'sampled': random or PCT samples where the scenario declares no such sampling;
 * - 'time-budget': --time-budget ran out;
 * - 'interrupted': Ctrl-C.
 */
export type StopKind =
  | 'exhaustive' | 'search-bound' | 'scenario-bound' | 'violation' | 'max-executions' | 'sampled' | 'time-budget'
  | 'interrupted';

export const STOP_TEXT: Readonly<Record<StopKind, string>> = {
  'exhaustive': 'every execution explored',
  'search-bound': 'every execution within the search bound explored',
  'scenario-bound': "the scenario's declared bound explored",
  'violation': 'stopped at the first violation',
  'max-executions': "cut short by --max-executions (short of the scenario's own complete search)",
  'sampled': "random samples, not the scenario's own search",
  'time-budget': 'cut short by --time-budget',
  'interrupted': 'cut short by Ctrl-C',
};

export interface Outcome {
  readonly verdict: CliVerdict;
  readonly stop: StopKind;
}

/**
 * The verdict of one search. `declared` is the scenario's own exploration options, `used` the
 * options the search ran with: stopping at the execution cap is a complete search only when the
 * cap is at least the scenario's declared one and the strategy is the scenario's.
 */
export function outcomeOf(r: ExploreResult, declared: Partial<ExploreOptions>, used: ExploreOptions): Outcome {
  if (r.violations.length > 0) return { verdict: 'violation', stop: 'violation' };
  if (r.stoppedBy === 'shouldStop') return { verdict: 'incomplete', stop: 'interrupted' };
  if (r.stoppedBy === 'timeBudget') return { verdict: 'incomplete', stop: 'time-budget' };
  if (r.stoppedBy === 'maxExecutions' || r.coverage === 'sampled') {
    const bound = declared.maxExecutions;
    const sameStrategy = (used.strategy ?? 'dpor') === (declared.strategy ?? 'dpor');
    const complete = bound !== undefined && sameStrategy && (used.maxExecutions ?? bound) >= bound;
    if (complete) return { verdict: 'pass', stop: 'scenario-bound' };
    return { verdict: 'incomplete', stop: r.coverage === 'sampled' ? 'sampled' : 'max-executions' };
  }
  return { verdict: 'pass', stop: r.coverage === 'exhaustive' ? 'exhaustive' : 'search-bound' };
}
