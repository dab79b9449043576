/**
 * Memory over a long DPOR run (issue 13, F15): `check soup --kernel v7.0 --strategy dpor` for
 * 200,000 executions in a fresh child process, its resident set sampled as it goes and its peak
 * at the end. One run (memory, not time: the figure that matters is whether it levels off).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MEMORY_EXECUTIONS = 200_000;

export function benchMemory(executions = MEMORY_EXECUTIONS): string {
  const child = fileURLToPath(new URL('./memory-child.js', import.meta.url));
  const out = execFileSync(process.execPath, ['--expose-gc', child, String(executions)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const r = JSON.parse(out) as {
    executions: number; blocked: number; seconds: number; peakMb: number;
    samples: { executions: number; rssMb: number; liveMb: number; frontier: number }[];
  };
  const lines = [
    `### Memory of a long DPOR run (soup, v7.0, ${r.executions.toLocaleString('en-US')} executions, one run)`,
    '',
    `peak resident set ${r.peakMb.toFixed(0)} MB (target < 300 MB); ${r.seconds.toFixed(0)} s; ${r.blocked.toLocaleString('en-US')} executions sleep-set blocked`,
    '',
    '| executions | resident MB | live heap after a GC, MB | wakeup-tree nodes |',
    '| ---: | ---: | ---: | ---: |',
    ...r.samples.map((s) => `| ${s.executions.toLocaleString('en-US')} | ${s.rssMb.toFixed(0)} | ${s.liveMb.toFixed(0)} | ${s.frontier.toLocaleString('en-US')} |`),
  ];
  return lines.join('\n');
}
