/**
 * `mmlife matrix`: every kernel scenario under every preset it declares an expectation for,
 * compared with that expectation. One line per scenario, a cell per preset. Exit 0 only if
 * every cell is as expected, 1 if one is not, 3 if none is wrong but some were cut short or not
 * run (Ctrl-C).
 */
import type { ExploreResult } from '../engine/api.ts';
import { presets } from '../kernel/config.ts';
import { scenarios } from '../scenarios/index.ts';
import type { Verdict } from '../scenarios/types.ts';
import { UsageError } from './errors.ts';
import { EXIT, outcomeOf } from './exit.ts';
import type { RunRequest } from './request.ts';
import { SCHEMA_VERSION } from './schema-version.ts';
import type { MatrixCell, MatrixReport } from './schemas.ts';
import { runCounted } from './run.ts';

/**
 * A cell against its expectation: 'incomplete' (cut short, nothing found) and 'not-run'
 * (interrupted before it started) say nothing either way.
 */
export type CellStatus = MatrixCell['status'];

export interface MatrixFlags {
  readonly json?: boolean;
  readonly only?: string;
  readonly progress?: boolean;
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
  const results = await runCounted('matrix', 'cells', requests, { quiet: flags.json ?? false, log: flags.progress ?? false });
  const cells = requests.map((req, i) => matrixCell(req, results[i]));
  return { cells, ok: cells.every((c) => c.asExpected) };
}

function matrixCell(req: RunRequest, r: ExploreResult | undefined): MatrixCell {
  const scenario = scenarios.find((s) => s.id === req.scenario);
  const expected: Verdict = scenario?.expect?.[req.kernel as string] ?? 'pass';
  const where = { scenario: req.scenario, kernel: req.kernel as string, expected };
  if (!r) {
    return { ...where, verdict: 'not-run', status: 'not-run', asExpected: false, coverage: null, executions: 0, elapsedMs: 0, metrics: {} };
  }
  const declared = scenario?.options ?? {};
  const { verdict, stop } = outcomeOf(r, declared, declared);
  const status: CellStatus = verdict === 'incomplete' ? 'incomplete' : verdict === expected ? 'as-expected' : 'mismatch';
  const v = r.violations[0];
  return {
    ...where,
    verdict,
    status,
    asExpected: status === 'as-expected',
    coverage: stop,
    executions: r.executions,
    elapsedMs: Math.round(r.elapsedMs),
    ...(v && { violation: { foundMs: Math.round(r.firstViolationMs ?? r.elapsedMs), kind: v.kind, message: v.message, schedule: v.schedule } }),
    metrics: r.metrics,
  };
}

const CELL_MARK: Readonly<Record<MatrixCell['verdict'], string>> = {
  violation: 'race',
  pass: 'clean',
  incomplete: 'cut',
  'not-run': '-',
};

export function countCells(cells: readonly MatrixCell[]): Record<CellStatus, number> {
  const n: Record<CellStatus, number> = { 'as-expected': 0, mismatch: 0, incomplete: 0, 'not-run': 0 };
  for (const c of cells) n[c.status]++;
  return n;
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
      const mark = CELL_MARK[c.verdict];
      return (c.status === 'mismatch' ? `${mark}!` : mark).padEnd(widths[i]!);
    });
    const s = scenarios.find((x) => x.id === id);
    const kind = s?.kind === 'by-design' ? '  [by design: the race is the documented behaviour]'
      : s?.kind === 'metric' ? '  [metric: a threshold on a measured quantity]' : '';
    lines.push(id.padEnd(idWidth) + '  ' + row.join('') + (s?.name ?? '') + kind);
  }
  const n = countCells(cells);
  const total = cells.reduce((t, c) => t + c.elapsedMs, 0);
  lines.push(
    '',
    "race = a violation was found; clean = none in a complete search; '!' = not what the scenario expects on that release;",
    "cut = cut short with nothing found (no verdict); - = not run (interrupted); . = no expectation for that release (no cell)",
    `${n['as-expected']} as expected, ${n.mismatch} not as expected` +
      (n.incomplete ? `, ${n.incomplete} incomplete` : '') + (n['not-run'] ? `, ${n['not-run']} not run` : ''),
    `(${cells.length - n['not-run']} of ${cells.length} cells explored in ${(total / 1000).toFixed(1)} s of exploration)`,
  );
  for (const c of cells.filter((x) => x.status === 'mismatch')) {
    lines.push(
      `MISMATCH ${c.scenario} on ${c.kernel}: expected ${c.expected}, got ${c.verdict}` +
        (c.violation ? ` (${c.violation.kind}: ${c.violation.message})` : ` (${c.coverage}, ${c.executions} executions)`),
    );
  }
  return lines.join('\n');
}

/** The matrix's exit status: any mismatch is 1; otherwise a cut or unrun cell is 3. */
export function matrixExitStatus(cells: readonly MatrixCell[]): number {
  const n = countCells(cells);
  if (n.mismatch > 0) return EXIT.VIOLATION;
  return n.incomplete + n['not-run'] > 0 ? EXIT.INCOMPLETE : EXIT.OK;
}

export async function matrixCommand(flags: MatrixFlags): Promise<number> {
  const { cells, ok } = await runMatrix(flags);
  if (flags.json) {
    const n = countCells(cells);
    const report: MatrixReport = {
      schemaVersion: SCHEMA_VERSION, ok, passed: n['as-expected'], failed: n.mismatch, incomplete: n.incomplete, notRun: n['not-run'], cells,
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    process.stdout.write(formatMatrix(cells) + '\n');
  }
  return matrixExitStatus(cells);
}
