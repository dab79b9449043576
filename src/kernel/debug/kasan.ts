// Checked dereferences (DESIGN.md section 3): using a maple tree entry as a VMA, following a
// pointer into a freed object, or walking a freed page table raises the report the kernel
// would print (an oops, or a KASAN use-after-free).
// Models: the reports of mm/kasan/report.c and arch/x86/mm/fault.c (page_fault_oops), not
// their mechanism: the checks are ghost code on the model's own objects.
//
// CUSTOMISED: field offsets are those of x86_64 struct vm_area_struct as the race reports give
// them (vm_flags at 0x20, anon_vma at 0x40: "0x406 + 0x40 = 0x446"); other fields approximate.
import type { Model } from '../../engine/op.ts';
import { ModelViolation } from '../../engine/op.ts';
import { load } from '../../engine/prims.ts';
import { xa_is_zero } from '../lib/maple_node.ts';
import type { mm_struct, pte_t, pte_table, vm_area_struct } from '../include/linux/mm_types.ts';
import { VM_POISON } from '../include/linux/mm_types.ts';

/** Offsets of the vm_area_struct fields the model dereferences. */
export const VMA_OFF = {
  vm_start: 0x0,
  vm_end: 0x8,
  vm_mm: 0x10,
  vm_flags: 0x20,
  anon_vma_chain: 0x30,
  anon_vma: 0x40,
  vm_pgoff: 0x50,
  vm_file: 0x58,
} as const;
export type vma_field = keyof typeof VMA_OFF;

/** XA_ZERO_ENTRY's pointer value (xa_mk_internal(257)). */
export const XA_ZERO_ENTRY_ADDR = 0x406;

function hex(n: number): string {
  return `0x${n.toString(16).padStart(16, '0')}`;
}

/**
 * vma_check_entry() - the checks of using `entry` as a VMA at `field`, before any load: NULL,
 * XA_ZERO_ENTRY, another mm's VMA (when `mm` is given).
 */
export function vma_check_entry(entry: unknown, mm: mm_struct | null, field: vma_field): vm_area_struct {
  const off = VMA_OFF[field];
  if (entry === null || entry === undefined)
    throw new ModelViolation('oops', `BUG: kernel NULL pointer dereference, address: ${hex(off)} (vma->${field} of a NULL VMA)`);
  if (xa_is_zero(entry))
    throw new ModelViolation('oops', `general protection fault, probably for non-canonical address ${hex(XA_ZERO_ENTRY_ADDR + off)}: XA_ZERO_ENTRY used as a VMA (vma->${field}); KASAN: null-ptr-deref in range [0x0000000000000400-0x0000000000000407]`);
  const vma = entry as vm_area_struct;
  if (mm && vma.vm_mm !== mm)
    throw new ModelViolation('oops', `BUG: ${vma.name} of ${vma.vm_mm.name} found in the VMA tree of ${mm.name} (foreign VMA, vma->${field})`);
  return vma;
}

/**
 * vma_deref() - use a tree entry as a VMA: the checks above, then one step loading vm_flags
 * (a freed VMA has it poisoned). Returns the VMA and its flags.
 */
export function* vma_deref(entry: unknown, mm: mm_struct | null, field: vma_field = 'vm_flags'): Model<readonly [vm_area_struct, number]> {
  const vma = vma_check_entry(entry, mm, field);
  const flags = yield* load(vma.vm_flags);
  if (flags === VM_POISON || vma.__state === 'freed')
    throw new ModelViolation('use-after-free', `BUG: KASAN: slab-use-after-free in vma->${field}: ${vma.name} (of ${vma.vm_mm.name}) was freed by vm_area_free()`);
  return [vma, flags] as const;
}

/** Ghost check for fields read after vma_deref() in the same path. */
export function vma_assert_live(vma: vm_area_struct, field: vma_field): void {
  if (vma.__state === 'freed')
    throw new ModelViolation('use-after-free', `BUG: KASAN: slab-use-after-free in vma->${field}: ${vma.name} (of ${vma.vm_mm.name}) was freed`);
}

/** Loads a PTE page's entries; a freed page table is a use-after-free. */
export function* pt_ptes(pt: pte_table): Model<ReadonlyMap<number, pte_t>> {
  const ptes = yield* load(pt.ptes);
  if (ptes === null)
    throw new ModelViolation('use-after-free', `BUG: KASAN: use-after-free: page table ${pt.name} accessed after free_pgtables()`);
  return ptes;
}
