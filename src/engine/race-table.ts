/**
 * The race as kernel developers draw it (the default table of `check` and `replay`): only the
 * steps the violation depends on, one line per kernel call with call nesting by indentation,
 * `[...]` where a column's steps were left out, at most `width` columns (text wraps inside its
 * column) and about `maxRows` rows. `formatTable()` keeps the step-by-step view (`--full`).
 *
 * Which steps: the violation itself, every injected failure, the model's annotations (notes),
 * and the cross-CPU data hand-offs into the failing CPU: for each object the failing CPU read
 * or updated, the last write of it by another CPU, with the access that saw it (unless that
 * write initialised the object); nearest to the violation first, as many as fit. Lock
 * hand-offs only order the data ones and are left out.
 */
import type { Trace, TraceStep } from './api.ts';
import { TICK } from './schedule.ts';
import { columnRow, cpuHeader } from './table.ts';

export interface RaceTableOptions {
  /** Total width in characters (default 75; 0: unlimited). */
  readonly width?: number;
  /** Row budget (default 24, counting the header); the farthest hand-offs go first. */
  readonly maxRows?: number;
  /** Only these CPU columns (thread ids), if given. */
  readonly cpus?: readonly number[];
  /** Keep only key steps within this many steps of the violation (a window around the race). */
  readonly around?: number;
}

/** Data writes and reads: the hand-offs a race is made of (lock hand-offs only order them). */
const WRITES: ReadonlySet<string> = new Set(['store', 'rmw', 'cas']);
const ACCESSES: ReadonlySet<string> = new Set(['load', 'await', 'store', 'rmw', 'cas']);
const GAP = 2;
/** A word may run this far past its column (wrap()); the layout keeps the room for it. */
const SLACK = 2;

const column = (s: TraceStep): number => (s.tid === TICK ? 0 : s.tid);

/** The object's last component: `mm#2.mm_users` -> `mm_users`, `mm#2->mmap_lock` -> `mmap_lock`. */
function field(obj: string | undefined): string {
  if (obj === undefined) return '';
  const cut = Math.max(obj.lastIndexOf('.'), obj.lastIndexOf('->') + 1);
  return cut > 0 ? obj.slice(cut + 1) : obj;
}

/** What a key step says after its function's name. */
function detail(s: TraceStep, fn: string | undefined): string {
  const v = s.value ?? '';
  switch (s.op) {
    case 'violation':
    case 'note': {
      let t = s.text ?? '';
      if (fn !== undefined && t.startsWith(`${fn}: `)) t = t.slice(fn.length + 2);
      if (s.op !== 'violation') return t;
      // The verdict line above the table has the whole message: here its first clause, and of
      // "BUG: what: detail: ..." the first and last parts.
      const parts = t.split('; ')[0]!.split(': ');
      return parts.length >= 3 ? `${parts[0]}: ${parts[parts.length - 1]}` : parts.join(': ');
    }
    case 'fault':
      return 'fails';
    case 'rmw':
    case 'cas': {
      const m = /^(.*) -> (.*)$/.exec(v);
      if (m && m[1] === m[2]) return fn?.endsWith('_not_zero') ? 'fails' : `${field(s.obj)} stays ${m[1]}`;
      return v === 'now object' || v === 'object -> object' ? `updates ${field(s.obj)}` : `${field(s.obj)}: ${v}`;
    }
    case 'store':
      return `${field(s.obj)} = ${v}`;
    case 'load':
    case 'await':
      return v === 'object' || v === '' ? `reads ${field(s.obj)}` : `reads ${field(s.obj)} = ${v}`;
    case 'acquire':
      return `lock ${field(s.obj)}${v === 'waits' ? ' (waits)' : ''}`;
    case 'tryacquire':
      return v === 'false' ? `trylock ${field(s.obj)} fails` : `trylock ${field(s.obj)}`;
    case 'release':
      return `unlock ${field(s.obj)}`;
    default:
      return [s.op, field(s.obj), v].filter((x) => x !== '').join(' ');
  }
}

/** An operation that failed: an injected fault, a failed trylock, a get_*_not_zero() at zero. */
function failed(s: TraceStep): boolean {
  if (s.op === 'fault') return true;
  if (s.op === 'tryacquire') return s.value === 'false';
  const fn = s.stack[s.stack.length - 1] ?? '';
  if (s.op !== 'rmw' || !fn.endsWith('_not_zero')) return false;
  const m = /^(.*) -> (.*)$/.exec(s.value ?? '');
  return m !== null && m[1] === m[2];
}

