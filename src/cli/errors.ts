/** A mistake in the user's input: printed as one line, exit status 2, no stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Suggests the closest names for an unknown one ("did you mean ..."). */
export function suggest(name: string, known: readonly string[]): string {
  const lower = name.toLowerCase();
  const close = known.filter((k) => k.toLowerCase().includes(lower) || lower.includes(k.toLowerCase()));
  return close.length > 0 ? ` (did you mean ${close.slice(0, 3).join(', ')}?)` : '';
}

/**
 * Text safe to echo on a terminal: control characters (newlines, escape sequences that could
 * retitle or clear it) are shown as \n, \t or \xNN.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
