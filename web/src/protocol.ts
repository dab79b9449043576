/** Messages between the page and its exploration worker. */
import type { ExploreResult, Progress, Violation } from '../../src/engine/api.ts';
import type { RunRequest } from '../../src/cli/request.ts';

export interface ScenarioInfo {
  readonly id: string;
  readonly name: string;
  readonly summary: string;
  /** True if the scenario takes a kernel preset. */
  readonly kernel: boolean;
  /** Presets with an expected verdict, in the registry's order. */
  readonly expect: Readonly<Record<string, string>>;
  /** Numeric parameters with their defaults. */
  readonly params: Readonly<Record<string, { readonly default: number; readonly help: string }>>;
}

export type ToWorker =
  | { readonly type: 'list' }
  | { readonly type: 'explore'; readonly req: RunRequest }
  | { readonly type: 'replay'; readonly req: RunRequest; readonly schedule: string };

/** A run's counts and its violations without their traces (opened by replaying). */
export type RunSummary = Omit<ExploreResult, 'violations'> & {
  readonly violations: readonly Pick<Violation, 'kind' | 'message' | 'schedule'>[];
};

export type FromWorker =
  | {
      readonly type: 'list';
      readonly scenarios: readonly ScenarioInfo[];
      readonly presets: readonly string[];
      readonly switches: readonly string[];
      readonly defaultPreset: string;
    }
  | { readonly type: 'progress'; readonly progress: Progress }
  | { readonly type: 'result'; readonly result: RunSummary }
  | { readonly type: 'replayed'; readonly req: RunRequest; readonly violation?: Violation; readonly trace: Violation['trace'] }
  | { readonly type: 'error'; readonly message: string };
