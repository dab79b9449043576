// Replays every test/data/maple-oracle/NN.script through the port and compares each output line
// with what the kernel's own lib/maple_tree.c printed (NN.expected).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMapleScript } from './maple_script.ts';

/** The repo root: the nearest ancestor holding package.json (works from src/ and build/). */
function repo_root(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the test file');
    dir = up;
  }
  return dir;
}

const ORACLE = join(repo_root(), 'test', 'data', 'maple-oracle');

const scripts = existsSync(ORACLE) ? readdirSync(ORACLE).filter((f) => f.endsWith('.script')).sort() : [];

void test('the oracle directory holds the 8 reference scripts', () => {
  assert.deepEqual(scripts, ['01', '02', '03', '04', '05', '06', '07', '08'].map((n) => `${n}.script`));
});

for (const file of scripts) {
  void test(`maple-oracle ${file} matches the kernel line by line`, () => {
    const script = readFileSync(join(ORACLE, file), 'utf8');
    const expected = readFileSync(join(ORACLE, file.replace('.script', '.expected')), 'utf8').split('\n');
    if (expected[expected.length - 1] === '') expected.pop();
    const commands = script.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    const got = runMapleScript(script);
    assert.equal(commands.length, expected.length, 'one expected line per command');
    for (let i = 0; i < expected.length; i++) {
      if (got[i] !== expected[i]) {
        assert.fail(
          `${file}: first difference at output line ${i + 1}, command '${commands[i] ?? ''}'\n` +
            `  kernel: ${expected[i] ?? '(none)'}\n  port:   ${got[i] ?? '(none)'}`,
        );
      }
    }
    assert.equal(got.length, expected.length, 'no extra output lines');
  });
}

void test('runMapleScript rejects a malformed line, naming it', () => {
  assert.throws(() => runMapleScript('init 0\nstore 1 2'), /line 2/);
  assert.throws(() => runMapleScript('init 0\nstore 1 2 w5'), /line 2: bad entry/);
  assert.throws(() => runMapleScript('# c\nfrob 1'), /line 2: unknown command/);
});
