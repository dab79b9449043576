// Models include/linux/mm_types.h, include/linux/rmap.h, include/linux/fs.h, include/linux/sched.h
// and include/linux/sched/signal.h @ v7.0: the structs the mm life cycle touches, and the MMF_,
// VM_, PF_, TIF_ and SIGNAL_ flags the model reads.
//
// Every field that several threads share is a `Loc` (one visible step per access) or a `Lock`;
// fields fixed at creation are plain. Fields whose name starts with `__` are model-only ghost
// state (object identity for the audit and the sanitizers) that no kernel path branches on.
//
// CUSTOMISED:
// - Addresses are bytes with the kernel's PAGE_SIZE, but a PTE page maps only PTRS_PER_PTE = 4
//   pages (PMD_SIZE = 16 KiB), so that small pictures have several page tables.
// - Page tables are two levels: mm->pgd is the PMD level (a map from PMD index to PTE page); the
//   pgd page itself is allocated by mm_alloc_pgd() and freed by mm_free_pgd().
// - vm_start/vm_end/vm_pgoff/vm_file are fixed at creation (no VMA split/merge/mremap).
// - A freed VMA has its vm_flags poisoned (VM_POISON): checked dereferences load vm_flags, so the
//   free and every later use are dependent steps for the explorer (KASAN-like).
// - A freed PTE page has `ptes` = null, for the same reason.
// - The anon_vma interval tree (rb_root) is a list of AVCs; the file i_mmap tree a list of VMAs.
// - RSS counters are one Loc per mm holding [MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS].
// STUBBED: mm->owner, exe_file, binfmt, ioctx_table, notifier subscriptions, hiwater marks,
//   mm_cid, TLB batching, the mmu_gather, percpu counters, vm_ops.
import type { Lock, Loc } from '../../../engine/op.ts';
import type { maple_tree } from '../../lib/maple_node.ts';
import type { world } from '../../world.ts';

// ---- sizes ------------------------------------------------------------------------------

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
/** CUSTOMISED: 4 PTEs per PTE page (the kernel has 512). */
export const PTRS_PER_PTE = 4;
export const PMD_SIZE = PAGE_SIZE * PTRS_PER_PTE;
export const FIRST_USER_ADDRESS = 0;
/** The model's TASK_SIZE: user addresses live below it. */
export const TASK_SIZE = 0x1000000;
export const USER_PGTABLES_CEILING = 0;

// ---- mm->flags (MMF_*, kernel-spec.md section 3; bit numbers of v6.x) ----------------------

export const MMF_VM_MERGEABLE = 16;
export const MMF_VM_HUGEPAGE = 17;
export const MMF_HAS_UPROBES = 19;
export const MMF_RECALC_UPROBES = 20;
export const MMF_OOM_SKIP = 21;
export const MMF_UNSTABLE = 22;
export const MMF_HUGE_ZERO_FOLIO = 23;
/** Only in v4.17 .. v6.0 (removed by b3541d912a84). */
export const MMF_OOM_VICTIM = 25;
export const MMF_OOM_REAP_QUEUED = 26;
export const MMF_MULTIPROCESS = 27;

/** Names for snapshots and notes. */
export const MMF_NAMES: Readonly<Record<number, string>> = {
  [MMF_VM_MERGEABLE]: 'MMF_VM_MERGEABLE',
  [MMF_VM_HUGEPAGE]: 'MMF_VM_HUGEPAGE',
  [MMF_HAS_UPROBES]: 'MMF_HAS_UPROBES',
  [MMF_RECALC_UPROBES]: 'MMF_RECALC_UPROBES',
  [MMF_OOM_SKIP]: 'MMF_OOM_SKIP',
  [MMF_UNSTABLE]: 'MMF_UNSTABLE',
  [MMF_HUGE_ZERO_FOLIO]: 'MMF_HUGE_ZERO_FOLIO',
  [MMF_OOM_VICTIM]: 'MMF_OOM_VICTIM',
  [MMF_OOM_REAP_QUEUED]: 'MMF_OOM_REAP_QUEUED',
  [MMF_MULTIPROCESS]: 'MMF_MULTIPROCESS',
};

