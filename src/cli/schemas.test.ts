// The published JSON Schemas are current, and what the CLI prints validates against them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { mmlife } from './cli-harness.ts';
import {
  checkReportSchema, jsonSchemaText, listReportSchema, matrixCellSchema, matrixReportSchema, replayReportSchema, SCHEMAS, weighReportSchema,
} from './schemas.ts';
import { traceFileSchema } from '../engine/trace-schema.ts';
import { schemaDir } from './write-schemas.ts';

void test('schema/*.json are what `npm run schemas` writes from the zod schemas', () => {
  for (const name of Object.keys(SCHEMAS)) {
    let committed = '';
    try {
      committed = readFileSync(join(schemaDir(), name), 'utf8');
    } catch {
      assert.fail(`schema/${name} is missing: run npm run schemas`);
    }
    assert.equal(committed, jsonSchemaText(name), `schema/${name} is stale: run npm run schemas`);
  }
});

void test('the README names every field of every JSON result', () => {
  const readme = readFileSync(join(schemaDir(), '..', 'README.md'), 'utf8');
  const fields = (schema: z.ZodObject): string[] => Object.keys(schema.shape);
  const all = [
    ...fields(checkReportSchema), ...fields(replayReportSchema), ...fields(matrixReportSchema), ...fields(matrixCellSchema),
    ...fields(listReportSchema), ...fields(traceFileSchema), ...fields(weighReportSchema),
  ];
  const missing = [...new Set(all)].filter((f) => !readme.includes(`\`${f}\``) && !new RegExp(`[{ ,]${f}[,} ]`).test(readme));
  assert.deepEqual(missing, []);
});

/** Parses with the schema, strictly: a field the schema does not name is an error too. */
function conforms(schema: z.ZodObject, text: string, what: string): Record<string, unknown> {
  const data = JSON.parse(text) as Record<string, unknown>;
  const r = schema.strict().safeParse(data);
  assert.ok(r.success, `${what}: ${r.error?.message}`);
  return data;
}

void test('check, replay, matrix and list print JSON of their schema, with schemaVersion', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlife-schema-'));
  const out = join(dir, 'r5.json');
  const race = await mmlife('check', 'R5', '--kernel', 'v6.12', '--json', '--out', out);
  assert.equal(race.code, 1, race.stderr);
  assert.equal(conforms(checkReportSchema, race.stdout, 'check (violation)')['schemaVersion'], 1);
  conforms(traceFileSchema, readFileSync(out, 'utf8'), 'trace file');
  const clean = await mmlife('check', 'classic/readers', '--json');
  conforms(checkReportSchema, clean.stdout, 'check (pass)');
  const replay = await mmlife('replay', out, '--json');
  conforms(replayReportSchema, replay.stdout, 'replay');
  const matrix = await mmlife('matrix', '--only', 'R5', '--json');
  assert.equal(matrix.code, 0, matrix.stderr);
  conforms(matrixReportSchema, matrix.stdout, 'matrix');
  const weigh = await mmlife('weigh', 'R11', '--json');
  assert.equal(weigh.code, 0, weigh.stderr);
  conforms(weighReportSchema, weigh.stdout, 'weigh');
  const list = await mmlife('list', '--json');
  const l = conforms(listReportSchema, list.stdout, 'list') as z.infer<typeof listReportSchema>;
  const v612 = l.presets.find((p) => p.name === 'v6.12');
  assert.ok(v612?.switches.includes('uprobeSemInDupMm') === false && l.presets.find((p) => p.name === 'v6.13')?.switches.includes('uprobeSemInDupMm'));
  assert.equal(l.scenarios.find((s) => s.id === 'R5')?.expect?.['v6.12'], 'violation');
  assert.equal(l.scenarios.find((s) => s.id === 'R14')?.kind, 'by-design');
});
