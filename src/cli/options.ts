/** Turns command-line flags into a RunRequest, rejecting malformed values with UsageError. */
import type { StrategyName } from '../engine/api.ts';
import { OPTION_LIMITS, type Range } from '../engine/limits.ts';
import { UsageError } from './errors.ts';
import type { RunRequest } from './request.ts';

export const STRATEGIES: readonly StrategyName[] = ['dpor', 'naive', 'bounded', 'random', 'pct'];

export interface RunFlags {
  readonly param: readonly string[];
  readonly kernel?: string;
  readonly patch?: string;
  readonly strategy?: string;
  readonly maxExecutions?: string;
  readonly maxSteps?: string;
  readonly timeBudget?: string;
  readonly preemptionBound?: string;
  readonly seed?: string;
  readonly pctDepth?: string;
  readonly faults?: string;
  readonly faultSites?: string;
  readonly schedule?: string;
}

/** A flag's whole-number value in its range, or undefined if absent; a UsageError otherwise. */
export function wholeNumber(flag: string, value: string | undefined, { min, max }: Range): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${flag} takes a whole number from ${min} to ${max.toLocaleString('en-US')}, not '${value}'`);
  }
  return Number(value);
}

function seconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  const { max } = OPTION_LIMITS.timeBudget;
  if (!Number.isFinite(x) || x <= 0 || x > max) {
    throw new UsageError(`--${flag} takes a positive number of seconds up to ${max.toLocaleString('en-US')}, not '${value}'`);
  }
  return x * 1000;
}

/** Splits repeated/comma-separated --param values into NAME=VALUE items. */
function paramList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

export function runRequest(scenario: string, f: RunFlags): RunRequest {
  if (f.strategy !== undefined && !STRATEGIES.includes(f.strategy as StrategyName)) {
    throw new UsageError(`unknown strategy '${f.strategy}' (one of ${STRATEGIES.join(', ')})`);
  }
  const raw: Record<string, unknown> = {
    scenario,
    kernel: f.kernel,
    patch: f.patch,
    strategy: f.strategy,
    maxExecutions: wholeNumber('max-executions', f.maxExecutions, OPTION_LIMITS.maxExecutions),
    maxSteps: wholeNumber('max-steps', f.maxSteps, OPTION_LIMITS.maxSteps),
    timeBudgetMs: seconds('time-budget', f.timeBudget),
    preemptionBound: wholeNumber('preemption-bound', f.preemptionBound, OPTION_LIMITS.preemptionBound),
    seed: wholeNumber('seed', f.seed, OPTION_LIMITS.seed),
    pctDepth: wholeNumber('pct-depth', f.pctDepth, OPTION_LIMITS.pctDepth),
    maxFaults: wholeNumber('faults', f.faults, OPTION_LIMITS.maxFaults),
    faultSites: f.faultSites?.split(',').map((s) => s.trim()).filter(Boolean),
    schedule: f.schedule,
  };
  if (raw['preemptionBound'] !== undefined && raw['strategy'] === undefined) raw['strategy'] = 'bounded';
  if (raw['pctDepth'] !== undefined && raw['strategy'] === undefined) raw['strategy'] = 'pct';
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  // Parameters are validated against the scenario when the request is resolved.
  return { ...(raw as Omit<RunRequest, 'params'>), params: parseRawParams(paramList(f.param)) };
}

/** NAME=VALUE items as own properties (fromEntries: '__proto__' stays a name, to be refused). */
function parseRawParams(items: readonly string[]): Record<string, number> {
  return Object.fromEntries(items.map((a) => {
    const m = /^([A-Za-z_][\w-]*)=(-?\d+)$/.exec(a);
    if (!m) throw new UsageError(`malformed --param '${a}': expected NAME=INTEGER, e.g. N=10`);
    return [m[1] as string, Number(m[2])];
  }));
}
