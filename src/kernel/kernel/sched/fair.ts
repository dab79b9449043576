// Models kernel/sched/fair.c @ v7.0 (and the v6.2 .. v6.12-rc5 loop under numaDoWhileBug):
// task_numa_work(), the NUMA-balancing scanner that runs as task_work when a task returns to
// user space, on the task's OWN mm (kernel-spec.md 11.4, race R9).
//
// CUSTOMISED:
// - change_prot_numa() (mm/mempolicy.c) walks the range (mm/pagewalk.ts) and counts the
//   present PTEs instead of making them PROT_NONE (no NUMA hinting faults are modelled).
//   task_numa_work() returns the number of pages scanned so that tests can see the scanner do
//   its job (the kernel's returns void).
// - The scan period is fixed (sysctl_numa_balancing_scan_period_min) and the scan size covers
//   the whole address space: one call scans every VMA from numa_scan_offset on.
// STUBBED: p->numa_scan_period adaptation, p->node_stamp, vma_policy_mof()/vma_migratable()
//   beyond the vm_flags test (every non-hugetlb, non-PFNMAP VMA is migratable), the per-VMA
//   numab_state (scan windows, pids_active), migrate rate limiting.
import type { Model } from '../../../engine/op.ts';
import { cas, jiffies, kfn, load, note, store } from '../../../engine/prims.ts';
import { vma_deref } from '../../debug/kasan.ts';
import { VMA_ITERATOR, vma_iter_set, vma_next, type vma_entry } from '../../include/linux/mm.ts';
import { mmap_read_trylock, mmap_read_unlock } from '../../include/linux/mmap_lock.ts';
import { PF_EXITING, VM_HUGETLB, VM_PFNMAP, type mm_struct, type vm_area_struct } from '../../include/linux/mm_types.ts';
import { pte_present, walk_page_range } from '../../mm/pagewalk.ts';
import { get_current, type world } from '../../world.ts';

/** sysctl_numa_balancing_scan_delay (1000 ms) in model jiffies. */
export const NUMA_SCAN_DELAY = 10;
/** sysctl_numa_balancing_scan_period_min (1000 ms) in model jiffies. */
export const NUMA_SCAN_PERIOD = 10;

/**
 * change_prot_numa() - mark the present PTEs of [start, end) of @vma for NUMA hinting faults.
 * Context: mmap_read_lock(vma->vm_mm); takes each PTE lock.
 * Returns: the number of present PTEs found (see the file header).
 * DEVIATION: counts instead of changing protections.
 * Models: mm/mempolicy.c: change_prot_numa() -> mm/mprotect.c: change_protection()
 */
export const change_prot_numa = kfn('change_prot_numa', function* (vma: vm_area_struct, start: number, end: number): Model<number> {
  return yield* walk_page_range(vma.vm_mm, start, end, pte_present);
});

/** reset_ptenuma_scan(): mm->numa_scan_offset = 0 (and numa_scan_seq++, not modelled). */
function* reset_ptenuma_scan(mm: mm_struct): Model<void> {
  yield* store(mm.numa_scan_offset, 0); // WRITE_ONCE(p->mm->numa_scan_offset, 0)
}

/** The body of the scan loop for one VMA; returns the pages it scanned. */
function* task_numa_scan_vma(mm: mm_struct, entry: vma_entry): Model<number> {
  // if (!vma_migratable(vma) || ... || is_vm_hugetlb_page(vma) || (vma->vm_flags & VM_MIXEDMAP))
  const [vma, flags] = yield* vma_deref(entry, mm, 'vm_flags');
  if (flags & (VM_HUGETLB | VM_PFNMAP)) return 0; // continue;
  return yield* change_prot_numa(vma, vma.vm_start, vma.vm_end);
}

/**
 * task_numa_work() - scan part of current's address space for NUMA balancing.
 * @w: the kernel globals (current is found through them).
 * Context: task_work on return to user space; no locks held; takes mmap_read_trylock(mm).
 * Returns: pages scanned (model-only, see the file header).
 * The scan loop has two shapes: under numaDoWhileBug (214dbc428137, v6.2 .. v6.12-rc5) a
 * do-while whose first body runs before the VMA is tested, so an empty tree hands it NULL;
 * fixed by 9c70b2a33cd2 ("sched/numa: Fix the potential null pointer dereference in
 * task_numa_work()"), which tests the VMA before every pass.
 * Models: kernel/sched/fair.c: task_numa_work()
 */
export const task_numa_work = kfn('task_numa_work', function* (w: world): Model<number> {
  const p = get_current(w); // struct task_struct *p = current;
  const mm = yield* load(p.mm); // struct mm_struct *mm = p->mm
  if (!mm) return 0;
  if ((yield* load(p.flags)) & PF_EXITING) return 0; // if (p->flags & PF_EXITING) return;
  const now = yield* jiffies();
  let migrate = yield* load(mm.numa_next_scan);
  if (!migrate) {
    // if (!mm->numa_next_scan) mm->numa_next_scan = now + msecs_to_jiffies(scan_delay);
    yield* store(mm.numa_next_scan, now + NUMA_SCAN_DELAY);
    migrate = now + NUMA_SCAN_DELAY;
  }
  if (now < migrate) return 0; // if (time_before(now, migrate)) return;
  const next_scan = now + NUMA_SCAN_PERIOD;
  // if (!try_cmpxchg(&mm->numa_next_scan, &migrate, next_scan)) return;
  if ((yield* cas(mm.numa_next_scan, migrate, next_scan)) !== migrate) return 0;
  if (!(yield* mmap_read_trylock(mm))) return 0; // if (!mmap_read_trylock(mm)) return;
  let start = yield* load(mm.numa_scan_offset); // start = mm->numa_scan_offset;
  const vmi = VMA_ITERATOR(mm, start); // vma_iter_init(&vmi, mm, start);
  let vma = yield* vma_next(vmi);
  if (!vma) {
    yield* reset_ptenuma_scan(mm);
    start = 0;
    vma_iter_set(vmi, start);
    vma = yield* vma_next(vmi);
  }
  let pages = 0;
  if (w.sw.numaDoWhileBug) {
    // do { ... } for_each_vma(vmi, vma);  -- the first pass runs without testing vma
    do {
      if (vma === null) yield* note('do-while body runs with vma == NULL');
      pages += yield* task_numa_scan_vma(mm, vma);
      vma = yield* vma_next(vmi);
    } while (vma);
  } else {
    // for (; vma; vma = vma_next(&vmi)) { ... }
    for (; vma; vma = yield* vma_next(vmi)) pages += yield* task_numa_scan_vma(mm, vma);
  }
  // if (vma) mm->numa_scan_offset = start; else reset_ptenuma_scan(p);
  // DEVIATION: the whole space is scanned in one call (see the file header), so vma is NULL here.
  yield* reset_ptenuma_scan(mm);
  yield* mmap_read_unlock(mm);
  yield* note(`task_numa_work: ${pages} pages scanned`);
  return pages;
});
