/** `mmlife list`: scenarios, kernel presets, behaviour switches and fault sites. */
import { presetKind, presets, presetSwitchNames, switchDocs, switchNames } from '../kernel/config.ts';
import { fault_sites } from '../kernel/fault_sites.ts';
import { scenarios } from '../scenarios/index.ts';
import { SCHEMA_VERSION } from './schema-version.ts';
import type { ListReport } from './schemas.ts';

export function listReport(): ListReport {
  return {
    schemaVersion: SCHEMA_VERSION,
    scenarios: scenarios.map((s) => ({
      id: s.id,
      name: s.name,
      summary: s.summary,
      ...(s.source !== undefined && { source: s.source }),
      ...(s.kind !== undefined && { kind: s.kind }),
      ...(s.params && { params: { ...s.params } }),
      ...(s.expect && { expect: { ...s.expect } }),
    })),
    presets: presets.map((name) => ({ name, kind: presetKind(name), switches: [...presetSwitchNames(name)] })),
    switches: switchNames.map((name) => ({ name, ...switchDocs[name] })),
    faultSites: fault_sites.map((f) => ({ ...f })),
  };
}

export function listCommand(opts: { json?: boolean }): void {
  const report = listReport();
  if (opts.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return;
  }
  const rows = report.scenarios;
  const switches = report.switches;
  const width = Math.max(4, ...rows.map((r) => r.id.length));
  const out = ['Scenarios (mmlife check <id> [--param NAME=VALUE]):'];
  for (const r of rows) {
    const params = r.params ? '  [' + Object.entries(r.params).map(([k, p]) => `${k}=${p.default} (${p.min}-${p.max})`).join(' ') + ']' : '';
    out.push(`  ${r.id.padEnd(width)}  ${r.id === r.name ? '' : r.name}${params}`, `  ${''.padEnd(width)}  ${r.summary}`);
  }
  out.push('', 'Kernel presets (--kernel, default v7.0):', '  ' + presets.join('  '));
  out.push('', 'Behaviour switches (--patch +name,-name):');
  const sw = Math.max(...switchNames.map((n) => n.length));
  for (const s of switches) out.push(`  ${s.name.padEnd(sw)}  ${s.release}: ${s.effect} [${s.commit}]`);
  out.push('', 'Fault sites (--fault-sites a,b; each fails at most --faults times per execution):');
  const fw = Math.max(...fault_sites.map((f) => f.site.length));
  for (const f of fault_sites) out.push(`  ${f.site.padEnd(fw)}  ${f.what}`);
  process.stdout.write(out.join('\n') + '\n');
}