/** A scenario's own bookkeeping (prims.ts newLoc: a `scenario:` name), never a key step. */
const bookkeeping = (s: TraceStep): boolean => s.obj?.startsWith('scenario:') === true;

/** Key steps in priority order (most important first), and each hand-off's reader -> writer. */
function keySteps(steps: readonly TraceStep[], writerOf?: Map<number, number>): number[] {
  const last = steps.length - 1;
  if (last < 0) return [];
  const failing = steps[last]!.tid;
  const keys: number[] = [last];
  // Failures: injected ones, a failed trylock, a get that found the count at zero.
  for (let i = 0; i < last; i++) if (failed(steps[i]!)) keys.push(i);
  // Hand-offs into the failing CPU, nearest first: the other CPU's write, then the access.
  const handoffs: { w: number; r: number }[] = [];
  for (let r = last - 1; r >= 0; r--) {
    const s = steps[r]!;
    if (s.tid !== failing || !ACCESSES.has(s.op) || s.obj === undefined) continue;
    for (let w = r - 1; w >= 0; w--) {
      const x = steps[w]!;
      if (x.obj !== s.obj) continue;
      if (x.tid === failing) break; // the failing CPU wrote it last itself
      if (WRITES.has(x.op)) {
        handoffs.push({ w, r });
        break;
      }
    }
  }
  // The first write of an object is its initialisation (mm_init() setting pgd): publishing a
  // new object is not a race, so such hand-offs are left out.
  const firstWrite = new Map<string, number>();
  steps.forEach((x, i) => {
    if (x.obj !== undefined && WRITES.has(x.op) && !firstWrite.has(x.obj)) firstWrite.set(x.obj, i);
  });
  // Writes of the setup (thread 0 before it starts the actors) built the processes: not a race.
  const setupEnd = steps.findIndex((x) => x.tid === 0 && x.op === 'spawn');
  for (const h of handoffs) {
    if (firstWrite.get(steps[h.w]!.obj!) === h.w || h.w <= setupEnd) continue;
    keys.push(h.w, h.r);
    writerOf?.set(h.r, h.w);
  }
  // The model's annotations of the other CPUs (what a failed path left behind), nearest first.
  for (let i = last - 1; i >= 0; i--) if (steps[i]!.op === 'note' && steps[i]!.tid !== failing) keys.push(i);
  for (let i = last - 1; i >= 0; i--) if (steps[i]!.op === 'note' && steps[i]!.tid === failing) keys.push(i);
  // Where every other CPU was when it happened.
  const seen = new Set<number>([failing]);
  for (let i = last - 1; i >= 0; i--) {
    const t = steps[i]!.tid;
    if (!seen.has(t) && t !== TICK && steps[i]!.stack.length > 0) {
      seen.add(t);
      keys.push(i);
    }
  }
  return [...new Set(keys)].filter((i) => i === last || !bookkeeping(steps[i]!));
}

interface Line {
  readonly col: number;
  readonly step: number;
  readonly indent: number;
  readonly text: string;
}

/**
 * The lines of each column for a set of key steps: a key step prints its innermost function
 * with its detail; the frames above it print when they are the column's entry or where two
 * key steps' calls part; `[...]` marks left-out steps that changed something.
 */
