import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explore } from './explore.ts';
import { abba } from '../scenarios/classic/deadlocks.ts';
import { parseTrace, serializeTrace, traceJsonSchema, TRACE_FORMAT_VERSION } from './trace-schema.ts';

void test('a violation round-trips through the trace file format', () => {
  const v = explore(abba.build({ params: {} }), { strategy: 'dpor' }).violations[0]!;
  const file = { version: TRACE_FORMAT_VERSION, request: { scenario: 'classic/abba', params: {}, schedule: v.schedule }, violation: v };
  const back = parseTrace(serializeTrace(file as Parameters<typeof serializeTrace>[0]));
  assert.equal(back.violation.schedule, v.schedule);
  assert.deepEqual(back.violation.trace, v.trace);
});

void test('parseTrace names what is wrong', () => {
  assert.throws(() => parseTrace('{'), /invalid JSON/);
  assert.throws(() => parseTrace('{"version": 7}'), /unsupported trace file version 7/);
  assert.throws(() => parseTrace('{"version": 1, "request": {"params": {}}, "violation": {}}'), /request\.scenario/);
  assert.throws(
    () => parseTrace('{"version":1,"request":{"scenario":"x","params":{}},"violation":{"kind":"oops","message":"m","schedule":"0.1"}}'),
    /violation\.schedule: a schedule string starts with its version/,
  );
});

void test('the JSON Schema is published', () => {
  const s = traceJsonSchema();
  assert.equal(s['type'], 'object');
  assert.ok(JSON.stringify(s).includes('"schedule"'));
});
