// The end-of-execution audit (DESIGN.md section 3), run by the program's atEnd through Peek:
// every object the execution created is either freed exactly once or still reachable from a
// live owner, and every counter agrees with what it counts:
// - mm_struct: freed with both counts at 0, or used by a live task (task->mm, active_mm,
//   exit_mm, signal->oom_mm), or pinned by a count someone still legitimately holds;
// - VMAs, anon_vmas, AVCs, page tables: freed, or reachable from a live mm's tree / pgd;
// - pages and swap slots: refcounts equal the references found (PTEs, page cache), and the
//   pool and swap device are back to full minus what is still referenced;
// - files: f_count = 1 + live VMAs mapping them; i_mmap and anon_vma trees hold only live VMAs;
// - per live mm: map_count, rss counters, total_vm, locked_vm and the commit charge match;
// - no lock is held.
// A failure throws ModelViolation('leak' or 'refcount') naming the object.
import type { Peek } from '../../engine/api.ts';
import { ModelViolation } from '../../engine/op.ts';
import { tree_ranges } from '../include/linux/mm.ts';
import {
  MM_ANONPAGES,
  MM_FILEPAGES,
  MM_SWAPENTS,
  EXIT_DEAD,
  PAGE_SIZE,
  VM_ACCOUNT,
  VM_LOCKED,
  type mm_struct,
  type page,
  type swp_entry_t,
  type vm_area_struct,
} from '../include/linux/mm_types.ts';
import type { world } from '../world.ts';

function leak(msg: string): never {
  throw new ModelViolation('leak', msg);
}

/**
 * Live mms: those a task that is not yet released still references (task->mm, active_mm,
 * exit_mm, signal->oom_mm), or a daemon's mm_slot list holds (ksmd, khugepaged).
 */
function live_mms(w: world, peek: Peek): Set<mm_struct> {
  const live = new Set<mm_struct>();
  for (const t of w.__reg.tasks) {
    const st = peek.load(t.exit_state);
    if (st === EXIT_DEAD || st === -1) continue;
    for (const m of [peek.load(t.mm), peek.load(t.active_mm), peek.load(t.exit_mm), peek.load(t.signal.oom_mm)])
      if (m) live.add(m);
  }
  for (const list of [w.ksm_scan, w.khugepaged_scan]) if (list) for (const m of peek.load(list.mm_head)) live.add(m);
  return live;
}

function audit_mm_counts(mm: mm_struct, peek: Peek): void {
  const users = peek.load(mm.mm_users);
  const count = peek.load(mm.mm_count);
  if (mm.__state === 'freed') {
    if (users !== 0 || count !== 0) throw new ModelViolation('refcount', `${mm.name} freed with mm_users ${users}, mm_count ${count}`);
    return;
  }
  if (count <= 0) throw new ModelViolation('refcount', `${mm.name} not freed but mm_count is ${count}`);
  if (users > 0 && mm.__mmput_runs) throw new ModelViolation('refcount', `${mm.name}: __mmput() ran but mm_users is ${users}`);
}

/** What a live mm's tree and page tables reference. */
function audit_live_mm(mm: mm_struct, peek: Peek, vmas: Set<vm_area_struct>, pages: Map<page, number>, swaps: Map<swp_entry_t, number>): void {
  const torn = mm.__mmput_runs > 0;
  let nr = 0;
  let total = 0;
  let locked = 0;
  let acct = 0;
  for (const r of tree_ranges(peek.load(mm.mm_mt))) {
    const vma = r.entry as vm_area_struct;
    if (typeof r.entry === 'symbol' || vma.vm_mm !== mm) continue; // XA_ZERO / parent pointers
    if (vma.__state === 'freed') {
      if (!torn) leak(`${mm.name}'s tree holds the freed ${vma.name}`);
      continue;
    }
    vmas.add(vma);
    nr++;
    const pages_ = (vma.vm_end - vma.vm_start) / PAGE_SIZE;
    const flags = peek.load(vma.vm_flags);
    total += pages_;
    if (flags & VM_LOCKED) locked += pages_;
    if (flags & VM_ACCOUNT) acct += pages_;
  }
  const rss = [0, 0, 0];
  const pgd = peek.load(mm.pgd);
  for (const pt of pgd?.values() ?? []) {
    if (pt.__state === 'freed') leak(`${mm.name}'s pgd points at the freed page table ${pt.name}`);
    for (const pte of peek.load(pt.ptes)?.values() ?? []) {
      if (pte.kind === 'swap') { swaps.set(pte, (swaps.get(pte) ?? 0) + 1); rss[MM_SWAPENTS]!++; }
      else { pages.set(pte.page, (pages.get(pte.page) ?? 0) + 1); rss[pte.page.anon ? MM_ANONPAGES : MM_FILEPAGES]!++; }
    }
  }
  if (torn) return; // a torn-down mm keeps only its struct (and maybe a stale tree, pre-v5.17)
  const want: Array<[string, number, number]> = [
    ['map_count', peek.load(mm.map_count), nr],
    ['total_vm', peek.load(mm.total_vm), total],
    ['locked_vm', peek.load(mm.locked_vm), locked],
    ['committed (VM_ACCOUNT)', peek.load(mm.committed), acct],
    ['rss file', peek.load(mm.rss_stat)[MM_FILEPAGES], rss[MM_FILEPAGES]!],
    ['rss anon', peek.load(mm.rss_stat)[MM_ANONPAGES], rss[MM_ANONPAGES]!],
    ['rss swapents', peek.load(mm.rss_stat)[MM_SWAPENTS], rss[MM_SWAPENTS]!],
  ];
  for (const [what, have, should] of want)
    if (have !== should) throw new ModelViolation('leak', `${mm.name}: ${what} is ${have}, but its tree/page tables hold ${should}`);
}

