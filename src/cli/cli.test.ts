// The command line as a user meets it: exit codes, one-line errors, JSON fields, replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('./main.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function mmlife(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function assertUsageError(r: Run, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit status 2 expected, got ${r.code}: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace for a user mistake');
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line expected: ${r.stderr}`);
}

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
  const j = JSON.parse(r.stdout) as { scenarios: { id: string }[]; presets: string[]; switches: { name: string }[] };
  assert.ok(j.scenarios.some((s) => s.id === 'classic/lastzero'));
  assert.ok(j.presets.includes('v7.0') && j.presets.includes('v4.13'));
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
  const v = (JSON.parse(before.stdout) as { violation: { kind: string; table: string; replay: string } }).violation;
  assert.equal(v.kind, 'oops');
  assert.match(v.table, /CPU \d \(fork\)/);
  assert.match(v.table, /BUG: general protection fault.*0x0*406/);
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
  for (let i = 1; i <= 15; i++) assert.ok(j.cells.some((c) => c.scenario === `R${i}` && c.verdict === 'violation'), `R${i} shows its race somewhere`);
});
