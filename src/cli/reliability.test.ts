// Bad, hostile or unlucky input, as the reliability review met it (issue 13, F1-F13): each
// case answers with one line and exit 2, or does what it says, and never a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertUsageError, MAIN, mmlife, type Run } from './cli-harness.ts';

void test('F1-F3: parameters outside their declared range, or not own names, are refused', async () => {
  for (const n of ['-1', '0', '65', '99999999999999999999']) {
    assertUsageError(await mmlife('check', 'classic/readers', '--param', `N=${n}`), /parameter N of classic\/readers takes a whole number from 1 to 64/);
  }
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    assertUsageError(await mmlife('check', 'classic/readers', '--param', `${name}=1`), new RegExp(`has no parameter '${name}'`));
  }
  assertUsageError(await mmlife('check', 'soup', '--param', 'pool=-1', '--max-executions', '50'), /pool of soup takes a whole number from 1 to 64/);
  assertUsageError(await mmlife('check', 'fork-exit', '--param', 'mode=7'), /mode of fork-exit takes a whole number from 0 to 1/);
  assertUsageError(await mmlife('check', 'fork-exit', '--param', 'mem=-3'), /mem of fork-exit/);
  assertUsageError(await mmlife('check', 'R6', '--param', 'uprobe_first=5'), /uprobe_first of R6/);
  assertUsageError(await mmlife('check', 'classic/philosophers', '--param', 'N=1'), /from 2 to 64/);
});

void test('F1: a trace file with a fractional or out-of-range parameter is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlife-rel-'));
  const file = join(dir, 'frac.json');
  const trace = (params: Record<string, number>): string => JSON.stringify({
    version: 1,
    request: { scenario: 'classic/readers', params, schedule: 'v1:0' },
    violation: { kind: 'oops', message: 'x', schedule: 'v1:0' },
  });
  writeFileSync(file, trace({ N: 1.5 }));
  assertUsageError(await mmlife('replay', file), /parameter N of classic\/readers takes a whole number/);
  writeFileSync(file, trace({ N: 1e300 }));
  assertUsageError(await mmlife('replay', file), /parameter N/);
});

void test('F4: exploration options have upper bounds', async () => {
  assertUsageError(await mmlife('check', 'classic/readers', '--pct-depth', '200000000', '--max-executions', '1'), /--pct-depth takes a whole number from 1 to 1,000/);
  assertUsageError(await mmlife('check', 'classic/readers', '--max-steps', '99999999999'), /--max-steps/);
  assertUsageError(await mmlife('check', 'classic/readers', '--seed', '4294967296'), /--seed/);
  assertUsageError(await mmlife('check', 'classic/readers', '--time-budget', '1e9'), /--time-budget/);
});

void test('F6: a schedule longer than the step bound is refused at once, from the command line or a file', async () => {
  const t0 = Date.now();
  assertUsageError(await mmlife('replay', 'R5', '--kernel', 'v6.12', '--schedule', 'v1:0*999999999'), /more than the step limit of 100000 steps/);
  const dir = mkdtempSync(join(tmpdir(), 'mmlife-rel-'));
  const file = join(dir, 'long.json');
  writeFileSync(file, JSON.stringify({
    version: 1,
    request: { scenario: 'R5', kernel: 'v6.12', params: {}, schedule: 'v1:0*999999999' },
    violation: { kind: 'oops', message: 'x', schedule: 'v1:0*999999999' },
  }));
  assertUsageError(await mmlife('replay', file), /step limit/);
  assert.ok(Date.now() - t0 < 20_000, 'refused before expanding the schedule');
});

void test('F7/F8: --out refuses what is not a new path or a regular file, before exploring; no temporary file is left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlife-rel-'));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  for (const [out, why] of [
    [dir, /it is a directory/],
    ['', /--out needs a file name/],
    [join(dir, 'missing', 'x.json'), /directory .*missing: ENOENT/],
    [fifo, /not a regular file/],
  ] as const) {
    assertUsageError(await mmlife('check', 'classic/abba', '--out', out), why);
  }
  assert.ok(statSync(fifo).isFIFO(), 'the FIFO is still a FIFO');
  assert.deepEqual(readdirSync(dir).sort(), ['fifo']);
  const ok = join(dir, 'abba.json');
  assert.equal((await mmlife('check', 'classic/abba', '--out', ok)).code, 1);
  assert.ok(existsSync(ok));
  assert.deepEqual(readdirSync(dir).sort(), ['abba.json', 'fifo']);
});

function shell(command: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

void test('F9: a full or closed standard output gives one line or silence, never a stack trace', async () => {
  const full = await shell(`"${process.execPath}" "${MAIN}" list > /dev/full`);
  assert.equal(full.code, 2);
  assert.equal(full.stderr, 'mmlife: cannot write to standard output: ENOSPC\n');
  const closed = await shell(`"${process.execPath}" "${MAIN}" list | head -c 10 > /dev/null`);
  assert.equal(closed.stderr, '');
});

void test('F10: the printed replay command replays, whatever shaped the run', async () => {
  for (const args of [
    ['R5', '--kernel', 'v6.12', '--patch', ''],
    ['R5', '--kernel', 'v6.13', '--patch', '-uprobeSemInDupMm, +xaZeroMarker'],
    ['classic/abba', '--max-steps', '3'],
  ]) {
    const r = await mmlife('check', ...args);
    assert.equal(r.code, 1, r.stderr);
    const line = /^replay: npx mmlife (.*)$/m.exec(r.stdout)?.[1];
    assert.ok(line, 'a replay command is printed');
    const again = await shell(`"${process.execPath}" "${MAIN}" ${line}`);
    assert.equal(again.code, 1, `${line}: ${again.stderr}`);
    const kind = /^verdict: violation \((\w+)\)/m.exec(r.stdout)?.[1];
    assert.match(again.stdout, new RegExp(`verdict: violation \\(${kind}\\)`));
  }
});

void test('F12: maple refuses indices and values the model cannot hold, and lookups of inherited names', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlife-rel-'));
  const script = join(dir, 's.txt');
  for (const [text, why] of [
    ['init 0\nstore 18446744073709551616 18446744073709551617 v1\n', /line 2: index '18446744073709551616' out of range/],
    [`init 0\nstore 1 ${'9'.repeat(400)} v1\n`, /out of range/],
    ['init 0\nstore 1 2 v99999999999999999999\n', /value 'v9+' out of range/],
    ['init 0\nstore 1 max--5 v1\n', /bad index 'max--5'/],
    ['init 0\nstore 1 max-99999999999 v1\n', /out of range/],
    ['init 0\nconstructor\n', /unknown command 'constructor'/],
    ['init 0\ntoString\n', /unknown command 'toString'/],
  ] as const) {
    writeFileSync(script, text);
    assertUsageError(await mmlife('maple', script), why);
  }
  writeFileSync(script, 'init 0\nstore 5 max-3 v1\nranges\nvalidate\n');
  const r = await mmlife('maple', script);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /5-max-3:v1/);
});

void test('F13: control characters in echoed input are escaped', async () => {
  const r = await mmlife('check', 'R5\u001b]0;pwned\u0007\nline2');
  assertUsageError(r, /unknown scenario 'R5\\x1b\]0;pwned\\x07\\nline2'/);
  assert.doesNotMatch(r.stderr, /\u001b/);
  const cmd = await mmlife('chec\u001bk');
  assert.doesNotMatch(cmd.stderr, /\u001b/);
  assert.equal(cmd.code, 2);
});
