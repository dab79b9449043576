/** Short text renderings of model values for traces and reports. */
import type { Op } from './op.ts';

const MAX = 48;

/** Renders a value short: numbers and booleans as is, model objects by their name. */
export function renderValue(v: unknown): string {
  switch (typeof v) {
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'undefined':
      return 'undefined';
    case 'string':
      return clip(JSON.stringify(v));
    case 'function':
      return 'fn';
    case 'symbol':
      return v.description ?? 'symbol';
    default:
      break;
  }
  if (v === null) return 'NULL';
  const named = (v as { name?: unknown }).name;
  if (typeof named === 'string') return clip(named);
  if (Array.isArray(v)) return clip(`[${v.map(renderValue).join(', ')}]`);
  if (v instanceof Map) return clip(`{${[...(v as Map<unknown, unknown>)].map(([k, x]) => `${renderValue(k)}: ${renderValue(x)}`).join(', ')}}`);
  if (v instanceof Set) return clip(`{${[...(v as Set<unknown>)].map(renderValue).join(', ')}}`);
  // A plain record of short values (a PTE) shows its fields; a deeper structure (a maple tree) does not.
  if (Object.getPrototypeOf(v) === Object.prototype) {
    const fields = Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, renderValue(x)] as const);
    if (fields.every(([, r]) => r !== 'object')) return clip(`{${fields.map(([k, r]) => `${k}: ${r}`).join(', ')}}`);
  }
  return 'object';
}

function clip(s: string): string {
  return s.length > MAX ? `${s.slice(0, MAX - 3)}...` : s;
}

/**
 * What a trace shows as a visible step's value: the value stored, "old -> new" for
 * read-modify-writes, the thread started or joined, the value read otherwise.
 */
export function stepValue(
  op: Op, result: unknown, after: unknown, threadName: (tid: number) => string | undefined, render: (v: unknown) => string = renderValue,
): string | undefined {
  switch (op.k) {
    case 'store':
      return render(op.value);
    case 'rmw':
    case 'cas':
      // An rmw that updated an object in place leaves no old value to show.
      if (result === after && typeof after === 'object' && after !== null) return `now ${render(after)}`;
      return `${render(result)} -> ${render(after)}`;
    case 'acquire':
    case 'release':
      return undefined;
    case 'spawn':
      return op.name;
    case 'join':
      return threadName(op.tid);
    case 'sleep_until':
      return `until ${op.until}`;
    case 'load':
    case 'await':
      return render(result);
    default:
      return renderValue(result);
  }
}
