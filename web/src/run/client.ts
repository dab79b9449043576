/**
 * The page's side of the exploration worker: scenario list, explore with progress, replay
 * of a counterexample into the open trace. Stop terminates the worker and starts a new one.
 */
import { signal } from '@preact/signals';
import type { Progress } from '../../../src/engine/api.ts';
import type { RunRequest } from '../../../src/cli/request.ts';
import type { FromWorker, RunSummary, ScenarioInfo, ToWorker } from '../protocol.ts';
import { openDoc, showError } from '../store.ts';

export interface Catalogue {
  readonly scenarios: readonly ScenarioInfo[];
  readonly presets: readonly string[];
  readonly switches: readonly string[];
  readonly defaultPreset: string;
}

export const catalogue = signal<Catalogue | null>(null);
export const busy = signal<'explore' | 'replay' | null>(null);
export const progress = signal<Progress | null>(null);
export const result = signal<{ req: RunRequest; summary: RunSummary } | null>(null);

let worker: Worker | null = null;
let lastReq: RunRequest | null = null;

function onMessage(m: FromWorker): void {
  switch (m.type) {
    case 'list':
      catalogue.value = { scenarios: m.scenarios, presets: m.presets, switches: m.switches, defaultPreset: m.defaultPreset };
      return;
    case 'progress':
      progress.value = m.progress;
      return;
    case 'result': {
      busy.value = null;
      if (lastReq) result.value = { req: lastReq, summary: m.result };
      const first = m.result.violations[0];
      if (first && lastReq) openCounterexample(lastReq, first.schedule);
      return;
    }
    case 'replayed':
      busy.value = null;
      if (!m.trace) {
        showError('the replay recorded no trace');
        return;
      }
      openDoc({
        trace: m.trace,
        request: m.req,
        ...(m.violation ? { violation: { kind: m.violation.kind, message: m.violation.message, schedule: m.violation.schedule } } : {}),
        origin: `${m.req.scenario}${m.req.kernel ? ` @ ${m.req.kernel}` : ''}`,
      });
      return;
    case 'error':
      busy.value = null;
      showError(m.message);
      return;
  }
}

function send(m: ToWorker): void {
  if (!worker) {
    worker = new Worker(new URL('../worker.ts', import.meta.url), { type: 'module', name: 'mmlife-explorer' });
    worker.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
    worker.onerror = (e) => {
      busy.value = null;
      showError(`the exploration worker failed: ${e.message}`);
    };
  }
  worker.postMessage(m);
}

export function loadCatalogue(): void {
  send({ type: 'list' });
}

export function startExplore(req: RunRequest): void {
  lastReq = req;
  result.value = null;
  progress.value = null;
  busy.value = 'explore';
  send({ type: 'explore', req });
}

export function openCounterexample(req: RunRequest, schedule: string): void {
  busy.value = 'replay';
  send({ type: 'replay', req, schedule });
}

/** Stops a run: the worker is busy in explore(), so it is terminated and replaced. */
export function stop(): void {
  worker?.terminate();
  worker = null;
  busy.value = null;
  send({ type: 'list' });
}
