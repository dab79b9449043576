/**
 * The inspector: the model state after the current step, one card per object (mm_structs
 * first, then tasks, then the rest), with what changed at this step highlighted. A maple
 * tree is listed range by range; XA_ZERO_ENTRY is drawn as the marker it is, not a VMA.
 */
import type { SnapshotObject } from '../../../src/engine/api.ts';
import { cursor, doc, goTo, race, violating } from '../store.ts';
import { objectOfStep, stateAt } from '../trace-doc.ts';
import { changedKeys, entryKey, fieldKey, objectKey } from './diff.ts';
import { Locks } from './Locks.tsx';

const KIND_ORDER = ['mm_struct', 'task_struct'];
/** Fields shown first in a card, when present. */
const PINNED = ['mm_users', 'mm_count', 'flags', 'mmap_lock', 'mm', 'state'];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** The object a step touched ('mm#2.mm_mt', 'mm#2->mmap_lock' -> the object named 'mm#2...'). */
export function touchedBy(obj: string | undefined, objects: readonly SnapshotObject[]): string | undefined {
  const base = obj?.split(/\.|->/)[0];
  if (!base) return undefined;
  return objects.find((o) => o.name === base || o.name.startsWith(`${base} `))?.name;
}

function FieldValue({ value }: { value: SnapshotObject['fields'][string] }) {
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="muted">none</span>;
    return (
      <span class="chips">
        {value.map((v, i) => (
          <span key={i} class="chip">
            {v}
          </span>
        ))}
      </span>
    );
  }
  if (value === null) return <span class="muted">NULL</span>;
  return <span>{String(value)}</span>;
}

function fieldOrder(o: SnapshotObject): string[] {
  const keys = Object.keys(o.fields);
  const pinned = PINNED.filter((k) => keys.includes(k));
  return [...pinned, ...keys.filter((k) => !pinned.includes(k))];
}

function Tree({ o, changed }: { o: SnapshotObject; changed: Set<string> }) {
  const entries = o.entries ?? [];
  return (
    <div class="tree">
      <div class="tree-title">
        maple tree <span class="muted">({entries.length} {entries.length === 1 ? 'range' : 'ranges'})</span>
        {changed.has(fieldKey(o, '(tree)')) && <span class="changed-tag">changed</span>}
      </div>
      {entries.length === 0 ? (
        <div class="muted tree-empty">empty</div>
      ) : (
        <table class="entries">
          <tbody>
            {entries.map((e) => {
              const zero = e.entry === 'XA_ZERO_ENTRY';
              const cls = [zero ? 'xa-zero' : '', changed.has(entryKey(o, e.start)) ? 'changed' : ''].filter(Boolean).join(' ');
              return (
                <tr key={e.start} class={cls}>
                  <td class="range">
                    {hex(e.start)}&ndash;{hex(e.last)}
                  </td>
                  <td class="entry">
                    {zero ? (
                      <span class="xa-zero-badge" title="XA_ZERO_ENTRY: the marker a failed dup_mmap() leaves; not a VMA (0x406)">
                        XA_ZERO_ENTRY
                      </span>
                    ) : (
                      e.entry
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

function ObjectCard({ o, changed, touched }: { o: SnapshotObject; changed: Set<string>; touched: boolean }) {
  const isNew = changed.has(objectKey(o));
  return (
    <section class={`card kind-${o.kind}${isNew ? ' changed' : ''}${touched ? ' touched' : ''}`} data-object={o.name}>
      <header>
        <span class="oname">{o.name}</span> <span class="okind">{o.kind}</span>
        {isNew && <span class="changed-tag">new</span>}
        {touched && <span class="touched-tag">this step</span>}
      </header>
      <dl class="fields2">
        {fieldOrder(o).map((k) => (
          <div key={k} class={changed.has(fieldKey(o, k)) ? 'changed' : ''}>
            <dt>{k}</dt>
            <dd>
              <FieldValue value={o.fields[k] ?? null} />
            </dd>
          </div>
        ))}
      </dl>
      {o.entries && <Tree o={o} changed={changed} />}
    </section>
  );
}

function RaceNote({ at, pair }: { at: number; pair: readonly [number, number] }) {
  const other = pair[0] === at ? pair[1] : pair[0];
  const o = doc.value?.trace.steps[other];
  if (!o) return null;
  return (
    <div class="race-note">
      Racing pair: this step and{' '}
      <button type="button" class="link" onClick={() => goTo(other)}>
        step {other}
      </button>{' '}
      ({o.tid < 0 ? 'timer' : `CPU ${o.tid}`}, {o.thread}) both touch <code>{o.obj}</code>.
    </div>
  );
}

export function Inspector() {
  const d = doc.value;
  if (!d) return null;
  const i = cursor.value;
  const step = d.trace.steps[i];
  const state = stateAt(d.trace, i);
  const changed = changedKeys(i > 0 ? stateAt(d.trace, i - 1) : undefined, state);
  // at the violation, the object of the racing pair's access (else the thread's last access)
  const raceObj = step?.op === 'violation' && race.value ? d.trace.steps[race.value[1]]?.obj : undefined;
  const touched = touchedBy(raceObj ?? objectOfStep(d.trace, i), state?.objects ?? []);
  // the object this step touched first, then by kind (mm_structs, tasks, the rest)
  const rank = (o: SnapshotObject): number => (o.name === touched ? -1 : kindRank(o.kind));
  const objects = [...(state?.objects ?? [])].sort((a, b) => rank(a) - rank(b));
  const atViolation = i === violating.value && d.violation;
  return (
    <aside class="inspector" aria-label="inspector">
      {step && (
        <div class="step-head">
          <div>
            <b>step {i}</b> of {d.trace.steps.length - 1} &middot; {step.tid < 0 ? 'timer' : `CPU ${step.tid}`} ({step.thread})
          </div>
          <div class="stack" title="call stack, outermost first">
            {step.stack.length ? step.stack.join(' \u203a ') : <span class="muted">(no model function)</span>}
          </div>
        </div>
      )}
      {race.value?.includes(i) && <RaceNote at={i} pair={race.value} />}
      {atViolation && (
        <div class="violation" role="alert">
          <div class="vkind">{d.violation?.kind}</div>
          <pre class="vmsg">{d.violation?.message}</pre>
          {step?.text && step.op !== 'violation' && !step.text.includes(d.violation?.message ?? '') && <pre class="vmsg">{step.text}</pre>}
        </div>
      )}
      <Locks />
      {!state && <p class="muted">This trace carries no state snapshots.</p>}
      {objects.map((o) => (
        <ObjectCard key={o.name} o={o} changed={changed} touched={o.name === touched} />
      ))}
    </aside>
  );
}
