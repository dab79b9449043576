/**
 * Engine benchmark: optimal DPOR on the classic programs, medians over several runs, next
 * to GenMC v0.10.3 on this machine kind (classics.md section 2). Reports; never gates.
 */
import { explore } from '../src/engine/explore.ts';
import type { Scenario } from '../src/scenarios/types.ts';
import { lastzero, readers } from '../src/scenarios/classic/readers.ts';
import { casrot, indexer } from '../src/scenarios/classic/cas.ts';
import { machine, median } from './stats.ts';

interface Case {
  readonly scenario: Scenario;
  readonly n: number;
  readonly runs: number;
  /** GenMC v0.10.3 wall time on this machine kind, as classics.md reports it. */
  readonly genmc: string;
}

const CASES: readonly Case[] = [
  { scenario: lastzero, n: 15, runs: 3, genmc: '7.07-7.50 s' },
  { scenario: readers, n: 13, runs: 5, genmc: '0.37-0.38 s' },
  { scenario: indexer, n: 15, runs: 3, genmc: '1.57-1.84 s' },
  // 19 events per execution (9 spawns, 9 CAS, the end): the 15-30-event rate.
  { scenario: casrot, n: 9, runs: 5, genmc: '0.17-0.26 s' },
];

export async function benchEngine(): Promise<string> {
  const rows: string[] = [];
  for (const c of CASES) {
    const program = c.scenario.build({ params: { N: c.n } });
    const times: number[] = [];
    let executions = 0;
    let blocked = 0;
    let steps = 0;
    for (let r = 0; r < c.runs; r++) {
      const t0 = performance.now();
      const res = explore(program, { strategy: 'dpor', stopOnViolation: false, traces: false });
      times.push(performance.now() - t0);
      executions = res.executions;
      blocked = res.blocked;
      steps = res.steps;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const t = median(times) / 1000;
    rows.push(
      `| ${c.scenario.name}(${c.n}) | ${executions.toLocaleString('en')} | ${blocked} | ${Math.round(steps / executions)} | ` +
        `${t.toFixed(2)} s | ${Math.round(executions / t).toLocaleString('en')} | ${c.genmc} |`,
    );
  }
  return [
    '## Engine: optimal DPOR on the classic programs',
    '',
    `machine: ${machine()}; median of several runs each`,
    '',
    '| program | executions | blocked | steps/execution | median time | executions/s | GenMC v0.10.3 |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}
