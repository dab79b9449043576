/**
 * The exploration worker: the engine, the kernel model and the scenarios run here, bundled
 * by vite, exactly the code the CLI runs. One request at a time; the page cancels a run by
 * terminating the worker.
 */
import { explore, replay } from '../../src/engine/explore.ts';
import { resolveRequest } from '../../src/cli/request.ts';
import { DEFAULT_PRESET, presets, switchNames } from '../../src/kernel/config.ts';
import { scenarios } from '../../src/scenarios/index.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

/** The worker's global scope, typed by hand (the page's tsconfig has the DOM lib, not webworker). */
const scope = self as unknown as {
  postMessage(m: FromWorker): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};
const post = (m: FromWorker): void => scope.postMessage(m);

function handle(m: ToWorker): void {
  switch (m.type) {
    case 'list':
      post({
        type: 'list',
        scenarios: scenarios.map((s) => ({
          id: s.id,
          name: s.name,
          summary: s.summary,
          kernel: s.kernel === true,
          expect: { ...(s.expect ?? {}) },
          params: Object.fromEntries(Object.entries(s.params ?? {}).map(([k, v]) => [k, { default: v.default, help: v.help }])),
        })),
        presets,
        switches: switchNames,
        defaultPreset: DEFAULT_PRESET,
      });
      return;
    case 'explore': {
      const { program, options } = resolveRequest(m.req);
      const result = explore(program, {
        ...options,
        traces: false,
        now: () => performance.now(),
        onProgress: (progress) => post({ type: 'progress', progress }),
      });
      const violations = result.violations.map((v) => ({ kind: v.kind, message: v.message, schedule: v.schedule }));
      post({ type: 'result', result: { ...result, violations } });
      return;
    }
    case 'replay': {
      const { program, options } = resolveRequest(m.req);
      const r = replay(program, m.schedule, options);
      post({ type: 'replayed', req: { ...m.req, schedule: m.schedule }, ...(r.violation ? { violation: r.violation } : {}), trace: r.trace });
      return;
    }
  }
}

scope.onmessage = (e) => {
  try {
    handle(e.data);
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
