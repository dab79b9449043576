/**
 * What the page exports, each exactly as the CLI would produce it: the per-CPU text table (the
 * race table of race-table.ts, or every step), the Mermaid diagram from the engine's table.ts,
 * the trace file, the replay command.
 */
import { formatRaceMermaid, formatRaceTable } from '../../../src/engine/race-table.ts';
import { formatMermaid, formatTable } from '../../../src/engine/table.ts';
import { replayCommand } from '../../../src/cli/request.ts';
import { docToText } from '../load-trace.ts';
import type { TraceDoc } from '../trace-doc.ts';

export type ExportKind = 'table' | 'mermaid' | 'json' | 'replay';

export const exportLabels: Readonly<Record<ExportKind, string>> = {
  table: 'Text table',
  mermaid: 'Mermaid',
  json: 'Trace JSON',
  replay: 'Replay command',
};

/** `full`: the table with every step, as the swimlanes show with "all steps" (the CLI's --full). */
export function exportText(doc: TraceDoc, kind: ExportKind, full = false): string {
  switch (kind) {
    case 'table':
      return full ? formatTable(doc.trace, { full: true }) : formatRaceTable(doc.trace);
    case 'mermaid': {
      // the race as a sequence diagram; traces without a violation step: every step as a note
      if (doc.trace.steps.at(-1)?.op === 'violation') return formatRaceMermaid(doc.trace);
      const v = doc.violation;
      const last = doc.trace.steps.at(-1);
      // traces from before the engine recorded the violation as a step get it as a final note
      const final = v && last?.op !== 'violation' ? `${v.kind}: ${v.message}` : undefined;
      return formatMermaid(doc.trace, final !== undefined ? { finalLine: final } : {});
    }
    case 'json':
      return docToText(doc);
    case 'replay': {
      const schedule = doc.violation?.schedule ?? doc.request?.schedule;
      if (!doc.request || schedule === undefined) return '# this trace does not say which scenario and schedule it came from';
      return replayCommand(doc.request, schedule);
    }
  }
}
