// The state the trace viewer's inspector shows after each step (engine/api.ts StateSnapshot):
// one object per mm_struct (its counts, flags by name, map_count, mmap_lock holders and
// waiters, the maple tree's ranges with 'vma#N' / 'XA_ZERO_ENTRY' entries), one per task, and
// the globals (free pages and swap slots, init_mm.mmlist, dup_mmap_sem, oom_lock).
import type { Peek, SnapshotObject, StateSnapshot } from '../../engine/api.ts';
import type { Lock } from '../../engine/op.ts';
import { flag_names } from '../include/linux/bitops.ts';
import { tree_ranges } from '../include/linux/mm.ts';
import { MMF_NAMES, PF_EXITING, SIGKILL, TIF_MEMDIE, type vm_area_struct } from '../include/linux/mm_types.ts';
import type { world } from '../world.ts';

function lock_text(peek: Peek, lock: Lock): string {
  const l = peek.lock(lock);
  if (l.mode === 'free' && !l.waiters.length) return 'free';
  return `${l.mode}: ${l.holders.join(', ') || '-'}${l.waiters.length ? `; waiting: ${l.waiters.join(', ')}` : ''}`;
}

function entry_name(e: unknown): string {
  if (typeof e === 'symbol') return 'XA_ZERO_ENTRY';
  const v = e as vm_area_struct;
  return v.__state === 'freed' ? `${v.name} (freed)` : v.name;
}

/** kernel_snapshot() - the inspector's view of @w after a step. */
export function kernel_snapshot(w: world, peek: Peek): StateSnapshot {
  const objects: SnapshotObject[] = [];
  for (const mm of w.__reg.mms) {
    const pgd = peek.load(mm.pgd);
    objects.push({
      kind: 'mm_struct',
      name: mm.name,
      fields: {
        mm_users: peek.load(mm.mm_users),
        mm_count: peek.load(mm.mm_count),
        flags: flag_names(peek.load(mm.flags), MMF_NAMES),
        map_count: peek.load(mm.map_count),
        mmap_lock: lock_text(peek, mm.mmap_lock),
        page_tables: pgd ? pgd.size : 0,
        rss: peek.load(mm.rss_stat).join('/'),
        on_mmlist: peek.load(mm.mmlist),
        freed: mm.__state === 'freed',
      },
      entries: tree_ranges(peek.load(mm.mm_mt)).map((r) => ({ start: r.start, last: r.last, entry: entry_name(r.entry) })),
    });
  }
  for (const t of w.__reg.tasks) {
    const flags = peek.load(t.flags);
    const state = peek.load(t.exit_state);
    objects.push({
      kind: 'task_struct',
      name: t.name,
      fields: {
        pid: t.pid,
        tgid: t.tgid,
        comm: t.comm,
        mm: peek.load(t.mm)?.name ?? null,
        active_mm: peek.load(t.active_mm)?.name ?? null,
        state: state === 0 ? 'running' : state === -1 ? 'never attached' : state === 0x20 ? 'zombie' : 'dead',
        flags: [
          ...(flags & PF_EXITING ? ['PF_EXITING'] : []),
          ...(peek.load(t.thread_flags) & TIF_MEMDIE ? ['TIF_MEMDIE'] : []),
          ...(peek.load(t.pending) & (1 << SIGKILL) ? ['SIGKILL pending'] : []),
          ...(peek.load(t.frozen) ? ['frozen'] : []),
        ],
        oom_mm: peek.load(t.signal.oom_mm)?.name ?? null,
      },
    });
  }
  objects.push({
    kind: 'global',
    name: 'kernel',
    fields: {
      nr_free_pages: `${peek.load(w.nr_free_pages)} / ${w.totalram_pages}`,
      nr_swap_pages: `${peek.load(w.nr_swap_pages)} / ${w.total_swap_pages}`,
      'init_mm.mmlist': peek.load(w.mmlist).map((m) => m.name),
      ksm_mm_head: peek.load(w.ksm_scan.mm_head).map((m) => m.name),
      'khugepaged_scan.mm_head': peek.load(w.khugepaged_scan.mm_head).map((m) => m.name),
      dup_mmap_sem: lock_text(peek, w.dup_mmap_sem),
      oom_lock: lock_text(peek, w.oom_lock),
      oom_victims: peek.load(w.oom_victims),
    },
  });
  return { objects };
}
