// A build older than a source file is found, so bin/mmlife.js recompiles and `view` warns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { staleAgainst } from './stale.ts';

void test('staleAgainst names a source newer than the build, and nothing when the build is current', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlife-stale-'));
  mkdirSync(join(dir, 'src', 'cli'), { recursive: true });
  const source = join(dir, 'src', 'cli', 'main.ts');
  const built = join(dir, 'main.js');
  writeFileSync(source, '');
  writeFileSync(built, '');
  writeFileSync(join(dir, 'src', 'notes.txt'), ''); // not a source
  const t = Date.now() / 1000;
  utimesSync(source, t - 100, t - 100);
  utimesSync(join(dir, 'src', 'notes.txt'), t, t);
  utimesSync(built, t - 50, t - 50);
  assert.equal(staleAgainst(built, [join(dir, 'src')]), undefined);
  utimesSync(source, t, t);
  assert.equal(staleAgainst(built, [join(dir, 'src')]), source);
  assert.equal(staleAgainst(join(dir, 'missing.js'), [join(dir, 'src')]), undefined, 'no build: nothing to call stale');
  assert.equal(staleAgainst(built, [join(dir, 'nowhere')]), undefined);
});
