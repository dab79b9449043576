// The race table and its sequence diagram on a small trace: fork fails a copy and leaves a
// marker; the walker reads the marker and oopses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Trace } from './api.ts';
import { formatRaceMermaid, formatRaceTable } from './race-table.ts';

const F = ['sys_fork', 'dup_mmap'];
const U = ['uprobe_register', 'register_for_each_vma'];
const trace: Trace = {
  threads: ['main', 'fork', 'uprobe'],
  steps: [
    { tid: 0, thread: 'main', op: 'store', obj: 'mm#2.mm_mt', value: 'empty', stack: [] },
    { tid: 0, thread: 'main', op: 'spawn', value: 'fork', stack: [] },
    { tid: 1, thread: 'fork', op: 'load', obj: 'mm#1.map_count', value: '2', stack: F },
    { tid: 1, thread: 'fork', op: 'fault', obj: 'dup_mmap:vm_area_dup', stack: [...F, 'vm_area_dup'] },
    { tid: 1, thread: 'fork', op: 'note', text: 'dup_mmap: mas_store(XA_ZERO_ENTRY)', stack: F },
    { tid: 1, thread: 'fork', op: 'rmw', obj: 'mm#2.mm_mt', value: 'empty -> zero', stack: F },
    { tid: 1, thread: 'fork', op: 'release', obj: 'mm#2->mmap_lock', stack: F },
    { tid: 2, thread: 'uprobe', op: 'acquire', obj: 'mm#2->mmap_lock', stack: U },
    { tid: 2, thread: 'uprobe', op: 'rmw', obj: 'mm#2.mm_users', value: '0 -> 0', stack: [...U, 'mmget_not_zero'] },
    { tid: 2, thread: 'uprobe', op: 'load', obj: 'mm#2.mm_mt', value: 'zero', stack: [...U, 'find_vma'] },
    { tid: 2, thread: 'uprobe', op: 'violation', text: 'BUG: general protection fault: XA_ZERO_ENTRY used as a VMA; KASAN: null-ptr-deref', stack: [...U, 'find_vma'] },
  ],
};

void test('the race table: failures, the data hand-off, nesting, names instead of steps', () => {
  const t = formatRaceTable(trace);
  assert.equal(t, [
    'CPU 1 (fork)                  CPU 2 (uprobe)',
    'sys_fork()',
    '  dup_mmap()',
    '    vm_area_dup() fails',
    '    mas_store(XA_ZERO_ENTRY)',
    '    mm_mt: empty -> zero',
    '    unlock mmap_lock', // where fork was when the walker failed
    '                              uprobe_register()',
    '                                mmget_not_zero() fails',
    '                                find_vma() reads mm_mt = zero',
    '                                  BUG: XA_ZERO_ENTRY used as a',
    '                                    VMA',
  ].join('\n'));
  // the setup's write is not a hand-off, the lock hand-off only orders, the plain read is left
  // out, and the message keeps its first and last parts
  assert.doesNotMatch(t, /map_count|[^n]lock mmap_lock|main|general protection|KASAN/);
});

void test('the race table fits its width and row budget, and --cpus / --around narrow it', () => {
  const narrow = formatRaceTable(trace, { width: 40 }).split('\n');
  assert.ok(narrow.every((l) => l.length <= 40), narrow.join('\n'));
  assert.ok(formatRaceTable(trace, { maxRows: 4 }).split('\n').length <= 4);
  assert.doesNotMatch(formatRaceTable(trace, { cpus: [2] }), /CPU 1/);
  assert.doesNotMatch(formatRaceTable(trace, { around: 2 }), /vm_area_dup/);
});

void test('the sequence diagram: a lifeline per CPU and an arrow per hand-off', () => {
  const m = formatRaceMermaid(trace);
  assert.match(m, /^sequenceDiagram\n  participant CPU1 as CPU 1 \(fork\)\n  participant CPU2 as CPU 2 \(uprobe\)\n/);
  assert.match(m, /CPU1->>CPU2: mm_mt\n  Note over CPU2: find_vma\(\) reads mm_mt = zero/);
  assert.equal(m.split('\n').filter((l) => l.includes('->>')).length, 1);
});