/**
 * kernel_audit() - the end-of-execution audit. Throws on the first inconsistency.
 */
export function kernel_audit(w: world, peek: Peek): void {
  const live = live_mms(w, peek);
  const vmas = new Set<vm_area_struct>();
  const pages = new Map<page, number>();
  const swaps = new Map<swp_entry_t, number>();
  for (const mm of w.__reg.mms) {
    audit_mm_counts(mm, peek);
    if (mm.__state === 'live' && !live.has(mm)) leak(`${mm.name} never freed (mm_users ${peek.load(mm.mm_users)}, mm_count ${peek.load(mm.mm_count)})`);
    if (mm.__state === 'live') audit_live_mm(mm, peek, vmas, pages, swaps);
    else if (peek.load(mm.pgd)) leak(`${mm.name} freed but its pgd was not`);
  }
  for (const vma of w.__reg.vmas) {
    if (vma.__state === 'live' && !vmas.has(vma)) leak(`${vma.name} of ${vma.vm_mm.name} never freed (not in any live tree)`);
  }
  const avs = new Set<unknown>();
  for (const vma of vmas) for (const avc of peek.load(vma.anon_vma_chain)) {
    if (avc.__state === 'freed') leak(`${vma.name}'s chain holds the freed ${avc.name}`);
    avs.add(avc);
    avs.add(avc.anon_vma);
    avs.add(avc.anon_vma.root);
  }
  for (const avc of w.__reg.avcs) if (avc.__state === 'live' && !avs.has(avc)) leak(`${avc.name} never freed`);
  for (const av of w.__reg.anon_vmas) {
    if (av.__state === 'live' && !avs.has(av)) leak(`${av.name} never freed (refcount ${peek.load(av.refcount)})`);
    if (av.__state === 'live') for (const avc of peek.load(av.rb_root))
      if (avc.__state === 'freed' || avc.vma.__state === 'freed') leak(`${av.name}'s tree holds a freed ${avc.__state === 'freed' ? avc.name : avc.vma.name}`);
  }
  for (const pt of w.__reg.pts) {
    if (pt.__state === 'freed') continue;
    const owner = w.__reg.mms.find((mm) => [...(peek.load(mm.pgd)?.values() ?? [])].includes(pt));
    if (!owner || owner.__state === 'freed') leak(`page table ${pt.name} never freed`);
  }
  for (const f of w.__reg.files) {
    for (const v of peek.load(f.f_mapping.i_mmap)) if (v.__state === 'freed') leak(`${f.name}'s i_mmap holds the freed ${v.name}`);
    for (const p of peek.load(f.f_mapping.i_pages).values()) pages.set(p, (pages.get(p) ?? 0) + 1);
    const maps = [...vmas].filter((v) => v.vm_file === f).length;
    const count = peek.load(f.f_count);
    if (count !== 1 + maps) throw new ModelViolation('refcount', `${f.name}: f_count ${count}, but 1 + ${maps} live mappings`);
  }
  let live_pages = 0;
  for (const p of w.__reg.pages) {
    if (p.__state === 'freed') continue;
    live_pages++;
    const refs = pages.get(p) ?? 0;
    const rc = peek.load(p._refcount);
    if (refs === 0) leak(`${p.name} never freed (_refcount ${rc}, no PTE or page cache holds it)`);
    if (rc !== refs) throw new ModelViolation('refcount', `${p.name}: _refcount ${rc}, but ${refs} references found`);
  }
  if (peek.load(w.nr_free_pages) + live_pages !== w.totalram_pages)
    leak(`page pool: ${peek.load(w.nr_free_pages)} free + ${live_pages} in use != ${w.totalram_pages}`);
  let live_swaps = 0;
  for (const e of w.__reg.swaps) {
    if (e.__state === 'freed') continue;
    live_swaps++;
    const refs = swaps.get(e) ?? 0;
    if (refs !== peek.load(e.count)) leak(`swap slot ${e.name}: swap_map ${peek.load(e.count)}, ${refs} PTEs hold it`);
  }
  if (peek.load(w.nr_swap_pages) + live_swaps !== w.total_swap_pages) leak('swap device: slots lost');
  for (const mm of peek.load(w.mmlist)) if (mm.__state === 'freed') leak(`init_mm.mmlist holds the freed ${mm.name}`);
  for (const mm of w.__reg.mms) {
    const l = peek.lock(mm.mmap_lock);
    if (l.holders.length) throw new ModelViolation('lockdep', `${mm.mmap_lock.name} still held by ${l.holders.join(', ')} at the end`);
  }
  for (const lock of [w.mmlist_lock, w.dup_mmap_sem, w.oom_lock]) {
    const l = peek.lock(lock);
    if (l.holders.length) throw new ModelViolation('lockdep', `${lock.name} still held by ${l.holders.join(', ')} at the end`);
  }
}