function render(steps: readonly TraceStep[], keys: ReadonlySet<number>): Line[] {
  const byCol = new Map<number, number[]>();
  for (const i of [...keys].sort((a, b) => a - b)) {
    const c = column(steps[i]!);
    byCol.set(c, [...(byCol.get(c) ?? []), i]);
  }
  const lines: Line[] = [];
  for (const [col, idx] of byCol) {
    // A frame (by depth and name along the path) is shown if it is the entry, the innermost
    // frame of a key step, or where the paths of two key steps part.
    const paths = idx.map((i) => steps[i]!.stack);
    const prefix = (p: readonly string[], n: number): string => p.slice(0, n).join('>');
    const shown = (path: readonly string[], d: number): boolean => {
      if (d === 0 || d === path.length - 1) return true;
      const here = prefix(path, d + 1);
      // the call of another key step here, or where two key steps' calls part
      if (paths.some((p) => p.length === d + 1 && prefix(p, d + 1) === here)) return true;
      return paths.some((p) => p.length > d && prefix(p, d) === prefix(path, d) && p[d] !== path[d]);
    };
    let printed: string[] = []; // frames printed on the current path, outermost first
    let prevStep = -1;
    for (const i of idx) {
      const s = steps[i]!;
      const path = s.stack;
      if (prevStep >= 0 && hiddenChange(steps, col, prevStep, i, keys)) {
        lines.push({ col, step: i, indent: Math.min(printed.length, 1), text: '[...]' });
      }
      prevStep = i;
      const frames = path.map((f, d) => ({ f, d })).filter(({ d }) => shown(path, d)).map(({ f, d }) => `${d}:${f}`);
      let common = 0;
      while (common < printed.length && common < frames.length && printed[common] === frames[common]) common++;
      if (common === frames.length && frames.length > 0) {
        // The step is in a call already on the table: its detail goes under it.
        printed = printed.slice(0, common);
        lines.push({ col, step: i, indent: frames.length, text: detail(s, path[path.length - 1]) });
        continue;
      }
      printed = printed.slice(0, common);
      for (let k = common; k < frames.length - 1; k++) {
        lines.push({ col, step: i, indent: k, text: `${frames[k]!.slice(frames[k]!.indexOf(':') + 1)}()` });
        printed.push(frames[k]!);
      }
      const fn = path[path.length - 1];
      const what = detail(s, fn);
      const inner = frames[frames.length - 1];
      const text = fn === undefined ? what : what === '' ? `${fn}()` : `${fn}() ${what}`;
      lines.push({ col, step: i, indent: Math.max(0, frames.length - 1), text });
      if (inner !== undefined) printed.push(inner);
    }
  }
  return lines.sort((a, b) => a.step - b.step || a.col - b.col);
}

/** Did the column change something between two of its key steps that the table leaves out? */
function hiddenChange(steps: readonly TraceStep[], col: number, from: number, to: number, keys: ReadonlySet<number>): boolean {
  let n = 0;
  for (let i = from + 1; i < to; i++) {
    const s = steps[i]!;
    if (column(s) === col && !keys.has(i) && WRITES.has(s.op)) n++;
  }
  return n >= 3;
}

/**
 * Breaks @text into a first piece of at most @first characters and further ones of at most
 * @rest, at spaces where it can. A word is cut only when it alone is too long, and never just
 * before its last two characters (`mmget_not_zero()` stays whole): the callers leave that slack.
 */
function wrap(text: string, first: number, rest: number): string[] {
  const out: string[] = [];
  let left = text;
  for (let w = first; left.length > w + SLACK || (left.length > w && left.indexOf(' ') >= 0 && left.indexOf(' ') <= w); w = rest) {
    let cut = left.lastIndexOf(' ', w);
    if (cut <= 0) {
      const word = left.indexOf(' ') < 0 ? left.length : left.indexOf(' ');
      cut = word <= w + SLACK ? word : w;
    }
    out.push(left.slice(0, cut).trimEnd());
    left = left.slice(cut).trimStart();
  }
  if (left !== '' || out.length === 0) out.push(left);
  return out;
}

/**
 * The columns' widths within @width (0: unlimited): what each needs in full if that fits; else
 * each first gets what it @need s (its words are not cut), or equal shares when even that does
 * not fit, and the room left is shared out equally, none beyond its full width.
 */
