/** The scenario registry: an explicit list, no file-system scanning (runs in a browser). */
import type { Scenario } from './types.ts';
import { R5, R6 } from './fork/uprobe.ts';
import { R7, swapoff_vs_exit } from './fork/swapoff.ts';
import { R3, R4, process_mrelease_vs_exit } from './oom/process_mrelease.ts';

export const scenarios: readonly Scenario[] = [
  R5,
  R6,
  R7,
  swapoff_vs_exit,
  R3,
  R4,
  process_mrelease_vs_exit,
];

/** Finds a scenario by id or name (case-sensitive), or undefined. */
export function findScenario(idOrName: string): Scenario | undefined {
  return scenarios.find((s) => s.id === idOrName || s.name === idOrName);
}