/** mmf_init_flags(): the bits a forked mm inherits (none of the OOM/unstable ones). */
export const MMF_INIT_MASK = 0; // dumpability, coredump filter, THP-disable ... are not modelled

// ---- vma->vm_flags (VM_*) -------------------------------------------------------------------

export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYWRITE = 0x20;
export const VM_PFNMAP = 0x400;
export const VM_LOCKED = 0x2000;
export const VM_DONTCOPY = 0x20000;
export const VM_ACCOUNT = 0x100000;
export const VM_HUGETLB = 0x400000;
export const VM_WIPEONFORK = 0x2000000;
export const VM_LOCKONFAULT = 0x80000;
/** madvise(MADV_MERGEABLE): KSM may merge the VMA's pages (mm/ksm.c). */
export const VM_MERGEABLE = 1 << 28;
/** madvise(MADV_HUGEPAGE) (mm/khugepaged.c, mm/huge_memory.c). */
export const VM_HUGEPAGE = 0x20000000;
export const VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;
/** Model-only: the value a freed VMA's vm_flags holds (KASAN poison). */
export const VM_POISON = -1;

// ---- task flags ---------------------------------------------------------------------------

export const PF_EXITING = 0x4;
export const PF_KTHREAD = 0x200000;
export const TIF_MEMDIE = 0x1;
export const SIGNAL_GROUP_EXIT = 0x4;
export const SIGKILL = 9;
/** SIGTERM: only to show that the expedite flag is refused with another signal. */
export const SIGTERM = 15;

// ---- values by name, for traces (newLoc's render) ---------------------------------------------

/** The set bits of @v named by @names (mask -> name), e.g. "VM_READ|VM_WRITE"; "0" for none. */
function mask_text(v: number, names: readonly (readonly [number, string])[]): string {
  if (v === 0) return '0';
  let rest = v;
  const out: string[] = [];
  for (const [mask, name] of names) {
    if ((rest & mask) === mask) {
      out.push(name);
      rest &= ~mask;
    }
  }
  if (rest !== 0) out.push(`0x${(rest >>> 0).toString(16)}`);
  return out.join('|');
}

const MMF_MASKS = Object.entries(MMF_NAMES).map(([bit, name]) => [1 << Number(bit), name] as const);
const VM_MASKS = [
  [VM_READ, 'VM_READ'], [VM_WRITE, 'VM_WRITE'], [VM_EXEC, 'VM_EXEC'], [VM_SHARED, 'VM_SHARED'],
  [VM_MAYWRITE, 'VM_MAYWRITE'], [VM_PFNMAP, 'VM_PFNMAP'], [VM_LOCKED, 'VM_LOCKED'], [VM_DONTCOPY, 'VM_DONTCOPY'],
  [VM_LOCKONFAULT, 'VM_LOCKONFAULT'], [VM_ACCOUNT, 'VM_ACCOUNT'], [VM_HUGETLB, 'VM_HUGETLB'], [VM_WIPEONFORK, 'VM_WIPEONFORK'],
  [VM_MERGEABLE, 'VM_MERGEABLE'], [VM_HUGEPAGE, 'VM_HUGEPAGE'],
] as const;

/** mm->flags as MMF_ names. */
export const mmf_text = (v: number): string => mask_text(v, MMF_MASKS);
/** vma->vm_flags as VM_ names (a freed VMA's poison as such). */
export const vm_flags_text = (v: number): string => (v === VM_POISON ? 'POISON (freed)' : mask_text(v, VM_MASKS));
/** task->flags as PF_ names. */
export const pf_text = (v: number): string => mask_text(v, [[PF_EXITING, 'PF_EXITING'], [PF_KTHREAD, 'PF_KTHREAD']]);
/** thread_info flags as TIF_ names. */
export const tif_text = (v: number): string => mask_text(v, [[TIF_MEMDIE, 'TIF_MEMDIE']]);
/** signal->flags as SIGNAL_ names. */
export const signal_flags_text = (v: number): string => mask_text(v, [[SIGNAL_GROUP_EXIT, 'SIGNAL_GROUP_EXIT']]);
/** A pending-signal mask by signal name. */
export const sigset_text = (v: number): string => mask_text(v, [[1 << SIGKILL, 'SIGKILL'], [1 << SIGTERM, 'SIGTERM']]);

