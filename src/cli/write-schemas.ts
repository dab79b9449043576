/**
 * `npm run schemas`: writes schema/*.json, the JSON Schemas of the CLI's JSON output and of
 * trace files, from the zod schemas in schemas.ts (schemas.test.ts checks they are current).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonSchemaText, SCHEMAS } from './schemas.ts';

/** schema/ of the repository, from src/cli (tsx) or build/src/cli (compiled). */
export function schemaDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return fileURLToPath(new URL(here.includes('/build/') ? '../../../schema/' : '../../schema/', import.meta.url));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = schemaDir();
  mkdirSync(dir, { recursive: true });
  for (const name of Object.keys(SCHEMAS)) writeFileSync(`${dir}${name}`, jsonSchemaText(name));
  process.stdout.write(`wrote ${Object.keys(SCHEMAS).map((n) => `schema/${n}`).join(', ')}\n`);
}
