/**
 * INTERIM validation of trace files until the engine's schema (src/engine/trace-schema.ts,
 * parseTrace) lands; then this file goes and load-trace.ts calls parseTrace.
 */
import { z } from 'zod';

// The page's Content-Security-Policy forbids eval: keep zod from probing for it.
z.config({ jitless: true });

const fieldValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]);
const snapshot = z.object({
  objects: z.array(
    z.object({
      kind: z.string(),
      name: z.string(),
      fields: z.record(z.string(), fieldValue),
      entries: z.array(z.object({ start: z.number(), last: z.number(), entry: z.string() })).optional(),
    }),
  ),
});
const step = z.object({
  tid: z.number().int(),
  thread: z.string(),
  op: z.string(),
  obj: z.string().optional(),
  value: z.string().optional(),
  stack: z.array(z.string()),
  text: z.string().optional(),
  state: snapshot.optional(),
});
const traceFile = z.object({
  version: z.literal(1),
  request: z.looseObject({ scenario: z.string(), kernel: z.string().optional(), patch: z.string().optional(), params: z.record(z.string(), z.number()).default({}) }),
  violation: z.object({
    kind: z.string(),
    message: z.string(),
    schedule: z.string(),
    trace: z.object({ threads: z.array(z.string()), steps: z.array(step).min(1) }),
  }),
});

export type TraceFileData = z.infer<typeof traceFile>;

export function parseTraceFile(text: string): TraceFileData {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`not a trace file: invalid JSON (${(e as Error).message})`);
  }
  const r = traceFile.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the top level';
    throw new Error(`not a trace file: at ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}
