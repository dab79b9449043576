/**
 * Renders a trace the way kernel commit messages show races: one column per CPU (thread),
 * headed "CPU n (name)", one line per step, "function: what" with the innermost model
 * function; notes appear verbatim. Also a Mermaid sequenceDiagram export.
 */
import type { Trace, TraceStep } from './api.ts';
import { TICK } from './schedule.ts';

/** What a step did, in a few words ("load mm_users = 2", a note's text verbatim). */
export function describeStep(s: TraceStep): string {
  const obj = s.obj ?? '';
  const v = s.value ?? '';
  switch (s.op) {
    case 'note':
    case 'violation':
      return s.text ?? '';
    case 'load':
      return `load ${obj} = ${v}`;
    case 'store':
      return `store ${obj} = ${v}`;
    case 'rmw':
      // A structure without a short rendering (a maple tree) mutated in place: say less.
      return v === 'now object' || v === 'object -> object' ? `update ${obj}` : `update ${obj}: ${v}`;
    case 'cas':
      return `cmpxchg ${obj}: ${v}`;
    case 'await':
      return `wait ${obj} = ${v}`;
    case 'acquire':
      return v === 'waits' ? `lock ${obj} (waits)` : `lock ${obj}`;
    case 'tryacquire':
      return `trylock ${obj} -> ${v}`;
    case 'release':
      return `unlock ${obj}`;
    case 'spawn':
      return `start ${v}`;
    case 'join':
      return `wait for ${v} to exit`;
    case 'sleep_until':
      return `sleep ${v}`;
    case 'jiffies':
      return `jiffies = ${v}`;
    case 'choose':
      return `choose ${obj} = ${v}`;
    case 'fault':
      return `${obj} fails`;
    case 'tick':
      return `timer tick: ${v}`;
    default:
      return [s.op, obj, v].filter((x) => x !== '').join(' ');
  }
}

/** One table line for a step: "function: what", or just "what" outside any model function. */
export function stepLine(s: TraceStep): string {
  const fn = s.stack[s.stack.length - 1];
  const what = describeStep(s);
  return fn === undefined ? what : `${fn}: ${what}`;
}

export interface TableOptions {
  /** Appended in the column of the thread that took the last step (e.g. the violation). */
  readonly finalLine?: string;
  /** Blank columns between CPU columns (default 2). */
  readonly gap?: number;
  /**
   * Every step (default false). The default table is the one a commit message wants: thread
   * 0's setup before its first spawn collapses into one line, and plain reads and thread
   * starts are left out, except each thread's last step (where a violation usually happens)
   * and a read that another CPU's write of the same object follows (the read it made stale).
   */
  readonly full?: boolean;
}

/** Ops the compact table leaves out: they change nothing another CPU could see. */
const QUIET_OPS: ReadonlySet<string> = new Set(['load', 'await', 'jiffies', 'spawn']);
const WRITE_OPS: ReadonlySet<string> = new Set(['store', 'rmw', 'cas']);

/** The steps a compact view shows (TableOptions.full), shared by the CLI table and the viewer. */
export interface CompactSteps {
  /** Thread 0's steps before its first spawn: the setup, shown as one line (0: none). */
  readonly setupEnd: number;
  /** Indices of the steps after the setup that are shown, in order. */
  readonly shown: readonly number[];
}

export function compactSteps(steps: readonly TraceStep[]): CompactSteps {
  const firstSpawn = steps.findIndex((s) => s.tid === 0 && s.op === 'spawn');
  const setupEnd = firstSpawn < 0 ? 0 : firstSpawn;
  const lastOfThread = new Map<number, number>();
  steps.forEach((s, i) => {
    if (s.op !== 'violation') lastOfThread.set(s.tid, i);
  });
  const shown: number[] = [];
  for (let i = setupEnd; i < steps.length; i++) {
    const s = steps[i]!;
    if (!QUIET_OPS.has(s.op) || lastOfThread.get(s.tid) === i || isStaleRead(steps, i)) shown.push(i);
  }
  return { setupEnd, shown };
}

