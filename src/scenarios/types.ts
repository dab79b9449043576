/**
 * A scenario: a litmus test for one race (or a classic concurrency program). It never
 * contains the bug: the bug must come out of the modelled kernel paths under the chosen
 * switches.
 */
import type { ExploreOptions, Program } from '../engine/api.ts';
import type { KernelConfig } from '../kernel/config.ts';

export type Verdict = 'violation' | 'pass';

/** A scenario parameter: a whole number in [min, max] (checked before the scenario is built). */
export interface ScenarioParam {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly help: string;
}

export interface ScenarioContext {
  readonly params: Readonly<Record<string, number>>;
  /** The kernel configuration (absent for scenarios that do not model the kernel). */
  readonly kernel?: KernelConfig;
}

export interface Scenario {
  /** Short id: 'R5', 'classic/lastzero'. */
  readonly id: string;
  /** Race name: 'uprobe_register-vs-dup_mmap-enomem'. */
  readonly name: string;
  readonly summary: string;
  /** The seed document or patch it comes from. */
  readonly source?: string;
  readonly params?: Readonly<Record<string, ScenarioParam>>;
  /** Builds the program for one configuration. */
  readonly build: (ctx: ScenarioContext) => Program;
  /** Expected verdict per kernel preset (kernel scenarios). */
  readonly expect?: Readonly<Record<string, Verdict>>;
  /** What each metric it records measures, one line each (`mmlife weigh` prints them). */
  readonly metricDocs?: Readonly<Record<string, string>>;
  /** Exploration defaults (bounds, fault sites) that make the scenario's search meaningful. */
  readonly options?: Partial<ExploreOptions>;
  /**
   * How to read its verdict, where it is not "a violation is a bug": 'by-design' documents
   * intended behaviour that the violation shows (R14); 'metric' turns a measured quantity into a
   * verdict with a threshold (R12, R13).
   */
  readonly kind?: 'by-design' | 'metric';
  /** True if the scenario needs a kernel config. */
  readonly kernel?: boolean;
}
