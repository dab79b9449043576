/** `mmlife check <scenario>`: explore, print the verdict; exit 0 pass, 1 violation, 3 incomplete (exit.ts). */
import type { ExploreResult } from '../engine/api.ts';
import { EXIT, exitStatusFor } from './exit.ts';
import type { RunFlags } from './options.ts';
import { runRequest } from './options.ts';
import { DEFAULT_PRESET, resolveRequest } from './request.ts';
import { clearProgress, exploreBriefly, progressLine, runRequests } from './run.ts';
import { checkReport, formatCheckReport } from './report.ts';
import { tableRenderer, type TableFlags } from './table-flags.ts';

export interface CheckFlags extends RunFlags, TableFlags {
  readonly json?: boolean;
  readonly out?: string;
  readonly progress?: boolean;
}

export async function checkCommand(scenarioName: string, flags: CheckFlags): Promise<number> {
  const req0 = runRequest(scenarioName, flags);
  const resolved = resolveRequest(req0); // refuses bad input before any work starts
  // trace files (and zod with them) load only when one is to be written
  const traceFile = flags.out !== undefined ? await import('./trace-file.ts') : undefined;
  if (flags.out !== undefined) traceFile!.checkOutPath(flags.out);
  const render = tableRenderer(flags);
  const req = resolved.kernel ? { ...req0, kernel: req0.kernel ?? DEFAULT_PRESET } : req0;
  const progress = progressLine(resolved.scenario.id, flags.progress ?? false);
  const quick = new AbortController();
  const inWorker = runRequests([req], { signal: quick.signal, ...(progress && { onProgress: (_i, p) => progress(p) }) });
  let result: ExploreResult | undefined;
  try {
    result = flags.progress ? undefined : exploreBriefly(req);
  } catch (e) {
    quick.abort(); // never leave the worker running behind an error
    await inWorker.catch(() => []);
    throw e;
  }
  if (result) quick.abort();
  const [fromWorker] = await inWorker;
  result ??= fromWorker;
  clearProgress(flags.progress ?? false);
  if (!result) {
    process.stderr.write('mmlife: interrupted before the search started; nothing explored\n');
    return EXIT.INCOMPLETE;
  }
  const report = checkReport(req, resolved, result, render);
  const v = result.violations[0];
  process.stdout.write((flags.json ? JSON.stringify(report, null, 2) : formatCheckReport(report)) + '\n');
  if (flags.out !== undefined && v) traceFile!.writeTraceFile(flags.out, req, v); // after the report: a full disk loses only the file
  if (flags.out !== undefined && !v && !flags.json) process.stdout.write(`(no violation: nothing written to ${flags.out})\n`);
  return exitStatusFor(report.verdict);
}
