/** The scenario registry: an explicit list, no file-system scanning (runs in a browser). */
import type { Scenario } from './types.ts';
import { soup } from './soup.ts';
import { R5, R6, uprobe_register_vs_exit } from './fork/uprobe.ts';
import { forkExit } from './fork-exit.ts';
import { R9, task_numa_work_vs_exit } from './fork/numa.ts';
import { R7, swapoff_vs_exit } from './fork/swapoff.ts';
import { R8, R8_khugepaged } from './fork/ksm.ts';
import { R15 } from './fork/rmap.ts';
import { R3, R4, process_mrelease_vs_exit } from './oom/process_mrelease.ts';
import { R11, proc_maps_vs_exit } from './oom/proc.ts';
import { lmkd_vs_stalled_maps, R10 } from './oom/lmkd.ts';
import { R1, R2, R12, R13, R14, R16, oom_reaper_vs_exit } from './oom/oom.ts';
import { lastzero, readers } from './classic/readers.ts';
import { ainc, inc, lockinc } from './classic/counters.ts';
import { casrot, indexer, wcas } from './classic/cas.ts';
import { abba, philosophers } from './classic/deadlocks.ts';
import { peterson } from './classic/peterson.ts';

export const scenarios: readonly Scenario[] = [
  soup,
  R5,
  forkExit,
  R6,
  uprobe_register_vs_exit,
  R7,
  swapoff_vs_exit,
  R8,
  R8_khugepaged,
  R9,
  task_numa_work_vs_exit,
  R15,
  R3,
  R4,
  process_mrelease_vs_exit,
  R10,
  lmkd_vs_stalled_maps,
  R11,
  proc_maps_vs_exit,
  R1,
  R2,
  R12,
  R13,
  R14,
  R16,
  oom_reaper_vs_exit,
  readers,
  lastzero,
  indexer,
  casrot,
  wcas,
  inc,
  ainc,
  lockinc,
  peterson,
  abba,
  philosophers,
];

/** Finds a scenario by id or name (case-sensitive), or undefined. */
export function findScenario(idOrName: string): Scenario | undefined {
  return scenarios.find((s) => s.id === idOrName || s.name === idOrName);
}
