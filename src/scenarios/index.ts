/** The scenario registry: an explicit list, no file-system scanning (runs in a browser). */
import type { Scenario } from './types.ts';

export const scenarios: readonly Scenario[] = [];

/** Finds a scenario by id or name (case-sensitive), or undefined. */
export function findScenario(idOrName: string): Scenario | undefined {
  return scenarios.find((s) => s.id === idOrName || s.name === idOrName);
}
