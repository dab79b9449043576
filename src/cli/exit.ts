/**
 * The CLI's exit statuses, shared by every command (check, replay, matrix, hunt, weigh, ablate).
 *
 * - OK: a complete search (exhaustive, or exactly the scenario's declared bound) found nothing,
 *   or every matrix cell matched its expectation;
 * - VIOLATION: a violation was found (check/replay/hunt), or a matrix cell did not match;
 * - USAGE: the user's input was wrong (one line on stderr, nothing explored, nothing written);
 * - INCOMPLETE: the search was cut short (Ctrl-C, --time-budget, --max-executions below the
 *   scenario's own bound) and found nothing: a sample, not a proof.
 */
export const EXIT = { OK: 0, VIOLATION: 1, USAGE: 2, INCOMPLETE: 3 } as const;

/** The one verdict vocabulary of text output, JSON and the matrix. */
export type CliVerdict = 'violation' | 'pass' | 'incomplete';

export function exitStatusFor(verdict: CliVerdict): number {
  return verdict === 'violation' ? EXIT.VIOLATION : verdict === 'incomplete' ? EXIT.INCOMPLETE : EXIT.OK;
}
