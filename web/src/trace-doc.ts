/**
 * What the page shows: one trace plus what is known about where it came from (the run
 * request: scenario, kernel preset and switches; the violation and its schedule).
 */
import type { StateSnapshot, Trace } from '../../src/engine/api.ts';
import type { RunRequest } from '../../src/cli/request.ts';
import { MEMORY_OPS } from './lanes/model.ts';

export interface TraceDoc {
  readonly trace: Trace;
  /** How to rebuild the program (absent for a bare trace). */
  readonly request?: RunRequest;
  readonly violation?: { readonly kind: string; readonly message: string; readonly schedule: string };
  /** Where the trace came from, for the title bar ('explored', a file name, the server). */
  readonly origin: string;
}

/** The state after step `i`: that step's snapshot, or the last one recorded before it. */
export function stateAt(trace: Trace, i: number): StateSnapshot | undefined {
  for (let j = Math.min(i, trace.steps.length - 1); j >= 0; j--) {
    const s = trace.steps[j]?.state;
    if (s) return s;
  }
  return undefined;
}

/** Index of the step where the violation shows: the last step (the engine stops there). */
export function violatingStep(doc: TraceDoc): number | undefined {
  if (!doc.violation || doc.trace.steps.length === 0) return undefined;
  return doc.trace.steps.length - 1;
}

/**
 * The object step `i` touched; for a violation step, the last object its thread read or
 * wrote (the access that oopsed).
 */
export function objectOfStep(trace: Trace, i: number): string | undefined {
  const step = trace.steps[i];
  if (step?.obj !== undefined || step?.op !== 'violation') return step?.obj;
  return trace.steps.slice(0, i).findLast((p) => p.tid === step.tid && p.obj !== undefined && MEMORY_OPS.has(p.op))?.obj;
}
