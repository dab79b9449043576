/**
 * Trace files (the engine's published format, src/engine/trace-schema.ts): a counterexample
 * as one JSON artefact that `mmlife replay` and the web page open directly. Written whole or
 * not at all (temporary file, then rename).
 */
import { accessSync, constants, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Violation } from '../engine/api.ts';
import { parseTrace, serializeTrace, TRACE_FORMAT_VERSION, type TraceFileData } from '../engine/trace-schema.ts';
import { UsageError } from './errors.ts';
import type { RunRequest } from './request.ts';

/**
 * Refuses an --out path that cannot take a trace file, before any work is done: an empty name,
 * a directory, a device or anything else that is not a regular file (the write renames a
 * temporary file over it, which would replace /dev/full with a file), a missing or
 * unwritable directory.
 */
export function checkOutPath(path: string): void {
  if (path === '') throw new UsageError('--out needs a file name');
  let st: ReturnType<typeof statSync> | undefined;
  try {
    st = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`cannot write ${path}: ${errCode(e)}`);
  }
  if (st !== undefined && !st.isFile()) {
    throw new UsageError(`cannot write ${path}: ${st.isDirectory() ? 'it is a directory' : 'not a regular file'}`);
  }
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch (e) {
    throw new UsageError(`cannot write ${path}: directory ${dirname(path)}: ${errCode(e)}`);
  }
}

/** Writes the trace file whole or not at all (a failed write leaves no temporary file). */
export function writeTraceFile(path: string, request: RunRequest, violation: Violation): void {
  checkOutPath(path);
  const file = { version: TRACE_FORMAT_VERSION, request: { ...request, schedule: violation.schedule }, violation };
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, serializeTrace(file as TraceFileData), { flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UsageError(`cannot write ${path}: ${errCode(e)}`);
  }
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

export function readTraceFile(path: string): TraceFileData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read trace file ${path}: ${errCode(e)}`);
  }
  try {
    return parseTrace(text);
  } catch (e) {
    throw new UsageError(`${path}: ${(e as Error).message}`);
  }
}
