/** Step controls: first / back / forward / last, a slider, and the keys ←/→, Home/End. */
import { useEffect } from 'preact/hooks';
import { allSteps, cursor, doc, filterText, goTo, move, race, setFilter, shownRows, toggleAllSteps, violating } from '../store.ts';

const FIRST = 'M2 1h2v10H2zM11 1v10L5 6z';
const PREV = 'M9 1v10L3 6z';
const NEXT = 'M3 1v10l6-5z';
const LAST = 'M8 1h2v10H8zM1 1v10l6-5z';

function Icon({ d }: { d: string }) {
  return (
    <svg viewBox="0 0 12 12" aria-hidden="true">
      <path d={d} />
    </svg>
  );
}

/** Keys that move the cursor, unless the focus is in a text field or a list. */
function onKey(e: KeyboardEvent): void {
  if (!doc.value || e.altKey || e.ctrlKey || e.metaKey) return;
  const t = e.target as HTMLElement | null;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) {
    if (!(t instanceof HTMLInputElement && (t.type === 'range' || t.type === 'checkbox'))) return;
  }
  const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity };
  const by = moves[e.key];
  if (by === undefined) return;
  e.preventDefault();
  move(by === -Infinity ? -1e9 : by === Infinity ? 1e9 : by);
}

export function Scrubber() {
  useEffect(() => {
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const d = doc.value;
  if (!d) return null;
  const n = d.trace.steps.length;
  const i = cursor.value;
  const bad = violating.value;
  const pair = race.value;
  const [a, b] = pair ? pair.map((k) => d.trace.steps[k]) : [];
  return (
    <div class="scrubber" role="group" aria-label="step controls">
      <button type="button" onClick={() => move(-1e9)} title="first step (Home)" aria-label="first step">
        <Icon d={FIRST} />
      </button>
      <button type="button" onClick={() => move(-1)} title="previous step (\u2190)" aria-label="previous step">
        <Icon d={PREV} />
      </button>
      <button type="button" onClick={() => move(1)} title="next step (\u2192)" aria-label="next step">
        <Icon d={NEXT} />
      </button>
      <button type="button" onClick={() => move(1e9)} title="last step (End)" aria-label="last step">
        <Icon d={LAST} />
      </button>
      <input
        type="range"
        min={0}
        max={Math.max(0, n - 1)}
        value={i}
        aria-label="step"
        onInput={(e) => goTo(Number((e.target as HTMLInputElement).value))}
      />
      <span class="pos" data-testid="position">
        step {i} / {n - 1}
      </span>
      {pair && a && b && (
        <button
          type="button"
          class="to-race"
          onClick={() => goTo(pair[0])}
          title={`steps ${pair[0]} (CPU ${a.tid}) and ${pair[1]} (CPU ${b.tid}) touch ${b.obj ?? '?'}: the last cross-CPU dependency before the violation`}
        >
          race {pair[0]} &harr; {pair[1]}
        </button>
      )}
      {bad !== undefined && (
        <button type="button" class="to-violation" onClick={() => goTo(bad)} title="jump to the violating step">
          violation at {bad}
        </button>
      )}
      <label class="all-steps" title="every step, or the compact view: setup in one row, plain reads left out (as the CLI's table)">
        <input type="checkbox" checked={allSteps.value} onChange={toggleAllSteps} /> all steps
        {(!allSteps.value || filterText.value !== '') && <span class="muted"> ({shownRows.value.shown.length} of {n} shown)</span>}
      </label>
      <input
        type="search"
        class="filter"
        aria-label="filter steps"
        placeholder="filter: function, object, value"
        value={filterText.value}
        onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
      />
      <span class="legend" aria-hidden="true">
        <i class="lg-held" /> lock held <i class="lg-wait" /> waiting <i class="lg-race" /> racing pair <i class="lg-bad" /> violation
      </span>
    </div>
  );
}
