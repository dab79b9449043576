// Models: mm/mm_slot.h @ v7.0: the mm_slot lists that ksmd and khugepaged keep of the mms
// registered with them, each slot holding an mm_count reference (mmgrab) on its mm.
// CUSTOMISED: a list is a Loc of mms in order (one slot per mm: the hash lookup is a search);
// the cursor (ksm_scan.mm_slot / khugepaged_scan.mm_slot) is the mm being scanned or null for
// the list head. All the helpers run with the list's spinlock held and are thread-local on the
// loaded list; the caller stores the result.
import type { mm_struct } from '../include/linux/mm_types.ts';

/** mm_slot_lookup(): is @mm registered? */
export function mm_slot_lookup(list: readonly mm_struct[], mm: mm_struct): boolean {
  return list.includes(mm);
}

/**
 * mm_slot_insert() + list_add_tail(&slot->mm_node, &cursor->mm_node): the new slot goes just
 * before the slot being scanned (the end of the current round), or at the tail.
 */
export function mm_slot_insert(list: readonly mm_struct[], mm: mm_struct, cursor: mm_struct | null): readonly mm_struct[] {
  const i = cursor ? list.indexOf(cursor) : -1;
  return i < 0 ? [...list, mm] : [...list.slice(0, i), mm, ...list.slice(i)];
}

/** hash_del(&slot->hash); list_del(&slot->mm_node). */
export function mm_slot_remove(list: readonly mm_struct[], mm: mm_struct): readonly mm_struct[] {
  return list.filter((m) => m !== mm);
}

/** The slot after @mm's (null: back at the list head); the first slot when @mm is null. */
export function mm_slot_next(list: readonly mm_struct[], mm: mm_struct | null): mm_struct | null {
  if (!mm) return list[0] ?? null;
  const i = list.indexOf(mm);
  return list[i + 1] ?? null;
}
