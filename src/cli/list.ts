/** `mmlife list`: scenarios, kernel presets, behaviour switches and fault sites. */
import { presets, switchDocs, switchNames } from '../kernel/config.ts';
import { fault_sites } from '../kernel/fault_sites.ts';
import { scenarios } from '../scenarios/index.ts';

export function listCommand(opts: { json?: boolean }): void {
  const rows = scenarios.map((s) => ({
    id: s.id,
    name: s.name,
    summary: s.summary,
    ...(s.source !== undefined && { source: s.source }),
    ...(s.params && { params: Object.fromEntries(Object.entries(s.params).map(([k, p]) => [k, p.default])) }),
    ...(s.expect && { expect: s.expect }),
  }));
  const switches = switchNames.map((name) => ({ name, ...switchDocs[name] }));
  if (opts.json) {
    process.stdout.write(JSON.stringify({ scenarios: rows, presets, switches, faultSites: fault_sites }, null, 2) + '\n');
    return;
  }
  const width = Math.max(4, ...rows.map((r) => r.id.length));
  const out = ['Scenarios (mmlife check <id> [--param NAME=VALUE]):'];
  for (const r of rows) {
    const params = r.params ? '  [' + Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ') + ']' : '';
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
