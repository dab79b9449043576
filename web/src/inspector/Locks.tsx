/** The locks held and waited for after the current step, from the trace's lock steps. */
import { cursor, doc, spans } from '../store.ts';
import { lockColor, spansAt } from '../lanes/model.ts';

export function Locks() {
  const d = doc.value;
  if (!d) return null;
  const active = spansAt(spans.value, cursor.value);
  const cpu = (tid: number): string => `${d.trace.threads[tid] ?? '?'} (CPU ${tid})`;
  const locks = [...new Set(active.map((s) => s.lock))].sort();
  return (
    <section class="card locks" data-object="locks">
      <header>
        <span class="oname">locks</span> <span class="okind">held and waited for after this step</span>
      </header>
      {locks.length === 0 ? (
        <div class="muted locks-none">none</div>
      ) : (
        <table class="fields">
          <tbody>
            {locks.map((lock) => {
              const held = active.filter((s) => s.lock === lock && !s.waiting);
              const waiting = active.filter((s) => s.lock === lock && s.waiting);
              return (
                <tr key={lock}>
                  <th>
                    <span class="swatch" style={{ background: lockColor(lock) }} /> {lock}
                  </th>
                  <td>
                    {held.map((s) => (
                      <div key={`h${s.tid}`}>
                        held{s.mode ? ` (${s.mode})` : ''} by {cpu(s.tid)} since step {s.from}
                      </div>
                    ))}
                    {waiting.map((s) => (
                      <div key={`w${s.tid}`} class="waiting">
                        {cpu(s.tid)} waits since step {s.from}
                      </div>
                    ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
