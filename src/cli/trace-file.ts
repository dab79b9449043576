/**
 * Trace files: a counterexample as one JSON artefact that `mmlife replay` and the web page
 * open directly. Written whole or not at all (temporary file, then rename).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Violation } from '../engine/api.ts';
import { UsageError } from './errors.ts';
import type { RunRequest } from './request.ts';

export const TRACE_FILE_VERSION = 1;

export interface TraceFile {
  readonly version: number;
  readonly request: RunRequest;
  readonly violation: Violation;
}

export function writeTraceFile(path: string, request: RunRequest, violation: Violation): void {
  const file: TraceFile = { version: TRACE_FILE_VERSION, request: { ...request, schedule: violation.schedule }, violation };
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(file, null, 1) + '\n');
  renameSync(tmp, path);
}

export function readTraceFile(path: string): TraceFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read trace file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not a trace file: invalid JSON (${(e as Error).message})`);
  }
  const f = data as Partial<TraceFile> | null;
  if (typeof f !== 'object' || f === null || f.version !== TRACE_FILE_VERSION) {
    throw new UsageError(`${path} is not a trace file of version ${TRACE_FILE_VERSION}`);
  }
  if (typeof f.request?.scenario !== 'string' || typeof f.violation?.schedule !== 'string') {
    throw new UsageError(`${path} is not a trace file: it lacks request.scenario or violation.schedule`);
  }
  return f as TraceFile;
}
