/**
 * The race catalogue's speed: the whole `mmlife matrix` and, per violating cell, the time to
 * its first counterexample (a violating cell stops at its first violation). Medians of runs
 * made in this process, one after another.
 */
import { runMatrix } from '../src/cli/matrix.ts';
import { median } from './stats.ts';

export async function benchMatrix(runs = 3): Promise<string> {
  const totals: number[] = [];
  const perCell = new Map<string, number[]>();
  const withMinimise = new Map<string, number[]>();
  let cellsAsExpected = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const { cells } = await runMatrix({ json: true });
    totals.push(performance.now() - t0);
    for (const c of cells) {
      if (c.verdict !== 'violation') continue;
      const key = `${c.scenario} @ ${c.kernel}`;
      perCell.set(key, [...(perCell.get(key) ?? []), c.violation?.foundMs ?? c.elapsedMs]);
      withMinimise.set(key, [...(withMinimise.get(key) ?? []), c.elapsedMs]);
    }
    cellsAsExpected = `${cells.filter((c) => c.asExpected).length}/${cells.length}`;
  }
  const lines = [
    `### Race matrix (${runs} runs; cells as expected: ${cellsAsExpected})`,
    '',
    `whole \`mmlife matrix\` (worker start-up included): median ${(median(totals) / 1000).toFixed(2)} s (target < 60 s)`,
    '',
    '| violating cell | first counterexample found, median ms (target < 1000) | with its minimisation, ms |',
    '| --- | ---: | ---: |',
  ];
  for (const [key, ms] of perCell) lines.push(`| ${key} | ${median(ms).toFixed(0)} | ${median(withMinimise.get(key) ?? []).toFixed(0)} |`);
  return lines.join('\n');
}
