/** `mmlife maple <script>`: runs a maple-tree command script through the port. */
import { readFileSync } from 'node:fs';
import { runMapleScript } from '../kernel/lib/maple_script.ts';
import { UsageError } from './errors.ts';

export function mapleCommand(path: string): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let lines: string[];
  try {
    lines = runMapleScript(text);
  } catch (e) {
    throw new UsageError(`${path}: ${(e as Error).message}`);
  }
  process.stdout.write(lines.length ? lines.join('\n') + '\n' : '');
}
