/**
 * Opening trace files: a trace file as `mmlife check --out` writes it ({version, request,
 * violation: {kind, message, schedule, trace}}), validated before anything is drawn. Every
 * problem becomes an Error whose message names it, for the page's error banner.
 */
import { parseTraceFile } from './trace-check.ts';
import type { TraceDoc } from './trace-doc.ts';

export function docFromText(text: string, origin: string): TraceDoc {
  const f = parseTraceFile(text);
  const { trace, ...violation } = f.violation;
  return { trace, request: f.request, violation, origin };
}

/** The trace file of what the page shows, in the format it reads (and `mmlife replay` reads). */
export function docToText(doc: TraceDoc): string {
  const v = doc.violation ?? { kind: 'none', message: 'no violation', schedule: doc.request?.schedule ?? '' };
  const request = doc.request ? { ...doc.request, schedule: v.schedule } : undefined;
  return JSON.stringify({ version: 1, request, violation: { ...v, trace: doc.trace } }, null, 1) + '\n';
}
