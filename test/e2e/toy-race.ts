/**
 * A toy of race R5 built directly on the engine (no kernel model), for the viewer's tests
 * while the kernel scenarios are being written: a fork whose dup_mmap() fails leaves
 * XA_ZERO_ENTRY in the child's tree; a uprobe registrar that pinned the child walks into it.
 */
import { ModelViolation, type Loc, type Lock, type Model } from '../../src/engine/op.ts';
import type { Peek, Program, StateSnapshot } from '../../src/engine/api.ts';
import { acquire, fault, kfn, load, newLoc, newLock, note, release, rmw, spawn, store } from '../../src/engine/prims.ts';

type Entry = { start: number; last: number; entry: string };

interface Child {
  users: Loc<number>;
  tree: Loc<readonly Entry[]>;
  mmapLock: Lock;
  taskMm: Loc<string>;
}

const PARENT_TREE: readonly Entry[] = [
  { start: 0x1000, last: 0x1fff, entry: 'vma#1 (parent, file I)' },
  { start: 0x2000, last: 0x2fff, entry: 'vma#2 (parent)' },
];

const dup_mmap = kfn('dup_mmap', function* (c: Child): Model<boolean> {
  yield* acquire(c.mmapLock, 'write');
  yield* store(c.tree, PARENT_TREE);
  const failed = yield* fault('vm_area_dup');
  if (failed) yield* note('vm_area_dup() fails');
  const tree: Entry[] = [{ start: 0x1000, last: 0x1fff, entry: "vma#3 (child A')" }];
  tree.push({ start: 0x2000, last: 0x2fff, entry: failed ? 'XA_ZERO_ENTRY' : 'vma#4 (child)' });
  yield* store(c.tree, tree);
  yield* release(c.mmapLock, 'write');
  return !failed;
});

const mmput = kfn('mmput', function* (c: Child): Model<void> {
  yield* rmw(c.users, (u) => u - 1);
});

const build_map_info = kfn('build_map_info', function* (c: Child): Model<boolean> {
  const old = yield* rmw(c.users, (u) => (u === 0 ? 0 : u + 1)); // mmget_not_zero()
  return old !== 0;
});

const find_mergeable_anon_vma = kfn('find_mergeable_anon_vma', function* (c: Child): Model<void> {
  const tree = yield* load(c.tree);
  const next = tree[1];
  if (next?.entry === 'XA_ZERO_ENTRY') throw new ModelViolation('oops', 'BUG: general protection fault, address 0x406');
});

const register_for_each_vma = kfn('register_for_each_vma', function* (c: Child): Model<void> {
  if (!(yield* build_map_info(c))) return;
  yield* acquire(c.mmapLock, 'write');
  yield* find_mergeable_anon_vma(c);
  yield* release(c.mmapLock, 'write');
  yield* mmput(c);
});

function snapshot(c: Child, peek: Peek): StateSnapshot {
  const lock = peek.lock(c.mmapLock);
  return {
    objects: [
      {
        kind: 'mm_struct',
        name: 'mm#2 (child)',
        fields: {
          mm_users: peek.load(c.users),
          mm_count: 1,
          flags: [],
          mmap_lock: lock.mode === 'free' ? 'free' : `${lock.mode}: ${lock.holders.join(', ')}`,
          'mmap_lock waiters': lock.waiters,
        },
        entries: peek.load(c.tree),
      },
      { kind: 'task_struct', name: 'task#2 (child)', fields: { mm: peek.load(c.taskMm), state: 'TASK_NEW' } },
    ],
  };
}

export const toyRace: Program = () => {
  let child: Child | undefined;
  return {
    mainName: 'main',
    *main() {
      const c: Child = {
        users: yield* newLoc('mm#2.mm_users', 1),
        tree: yield* newLoc<readonly Entry[]>('mm#2.mm_mt', []),
        mmapLock: yield* newLock('mm#2.mmap_lock', 'rwsem'),
        taskMm: yield* newLoc('task#2.mm', 'mm#2'),
      };
      child = c;
      yield* spawn('fork', function* () {
        const ok = yield* dup_mmap(c);
        if (!ok) yield* mmput(c);
      });
      yield* spawn('uprobe_register', function* () {
        yield* register_for_each_vma(c);
      });
    },
    snapshot: (peek) => (child ? snapshot(child, peek) : { objects: [] }),
  };
};
