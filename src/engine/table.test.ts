import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Trace } from './api.ts';
import { formatMermaid, formatTable } from './table.ts';

const trace: Trace = {
  threads: ['fork', 'uprobe_register'],
  steps: [
    { tid: 0, thread: 'fork', op: 'note', text: 'vm_area_dup() fails', stack: ['dup_mm', 'dup_mmap'] },
    { tid: 0, thread: 'fork', op: 'release', obj: 'mmap_lock', stack: ['dup_mmap'] },
    { tid: 1, thread: 'uprobe_register', op: 'acquire', obj: 'mmap_lock', stack: ['register_for_each_vma'] },
  ],
};

void test('the table has one column per CPU and "function: what" lines', () => {
  const lines = formatTable(trace).split('\n');
  assert.match(lines[0]!, /^CPU 0 \(fork\)\s+CPU 1 \(uprobe_register\)$/);
  assert.equal(lines[1], 'dup_mmap: vm_area_dup() fails');
  const col1 = lines[0]!.indexOf('CPU 1');
  assert.equal(lines[3]!.indexOf('register_for_each_vma: '), col1);
});

void test('the Mermaid export names each CPU and notes each step', () => {
  const m = formatMermaid(trace);
  assert.match(m, /^sequenceDiagram\n/);
  assert.match(m, /participant CPU1 as CPU 1 \(uprobe_register\)/);
  assert.match(m, /Note over CPU0: dup_mmap: vm_area_dup\(\) fails/);
});
