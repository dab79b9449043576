/**
 * Opening trace files (the engine's format, src/engine/trace-schema.ts), validated before
 * anything is drawn. Every problem becomes an Error whose message names it, for the page's
 * error banner.
 */
import { parseTrace, serializeTrace, TRACE_FORMAT_VERSION, type TraceFileData } from '../../src/engine/trace-schema.ts';
import { openCounterexample } from './run/client.ts';
import { openDoc, showError } from './store.ts';
import type { TraceDoc } from './trace-doc.ts';

/** The trace file as a page document; an Error if it has no trace to show. */
export function docFromFile(f: TraceFileData, origin: string): TraceDoc {
  const { trace, kind, message, schedule } = f.violation;
  if (!trace) throw new Error('the file has no trace (violation.trace) to show');
  if (trace.steps.length === 0) throw new Error('the trace has no steps');
  const what = `${f.request.scenario}${f.request.kernel !== undefined ? ` @ ${f.request.kernel}` : ''}`;
  return { trace, request: f.request, violation: { kind, message, schedule }, origin: `${what} (${origin})` };
}

/**
 * Opens a trace file's text: its trace if it carries one, else a replay of its schedule in
 * the worker. A problem shows in the error banner, prefixed with where the text came from.
 */
export function openTraceText(text: string, origin: string): void {
  try {
    const f = parseTrace(text);
    if (f.violation.trace === undefined) openCounterexample(f.request, f.violation.schedule);
    else openDoc(docFromFile(f, origin));
  } catch (e) {
    showError(`${origin}: ${(e as Error).message}`);
  }
}

/** The trace file of what the page shows, in the format it reads (and `mmlife replay` reads). */
export function docToText(doc: TraceDoc): string {
  const v = doc.violation;
  if (!v || !doc.request) return '# this execution ends without a violation: the trace file format has no place for it\n';
  const file = {
    version: TRACE_FORMAT_VERSION,
    request: { ...doc.request, schedule: v.schedule },
    violation: { kind: v.kind, message: v.message, schedule: v.schedule, trace: doc.trace },
  };
  // The same shape as TraceFileData, with readonly arrays where the zod type has mutable ones.
  return serializeTrace(file as unknown as TraceFileData);
}
