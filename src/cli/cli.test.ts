// The command line as a user meets it: exit codes, one-line errors, JSON fields, replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replay } from '../engine/explore.ts';
import { formatRaceTable } from '../engine/race-table.ts';
import { assertUsageError, mmlife, mmlifeInterrupted } from './cli-harness.ts';
import { resolveRequest } from './request.ts';

void test('bad input: one line naming the problem, exit 2', async () => {
  assertUsageError(await mmlife('check', 'no-such-scenario'), /unknown scenario 'no-such-scenario'/);
  assertUsageError(await mmlife('check', 'classic/lastzero', '--param', 'N=ten'), /malformed --param 'N=ten'/);
  assertUsageError(await mmlife('check', 'classic/lastzero', '--param', 'M=3'), /has no parameter 'M'/);
  assertUsageError(await mmlife('check', 'classic/lastzero', '--max-executions', '-4'), /--max-executions/);
  assertUsageError(await mmlife('check', 'classic/lastzero', '--kernel', 'v6.12'), /does not model the kernel/);
  assertUsageError(await mmlife('check', 'classic/lastzero', '--strategy', 'magic'), /magic/);
  assertUsageError(await mmlife('nonsense'), /unknown command/);
  assertUsageError(await mmlife('replay', 'classic/abba', '--schedule', 'garbage'), /cannot replay schedule/);
});

void test('check --json reports the counts a script needs', async () => {
  const r = await mmlife('check', 'classic/lastzero', '--param', 'N=5', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  for (const key of ['executions', 'blocked', 'steps', 'elapsedMs', 'exhaustive', 'verdict']) {
    assert.ok(key in j, `missing ${key}`);
  }
  assert.equal(j['verdict'], 'pass');
  assert.equal(j['exhaustive'], true);
  assert.equal(j['executions'], 64); // (N+3)*2^(N-2) for N=5 (classics.md)
  assert.equal(j['blocked'], 0);
});

void test('a violation exits 1, prints the per-CPU table, and its replay command reproduces it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlife-cli-'));
  const out = join(dir, 'abba.json');
  const r = await mmlife('check', 'classic/abba', '--out', out);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /verdict: violation \(deadlock\)/);
  assert.match(r.stdout, /CPU \d/);
  const replayLine = /replay: npx mmlife replay (.*)/.exec(r.stdout);
  assert.ok(replayLine, 'replay command printed');
  const schedule = /--schedule '([^']+)'/.exec(replayLine[1] as string)?.[1];
  assert.ok(schedule);
  const again = await mmlife('replay', 'classic/abba', '--schedule', schedule, '--json');
  assert.equal(again.code, 1, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { violation: { kind: string } }).violation.kind, 'deadlock');
  assert.ok(existsSync(out));
  const fromFile = await mmlife('replay', out);
  assert.equal(fromFile.code, 1, fromFile.stderr);
  assert.match(fromFile.stdout, /verdict: violation \(deadlock\)/);
});

void test('a malformed trace file is refused with exit 2 and nothing else', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlife-cli-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"version": 1, "oops": true}');
  assertUsageError(await mmlife('replay', bad), /not a valid trace file/);
  writeFileSync(bad, '{not json');
  assertUsageError(await mmlife('replay', bad), /invalid JSON/);
  assert.equal(readFileSync(bad, 'utf8'), '{not json');
});

void test('list --json names scenarios, presets and switches', async () => {
  const r = await mmlife('list', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { scenarios: { id: string }[]; presets: { name: string }[]; switches: { name: string }[] };
  assert.ok(j.scenarios.some((s) => s.id === 'classic/lastzero'));
  const names = j.presets.map((p) => p.name);
  assert.ok(names.includes('v7.0') && names.includes('v4.13'));
  assert.ok(j.switches.some((s) => s.name === 'xaZeroMarker'));
});

void test('maple replays an oracle script to the kernel output', async () => {
  // build/src/cli -> repository root -> test/data
  const oracle = fileURLToPath(new URL('../../../test/data/maple-oracle/', import.meta.url));
  const r = await mmlife('maple', join(oracle, '02.script'));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(join(oracle, '02.expected'), 'utf8'));
});

