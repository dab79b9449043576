/** The page's state, as signals: the open trace, the cursor, the last error. */
import { computed, signal } from '@preact/signals';
import { stepLine } from '../../src/engine/table.ts';
import { lockSpans, racingPair, rows, snap } from './lanes/model.ts';
import { violatingStep, type TraceDoc } from './trace-doc.ts';

export const doc = signal<TraceDoc | null>(null);
/** Index of the current step; the inspector shows the state after it. */
export const cursor = signal(0);
/** A readable error (bad trace file, worker failure); shown in a banner. */
export const errorText = signal<string | null>(null);
/** Show every step (true) or the compact view (setup collapsed, plain reads left out). */
export const allSteps = signal(false);

export const violating = computed(() => (doc.value ? violatingStep(doc.value) : undefined));
export const spans = computed(() => (doc.value ? lockSpans(doc.value.trace) : []));
export const race = computed(() => (doc.value ? racingPair(doc.value.trace, violating.value) : undefined));
/** Text a row must contain to be shown (a function, an object, a value); '' shows every row. */
export const filterText = signal('');
export const shownRows = computed(() => {
  if (!doc.value) return { shown: [], setupEnd: 0 };
  const all = rows(doc.value.trace, allSteps.value, race.value ?? []);
  const needle = filterText.value.trim().toLowerCase();
  if (needle === '') return all;
  // the violating step stays, so the filtered view still ends where the trace does
  const steps = doc.value.trace.steps;
  const keep = (i: number): boolean => i === steps.length - 1 || stepLine(steps[i]!).toLowerCase().includes(needle);
  return { shown: all.shown.filter(keep), setupEnd: all.shown.includes(all.setupEnd - 1) && keep(all.setupEnd - 1) ? all.setupEnd : 0 };
});

/** Opens a trace at its race (the first step of the racing pair), or at the start without one. */
export function openDoc(d: TraceDoc): void {
  doc.value = d;
  cursor.value = 0;
  errorText.value = null;
  cursor.value = snap(shownRows.value.shown, race.value?.[0] ?? 0);
}

export function showError(message: string): void {
  errorText.value = message;
}

/** Moves the cursor to step `i`, or the shown row before it. */
export function goTo(i: number): void {
  cursor.value = snap(shownRows.value.shown, i);
}

/** Moves the cursor by `delta` shown rows. */
export function move(delta: number): void {
  const shown = shownRows.value.shown;
  const at = shown.indexOf(snap(shown, cursor.value));
  const to = shown[Math.max(0, Math.min(shown.length - 1, at + delta))];
  if (to !== undefined) cursor.value = to;
}

/** Shows only the rows whose text contains @text (case-insensitive). */
export function setFilter(text: string): void {
  filterText.value = text;
  cursor.value = snap(shownRows.value.shown, cursor.value);
}

export function toggleAllSteps(): void {
  allSteps.value = !allSteps.value;
  cursor.value = snap(shownRows.value.shown, cursor.value);
}
