/**
 * Kernel versions as behaviour switches (kernel-spec.md section 13).
 * The mm-model issue fills in every switch and preset; this is the shape the rest uses.
 */
export interface KernelConfig {
  /** The preset this config started from (e.g. 'v6.12', 'v7.0+reap-kill'). */
  readonly preset: string;
  /** Every behaviour switch by name. */
  readonly switches: Readonly<Record<string, boolean>>;
}