function columnWidths(cols: readonly number[], full: ReadonlyMap<number, number>, need: ReadonlyMap<number, number>, width: number): Map<number, number> {
  const sum = (m: ReadonlyMap<number, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  const room = width - GAP * (cols.length - 1);
  if (width <= 0 || sum(full) <= room) return new Map(full);
  const widths = new Map(cols.map((c) => [c, Math.min(full.get(c)!, need.get(c)!)]));
  if (sum(widths) > room) for (const c of cols) widths.set(c, Math.floor(room / cols.length));
  let spare = room - sum(widths);
  for (let open = cols.filter((c) => widths.get(c)! < full.get(c)!); spare > 0 && open.length > 0; open = open.filter((c) => widths.get(c)! < full.get(c)!)) {
    const share = Math.max(1, Math.floor(spare / open.length));
    for (const c of open) {
      const add = Math.min(share, full.get(c)! - widths.get(c)!, spare);
      widths.set(c, widths.get(c)! + add);
      spare -= add;
    }
  }
  return widths;
}

/** Lays the lines out in columns; returns the table's text lines. */
function layout(trace: Trace, lines: readonly Line[], width: number): string[] {
  const cols = [...new Set(lines.map((l) => l.col))].sort((a, b) => a - b);
  if (cols.length === 0) return [];
  const header = (c: number): string => cpuHeader(trace, c);
  const natural = new Map(cols.map((c) => [c, Math.max(header(c).length, ...lines.filter((l) => l.col === c).map((l) => 2 * l.indent + l.text.length))]));
  // the least a column can take: its heading (up to 12) and its longest word at its indentation
  const need = new Map(cols.map((c) => [c, Math.max(Math.min(12, header(c).length),
    ...lines.filter((l) => l.col === c).map((l) => 2 * l.indent + SLACK + Math.max(...l.text.split(' ').map((x) => x.length))))]));
  const widths = columnWidths(cols, natural, need, width);
  const row = (cells: ReadonlyMap<number, string>): string => columnRow(cols, widths, GAP, cells);
  const out = [row(new Map(cols.map((c) => [c, header(c).slice(0, widths.get(c))])))];
  for (const l of lines) {
    const pad = ' '.repeat(2 * l.indent);
    const w = widths.get(l.col)!;
    // continuation lines two columns further in
    let pieces = wrap(l.text, Math.max(8, w - SLACK - pad.length), Math.max(8, w - SLACK - pad.length - 2));
    // The failing step's message is in full on the verdict line: three lines of it here.
    if (l.step === trace.steps.length - 1 && pieces.length > 3) pieces = [...pieces.slice(0, 2), `${pieces[2]!.slice(0, Math.max(0, w - SLACK - pad.length - 8))} [...]`];
    pieces.forEach((p, k) => out.push(row(new Map([[l.col, (k === 0 ? pad : `${pad}  `) + p]]))));
  }
  return out;
}

/** The key steps that fit the row budget, chosen in priority order, and the table they make. */
function chooseKeys(trace: Trace, options: RaceTableOptions, writerOf?: Map<number, number>): { keys: Set<number>; table: string[] } {
  const width = options.width ?? 75;
  const maxRows = options.maxRows ?? 24;
  const steps = trace.steps;
  const last = steps.length - 1;
  let candidates = keySteps(steps, writerOf);
  if (options.cpus) candidates = candidates.filter((i) => options.cpus!.includes(column(steps[i]!)));
  if (options.around !== undefined) candidates = candidates.filter((i) => last - i <= options.around!);
  let keys = new Set<number>();
  let table: string[] = [];
  for (const k of candidates) {
    const next = new Set([...keys, k]);
    const t = layout(trace, render(steps, next), width);
    if (t.length > maxRows && keys.size > 0) continue;
    keys = next;
    table = t;
  }
  return { keys, table };
}

/** The race table of a trace (see the file comment). */
export function formatRaceTable(trace: Trace, options: RaceTableOptions = {}): string {
  return chooseKeys(trace, options).table.join('\n');
}

/**
 * The same slice as a Mermaid sequenceDiagram: a lifeline per CPU, a note per line of the race
 * table, and an arrow for each cross-CPU hand-off (from the write to the access that saw it).
 */
export function formatRaceMermaid(trace: Trace, options: RaceTableOptions = {}): string {
  const writerOf = new Map<number, number>();
  const { keys } = chooseKeys(trace, options, writerOf);
  const steps = trace.steps;
  const lines = render(steps, keys);
  const cols = [...new Set(lines.map((l) => l.col))].sort((a, b) => a - b);
  const id = (c: number): string => `CPU${c}`;
  const esc = (t: string): string => t.replace(/[;#]/g, (c) => `#${c.charCodeAt(0)};`);
  const out = ['sequenceDiagram'];
  for (const c of cols) out.push(`  participant ${id(c)} as CPU ${c} (${esc(trace.threads[c] ?? '?')})`);
  const arrowed = new Set<number>();
  for (const l of lines) {
    const w = writerOf.get(l.step);
    if (w !== undefined && keys.has(w) && !arrowed.has(l.step) && column(steps[w]!) !== l.col) {
      arrowed.add(l.step); // before the first line of the access that saw the write
      out.push(`  ${id(column(steps[w]!))}->>${id(l.col)}: ${esc(field(steps[l.step]!.obj))}`);
    }
    out.push(`  Note over ${id(l.col)}: ${esc(`${'  '.repeat(l.indent)}${l.text}`).trim()}`);
  }
  return out.join('\n');
}
