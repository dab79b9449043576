#!/usr/bin/env node
// Runs the compiled CLI (build/src/cli/main.js); compiles it first if it is missing or older
// than the sources in src/ (so an edit never runs on a stale build).
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'build', 'src', 'cli', 'main.js');
const compile = (why) => {
  process.stderr.write(`mmlife: ${why}, compiling (npx tsc -p .)...\n`);
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { stdio: 'inherit' });
};
if (!existsSync(main)) {
  compile('first run');
} else {
  const { staleAgainst } = await import(pathToFileURL(join(root, 'build', 'src', 'cli', 'stale.js')).href).catch(() => ({}));
  const changed = staleAgainst?.(main, [join(root, 'src')]);
  if (changed) compile(`${changed.slice(root.length + 1)} changed since the last build`);
}
await import(pathToFileURL(main).href);
