/**
 * The trace file format, published as a zod 4 schema (and as JSON Schema through
 * `traceJsonSchema()`): one counterexample as a JSON object that `mmlife replay` and the
 * trace viewer open directly.
 *
 *   { "version": 1,
 *     "request": { "scenario": "R5", "kernel": "v6.8", "params": {}, "schedule": "v1:...", ... },
 *     "violation": { "kind": "oops", "message": "...", "schedule": "v1:...",
 *                    "trace": { "threads": [...], "steps": [...] }, "waitFor": [...], "metrics": {...} } }
 *
 * `request` says what to rebuild (scenario, kernel preset, switches, parameters, limits);
 * `violation.schedule` replays it exactly; `violation.trace` is what it showed.
 */
import { z } from 'zod';
import { OPTION_LIMITS, type Range } from './limits.ts';

export const TRACE_FORMAT_VERSION = 1;

const fieldValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]);

export const snapshotObjectSchema = z.object({
  kind: z.string().describe("'mm_struct', 'task_struct', 'global', ..."),
  name: z.string(),
  fields: z.record(z.string(), fieldValue),
  entries: z.array(z.object({ start: z.number(), last: z.number(), entry: z.string() })).optional(),
});

export const traceStepSchema = z.object({
  tid: z.number().int().describe('thread id (0 = main, -1 = the timer tick)'),
  thread: z.string(),
  op: z.string().describe("op kind: 'load', 'store', 'acquire', 'note', ..."),
  obj: z.string().optional(),
  value: z.string().optional(),
  stack: z.array(z.string()).describe('model function call stack, outermost first'),
  text: z.string().optional(),
  state: z.object({ objects: z.array(snapshotObjectSchema) }).optional(),
});

export const traceSchema = z.object({
  steps: z.array(traceStepSchema),
  threads: z.array(z.string()),
});

export const violationKindSchema = z.enum([
  'oops',
  'use-after-free',
  'refcount',
  'lockdep',
  'leak',
  'assertion',
  'property',
  'deadlock',
  'liveness',
  'uncaught',
]);

export const violationSchema = z.object({
  kind: violationKindSchema,
  message: z.string(),
  schedule: z.string().regex(/^v\d+:/, 'a schedule string starts with its version, e.g. "v1:"'),
  trace: traceSchema.optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  waitFor: z.array(z.string()).optional(),
});

/** A whole number in the option's range (limits.ts). */
function whole(r: Range) {
  return z.number().int().min(r.min).max(r.max);
}

export const requestSchema = z.object({
  scenario: z.string(),
  kernel: z.string().optional(),
  patch: z.string().optional(),
  params: z.record(z.string(), z.number()),
  strategy: z.enum(['dpor', 'naive', 'bounded', 'random', 'pct', 'replay']).optional(),
  maxExecutions: whole(OPTION_LIMITS.maxExecutions).optional(),
  maxSteps: whole(OPTION_LIMITS.maxSteps).optional(),
  timeBudgetMs: z.number().gt(0).max(OPTION_LIMITS.timeBudget.max * 1000).optional(),
  preemptionBound: whole(OPTION_LIMITS.preemptionBound).optional(),
  seed: whole(OPTION_LIMITS.seed).optional(),
  pctDepth: whole(OPTION_LIMITS.pctDepth).optional(),
  maxFaults: whole(OPTION_LIMITS.maxFaults).optional(),
  faultSites: z.array(z.string()).optional(),
  schedule: z.string().optional(),
});

export const traceFileSchema = z.object({
  version: z.literal(TRACE_FORMAT_VERSION),
  request: requestSchema,
  violation: violationSchema,
});

export type TraceFileData = z.infer<typeof traceFileSchema>;

/** The format as a JSON Schema document. */
export function traceJsonSchema(): Record<string, unknown> {
  return { title: 'mmlife trace file', ...z.toJSONSchema(traceFileSchema) };
}

/** Parses a trace file's text; throws an Error naming the first problems found. */
export function parseTrace(text: string): TraceFileData {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`not a trace file: invalid JSON (${(e as Error).message})`);
  }
  if (typeof data === 'object' && data !== null && 'version' in data && data.version !== TRACE_FORMAT_VERSION) {
    throw new Error(`unsupported trace file version ${JSON.stringify(data.version)} (this build reads ${TRACE_FORMAT_VERSION})`);
  }
  const r = traceFileSchema.safeParse(data);
  if (!r.success) {
    const problems = r.error.issues.slice(0, 3).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top)'}: ${i.message}`);
    const more = r.error.issues.length > 3 ? ` (and ${r.error.issues.length - 3} more)` : '';
    throw new Error(`not a valid trace file: ${problems.join('; ')}${more}`);
  }
  return r.data;
}

/** Renders a trace file (stable key order as given, one space indent). */
export function serializeTrace(file: TraceFileData): string {
  return `${JSON.stringify(file, null, 1)}\n`;
}
