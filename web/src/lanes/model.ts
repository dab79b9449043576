/**
 * Pure layout helpers for the swimlanes: which locks each thread holds or waits for at each
 * step (drawn as vertical spans), and the racing pair of steps.
 */
import type { Trace, TraceStep } from '../../../src/engine/api.ts';
import { compactSteps } from '../../../src/engine/table.ts';

export interface LockSpan {
  readonly tid: number;
  readonly lock: string;
  readonly mode: string;
  /** First step of the span (the acquire, or the queueing step of a wait). */
  readonly from: number;
  /** Last step of the span (the release); the trace's last step when never released. */
  readonly to: number;
  /** The span is a wait for the lock, not a hold. */
  readonly waiting: boolean;
  /** Column slot within the thread's lane, so that overlapping spans sit side by side. */
  readonly slot: number;
  /** True when the span runs to the end of the trace without a release. */
  readonly open: boolean;
}

const ACQUIRE_OPS = new Set(['acquire', 'tryacquire']);

/** Lock mode of a lock step if its value text says ('read', 'write'); '' when the trace does not say. */
function modeOf(step: TraceStep): string {
  const m = /\b(read|write)\b/.exec(step.value ?? '');
  return m?.[1] ?? '';
}

/** Did this lock step leave the thread waiting (queued) rather than holding the lock? */
function isWait(step: TraceStep): boolean {
  return /queued|waits|blocked/.test(step.value ?? '');
}

/** Did a trylock fail? */
function isFailedTry(step: TraceStep): boolean {
  return step.op === 'tryacquire' && /false|fail/.test(step.value ?? '');
}

/** Lock spans of a trace, each with a slot inside its thread's lane. */
export function lockSpans(trace: Trace): LockSpan[] {
  const last = trace.steps.length - 1;
  const open = new Map<string, { from: number; mode: string; waiting: boolean }>();
  const raw: Omit<LockSpan, 'slot'>[] = [];
  const close = (key: string, tid: number, lock: string, to: number): void => {
    const o = open.get(key);
    if (!o) return;
    open.delete(key);
    raw.push({ tid, lock, mode: o.mode, from: o.from, to, waiting: o.waiting, open: false });
  };
  trace.steps.forEach((step, i) => {
    if (step.obj === undefined) return;
    const key = `${step.tid}\u0000${step.obj}`;
    if (ACQUIRE_OPS.has(step.op) && !isFailedTry(step)) {
      const o = open.get(key);
      if (o?.waiting) {
        // the grant after a wait: the wait ends just before, the hold starts here
        close(key, step.tid, step.obj, Math.max(o.from, i - 1));
      }
      open.set(key, { from: i, mode: modeOf(step), waiting: isWait(step) });
    } else if (step.op === 'grant' || step.op === 'granted') {
      close(key, step.tid, step.obj, Math.max(0, i - 1));
      open.set(key, { from: i, mode: modeOf(step), waiting: false });
    } else if (step.op === 'release') {
      close(key, step.tid, step.obj, i);
    }
  });
  for (const [key, o] of open) {
    const [tid, lock] = key.split('\u0000') as [string, string];
    raw.push({ tid: Number(tid), lock, mode: o.mode, from: o.from, to: last, waiting: o.waiting, open: true });
  }
  raw.sort((a, b) => a.from - b.from || a.to - b.to);
  // greedy slot assignment per thread
  const slotEnds = new Map<number, number[]>();
  return raw.map((s) => {
    const ends = slotEnds.get(s.tid) ?? [];
    slotEnds.set(s.tid, ends);
    let slot = ends.findIndex((end) => end < s.from);
    if (slot < 0) slot = ends.length;
    ends[slot] = s.to;
    return { ...s, slot };
  });
}

/** Number of slots per thread id (the width of its lock gutter). */
export function slotCounts(spans: readonly LockSpan[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const s of spans) m.set(s.tid, Math.max(m.get(s.tid) ?? 0, s.slot + 1));
  return m;
}

