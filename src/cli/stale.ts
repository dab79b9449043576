/**
 * Is a build older than its sources? `bin/mmlife.js` recompiles build/ when src/ changed after
 * it, and `mmlife view` says when web/dist is older than web/src, so an edit never runs silently
 * on stale code.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest source file under @dir (.ts, .tsx, .css, .html) with its mtime, or undefined. */
export function newestSource(dir: string): { path: string; mtimeMs: number } | undefined {
  if (!existsSync(dir)) return undefined;
  let best: { path: string; mtimeMs: number } | undefined;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !/\.(tsx?|css|html)$/.test(e.name)) continue;
    const path = join(e.parentPath, e.name);
    const mtimeMs = statSync(path).mtimeMs;
    if (!best || mtimeMs > best.mtimeMs) best = { path, mtimeMs };
  }
  return best;
}

/** The first source under @sources newer than @built (a file the build wrote), or undefined if the build is current. */
export function staleAgainst(built: string, sources: readonly string[]): string | undefined {
  if (!existsSync(built)) return undefined;
  const at = statSync(built).mtimeMs;
  for (const dir of sources) {
    const n = newestSource(dir);
    if (n && n.mtimeMs > at) return n.path;
  }
  return undefined;
}