// ---- objects -------------------------------------------------------------------------------

/**
 * struct mm_struct.
 * Models: include/linux/mm_types.h: struct mm_struct
 */
export interface mm_struct {
  /** 'mm#N': display name, also how traces render the pointer. */
  readonly name: string;
  /** Kernel globals (the model's way to reach init_mm, mmlist_lock, ...). */
  readonly w: world;
  readonly mm_users: Loc<number>;
  readonly mm_count: Loc<number>;
  /** MMF_* bits. */
  readonly flags: Loc<number>;
  readonly mmap_lock: Lock;
  /** The VMA tree: one tree operation is one step (load, or rmw mutating it in place). */
  readonly mm_mt: Loc<maple_tree>;
  readonly map_count: Loc<number>;
  /** The PMD level: PMD index -> PTE page; null once mm_free_pgd() ran. */
  readonly pgd: Loc<Map<number, pte_table> | null>;
  /** rss_stat: [MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS]. */
  readonly rss_stat: Loc<readonly [number, number, number]>;
  readonly total_vm: Loc<number>;
  readonly locked_vm: Loc<number>;
  /** Pages charged by VM_ACCOUNT mappings (vm_acct_memory / vm_unacct_memory). */
  readonly committed: Loc<number>;
  /** NUMA balancing scanner state (task_numa_work): next scan time in jiffies, scan position. */
  readonly numa_next_scan: Loc<number>;
  readonly numa_scan_offset: Loc<number>;
  /** True while the mm is on init_mm.mmlist (list_empty(&mm->mmlist) is false). */
  readonly mmlist: Loc<boolean>;
  /** Model-only: 'live' until __mmdrop(); how many times __mmput() ran. */
  __state: 'live' | 'freed';
  __mmput_runs: number;
}

export const MM_FILEPAGES = 0;
export const MM_ANONPAGES = 1;
export const MM_SWAPENTS = 2;

/**
 * struct vm_area_struct.
 * Models: include/linux/mm_types.h: struct vm_area_struct
 */
export interface vm_area_struct {
  readonly name: string;
  readonly vm_start: number;
  readonly vm_end: number;
  readonly vm_mm: mm_struct;
  readonly vm_pgoff: number;
  readonly vm_file: file | null;
  /** VM_* bits; VM_POISON once freed. */
  readonly vm_flags: Loc<number>;
  readonly anon_vma: Loc<anon_vma | null>;
  /** The "same_vma" list of AVCs. */
  readonly anon_vma_chain: Loc<readonly anon_vma_chain[]>;
  /** Per-VMA lock: vm_lock_seq (vma_start_write() sets it to the mm's sequence). */
  readonly vm_lock_seq: Loc<number>;
  /** vma_mark_detached(): no longer in the tree. */
  readonly detached: Loc<boolean>;
  __state: 'live' | 'freed';
}

/**
 * struct anon_vma.
 * Models: include/linux/rmap.h: struct anon_vma
 */
export interface anon_vma {
  readonly name: string;
  /** Root of the fork family: its rwsem is the family's lock. Self for a root. */
  root: anon_vma;
  parent: anon_vma;
  readonly refcount: Loc<number>;
  readonly num_children: Loc<number>;
  readonly num_active_vmas: Loc<number>;
  /** The interval tree of AVCs, as a list. */
  readonly rb_root: Loc<readonly anon_vma_chain[]>;
  readonly rwsem: Lock;
  __state: 'live' | 'freed';
}

/**
 * struct anon_vma_chain: links one VMA and one anon_vma.
 * Models: include/linux/rmap.h: struct anon_vma_chain
 */
export interface anon_vma_chain {
  readonly name: string;
  /** Set by anon_vma_chain_link(). */
  vma: vm_area_struct;
  anon_vma: anon_vma;
  __state: 'live' | 'freed';
}

/**
 * struct address_space (of an inode).
 * Models: include/linux/fs.h: struct address_space
 */
export interface address_space {
  readonly name: string;
  /** VMAs mapping this file (the i_mmap interval tree, as a list). */
  readonly i_mmap: Loc<readonly vm_area_struct[]>;
  readonly i_mmap_rwsem: Lock;
  /** The page cache: page offset -> page. */
  readonly i_pages: Loc<ReadonlyMap<number, page>>;
}