/** Memory ops: the racing pair is about data; lock operations order threads, they do not race. */
export const MEMORY_OPS: ReadonlySet<string> = new Set(['load', 'store', 'rmw', 'cas', 'await']);
const WRITES: ReadonlySet<string> = new Set(['store', 'rmw', 'cas']);

/**
 * The racing pair: the most recent cross-thread data dependency into the violating thread.
 * Among the pairs (i, j) where step j of the violating thread (up to the violation) and an
 * earlier step i of another thread access the same object, one of them writing, the pair
 * with the latest i (then the latest j): what the other CPU did last that this one saw.
 */
export function racingPair(trace: Trace, violating: number | undefined): [number, number] | undefined {
  if (violating === undefined) return undefined;
  const steps = trace.steps;
  const tid = steps[violating]?.tid;
  if (tid === undefined) return undefined;
  let best: [number, number] | undefined;
  for (let j = violating; j >= 0; j--) {
    const sj = steps[j];
    if (sj?.tid !== tid || sj.obj === undefined || !MEMORY_OPS.has(sj.op)) continue;
    for (let i = j - 1; i > (best?.[0] ?? -1); i--) {
      const si = steps[i];
      if (!si || si.tid === tid || si.obj !== sj.obj || !MEMORY_OPS.has(si.op)) continue;
      if (WRITES.has(si.op) || WRITES.has(sj.op)) {
        best = [i, j];
        break;
      }
    }
  }
  return best;
}

/** Spans active after step `i`: holds not yet released (a release step ends its hold) and waits. */
export function spansAt(spans: readonly LockSpan[], i: number): LockSpan[] {
  return spans.filter((s) => s.from <= i && (s.open || s.waiting ? i <= s.to : i < s.to));
}

/** A stable colour per lock name. */
export function lockColor(name: string): string {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `hsl(${h % 360} 60% 42%)`;
}

export interface Rows {
  /** Step indices shown, in order. A setup row stands for steps 0..setupEnd-1 at index setupEnd-1. */
  readonly shown: readonly number[];
  /** Thread 0's steps before its first spawn (the setup); 0 when not collapsed. */
  readonly setupEnd: number;
}

/**
 * The rows of the swimlanes. All steps, or the compact view: the steps the CLI's compact
 * table shows (engine/table.ts compactSteps), plus the last step and the racing pair.
 */
export function rows(trace: Trace, all: boolean, keep: readonly number[] = []): Rows {
  const n = trace.steps.length;
  if (all) return { shown: trace.steps.map((_, i) => i), setupEnd: 0 };
  const compact = compactSteps(trace.steps);
  const extra = [n - 1, ...keep].filter((i) => i >= compact.setupEnd && i < n);
  const body = [...new Set([...compact.shown, ...extra])].sort((a, b) => a - b);
  return { shown: compact.setupEnd > 0 ? [compact.setupEnd - 1, ...body] : body, setupEnd: compact.setupEnd };
}

/** The shown row nearest to step `i`: the last one at or before it, else the first. */
export function snap(shown: readonly number[], i: number): number {
  let best = shown[0] ?? 0;
  for (const r of shown) if (r <= i) best = r;
  return best;
}

/**
 * Column widths (fractions summing to 1): a CPU column gets room by how much text its shown
 * rows carry, and never less than 40% of an even share.
 */
export function columnWidths(cols: readonly number[], rowsText: readonly { tid: number; len: number }[]): Map<number, number> {
  const text = new Map<number, number>();
  for (const r of rowsText) text.set(r.tid, (text.get(r.tid) ?? 0) + r.len);
  const total = [...text.values()].reduce((a, b) => a + b, 0) || 1;
  const floor = 0.4 / Math.max(1, cols.length);
  const raw = cols.map((t) => Math.max(floor, (text.get(t) ?? 0) / total));
  const sum = raw.reduce((a, b) => a + b, 0);
  return new Map(cols.map((t, i) => [t, raw[i]! / sum]));
}