void test('R5: the race on v6.12, gone on v6.13, back when the fix is patched out', async () => {
  const before = await mmlife('check', 'R5', '--kernel', 'v6.12', '--json');
  assert.equal(before.code, 1, before.stderr);
  const v = (JSON.parse(before.stdout) as { violation: { kind: string; message: string; table: string; replay: string } }).violation;
  assert.equal(v.kind, 'oops');
  assert.match(v.message, /general protection fault.*0x0*406: XA_ZERO_ENTRY used as a VMA/);
  // the race as kernel developers draw it: the failed copy, its marker, the walker that finds it
  assert.match(v.table, /CPU \d \(fork\)/);
  for (const step of ['vm_area_dup() fails', 'mas_store(XA_ZERO_ENTRY)', 'build_map_info() reads i_mmap', 'find_mergeable_anon_vma() BUG:', 'XA_ZERO_ENTRY used as a VMA']) {
    assert.ok(v.table.includes(step), `R5's table shows ${step}:\n${v.table}`);
  }
  assert.match(v.replay, /^npx mmlife replay R5 --kernel v6\.12 --schedule 'v1:/);
  const after = await mmlife('check', 'R5', '--kernel', 'v6.13');
  assert.equal(after.code, 0, after.stdout + after.stderr);
  assert.match(after.stdout, /verdict: pass/);
  const unfixed = await mmlife('check', 'R5', '--kernel', 'v6.13', '--patch', '-uprobeSemInDupMm');
  assert.equal(unfixed.code, 1, unfixed.stdout + unfixed.stderr);
  assertUsageError(await mmlife('check', 'R5', '--kernel', 'v9.9'), /unknown kernel preset 'v9.9'/);
  assertUsageError(await mmlife('check', 'R5', '--patch', '+noSuchSwitch'), /unknown kernel switch 'noSuchSwitch'/);
});

void test('matrix: every race scenario under its presets is as expected (the main job)', async () => {
  const r = await mmlife('matrix', '--json');
  const j = JSON.parse(r.stdout) as { ok: boolean; cells: { scenario: string; kernel: string; asExpected: boolean; verdict: string }[] };
  const bad = j.cells.filter((c) => !c.asExpected).map((c) => `${c.scenario}@${c.kernel}: ${c.verdict}`);
  assert.deepEqual(bad, []);
  assert.equal(j.ok, true);
  assert.equal(r.code, 0, r.stderr);
  for (let i = 1; i <= 16; i++) assert.ok(j.cells.some((c) => c.scenario === `R${i}` && c.verdict === 'violation'), `R${i} shows its race somewhere`);
  // Every counterexample's default table fits a commit message: <= 75 columns, <= 24 rows.
  const cells = j.cells as unknown as { scenario: string; kernel: string; violation?: { schedule: string } }[];
  for (const c of cells) {
    if (!c.violation) continue;
    const r = resolveRequest({ scenario: c.scenario, kernel: c.kernel, params: {} });
    const lines = formatRaceTable(replay(r.program, c.violation.schedule, r.options).trace).split('\n');
    assert.ok(lines.length <= 24, `${c.scenario}@${c.kernel}: ${lines.length} rows`);
    assert.ok(lines.every((l) => l.length <= 75), `${c.scenario}@${c.kernel}: ${Math.max(...lines.map((l) => l.length))} columns`);
  }
});

/** The table part of a check's text output: from the line naming the CPUs to the line before `replay:`. */
function tableOf(stdout: string): string[] {
  const lines = stdout.split('\n');
  const from = lines.findIndex((l) => l.startsWith('CPU '));
  const to = lines.findIndex((l) => l.startsWith('replay:'));
  return lines.slice(from, to).filter((l, i, a) => !(i === a.length - 1 && l === '') && !l.startsWith('metric '));
}

void test('R1, R10, R16: the default table has the steps of the kernel developers\' drawings', async () => {
  const has = (t: string[], step: string, what: string): void => assert.ok(t.some((l) => l.includes(step)), `${what}: ${step}\n${t.join('\n')}`);
  const r1 = tableOf((await mmlife('check', 'R1', '--kernel', 'v4.13')).stdout);
  has(r1, 'mmget_not_zero()', 'R1'); // __oom_reap_task_mm: mmget_not_zero # fails
  has(r1, 'fails', 'R1');
  has(r1, 'mark_oom_victim(W', 'R1'); // out_of_memory selects a new victim
  const r10 = tableOf((await mmlife('check', 'R10', '--kernel', 'v7.0')).stdout);
  for (const step of ['SIGKILL -> V', 'exit_mm() mm =', 'mmput()', 'find_lock_task_mm()', '-ESRCH']) has(r10, step, 'R10');
  const r16 = tableOf((await mmlife('check', 'R16', '--kernel', 'v4.14')).stdout);
  for (const step of ['free_pgtables()', 'oom_reaper()', 'BUG: page table']) has(r16, step, 'R16');
});

void test('table flags: --full has every step, --width narrows, --cpus picks columns, --around cuts a window', async () => {
  const base = ['check', 'R5', '--kernel', 'v6.12'];
  const race = tableOf((await mmlife(...base)).stdout);
  const full = tableOf((await mmlife(...base, '--full')).stdout);
  assert.ok(full.length > 3 * race.length, `--full ${full.length} rows, default ${race.length}`);
  const wide = tableOf((await mmlife(...base, '--width', '0')).stdout);
  assert.ok(Math.max(...wide.map((l) => l.length)) > 75 && wide.length < race.length);
  const narrow = tableOf((await mmlife(...base, '--width', '50')).stdout);
  assert.ok(narrow.every((l) => l.length <= 50));
  const one = tableOf((await mmlife(...base, '--cpus', '2')).stdout);
  assert.match(one[0]!, /^CPU 2 \(uprobe_register\)\s*$/);
  const near = tableOf((await mmlife(...base, '--around', '5')).stdout);
  assert.ok(near.length < race.length && near.some((l) => l.includes('BUG:')));
  assertUsageError(await mmlife(...base, '--width', '10'), /--width/);
  assertUsageError(await mmlife(...base, '--cpus', 'x'), /--cpus/);
});

void test('a search cut short finds nothing: exit 3, verdict incomplete, and the kind of stop', async () => {
  const capped = await mmlife('check', 'classic/readers', '--max-executions', '3', '--json');
  assert.equal(capped.code, 3, capped.stderr);
  const j = JSON.parse(capped.stdout) as { verdict: string; coverage: string; exhaustive: boolean };
  assert.deepEqual([j.verdict, j.coverage, j.exhaustive], ['incomplete', 'max-executions', false]);
  const timed = await mmlife('check', 'classic/readers', '--param', 'N=8', '--time-budget', '0.001');
  assert.equal(timed.code, 3, timed.stderr);
  assert.match(timed.stdout, /cut short by --time-budget/);
  assert.match(timed.stdout, /verdict: incomplete/);
  const complete = await mmlife('check', 'classic/readers', '--json');
  assert.equal(complete.code, 0, complete.stderr);
  assert.equal((JSON.parse(complete.stdout) as { coverage: string }).coverage, 'exhaustive');
});

void test('matrix interrupted: cut cells are incomplete, unstarted ones not run, none counted as passed (F11)', async () => {
  const r = await mmlifeInterrupted(3000, 'matrix', '--json');
  assert.equal(r.code, 3, r.stderr);
  const j = JSON.parse(r.stdout) as {
    ok: boolean; failed: number; cells: { status: string; verdict: string; coverage: string | null; executions: number }[];
  };
  assert.equal(j.failed, 0);
  assert.equal(j.ok, false);
  const undecided = j.cells.filter((c) => c.status === 'incomplete' || c.status === 'not-run');
  assert.ok(undecided.length > 0, 'an interrupted matrix leaves cells undecided');
  for (const c of j.cells.filter((x) => x.status === 'not-run')) assert.equal(c.executions, 0);
  for (const c of j.cells.filter((x) => x.verdict === 'pass')) {
    assert.ok(['exhaustive', 'scenario-bound', 'search-bound'].includes(c.coverage ?? ''), `a pass is a complete search, not ${c.coverage}`);
  }
});

void test('weigh R10: v7.0 and every proposal side by side, every execution explored', async () => {
  const r = await mmlife('weigh', 'R10', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as {
    metrics: Record<string, string>;
    rows: { preset: string; verdict: string; coverage: string; executions: number; violatingExecutions: number; metrics: Record<string, { max: number; executions: number }> }[];
  };
  assert.deepEqual(j.rows.map((x) => x.preset), ['v7.0', 'v7.0+reap-kill', 'v7.0+expedite', 'v7.0+exit-mm', 'v7.0+exit-write-lock']);
  const row = (p: string) => j.rows.find((x) => x.preset === p)!;
  assert.equal(row('v7.0').verdict, 'violation');
  assert.ok(row('v7.0').violatingExecutions > 0 && row('v7.0').violatingExecutions < row('v7.0').executions, 'not stopped at the first');
  assert.equal(row('v7.0').metrics['esrch']?.max, 1);
  for (const p of ['v7.0+reap-kill', 'v7.0+expedite', 'v7.0+exit-mm']) {
    assert.equal(row(p).verdict, 'pass', p);
    assert.equal(row(p).metrics['esrch'], undefined, `${p}: never -ESRCH`);
    assert.equal(row(p).metrics['pages_held_at_kill_return']?.max, 0, `${p}: reaped when the call returns`);
  }
  assert.ok(j.metrics['pages_held_at_kill_return']);
  // the write-locked teardown puts exit_mmap() (and its locks) back on V's own exit path
  const locks = (p: string): number => row(p).metrics['exit_lock_acquisitions']!.max;
  assert.ok(locks('v7.0+exit-write-lock') > locks('v7.0'), `${locks('v7.0+exit-write-lock')} vs ${locks('v7.0')}`);
  const text = await mmlife('weigh', 'R10', '--kernel', 'v7.0,v7.0+expedite');
  assert.match(text.stdout, /^v7\.0 +violation in \d+ +scenario-bound +400 /m);
  assert.match(text.stdout, /^v7\.0\+expedite +pass /m);
  assertUsageError(await mmlife('weigh', 'R10', '--kernel', 'v7.0,v9'), /unknown kernel preset 'v9'/);
  assertUsageError(await mmlife('weigh', 'classic/readers'), /does not model the kernel/);
});
