/**
 * `mmlife weigh <scenario> [--kernel a,b,...]`: one scenario under several presets (default
 * v7.0 and every proposal), every execution explored (not stopping at the first violation), one
 * row per preset: the verdict and in how many executions it was violated, how the search ended,
 * and each metric's worst case with the number of executions where it was above 0. The
 * proposals weighed side by side (seed 002's debate).
 */
import type { ExploreResult } from '../engine/api.ts';
import { DEFAULT_PRESET, presetKind, presets } from '../kernel/config.ts';
import { UsageError } from './errors.ts';
import { EXIT, outcomeOf, STOP_TEXT } from './exit.ts';
import type { RunFlags } from './options.ts';
import { runRequest } from './options.ts';
import { resolveRequest, type RunRequest } from './request.ts';
import { runCounted } from './run.ts';
import { SCHEMA_VERSION } from './schema-version.ts';
import type { WeighReport } from './schemas.ts';

export interface WeighFlags extends RunFlags {
  readonly json?: boolean;
  readonly progress?: boolean;
}

/** v7.0 and every proposal, or the --kernel list (each name is checked when its request resolves). */
export function weighPresets(list?: string): string[] {
  if (list === undefined) return [DEFAULT_PRESET, ...presets.filter((p) => presetKind(p) === 'proposal')];
  const chosen = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (chosen.length === 0) throw new UsageError('--kernel needs at least one preset');
  return chosen;
}

export async function runWeigh(scenario: string, flags: WeighFlags): Promise<WeighReport> {
  const kernels = weighPresets(flags.kernel);
  const base = runRequest(scenario, { ...flags, kernel: undefined });
  const requests: RunRequest[] = kernels.map((kernel) => ({ ...base, kernel, allExecutions: true }));
  const resolved = requests.map((r) => resolveRequest(r)); // refuses bad input before any work
  const first = resolved[0]!;
  if (!first.kernel) throw new UsageError(`scenario ${first.scenario.id} does not model the kernel: there is nothing to weigh`);
  const results = await runCounted('weigh', 'presets', requests, { quiet: flags.json ?? false, log: flags.progress ?? false });
  const s = first.scenario;
  const rows = kernels.map((preset, i) => weighRow(preset, results[i], resolved[i]!.scenario.options ?? {}, resolved[i]!.options));
  // The scenario's documented metrics first, in its order; then any other one recorded.
  const names = [...new Set([...Object.keys(s.metricDocs ?? {}), ...rows.flatMap((r) => Object.keys(r.metrics))])]
    .filter((m) => rows.some((r) => m in r.metrics));
  return {
    schemaVersion: SCHEMA_VERSION,
    scenario: s.id,
    name: s.name,
    metrics: Object.fromEntries(names.map((m) => [m, s.metricDocs?.[m] ?? ''])),
    rows,
  };
}

function weighRow(preset: string, r: ExploreResult | undefined, declared: object, used: object): WeighReport['rows'][number] {
  if (!r) return { preset, verdict: 'not-run', coverage: null, executions: 0, violatingExecutions: 0, metrics: {} };
  // Every execution is explored: how the search ended is judged as if nothing had been found.
  const { verdict, stop } = outcomeOf({ ...r, violations: [] }, declared, used);
  const v = r.violations[0];
  return {
    preset,
    verdict: v ? 'violation' : verdict,
    coverage: stop,
    executions: r.executions,
    violatingExecutions: r.violatingExecutions,
    ...(v && { violation: { kind: v.kind, message: v.message } }),
    metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, max]) => [k, { max, executions: r.metricExecutions[k] ?? 0 }])),
  };
}

const n = (x: number): string => x.toLocaleString('en-US');

/** Text: a header, one row per preset, and a line per column saying what it measures. */
export function formatWeigh(w: WeighReport): string {
  const metricNames = Object.keys(w.metrics);
  const header = ['preset', 'verdict', 'coverage', 'executions', ...metricNames];
  const body = w.rows.map((r) => [
    r.preset,
    r.verdict === 'violation' ? `violation in ${n(r.violatingExecutions)}` : r.verdict,
    r.coverage ?? '-',
    n(r.executions),
    ...metricNames.map((m) => {
      const x = r.metrics[m];
      return x === undefined ? '-' : `${n(x.max)} (in ${n(x.executions)})`;
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [`weigh ${w.scenario}${w.name !== w.scenario ? ` (${w.name})` : ''}: every execution explored, not stopping at a violation`, ''];
  out.push(line(header), ...body.map(line), '');
  out.push('verdict: violation in N = N of the executions violated the property');
  const stops = [...new Set(w.rows.map((r) => r.coverage).filter((c) => c !== null))];
  out.push(`coverage: ${stops.map((c) => `${c} = ${STOP_TEXT[c]}`).join('; ')}`);
  for (const m of metricNames) out.push(`${m}: ${w.metrics[m] || 'a metric of the scenario'}; worst case (in how many executions above 0)`);
  for (const r of w.rows) {
    if (!r.violation) continue;
    const { kind, message } = r.violation;
    out.push(`${r.preset}: ${message.startsWith(`${kind}:`) ? '' : `${kind}: `}${message}`);
  }
  return out.join('\n');
}

/** Exit 0 when every preset's search completed (violations are the data here, not failures), 3 if one was cut short. */
export async function weighCommand(scenario: string, flags: WeighFlags): Promise<number> {
  const report = await runWeigh(scenario, flags);
  process.stdout.write((flags.json ? JSON.stringify(report, null, 2) : formatWeigh(report)) + '\n');
  return report.rows.some((r) => r.verdict === 'incomplete' || r.verdict === 'not-run') ? EXIT.INCOMPLETE : EXIT.OK;
}
