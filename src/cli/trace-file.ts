/**
 * Trace files (the engine's published format, src/engine/trace-schema.ts): a counterexample
 * as one JSON artefact that `mmlife replay` and the web page open directly. Written whole or
 * not at all (temporary file, then rename).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Violation } from '../engine/api.ts';
import { parseTrace, serializeTrace, TRACE_FORMAT_VERSION, type TraceFileData } from '../engine/trace-schema.ts';
import { UsageError } from './errors.ts';
import type { RunRequest } from './request.ts';

export function writeTraceFile(path: string, request: RunRequest, violation: Violation): void {
  const file = { version: TRACE_FORMAT_VERSION, request: { ...request, schedule: violation.schedule }, violation };
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, serializeTrace(file as TraceFileData));
  renameSync(tmp, path);
}

export function readTraceFile(path: string): TraceFileData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read trace file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return parseTrace(text);
  } catch (e) {
    throw new UsageError(`${path}: ${(e as Error).message}`);
  }
}
