/**
 * Maple tree benchmark: the port's median ns/op at 100, 10k and 1M ranges (range i = [16i, 16i+9]
 * -> xa_mk_value(i), a plain tree), next to the kernel C figures of maple-tree.md section 16
 * ("fast" allocator, plain tree, first run, median of 7). Reports; never gates.
 */
import { loadavg } from 'node:os';
import { cpuUsage } from 'node:process';
import {
  type maple_tree,
  GFP_KERNEL,
  MA_STATE,
  ULONG_MAX,
  __mt_dup,
  mas_find,
  mas_set,
  mas_walk,
  mt_height,
  mtree_erase,
  mtree_init,
  mtree_load,
  mtree_store_range,
  xa_mk_value,
} from '../src/kernel/lib/maple_tree.ts';
import { machine, median } from './stats.ts';

const SIZES = [100, 10_000, 1_000_000] as const;

/** Kernel C ns/op from maple-tree.md section 16 (plain, "fast", median), per size. */
const KERNEL: Readonly<Record<string, readonly [number, number, number]>> = {
  'mtree_load hit (random)': [31, 60, 498],
  'mas_walk (random)': [32, 102, 571],
  'mas_find iterate (per entry)': [8.8, 9.7, 45],
  'mtree_store_range overwrite (exact fit)': [60, 103, 857],
  'mtree_store_range gap-insert': [418, 721, 1673],
  'mtree_erase (gap-insert undo)': [332, 605, 1082],
  '__mt_dup (per entry)': [9.8, 38, 56],
  'mtree_store_range seq-build': [374, 466, 632],
};

/** A fixed pseudo-random stream of range numbers below n (no Math.random: reproducible). */
function stream(n: number, len: number, seed: number): Uint32Array {
  const out = new Uint32Array(len);
  let x = seed >>> 0;
  for (let i = 0; i < len; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = (x >>> 8) % n;
  }
  return out;
}

/** A fixed permutation of 0..n-1, truncated to len (distinct ranges for gap inserts). */
function distinct(n: number, len: number, seed: number): Uint32Array {
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  const r = stream(0x7fffffff, n, seed);
  for (let i = n - 1; i > 0; i--) {
    const j = (r[i] as number) % (i + 1);
    const t = all[i] as number;
    all[i] = all[j] as number;
    all[j] = t;
  }
  return all.subarray(0, Math.min(n, len));
}

function build(n: number): maple_tree {
  const mt = mtree_init(0);
  for (let i = 0; i < n; i++) mtree_store_range(mt, 16 * i, 16 * i + 9, xa_mk_value(i), GFP_KERNEL);
  return mt;
}

/**
 * CPU time of @f in ns. The machine is shared (2 cores, other jobs running), so process CPU time
 * is used rather than wall time: on an idle machine the two agree.
 */
function cpu_ns(f: () => void): number {
  const c0 = cpuUsage();
  f();
  const c = cpuUsage(c0);
  return (c.user + c.system) * 1e3;
}

/** Median ns per operation of `runs` timed batches of `ops` operations each. */
function time(runs: number, ops: number, batch: () => void): number {
  batch(); // warm-up
  const ns: number[] = [];
  for (let r = 0; r < runs; r++) ns.push(cpu_ns(batch) / ops);
  return median(ns);
}

function measure(n: number): Map<string, number> {
  const res = new Map<string, number>();
  const runs = n >= 1_000_000 ? 5 : 7;
  let mt = build(Math.min(n, 10_000)); // warm-up of the build
  res.set('mtree_store_range seq-build', cpu_ns(() => (mt = build(n))) / n);
  res.set('height', mt_height(mt));
  const batch = 1 << 15;
  const hits = stream(n, batch, 7);
  let sink = 0;
  res.set('mtree_load hit (random)', time(runs, batch, () => {
    for (let k = 0; k < batch; k++) if (mtree_load(mt, 16 * (hits[k] as number) + 3) !== null) sink++;
  }));
  const mas = MA_STATE(mt, 0, 0);
  res.set('mas_walk (random)', time(runs, batch, () => {
    for (let k = 0; k < batch; k++) {
      mas_set(mas, 16 * (hits[k] as number) + 5);
      if (mas_walk(mas) !== null) sink++;
    }
  }));
  // small trees: repeat each batch so that it holds at least `batch` operations
  const reps = Math.ceil(batch / n);
  res.set('mas_find iterate (per entry)', time(runs, n * reps, () => {
    for (let r = 0; r < reps; r++) {
      mas_set(mas, 0);
      while (mas_find(mas, ULONG_MAX) !== null) sink++;
    }
  }));
  res.set('mtree_store_range overwrite (exact fit)', time(runs, batch, () => {
    for (let k = 0; k < batch; k++) {
      const i = hits[k] as number;
      mtree_store_range(mt, 16 * i, 16 * i + 9, xa_mk_value(i), GFP_KERNEL);
    }
  }));
  const gaps = distinct(n, 1 << 14, 11);
  const ins: number[] = [];
  const del: number[] = [];
  const cycles = Math.ceil((1 << 14) / gaps.length);
  for (let r = 0; r <= runs; r++) {
    let t_ins = 0;
    let t_del = 0;
    for (let c = 0; c < cycles; c++) {
      t_ins += cpu_ns(() => {
        for (const i of gaps) mtree_store_range(mt, 16 * i + 11, 16 * i + 13, xa_mk_value(i), GFP_KERNEL);
      });
      t_del += cpu_ns(() => {
        for (const i of gaps) mtree_erase(mt, 16 * i + 11);
      });
    }
    if (r > 0) {
      ins.push(t_ins / (gaps.length * cycles));
      del.push(t_del / (gaps.length * cycles));
    }
  }
  res.set('mtree_store_range gap-insert', median(ins));
  res.set('mtree_erase (gap-insert undo)', median(del));
  res.set('__mt_dup (per entry)', time(n >= 1_000_000 ? 3 : runs, n * reps, () => {
    for (let r = 0; r < reps; r++) {
      const copy = mtree_init(0);
      if (__mt_dup(mt, copy, GFP_KERNEL) !== 0) throw new Error('__mt_dup failed');
    }
  }));
  if (sink < 0) throw new Error('unreachable');
  return res;
}

function fmt(x: number | undefined): string {
  if (x === undefined) return '-';
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

export async function benchMaple(): Promise<string> {
  measure(10_000); // warm the JIT up before the small sizes are timed
  const results = SIZES.map((n) => measure(n));
  await Promise.resolve();
  const head = SIZES.map((n) => `${n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : n}: port | C`).join(' | ');
  const lines = [
    `### Maple tree (plain tree, range i = [16i, 16i+9]; median CPU ns/op; C = kernel 7.3.4, maple-tree.md section 16)`,
    '',
    `machine: ${machine()}, load average ${loadavg()[0]?.toFixed(1) ?? '?'} at the end`,
    '',
    `| operation | ${head} |`,
    `| --- | ${SIZES.map(() => '---: | ---:').join(' | ')} |`,
  ];
  for (const [op, c] of Object.entries(KERNEL)) {
    lines.push(`| ${op} | ${results.map((r, i) => `${fmt(r.get(op))} | ${fmt(c[i])}`).join(' | ')} |`);
  }
  const kernel_height = [2, 4, 6];
  lines.push(`| tree height after the build | ${results.map((r, i) => `${r.get('height') ?? '-'} | ${kernel_height[i] ?? '-'}`).join(' | ')} |`);
  return lines.join('\n');
}
