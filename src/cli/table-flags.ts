/** The table flags of `check` and `replay`: the race table by default, every step with --full. */
import type { Trace } from '../engine/api.ts';
import { formatRaceTable } from '../engine/race-table.ts';
import { formatTable } from '../engine/table.ts';
import { OPTION_LIMITS } from '../engine/limits.ts';
import { UsageError } from './errors.ts';
import { wholeNumber } from './options.ts';

export interface TableFlags {
  readonly full?: boolean;
  readonly width?: string;
  readonly cpus?: string;
  readonly around?: string;
}

/** Renders @trace as the flags ask; malformed values are a UsageError (checked before any work). */
export function tableRenderer(f: TableFlags): (trace: Trace) => string {
  const width = wholeNumber('width', f.width, { min: 0, max: 1000 });
  if (width !== undefined && width !== 0 && width < 30) throw new UsageError(`--width takes 0 (unlimited) or a number of columns >= 30, not '${f.width}'`);
  const cpus = f.cpus?.split(',').map((c) => c.trim()).filter(Boolean);
  if (cpus?.some((c) => !/^\d+$/.test(c))) throw new UsageError(`--cpus takes CPU numbers, e.g. 1,2, not '${f.cpus}'`);
  const around = wholeNumber('around', f.around, { min: 0, max: OPTION_LIMITS.maxSteps.max });
  if (f.full) return (t) => formatTable(t, { full: true });
  return (t) => formatRaceTable(t, {
    ...(width !== undefined && { width }),
    ...(cpus !== undefined && { cpus: cpus.map(Number) }),
    ...(around !== undefined && { around }),
  });
}
