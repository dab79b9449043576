/**
 * What the fork-family scenario tests share: run a scenario under a preset (optionally
 * patched) with its own options, and read the verdict. No Node imports: the tests assert.
 */
import type { ExploreOptions, ExploreResult } from '../../engine/api.ts';
import { explore, replay, type ReplayResult } from '../../engine/explore.ts';
import { kernelConfig } from '../../kernel/config.ts';
import type { Scenario, Verdict } from '../types.ts';

export interface run {
  readonly result: ExploreResult;
  readonly verdict: Verdict;
}

/** Explores @s under @preset (+ @patch) with the scenario's options and @extra. */
export function run_scenario(s: Scenario, preset: string, patch?: string, extra: Partial<ExploreOptions> = {}, now?: () => number): run {
  const program = s.build({ params: {}, kernel: kernelConfig(preset, patch) });
  const result = explore(program, { ...s.options, ...extra, ...(now ? { now } : {}) });
  return { result, verdict: result.violations.length ? 'violation' : 'pass' };
}

/** Replays a violation's schedule under the same configuration. */
export function replay_scenario(s: Scenario, preset: string, schedule: string, patch?: string): ReplayResult {
  return replay(s.build({ params: {}, kernel: kernelConfig(preset, patch) }), schedule, { ...s.options });
}
