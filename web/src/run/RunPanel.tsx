/** Pick a scenario, a preset and switches; explore; list the counterexamples found. */
import { useSignal, useSignalEffect } from '@preact/signals';
import type { RunRequest } from '../../../src/cli/request.ts';
import { doc } from '../store.ts';
import { busy, catalogue, openCounterexample, progress, result, startExplore, stop } from './client.ts';

function fmtMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function RunPanel() {
  const cat = catalogue.value;
  const scenarioId = useSignal('');
  const preset = useSignal('');
  const patch = useSignal('');
  /** Parameter values typed by the user (by scenario id and name); defaults otherwise. */
  const paramText = useSignal<Record<string, string>>({});
  // Opening a trace (a file, or a counterexample found here) sets the panel to its run.
  useSignalEffect(() => {
    const req = doc.value?.request;
    if (!req) return;
    scenarioId.value = req.scenario;
    preset.value = req.kernel ?? '';
    patch.value = req.patch ?? '';
    const typed = Object.entries(req.params).map(([k, v]) => [`${req.scenario}:${k}`, String(v)] as const);
    paramText.value = { ...paramText.peek(), ...Object.fromEntries(typed) };
  });
  if (!cat) return <div class="run muted">loading scenarios&hellip;</div>;
  const scenario = cat.scenarios.find((s) => s.id === scenarioId.value) ?? cat.scenarios[0];
  if (!scenario) return <div class="run muted">no scenarios registered</div>;
  const presetValue = preset.value || Object.keys(scenario.expect)[0] || cat.defaultPreset;
  const run = (): void => {
    const params: Record<string, number> = {};
    for (const [name, p] of Object.entries(scenario.params)) {
      const v = Number(paramText.value[`${scenario.id}:${name}`] ?? p.default);
      if (Number.isFinite(v) && v !== p.default) params[name] = v;
    }
    const req: RunRequest = {
      scenario: scenario.id,
      params,
      ...(scenario.kernel ? { kernel: presetValue } : {}),
      ...(scenario.kernel && patch.value.trim() ? { patch: patch.value.trim() } : {}),
    };
    startExplore(req);
  };
  const r = result.value;
  const p = progress.value;
  const expected = scenario.kernel ? scenario.expect[presetValue] : undefined;
  return (
    <div class="run">
      <label>
        scenario{' '}
        <select
          aria-label="scenario"
          value={scenario.id}
          onChange={(e) => {
            scenarioId.value = (e.target as HTMLSelectElement).value;
            preset.value = '';
          }}
        >
          {cat.scenarios.map((s) => (
            <option key={s.id} value={s.id} title={s.summary}>
              {s.id} {s.id !== s.name ? `\u2014 ${s.name}` : ''}
            </option>
          ))}
        </select>
      </label>
      <label>
        kernel{' '}
        <select aria-label="kernel preset" disabled={!scenario.kernel} value={presetValue} onChange={(e) => (preset.value = (e.target as HTMLSelectElement).value)}>
          {cat.presets.map((p) => (
            <option key={p} value={p}>
              {p}
              {scenario.expect[p] ? ` (expect ${scenario.expect[p]})` : ''}
            </option>
          ))}
        </select>
      </label>
      <input
        class="patch"
        aria-label="switches"
        placeholder="+switch,-switch"
        list="switch-names"
        disabled={!scenario.kernel}
        value={patch.value}
        onInput={(e) => (patch.value = (e.target as HTMLInputElement).value)}
        onKeyDown={(e) => e.key === 'Enter' && !busy.value && run()}
      />
      {Object.entries(scenario.params).map(([name, p]) => (
        <label key={`${scenario.id}:${name}`} title={p.help}>
          {name}{' '}
          <input
            class="param"
            type="number"
            aria-label={`parameter ${name}`}
            value={paramText.value[`${scenario.id}:${name}`] ?? String(p.default)}
            onInput={(e) => (paramText.value = { ...paramText.value, [`${scenario.id}:${name}`]: (e.target as HTMLInputElement).value })}
          />
        </label>
      ))}
      <datalist id="switch-names">
        {cat.switches.flatMap((s) => [<option key={`+${s}`} value={`+${s}`} />, <option key={`-${s}`} value={`-${s}`} />])}
      </datalist>
      {busy.value === 'explore' ? (
        <button type="button" class="primary" onClick={stop}>
          Stop
        </button>
      ) : (
        <button type="button" class="primary" onClick={run} disabled={busy.value !== null}>
          Explore
        </button>
      )}
      <span class="status" data-testid="run-status" title={scenario.summary}>
        {busy.value === 'explore' && `exploring\u2026 ${p ? `${p.executions} executions, ${p.steps} steps, ${fmtMs(p.elapsedMs)}` : ''}`}
        {busy.value === 'replay' && 'replaying\u2026'}
        {!busy.value && r && (
          <>
            <b class={r.summary.violations.length ? 'bad' : 'good'}>{r.summary.violations.length ? 'violation' : 'pass'}</b> &middot;{' '}
            {r.summary.executions} executions ({r.summary.coverage}), {r.summary.steps} steps, {fmtMs(r.summary.elapsedMs)}
            {r.summary.violations.map((v, i) => (
              <button key={v.schedule} type="button" class="link" onClick={() => openCounterexample(r.req, v.schedule)} title={v.message}>
                open counterexample{r.summary.violations.length > 1 ? ` ${i + 1}` : ''}
              </button>
            ))}
          </>
        )}
        {!busy.value && !r && p && `stopped after ${p.executions} executions, ${p.steps} steps, ${fmtMs(p.elapsedMs)}`}
        {!busy.value && !r && !p && expected && <span class="muted">expected at {presetValue}: {expected}</span>}
      </span>
    </div>
  );
}
