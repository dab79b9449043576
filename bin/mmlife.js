#!/usr/bin/env node
// Runs the compiled CLI (build/src/cli/main.js); builds it first if it is missing.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'build', 'src', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('mmlife: first run, compiling (npx tsc -p .)...\n');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { stdio: 'inherit' });
}
await import(main);
