/** The trace viewer's pure helpers: lock spans, the racing pair, the inspector's diff. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StateSnapshot, Trace, TraceStep } from '../../src/engine/api.ts';
import { lockSpans, racingPair, slotCounts, spansAt } from '../../web/src/lanes/model.ts';
import { changedKeys, entryKey, fieldKey, objectKey } from '../../web/src/inspector/diff.ts';

const step = (tid: number, op: string, obj?: string, value?: string): TraceStep => ({
  tid,
  thread: `t${tid}`,
  op,
  stack: [],
  ...(obj !== undefined ? { obj } : {}),
  ...(value !== undefined ? { value } : {}),
});
const trace = (...steps: TraceStep[]): Trace => ({ threads: ['t0', 't1', 't2'], steps });

void test('lock spans: holds, nested holds side by side, a wait then its grant, failed trylocks, never released', () => {
  const t = trace(
    step(1, 'acquire', 'A'), // 0
    step(1, 'acquire', 'B'), // 1
    step(2, 'acquire', 'A', 'waits'), // 2
    step(1, 'release', 'B'), // 3
    step(1, 'release', 'A'), // 4
    step(2, 'acquire', 'A'), // 5: granted
    step(1, 'tryacquire', 'A', 'false'), // 6
    step(2, 'release', 'A'), // 7
    step(1, 'acquire', 'C'), // 8
  );
  const spans = lockSpans(t).map(({ tid, lock, from, to, waiting, slot, open }) => ({ tid, lock, from, to, waiting, slot, open }));
  assert.deepEqual(spans, [
    { tid: 1, lock: 'A', from: 0, to: 4, waiting: false, slot: 0, open: false },
    { tid: 1, lock: 'B', from: 1, to: 3, waiting: false, slot: 1, open: false },
    { tid: 2, lock: 'A', from: 2, to: 4, waiting: true, slot: 0, open: false },
    { tid: 2, lock: 'A', from: 5, to: 7, waiting: false, slot: 0, open: false },
    { tid: 1, lock: 'C', from: 8, to: 8, waiting: false, slot: 0, open: true },
  ]);
  assert.deepEqual([...slotCounts(lockSpans(t))], [[1, 2], [2, 1]]);
  const at = (i: number): string[] => spansAt(lockSpans(t), i).map((s) => `${s.tid}${s.lock}${s.waiting ? '?' : ''}`);
  assert.deepEqual(at(2), ['1A', '1B', '2A?']);
  assert.deepEqual(at(3), ['1A', '2A?'], 'a release ends the hold at its own step');
  assert.deepEqual(at(5), ['2A']);
  assert.deepEqual(at(8), ['1C'], 'a lock never released is held to the end');
  assert.equal(lockSpans(trace(step(1, 'acquire', 'A', 'read'))).at(0)?.mode, 'read');
  assert.equal(lockSpans(t).at(0)?.mode, '', 'the mode is not guessed when the trace does not say');
});

void test('the racing pair is the last cross-thread dependency into the violating thread', () => {
  const t = trace(
    step(1, 'store', 'x', '1'), // 0
    step(2, 'load', 'x', '1'), // 1
    step(1, 'store', 'tree', 'XA_ZERO'), // 2
    step(2, 'rmw', 'users', '1 -> 2'), // 3
    step(1, 'load', 'y', '0'), // 4: read-read with nobody
    step(2, 'load', 'tree', 'XA_ZERO'), // 5: violates
  );
  assert.deepEqual(racingPair(t, 5), [2, 5]);
  assert.equal(racingPair(t, undefined), undefined);
  // lock operations order threads; they are not the racing pair
  const locked = trace(step(1, 'store', 'x', '1'), step(1, 'release', 'L'), step(2, 'acquire', 'L'), step(2, 'load', 'x', '1'), step(2, 'release', 'L'), step(2, 'violation'));
  assert.deepEqual(racingPair(locked, 5), [0, 3]);
  // two reads do not race
  assert.equal(racingPair(trace(step(1, 'load', 'x'), step(2, 'load', 'x')), 1), undefined);
});

void test('the inspector diff names new objects, changed fields and changed tree entries', () => {
  const before: StateSnapshot = {
    objects: [{ kind: 'mm_struct', name: 'mm#2', fields: { mm_users: 1, flags: [] }, entries: [{ start: 0x1000, last: 0x1fff, entry: 'vma#1' }, { start: 0x2000, last: 0x2fff, entry: 'vma#2' }] }],
  };
  const after: StateSnapshot = {
    objects: [
      { kind: 'mm_struct', name: 'mm#2', fields: { mm_users: 2, flags: [] }, entries: [{ start: 0x1000, last: 0x1fff, entry: 'vma#1' }, { start: 0x2000, last: 0x2fff, entry: 'XA_ZERO_ENTRY' }] },
      { kind: 'task_struct', name: 'task#3', fields: { mm: 'mm#2' } },
    ],
  };
  const mm = after.objects[0]!;
  const task = after.objects[1]!;
  assert.deepEqual([...changedKeys(before, after)].sort(), [fieldKey(mm, 'mm_users'), entryKey(mm, 0x2000), objectKey(task)].sort());
  assert.equal(changedKeys(undefined, after).size, 0, 'the first state has nothing to compare with');
});
