/** What changed between two state snapshots, as a set of keys the inspector highlights. */
import type { SnapshotObject, StateSnapshot } from '../../../src/engine/api.ts';

export const objectKey = (o: SnapshotObject): string => o.name;
export const fieldKey = (o: SnapshotObject, field: string): string => `${o.name}\u0000f\u0000${field}`;
export const entryKey = (o: SnapshotObject, start: number): string => `${o.name}\u0000e\u0000${start}`;

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Keys of new objects, changed fields and changed tree entries (by range start). */
export function changedKeys(prev: StateSnapshot | undefined, cur: StateSnapshot | undefined): Set<string> {
  const out = new Set<string>();
  if (!cur) return out;
  const before = new Map((prev?.objects ?? []).map((o) => [o.name, o]));
  for (const o of cur.objects) {
    const p = before.get(o.name);
    if (!p) {
      if (prev) out.add(objectKey(o));
      continue;
    }
    for (const [k, v] of Object.entries(o.fields)) {
      if (!same(v, p.fields[k])) out.add(fieldKey(o, k));
    }
    const pe = new Map((p.entries ?? []).map((e) => [e.start, e]));
    for (const e of o.entries ?? []) {
      if (!same(e, pe.get(e.start))) out.add(entryKey(o, e.start));
    }
    if ((o.entries?.length ?? 0) < (p.entries?.length ?? 0)) out.add(fieldKey(o, '(tree)'));
  }
  return out;
}