/** A load whose object another thread writes before the loading thread touches it again. */
function isStaleRead(steps: readonly TraceStep[], i: number): boolean {
  const s = steps[i]!;
  if (s.op !== 'load' || s.obj === undefined) return false;
  for (let j = i + 1; j < steps.length; j++) {
    const n = steps[j]!;
    if (n.obj !== s.obj) continue;
    if (n.tid === s.tid) return false;
    if (WRITE_OPS.has(n.op)) return true;
  }
  return false;
}

/** The rows of the table: (column, text) per shown step. */
function tableRows(trace: Trace, full: boolean): { col: number; text: string }[] {
  const rows: { col: number; text: string }[] = [];
  const { setupEnd, shown } = full ? { setupEnd: 0, shown: trace.steps.map((_, i) => i) } : compactSteps(trace.steps);
  if (setupEnd > 0) rows.push({ col: 0, text: `(setup through system calls: ${setupEnd} steps)` });
  for (const i of shown) {
    const s = trace.steps[i]!;
    rows.push({
      col: s.tid === TICK ? 0 : s.tid,
      text: s.tid === TICK ? `[timer] ${describeStep(s)}` : stepLine(s),
    });
  }
  return rows;
}

/** A column's heading: "CPU n (name)". */
export function cpuHeader(trace: Trace, col: number): string {
  return `CPU ${col} (${trace.threads[col] ?? '?'})`;
}

/**
 * One line of a column layout: each cell at its column's start (columns @cols of @widths,
 * @gap blanks apart); a longer cell pushes the rest right; no trailing blanks.
 */
export function columnRow(cols: readonly number[], widths: ReadonlyMap<number, number>, gap: number, cells: ReadonlyMap<number, string>): string {
  let out = '';
  let pending = '';
  for (const c of cols) {
    const cell = cells.get(c) ?? '';
    if (cell !== '') {
      out += pending + cell;
      pending = ' '.repeat(Math.max(0, widths.get(c)! - cell.length) + gap);
    } else pending += ' '.repeat(widths.get(c)! + gap);
  }
  return out;
}

/** The per-CPU table of a trace. Timer ticks take a line in column 0, marked "[timer]". */
export function formatTable(trace: Trace, options: TableOptions = {}): string {
  const gap = options.gap ?? 2;
  const rows = tableRows(trace, options.full ?? false);
  if (options.finalLine !== undefined) {
    const last = trace.steps[trace.steps.length - 1];
    rows.push({ col: last === undefined || last.tid === TICK ? 0 : last.tid, text: options.finalLine });
  }
  const used = new Set(rows.map((r) => r.col));
  const cols = trace.threads.map((_, i) => i).filter((i) => used.has(i));
  if (cols.length === 0) return '';
  const header = (i: number): string => cpuHeader(trace, i);
  const width = new Map<number, number>();
  for (const c of cols) width.set(c, header(c).length);
  for (const r of rows) width.set(r.col, Math.max(width.get(r.col) ?? 0, r.text.length));
  const line = (cells: Map<number, string>): string => columnRow(cols, width, gap, cells);
  const lines = [line(new Map(cols.map((c) => [c, header(c)])))];
  for (const r of rows) lines.push(line(new Map([[r.col, r.text]])));
  return lines.join('\n');
}

/** The trace as a Mermaid sequenceDiagram: one participant per CPU, a note per step. */
export function formatMermaid(trace: Trace, options: TableOptions = {}): string {
  const id = (i: number): string => `CPU${i}`;
  const esc = (t: string): string => t.replace(/[;#]/g, (c) => `#${c.charCodeAt(0)};`);
  const out = ['sequenceDiagram'];
  trace.threads.forEach((name, i) => out.push(`  participant ${id(i)} as CPU ${i} (${esc(name)})`));
  let lastCol = 0;
  for (const s of trace.steps) {
    const col = s.tid === TICK ? 0 : s.tid;
    lastCol = col;
    const text = s.tid === TICK ? `[timer] ${describeStep(s)}` : stepLine(s);
    out.push(`  Note over ${id(col)}: ${esc(text)}`);
  }
  if (options.finalLine !== undefined) out.push(`  Note over ${id(lastCol)}: ${esc(options.finalLine)}`);
  return out.join('\n');
}
