// The model's injectable failure sites (op.ts `fault`), by name, for `mmlife list` and for the
// `--faults` / ExploreOptions.faultSites selection. A site is '<kernel function>:<what fails>';
// allocation failures return -ENOMEM where the kernel's would, the fatal-signal and killable-
// lock sites stand for a SIGKILL arriving at that check (-EINTR).
// Files of the outside actors (oom_kill, uprobes, swapoff, /proc, ksm, khugepaged) add theirs
// to `actor_fault_sites`.

export interface fault_site_doc {
  readonly site: string;
  readonly what: string;
}

/** Sites on the fork path (copy_process -> copy_mm -> dup_mm -> mm_init / dup_mmap). */
export const fork_fault_sites: readonly fault_site_doc[] = [
  { site: 'copy_process:dup_task_struct', what: 'task struct allocation (before copy_mm: no mm exists)' },
  { site: 'dup_mm:allocate_mm', what: 'mm_struct slab allocation' },
  { site: 'mm_init:mm_alloc_pgd', what: 'page-table root allocation' },
  { site: 'mm_init:init_new_context', what: 'arch context (ASID) allocation' },
  { site: 'mm_init:mm_alloc_cid', what: 'per-CPU mm_cid storage' },
  { site: 'mm_init:percpu_counter_init', what: 'per-CPU rss counters' },
  { site: 'dup_mmap:mmap_write_lock_killable', what: 'SIGKILL while taking the parent mmap_lock (F2, -EINTR)' },
  { site: 'dup_mmap:__mt_dup', what: 'node allocation copying the parent tree (F7, v6.8+)' },
  { site: 'dup_mmap:mas_expected_entries', what: 'bulk tree preallocation (before v6.8)' },
  { site: 'dup_mmap:vma_start_write_killable', what: 'SIGKILL while waiting for the per-VMA readers of a parent VMA (F8a, v7.0, -EINTR; none are modelled yet: never fires)' },
  { site: 'dup_mmap:vma_iter_clear_gfp', what: 'erasing a VM_DONTCOPY VMA from the child tree (F8b, v6.8+)' },
  { site: 'dup_mmap:fatal_signal_pending', what: '"Don\'t duplicate many vmas if we\'ve been oom-killed" (F8c, -EINTR)' },
  { site: 'dup_mmap:security_vm_enough_memory_mm', what: 'commit charge of a VM_ACCOUNT VMA (F8d)' },
  { site: 'dup_mmap:vm_area_dup', what: 'VMA slab allocation (F8e)' },
  { site: 'dup_mmap:vma_dup_policy', what: 'mempolicy copy (F8f)' },
  { site: 'anon_vma_fork:anon_vma_alloc', what: 'the child\'s anon_vma (F8h)' },
  { site: 'anon_vma_fork:avc_alloc', what: 'the child\'s own anon_vma_chain (F8h)' },
  { site: 'anon_vma_clone:avc_alloc', what: 'an AVC for an ancestor anon_vma (F8h); old shape: NOWAIT and GFP_KERNEL both fail' },
  { site: 'anon_vma_clone:avc_alloc_nowait', what: 'old shape only: GFP_NOWAIT fails, the root lock is dropped, GFP_KERNEL succeeds' },
  { site: 'copy_page_range:pte_alloc', what: 'a child PTE page (F8n)' },
  { site: 'copy_process:alloc_pid', what: 'pid allocation after copy_mm (full mmput of the finished child mm)' },
  { site: 'copy_process:fatal_signal_pending', what: 'SIGKILL check after copy_mm (-EINTR, full mmput of the child mm)' },
];

/** Sites of the system calls and faults used to build processes. */
export const syscall_fault_sites: readonly fault_site_doc[] = [
  { site: 'mm_alloc:allocate_mm', what: 'exec: a fresh mm_struct' },
  { site: 'vm_mmap_pgoff:mmap_write_lock_killable', what: 'mmap(2): SIGKILL while taking mmap_lock' },
  { site: 'mmap_region:security_vm_enough_memory_mm', what: 'mmap(2): commit charge' },
  { site: 'mmap_region:vm_area_alloc', what: 'mmap(2): VMA allocation' },
  { site: 'mmap_region:vma_iter_prealloc', what: 'mmap(2): tree node allocation' },
  { site: 'vm_munmap:mmap_write_lock_killable', what: 'munmap(2): SIGKILL while taking mmap_lock' },
  { site: 'do_vmi_align_munmap:vma_iter_clear_gfp', what: 'munmap(2): tree node allocation' },
  { site: 'do_mlock:mmap_write_lock_killable', what: 'mlock(2): SIGKILL while taking mmap_lock' },
  { site: 'handle_mm_fault:pte_alloc', what: 'page fault: PTE page' },
  { site: '__anon_vma_prepare:avc_alloc', what: 'first anonymous fault: AVC' },
  { site: '__anon_vma_prepare:anon_vma_alloc', what: 'first anonymous fault: anon_vma' },
  { site: 'do_anonymous_page:alloc_page', what: 'page fault: anonymous page' },
  { site: 'filemap_fault:alloc_page', what: 'page fault: page-cache page' },
  { site: 'do_cow_fault:alloc_page', what: 'page fault: private copy of a file page' },
  { site: 'do_wp_page:alloc_page', what: 'write fault: COW copy' },
  { site: 'do_swap_page:alloc_page', what: 'page fault: swap-in' },
  { site: 'do_huge_pmd_anonymous_page:alloc_pages', what: 'THP fault: the huge page (falls back to PTEs)' },
  { site: 'do_huge_pmd_anonymous_page:pte_alloc_one', what: 'THP fault: the deposited page table (VM_FAULT_OOM)' },
];

/** Sites of the outside actors' paths (their files own the details). */
export const actor_fault_sites: readonly fault_site_doc[] = [
  { site: 'ksm:mm_slot_alloc', what: 'KSM registration (also ksm_fork before v6.12)' },
  { site: 'khugepaged:mm_slot_alloc', what: 'khugepaged registration' },
  { site: 'oom_reap:mmu_notifier_nonblock', what: 'a non-blocking MMU notifier refuses: the reap fails' },
  { site: 'process_mrelease:mmap_read_lock_killable', what: 'process_mrelease: SIGKILL while waiting' },
  { site: 'pidfd_send_signal:mmap_read_lock_killable', what: 'pidfd_send_signal(EXPEDITE, proposed): SIGKILL while waiting to reap' },
  { site: 'alloc_uprobe:kzalloc', what: 'uprobe allocation' },
  { site: 'build_map_info:kmalloc', what: 'uprobe map_info allocation (GFP_KERNEL)' },
  { site: 'build_map_info:kmalloc_nowait', what: 'uprobe map_info allocation (GFP_NOWAIT)' },
  { site: 'm_start:mmap_read_lock_killable', what: '/proc maps reader: SIGKILL while waiting' },
  { site: 'access_remote_vm:mmap_read_lock_killable', what: 'remote VM access: SIGKILL while waiting' },
  { site: 'unuse_pte_range:swapin_readahead', what: 'swapoff: reading a page back' },
  { site: 'uprobe_write_opcode:alloc_page', what: 'uprobe: the private copy of the probed page' },
];

/** Every site, for `mmlife list`. */
export const fault_sites: readonly fault_site_doc[] = [...fork_fault_sites, ...syscall_fault_sites, ...actor_fault_sites];

/** Just the names of the fork-path sites (exhaustive single-fault tests of fork + exit). */
export const fork_fault_site_names: readonly string[] = fork_fault_sites.map((s) => s.site);
