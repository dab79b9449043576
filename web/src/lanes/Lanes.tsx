/**
 * The swimlanes: one column per CPU (thread), one row per step. Each step shows its kernel
 * function (innermost stack frame) and what it did; locks held or waited for are vertical
 * spans in the lane's gutter; the racing pair and the violating step are highlighted.
 */
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { Trace } from '../../../src/engine/api.ts';
import { cursor, doc, goTo, race, shownRows, spans, violating } from '../store.ts';
import { describeStep } from '../../../src/engine/table.ts';
import { columnWidths, lockColor, slotCounts, type LockSpan } from './model.ts';

const SLOT_PX = 7;

/** Column order: thread ids 0..n-1, then the timer (-1) if it ever ran. */
function columns(trace: Trace): number[] {
  const cols = trace.threads.map((_, i) => i);
  if (trace.steps.some((s) => s.tid < 0)) cols.push(-1);
  return cols;
}

function columnTitle(trace: Trace, tid: number): [string, string] {
  return tid < 0 ? ['timer', 'jiffies'] : [`CPU ${tid}`, trace.threads[tid] ?? ''];
}

function Bars({ list, row }: { list: readonly LockSpan[]; row: number }) {
  return (
    <>
      {list.map((s) => {
        const cls = ['lockbar', s.waiting ? 'wait' : s.mode || 'held', s.from === row ? 'first' : '', s.to === row && !s.open ? 'last' : '']
          .filter(Boolean)
          .join(' ');
        const title = `${s.lock} ${s.waiting ? 'waited for' : `held${s.mode ? ` (${s.mode})` : ''}`}, steps ${s.from}\u2013${s.open ? 'end' : s.to}`;
        return (
          <span
            key={`${s.lock}-${s.from}`}
            class={cls}
            title={title}
            style={{ left: `${s.slot * SLOT_PX + 2}px`, ['--lock' as string]: lockColor(s.lock) }}
          />
        );
      })}
    </>
  );
}

export function Lanes() {
  const d = doc.value;
  const body = useRef<HTMLTableSectionElement>(null);
  const cur = cursor.value;
  useEffect(() => {
    body.current?.querySelector(`tr[data-i="${cur}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [cur, d]);
  const spanList = spans.value;
  const layout = useMemo(() => {
    const at = new Map<string, LockSpan[]>();
    for (const s of spanList) {
      for (let r = s.from; r <= s.to; r++) {
        const k = `${s.tid}:${r}`;
        const l = at.get(k);
        if (l) l.push(s);
        else at.set(k, [s]);
      }
    }
    return { at, slots: slotCounts(spanList) };
  }, [spanList]);
  if (!d) return null;
  const trace = d.trace;
  const cols = columns(trace);
  const bad = violating.value;
  const pair = race.value;
  const widths = columnWidths(
    cols,
    shownRows.value.shown.map((i) => {
      const s = trace.steps[i];
      return { tid: s?.tid ?? 0, len: s ? (s.stack.at(-1)?.length ?? 0) + describeStep(s).length : 0 };
    }),
  );
  const raceTids = new Set(pair ? pair.map((i) => trace.steps[i]?.tid) : []);
  return (
    <div class="lanes-wrap" aria-label="swimlanes">
      <table class="lanes" style={{ minWidth: `${40 + cols.length * 190}px` }}>
        <colgroup>
          <col style={{ width: '44px' }} />
          {cols.map((tid) => (
            <col key={tid} style={{ width: `${(widths.get(tid) ?? 0) * 100}%` }} />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th class="num">#</th>
            {cols.map((tid) => {
              const [cpu, name] = columnTitle(trace, tid);
              return (
                <th key={tid} class={raceTids.has(tid) ? 'racing' : ''}>
                  <span class="cpu">{cpu}</span> <span class="tname">{name}</span>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody ref={body}>
          {shownRows.value.shown.map((i) => {
            const step = trace.steps[i];
            if (!step) return null;
            const setup = i === shownRows.value.setupEnd - 1;
            const cls = [
              i === cur ? 'current' : '',
              i > cur ? 'future' : '',
              i === bad ? 'violating' : '',
              pair?.includes(i) ? 'race' : '',
              setup ? 'setup' : '',
            ]
              .filter(Boolean)
              .join(' ');
            return (
              <tr key={i} data-i={i} class={cls} onClick={() => goTo(i)}>
                <td class="num">{setup ? `0\u2013${i}` : i}</td>
                {cols.map((tid) => {
                  const pad = (layout.slots.get(tid) ?? 0) * SLOT_PX + 6;
                  const mine = tid === step.tid;
                  return (
                    <td key={tid} class={mine ? 'lane mine' : 'lane'} style={{ paddingLeft: `${pad}px` }}>
                      <Bars list={layout.at.get(`${tid}:${i}`) ?? []} row={i} />
                      {mine && setup && (
                        <div class="step op-note">
                          <span class="act">(setup through system calls: {i + 1} steps)</span>
                        </div>
                      )}
                      {mine && !setup && (
                        <div class={`step op-${step.op}`}>
                          {step.stack.length > 0 && <span class="fn">{step.stack.at(-1)}</span>}
                          <span class="act">{describeStep(step)}</span>
                        </div>
                      )}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
