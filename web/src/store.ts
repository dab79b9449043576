/** The page's state, as signals: the open trace, the cursor, the last error. */
import { computed, signal } from '@preact/signals';
import { lockSpans, racingPair } from './lanes/model.ts';
import { violatingStep, type TraceDoc } from './trace-doc.ts';

export const doc = signal<TraceDoc | null>(null);
/** Index of the current step; the inspector shows the state after it. */
export const cursor = signal(0);
/** A readable error (bad trace file, worker failure); shown in a banner. */
export const errorText = signal<string | null>(null);

export const violating = computed(() => (doc.value ? violatingStep(doc.value) : undefined));
export const spans = computed(() => (doc.value ? lockSpans(doc.value.trace) : []));
export const race = computed(() => (doc.value ? racingPair(doc.value.trace, violating.value) : undefined));

export function openDoc(d: TraceDoc): void {
  doc.value = d;
  cursor.value = 0;
  errorText.value = null;
}

export function showError(message: string): void {
  errorText.value = message;
}

/** Moves the cursor to `i`, clamped to the trace. */
export function goTo(i: number): void {
  const n = doc.value?.trace.steps.length ?? 0;
  cursor.value = Math.max(0, Math.min(n - 1, i));
}