/** struct file: a reference-counted open file of one inode. */
export interface file {
  readonly name: string;
  readonly f_mapping: address_space;
  readonly f_count: Loc<number>;
}

/** A physical page (struct folio of order 0). */
export interface page {
  readonly name: string;
  /** Anonymous (its anon_vma) or page cache (its mapping). */
  readonly anon: boolean;
  readonly mapping: address_space | null;
  /** _refcount: mappings + the page cache's reference; freed to the pool at 0. */
  readonly _refcount: Loc<number>;
  __state: 'live' | 'freed';
}

/** A swap entry: one slot of the swap device; swap_map[offset] is `count`. */
export interface swp_entry_t {
  readonly name: string;
  readonly kind: 'swap';
  readonly count: Loc<number>;
  __state: 'live' | 'freed';
}

/** A present PTE maps a page; a non-present one holds a swap entry. */
export type pte_t = { readonly kind: 'page'; readonly page: page; readonly write: boolean } | swp_entry_t;

/**
 * A PTE page: PTRS_PER_PTE entries and its split page-table lock.
 * Models: include/linux/mm_types.h: struct ptdesc (ptl)
 */
export interface pte_table {
  readonly name: string;
  /** Index of the PMD entry pointing at it. */
  readonly pmd_index: number;
  readonly ptl: Lock;
  /**
   * A huge PMD (transparent hugepage): the PMD entry maps one THP, whose PTRS_PER_PTE subpages
   * are the entries here; this table stands for the PMD mapping and its deposited page table,
   * and ptl for the PMD lock. zap_huge_pmd() clears the PMD entry itself (mm/huge_memory.ts).
   */
  readonly huge: boolean;
  /** Address -> PTE; null once freed (free_pgtables / pte_free). */
  readonly ptes: Loc<ReadonlyMap<number, pte_t> | null>;
  __state: 'live' | 'freed';
}

/**
 * struct signal_struct: shared by a thread group.
 * Models: include/linux/sched/signal.h: struct signal_struct
 */
export interface signal_struct {
  readonly flags: Loc<number>;
  /** Set once by mark_oom_victim() with an mmgrab(); dropped when the signal struct goes. */
  readonly oom_mm: Loc<mm_struct | null>;
  /** Live threads of the group (signal->live); the last exit frees the signal struct. */
  readonly live: Loc<number>;
}

/**
 * struct task_struct (the fields of the mm life cycle).
 * Models: include/linux/sched.h: struct task_struct
 */
export interface task_struct {
  /** 'comm[pid]'. */
  readonly name: string;
  readonly pid: number;
  readonly tgid: number;
  readonly comm: string;
  readonly w: world;
  readonly mm: Loc<mm_struct | null>;
  readonly active_mm: Loc<mm_struct | null>;
  /** PF_* bits. */
  readonly flags: Loc<number>;
  /** Thread-info flags (TIF_MEMDIE). */
  readonly thread_flags: Loc<number>;
  /** task_lock(): the alloc_lock spinlock. */
  readonly alloc_lock: Lock;
  readonly signal: signal_struct;
  /** Pending signals as a bitmask of (1 << signo). */
  readonly pending: Loc<number>;
  /** Frozen by the cgroup freezer. */
  readonly frozen: Loc<boolean>;
  /** User address of the robust futex list head (0: none). */
  readonly robust_list: number;
  /** PROPOSED-2026 (taskExitMm): the mm kept after exit_mm(), with an mm_count reference. */
  readonly exit_mm: Loc<mm_struct | null>;
  /** 0 while running; EXIT_ZOMBIE / EXIT_DEAD after exit_notify(). */
  readonly exit_state: Loc<number>;
  /** get_task_struct()/put_task_struct(). */
  readonly usage: Loc<number>;
}

export const EXIT_ZOMBIE = 0x20;
export const EXIT_DEAD = 0x10;
/** task->exit_state by name. */
export const exit_state_text = (v: number): string =>
  v === EXIT_ZOMBIE ? 'EXIT_ZOMBIE' : v === EXIT_DEAD ? 'EXIT_DEAD' : v === -1 ? 'never attached' : String(v);
