// Models: include/linux/bitops.h, include/linux/atomic.h and the mm flag accessors of
// include/linux/mm.h (mm_flags_test/set/clear, v6.18+ names) over a `Loc<number>` bitmask.
// Each helper is one visible step (set_bit and friends are atomic RMWs in the kernel).
import type { Loc, Model } from '../../../engine/op.ts';
import { load, rmw } from '../../../engine/prims.ts';
import type { mm_struct } from './mm_types.ts';

/** test_bit(nr, addr). */
export function* test_bit(nr: number, addr: Loc<number>): Model<boolean> {
  return ((yield* load(addr)) & (1 << nr)) !== 0;
}

/** set_bit(nr, addr). */
export function* set_bit(nr: number, addr: Loc<number>): Model<void> {
  yield* rmw(addr, (v) => v | (1 << nr));
}

/** clear_bit(nr, addr). */
export function* clear_bit(nr: number, addr: Loc<number>): Model<void> {
  yield* rmw(addr, (v) => v & ~(1 << nr));
}

/** test_and_set_bit(nr, addr): returns the old bit. */
export function* test_and_set_bit(nr: number, addr: Loc<number>): Model<boolean> {
  return ((yield* rmw(addr, (v) => v | (1 << nr))) & (1 << nr)) !== 0;
}

/** test_and_clear_bit(nr, addr): returns the old bit. */
export function* test_and_clear_bit(nr: number, addr: Loc<number>): Model<boolean> {
  return ((yield* rmw(addr, (v) => v & ~(1 << nr))) & (1 << nr)) !== 0;
}

/** mm_flags_test(flag, mm) (test_bit(flag, &mm->flags) before v6.18). */
export function* mm_flags_test(flag: number, mm: mm_struct): Model<boolean> {
  return yield* test_bit(flag, mm.flags);
}

/** mm_flags_set(flag, mm). */
export function* mm_flags_set(flag: number, mm: mm_struct): Model<void> {
  yield* set_bit(flag, mm.flags);
}

/** mm_flags_clear(flag, mm). */
export function* mm_flags_clear(flag: number, mm: mm_struct): Model<void> {
  yield* clear_bit(flag, mm.flags);
}

/** mm_flags_test_and_set(flag, mm): returns the old bit. */
export function* mm_flags_test_and_set(flag: number, mm: mm_struct): Model<boolean> {
  return yield* test_and_set_bit(flag, mm.flags);
}

/** Names of the set bits of a flag word, for snapshots and notes. */
export function flag_names(v: number, names: Readonly<Record<number, string>>): string[] {
  const out: string[] = [];
  for (let b = 0; b < 31; b++) if (v & (1 << b)) out.push(names[b] ?? `bit${b}`);
  return out;
}
