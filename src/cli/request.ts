/**
 * A run request: everything `check`, `replay` and `matrix` need to rebuild a program, as
 * plain data (it crosses into the exploration worker and into trace files).
 */
import type { ExploreOptions, Program, StrategyName } from '../engine/api.ts';
import type { KernelConfig } from '../kernel/config.ts';
import { DEFAULT_PRESET, kernelConfig } from '../kernel/config.ts';
import { fault_sites } from '../kernel/fault_sites.ts';
import { findScenario, scenarios } from '../scenarios/index.ts';
import type { Scenario } from '../scenarios/types.ts';
import { UsageError, suggest } from './errors.ts';

export interface RunRequest {
  readonly scenario: string;
  readonly kernel?: string;
  readonly patch?: string;
  readonly params: Readonly<Record<string, number>>;
  readonly strategy?: StrategyName;
  readonly maxExecutions?: number;
  readonly maxSteps?: number;
  readonly timeBudgetMs?: number;
  readonly preemptionBound?: number;
  readonly seed?: number;
  readonly pctDepth?: number;
  readonly maxFaults?: number;
  readonly faultSites?: readonly string[];
  readonly schedule?: string;
  /** Explore every execution instead of stopping at the first violation (`weigh`). */
  readonly allExecutions?: boolean;
}

export { DEFAULT_PRESET };

export function resolveScenario(idOrName: string): Scenario {
  const s = findScenario(idOrName);
  if (!s) {
    const names = scenarios.flatMap((x) => [x.id, x.name]);
    throw new UsageError(`unknown scenario '${idOrName}'${suggest(idOrName, names)}; 'mmlife list' shows them`);
  }
  return s;
}

/**
 * The scenario's parameters: declared defaults overridden by `given`; unknown names (own
 * properties only: 'constructor' is not a parameter) and values outside the declared range refused.
 */
export function scenarioParams(scenario: Scenario, given: Readonly<Record<string, number>>): Record<string, number> {
  const declared = scenario.params ?? {};
  const params: Record<string, number> = {};
  for (const [name, p] of Object.entries(declared)) params[name] = p.default;
  for (const [name, value] of Object.entries(given)) {
    const p = Object.hasOwn(declared, name) ? declared[name] : undefined;
    if (p === undefined) {
      const known = Object.keys(declared);
      throw new UsageError(
        `scenario ${scenario.id} has no parameter '${name}'` +
          (known.length ? ` (it has ${known.join(', ')})` : ' (it takes none)'),
      );
    }
    if (!Number.isSafeInteger(value) || value < p.min || value > p.max) {
      throw new UsageError(`parameter ${name} of ${scenario.id} takes a whole number from ${p.min} to ${p.max}, not ${value}`);
    }
    params[name] = value;
  }
  return params;
}

/** The kernel config for a scenario: preset (default v7.0) plus `+sw,-sw` patches. */
export function resolveKernel(scenario: Scenario, preset?: string, patch?: string): KernelConfig | undefined {
  if (!scenario.kernel) {
    if (preset !== undefined || patch !== undefined) {
      throw new UsageError(`scenario ${scenario.id} does not model the kernel: --kernel and --patch do not apply`);
    }
    return undefined;
  }
  try {
    return kernelConfig(preset ?? DEFAULT_PRESET, patch);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export interface Resolved {
  readonly scenario: Scenario;
  readonly kernel: KernelConfig | undefined;
  readonly params: Readonly<Record<string, number>>;
  readonly program: Program;
  readonly options: ExploreOptions;
}

/** Builds the program and the exploration options (scenario defaults, then the request). */
export function resolveRequest(req: RunRequest): Resolved {
  const scenario = resolveScenario(req.scenario);
  const kernel = resolveKernel(scenario, req.kernel, req.patch);
  const params = scenarioParams(scenario, req.params);
  if (kernel && req.faultSites) {
    const known = fault_sites.map((f) => f.site);
    const unknown = req.faultSites.filter((f) => !known.includes(f));
    if (unknown.length) {
      throw new UsageError(`unknown fault site ${unknown.join(', ')}${suggest(unknown[0] as string, known)}; 'mmlife list' shows them`);
    }
  }
  const program = scenario.build(kernel ? { params, kernel } : { params });
  const all: ExploreOptions = req.allExecutions ? { stopOnViolation: false, minimize: false, traces: false } : {};
  const options: ExploreOptions = { ...scenario.options, ...definedOnly(req), ...all };
  return { scenario, kernel, params, program, options };
}

function definedOnly(req: RunRequest): ExploreOptions {
  const o: Record<string, unknown> = {};
  for (const key of [
    'strategy', 'maxExecutions', 'maxSteps', 'timeBudgetMs', 'preemptionBound',
    'seed', 'pctDepth', 'maxFaults', 'faultSites', 'schedule',
  ] as const) {
    if (req[key] !== undefined) o[key] = req[key];
  }
  return o;
}

/**
 * The shell command that replays a schedule: every option that shapes one execution (the
 * kernel, patches, parameters, the step bound, the fault budget and sites), each word quoted
 * for a POSIX shell.
 */
export function replayCommand(req: RunRequest, schedule: string): string {
  const words = ['replay', req.scenario];
  if (req.kernel !== undefined) words.push('--kernel', req.kernel);
  if (req.patch !== undefined) words.push('--patch', req.patch);
  for (const [k, v] of Object.entries(req.params)) words.push('--param', `${k}=${v}`);
  if (req.maxSteps !== undefined) words.push('--max-steps', String(req.maxSteps));
  if (req.maxFaults !== undefined) words.push('--faults', String(req.maxFaults));
  if (req.faultSites !== undefined) words.push('--fault-sites', req.faultSites.join(','));
  words.push('--schedule', schedule);
  return ['npx mmlife', ...words.map(shellQuote)].join(' ');
}

/** One word for a POSIX shell: as it is when that is safe, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, "'\\''")}'`;
}
