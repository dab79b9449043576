/**
 * The JSON the CLI prints (`check`, `replay`, `matrix`, `list` and `weigh` with `--json`),
 * as zod schemas: the TypeScript types of the reports come from here, `npm run schemas` writes
 * them to schema/*.json as JSON Schema, and a test checks that those files are current and
 * that real output validates. Every result carries `schemaVersion`; it goes up when a field
 * changes meaning or goes away (new fields do not change it).
 */
import { z } from 'zod';
import { SCHEMA_VERSION } from './schema-version.ts';
import { traceFileSchema, traceSchema, violationKindSchema } from '../engine/trace-schema.ts';

export { SCHEMA_VERSION };

const schemaVersion = z.literal(SCHEMA_VERSION).describe('version of this JSON layout');
const metrics = z.record(z.string(), z.number()).describe('per metric, its maximum over the executions');
const verdict = z.enum(['violation', 'pass', 'incomplete'])
  .describe("'pass' only for a complete search; 'incomplete': cut short with nothing found (exit 3)");
const stopKind = z.enum([
  'exhaustive', 'search-bound', 'scenario-bound', 'violation', 'max-executions', 'sampled', 'time-budget', 'interrupted',
]).describe('how the search ended (see README: exit status and verdicts)');
const search = z.enum(['exhaustive', 'bounded', 'sampled'])
  .describe("the engine's kind of search: every class, a bounded part, or random samples");

export const checkReportSchema = z.object({
  schemaVersion,
  scenario: z.string().describe('scenario id'),
  name: z.string().describe('race name'),
  kernel: z.string().nullable().describe('kernel preset (null for scenarios without a kernel)'),
  patch: z.string().nullable().describe('the --patch switches, as given'),
  params: z.record(z.string(), z.number()).describe('every scenario parameter, defaults included'),
  strategy: z.string(),
  verdict,
  exhaustive: z.boolean().describe('every class of executions explored'),
  coverage: stopKind,
  search,
  executions: z.number(),
  blocked: z.number().describe('executions abandoned as redundant (sleep-set blocked)'),
  steps: z.number(),
  elapsedMs: z.number(),
  metrics,
  violation: z.object({
    foundMs: z.number().describe('when the search found it (elapsedMs also counts minimising it)'),
    kind: violationKindSchema,
    message: z.string(),
    schedule: z.string().describe('replays the execution exactly'),
    table: z.string().describe('the per-CPU table'),
    replay: z.string().describe('the shell command that replays it'),
    metrics: metrics.optional(),
  }).optional().describe('the first violation found (absent if none)'),
});
export type CheckReport = z.infer<typeof checkReportSchema>;

export const replayReportSchema = z.object({
  schemaVersion,
  scenario: z.string(),
  kernel: z.string().nullable(),
  schedule: z.string(),
  verdict: z.enum(['violation', 'pass']).describe('of this one execution'),
  violation: z.object({ kind: violationKindSchema, message: z.string() }).nullable(),
  metrics,
  table: z.string(),
  trace: traceSchema,
});
export type ReplayReport = z.infer<typeof replayReportSchema>;

export const matrixCellSchema = z.object({
  scenario: z.string(),
  kernel: z.string(),
  expected: z.enum(['violation', 'pass']).describe('what the scenario expects on this preset'),
  verdict: z.union([verdict, z.literal('not-run')]),
  status: z.enum(['as-expected', 'mismatch', 'incomplete', 'not-run'])
    .describe("'incomplete' and 'not-run' say nothing either way (Ctrl-C)"),
  asExpected: z.boolean(),
  coverage: stopKind.nullable().describe('null: not run'),
  executions: z.number(),
  elapsedMs: z.number(),
  violation: z.object({
    foundMs: z.number(),
    kind: violationKindSchema,
    message: z.string(),
    schedule: z.string(),
  }).optional(),
  metrics,
});

export type MatrixCell = z.infer<typeof matrixCellSchema>;

export const matrixReportSchema = z.object({
  schemaVersion,
  ok: z.boolean().describe('every cell as expected (exit 0)'),
  passed: z.number().describe('cells as expected'),
  failed: z.number().describe('cells not as expected (exit 1)'),
  incomplete: z.number().describe('cells cut short with nothing found (exit 3 if none failed)'),
  notRun: z.number().describe('cells not started (interrupted)'),
  cells: z.array(matrixCellSchema),
});
export type MatrixReport = z.infer<typeof matrixReportSchema>;

export const listReportSchema = z.object({
  schemaVersion,
  scenarios: z.array(z.object({
    id: z.string(),
    name: z.string(),
    summary: z.string(),
    source: z.string().optional(),
    kind: z.enum(['by-design', 'metric']).optional(),
    params: z.record(z.string(), z.object({ default: z.number(), min: z.number(), max: z.number(), help: z.string() })).optional(),
    expect: z.record(z.string(), z.enum(['violation', 'pass'])).optional().describe('expected verdict per preset (the matrix)'),
  })),
  presets: z.array(z.object({
    name: z.string(),
    kind: z.enum(['release', 'proposal']),
    switches: z.array(z.string()).describe('the behaviour switches this preset turns on'),
  })),
  switches: z.array(z.object({ name: z.string(), commit: z.string(), release: z.string(), effect: z.string() })),
  faultSites: z.array(z.object({ site: z.string(), what: z.string() })),
});
export type ListReport = z.infer<typeof listReportSchema>;

export const weighReportSchema = z.object({
  schemaVersion,
  scenario: z.string(),
  name: z.string(),
  metrics: z.record(z.string(), z.string()).describe('what each metric column measures'),
  rows: z.array(z.object({
    preset: z.string(),
    verdict: z.union([verdict, z.literal('not-run')]),
    coverage: stopKind.nullable(),
    executions: z.number(),
    violatingExecutions: z.number().describe('executions that violated the property (every execution is explored)'),
    violation: z.object({ kind: violationKindSchema, message: z.string() }).optional().describe('the first one found'),
    metrics: z.record(z.string(), z.object({
      max: z.number().describe('worst case over the executions'),
      executions: z.number().describe('executions in which it was above 0'),
    })),
  })),
});
export type WeighReport = z.infer<typeof weighReportSchema>;

/** Every published schema, by the file name it is written to under schema/. */
export const SCHEMAS: Readonly<Record<string, { readonly title: string; readonly schema: z.ZodType }>> = {
  'check.json': { title: 'mmlife check --json', schema: checkReportSchema },
  'replay.json': { title: 'mmlife replay --json', schema: replayReportSchema },
  'matrix.json': { title: 'mmlife matrix --json', schema: matrixReportSchema },
  'list.json': { title: 'mmlife list --json', schema: listReportSchema },
  'weigh.json': { title: 'mmlife weigh --json', schema: weighReportSchema },
  'trace.json': { title: 'mmlife trace file (check --out)', schema: traceFileSchema },
};

/** The text of schema/NAME: the JSON Schema document, as `npm run schemas` writes it. */
export function jsonSchemaText(name: string): string {
  const entry = SCHEMAS[name];
  if (!entry) throw new Error(`no schema ${name}`);
  return JSON.stringify({ title: entry.title, ...z.toJSONSchema(entry.schema) }, null, 2) + '\n';
}
