/** `mmlife replay <trace.json> | <scenario> --schedule S`: re-runs one execution and prints it. */
import { existsSync } from 'node:fs';
import { replay } from '../engine/explore.ts';
import { UsageError } from './errors.ts';
import { EXIT } from './exit.ts';
import { SCHEMA_VERSION } from './schema-version.ts';
import type { ReplayReport } from './schemas.ts';
import type { RunFlags } from './options.ts';
import { runRequest } from './options.ts';
import { resolveRequest, type RunRequest } from './request.ts';
import { tableRenderer, type TableFlags } from './table-flags.ts';
import { readTraceFile } from './trace-file.ts';

export interface ReplayFlags extends RunFlags, TableFlags {
  readonly json?: boolean;
}

export function replayCommand(target: string, flags: ReplayFlags): number {
  let req: RunRequest;
  if (target.endsWith('.json') || (existsSync(target) && flags.schedule === undefined)) {
    req = readTraceFile(target).request;
  } else {
    if (flags.schedule === undefined) throw new UsageError('replay needs a trace file, or a scenario and --schedule S');
    req = runRequest(target, flags);
  }
  const resolved = resolveRequest(req);
  const render = tableRenderer(flags);
  const schedule = req.schedule;
  if (schedule === undefined) throw new UsageError('no schedule to replay');
  let out: ReturnType<typeof replay>;
  try {
    out = replay(resolved.program, schedule, resolved.options);
  } catch (e) {
    throw new UsageError(`cannot replay schedule '${schedule}' on ${resolved.scenario.id}: ${(e as Error).message}`);
  }
  const table = render(out.trace);
  if (flags.json) {
    const report: ReplayReport = {
      schemaVersion: SCHEMA_VERSION,
      scenario: resolved.scenario.id,
      kernel: resolved.kernel?.preset ?? null,
      schedule,
      verdict: out.violation ? 'violation' : 'pass',
      violation: out.violation ? { kind: out.violation.kind, message: out.violation.message } : null,
      metrics: out.metrics,
      table,
      trace: out.trace as ReplayReport['trace'], // the same shape, but readonly
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    process.stdout.write(`${resolved.scenario.id}${resolved.kernel ? ` kernel ${resolved.kernel.preset}` : ''}: replay of ${schedule}\n\n${table}\n\n`);
    process.stdout.write(out.violation ? `verdict: violation (${out.violation.kind}): ${out.violation.message}\n` : 'verdict: pass\n');
  }
  return out.violation ? EXIT.VIOLATION : EXIT.OK;
}
