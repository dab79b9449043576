/**
 * `mmlife matrix`: every kernel scenario under every preset it declares an expectation for,
 * compared with that expectation. One line per scenario, a cell per preset. Exit 0 only if
 * every cell is as expected.
 */
import { availableParallelism } from 'node:os';
import type { ExploreResult } from '../engine/api.ts';
import { presets } from '../kernel/config.ts';
import { scenarios } from '../scenarios/index.ts';
import type { Verdict } from '../scenarios/types.ts';
import { UsageError } from './errors.ts';
import type { RunRequest } from './request.ts';
import { clearProgress, runRequests } from './run.ts';

export interface MatrixCell {
  readonly scenario: string;
  readonly kernel: string;
  readonly expected: Verdict;
  readonly verdict: Verdict;
  readonly asExpected: boolean;
  readonly coverage: ExploreResult['coverage'];
  readonly executions: number;
  readonly elapsedMs: number;
  /** foundMs: when the search found it (elapsedMs also counts minimising its schedule). */
  readonly violation?: { readonly foundMs: number; readonly kind: string; readonly message: string; readonly schedule: string };
  readonly metrics: Readonly<Record<string, number>>;
}

export interface MatrixFlags {
  readonly json?: boolean;
  readonly only?: string;
}

/** The cells to run, in scenario order and, within one, in release order. */
export function matrixRequests(only?: readonly string[]): RunRequest[] {
  const order = presets;
  const rank = (p: string): number => (order.includes(p) ? order.indexOf(p) : order.length);
  const chosen = scenarios.filter((s) => s.kernel && s.expect && (!only || only.includes(s.id) || only.includes(s.name)));
  if (only) {
    const missing = only.filter((o) => !chosen.some((s) => s.id === o || s.name === o));
    if (missing.length) throw new UsageError(`no kernel scenario with an expectation named ${missing.join(', ')}`);
  }
  return chosen.flatMap((s) =>
    Object.keys(s.expect ?? {})
      .sort((a, b) => rank(a) - rank(b))
      .map((kernel) => ({ scenario: s.id, kernel, params: {} })),
  );
}

export async function runMatrix(flags: MatrixFlags): Promise<{ cells: MatrixCell[]; ok: boolean }> {
  const only = flags.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const requests = matrixRequests(only);
  const tty = process.stderr.isTTY && !flags.json;
  let finished = 0;
  const results = await runRequests(
    requests,
    {
      onResult: () => {
        finished++;
        if (tty) process.stderr.write(`\rmatrix: ${finished}/${requests.length} cells`);
      },
    },
    availableParallelism(),
  );
  if (tty) clearProgress();
  const cells = requests.map((req, i): MatrixCell => {
    const r = results[i] as ExploreResult;
    const scenario = scenarios.find((s) => s.id === req.scenario);
    const expected: Verdict = scenario?.expect?.[req.kernel as string] ?? 'pass';
    const v = r.violations[0];
    const verdict: Verdict = v ? 'violation' : 'pass';
    return {
      scenario: req.scenario,
      kernel: req.kernel as string,
      expected,
      verdict,
      asExpected: verdict === expected,
      coverage: r.coverage,
      executions: r.executions,
      elapsedMs: Math.round(r.elapsedMs),
      ...(v && { violation: { foundMs: Math.round(r.firstViolationMs ?? r.elapsedMs), kind: v.kind, message: v.message, schedule: v.schedule } }),
      metrics: r.metrics,
    };
  });
  return { cells, ok: cells.every((c) => c.asExpected) };
}

/** Text: a row per scenario; 'race' / 'clean' per preset, '!' marking a cell not as expected. */
export function formatMatrix(cells: readonly MatrixCell[]): string {
  const order = presets;
  const used = order.filter((p) => cells.some((c) => c.kernel === p));
  const ids = [...new Set(cells.map((c) => c.scenario))];
  const idWidth = Math.max(8, ...ids.map((i) => i.length));
  // Each column as wide as its preset's name ('clean!' at least), so the proposals' long names
  // widen only their own columns.
  const widths = used.map((p) => Math.max('clean!'.length, p.length) + 1);
  const lines = [''.padEnd(idWidth) + '  ' + used.map((p, i) => p.padEnd(widths[i]!)).join('') + 'name'];
  for (const id of ids) {
    const row = used.map((p, i) => {
      const c = cells.find((x) => x.scenario === id && x.kernel === p);
      if (!c) return '.'.padEnd(widths[i]!);
      const mark = c.verdict === 'violation' ? 'race' : 'clean';
      return (c.asExpected ? mark : `${mark}!`).padEnd(widths[i]!);
    });
    const name = scenarios.find((s) => s.id === id)?.name ?? '';
    lines.push(id.padEnd(idWidth) + '  ' + row.join('') + name);
  }
  const bad = cells.filter((c) => !c.asExpected);
  const total = cells.reduce((t, c) => t + c.elapsedMs, 0);
  lines.push(
    '',
    "race = a violation was found; clean = none found; '!' = not what the scenario expects on that release",
    `${cells.length - bad.length} passed, ${bad.length} failed`,
    `(${cells.length} cells in ${(total / 1000).toFixed(1)} s of exploration)`,
  );
  for (const c of bad) {
    lines.push(
      `MISMATCH ${c.scenario} on ${c.kernel}: expected ${c.expected}, got ${c.verdict}` +
        (c.violation ? ` (${c.violation.kind}: ${c.violation.message})` : ` (${c.coverage}, ${c.executions} executions)`),
    );
  }
  return lines.join('\n');
}

export async function matrixCommand(flags: MatrixFlags): Promise<number> {
  const { cells, ok } = await runMatrix(flags);
  if (flags.json) {
    const passed = cells.filter((c) => c.asExpected).length;
    process.stdout.write(JSON.stringify({ ok, passed, failed: cells.length - passed, cells }, null, 2) + '\n');
  } else {
    process.stdout.write(formatMatrix(cells) + '\n');
  }
  return ok ? 0 : 1;
}
