/**
 * The result of a `check` as text for people and as one JSON object for scripts
 * (DESIGN.md section 5).
 */
import type { ExploreResult, Trace, Violation } from '../engine/api.ts';
import { outcomeOf, STOP_TEXT } from './exit.ts';
import { SCHEMA_VERSION } from './schema-version.ts';
import type { CheckReport } from './schemas.ts';
import type { Resolved, RunRequest } from './request.ts';
import { replayCommand } from './request.ts';

export function checkReport(req: RunRequest, resolved: Resolved, result: ExploreResult, render: (t: Trace) => string): CheckReport {
  const v: Violation | undefined = result.violations[0];
  const { verdict, stop } = outcomeOf(result, resolved.scenario.options ?? {}, resolved.options);
  return {
    schemaVersion: SCHEMA_VERSION,
    scenario: resolved.scenario.id,
    name: resolved.scenario.name,
    kernel: req.kernel ?? null,
    patch: req.patch ?? null,
    params: resolved.params,
    strategy: result.strategy,
    verdict,
    exhaustive: result.coverage === 'exhaustive',
    coverage: stop,
    search: result.coverage,
    executions: result.executions,
    blocked: result.blocked,
    steps: result.steps,
    elapsedMs: Math.round(result.elapsedMs),
    metrics: result.metrics,
    ...(v && {
      violation: {
        foundMs: Math.round(result.firstViolationMs ?? result.elapsedMs),
        kind: v.kind,
        message: v.message,
        schedule: v.schedule,
        table: v.trace ? render(v.trace) : '',
        replay: replayCommand(req, v.schedule),
        ...(v.metrics && { metrics: v.metrics }),
      },
    }),
  };
}

const n = (x: number): string => x.toLocaleString('en-US');

export function formatCheckReport(r: CheckReport): string {
  const lines: string[] = [];
  const params = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ');
  const head = [r.scenario, r.name !== r.scenario ? `(${r.name})` : '', params, r.kernel ? `kernel ${r.kernel}` : '',
    r.patch ? `patch ${r.patch}` : ''].filter(Boolean).join(' ');
  lines.push(head);
  const rate = r.elapsedMs > 0 ? ` (${n(Math.round((r.executions * 1000) / r.elapsedMs))} executions/s)` : '';
  lines.push(
    `strategy ${r.strategy}, ${STOP_TEXT[r.coverage]}: ${n(r.executions)} executions, ${n(r.blocked)} blocked, ` +
      `${n(r.steps)} steps in ${(r.elapsedMs / 1000).toFixed(2)} s${rate}`,
  );
  for (const [k, v] of Object.entries(r.metrics)) lines.push(`metric ${k}: max ${n(v)}`);
  if (r.verdict === 'incomplete') {
    lines.push('verdict: incomplete (no violation in what was explored, but the search was cut short: a sample, not a proof)');
    return lines.join('\n');
  }
  if (!r.violation) {
    lines.push(r.exhaustive ? 'verdict: pass (no violation in any execution)' : 'verdict: pass (no violation within the bound)');
    return lines.join('\n');
  }
  const v = r.violation;
  lines.push(`verdict: violation (${v.kind}): ${v.message}`);
  if (r.elapsedMs > 0) lines.push(`found after ${(v.foundMs / 1000).toFixed(2)} s; the rest was minimising its schedule`);
  lines.push('');
  if (v.table) lines.push(v.table, '');
  if (v.metrics) for (const [k, x] of Object.entries(v.metrics)) lines.push(`metric ${k} in this execution: ${n(x)}`);
  lines.push(`replay: ${v.replay}`);
  return lines.join('\n');
}
