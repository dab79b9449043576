// Runs the maple-oracle command scripts (test/data/maple-oracle/README.md) through the port and
// prints one line per command, in the format of the kernel reference's NN.expected files.
// Not a kernel file: the userspace driver that recorded the oracle, rewritten from its README.

import {
  type ma_state,
  type maple_entry,
  type maple_tree,
  GFP_KERNEL,
  MA_STATE,
  MT_FLAGS_ALLOC_RANGE,
  ULONG_MAX,
  XA_ZERO_ENTRY,
  __mt_dup,
  mas_empty_area,
  mas_empty_area_rev,
  mas_find,
  mas_find_range,
  mas_find_range_rev,
  mas_find_rev,
  mas_next,
  mas_next_range,
  mas_pause,
  mas_prev,
  mas_prev_range,
  mas_reset,
  mas_set,
  mas_set_range,
  mas_store_gfp,
  mas_walk,
  mt_find,
  mt_validate,
  mtree_erase,
  mtree_init,
  mtree_insert_range,
  mtree_load,
  mtree_store_range,
  xa_is_value,
  xa_mk_value,
  xa_to_value,
} from './maple_tree.ts';

/**
 * The model's unsigned long is a safe integer (ULONG_MAX = 2^53-1, maple_node.ts), so the top
 * of the key space is written `max-N` with N <= 2^32 (as format_index prints it), and decimal
 * indices stay below it; anything else is refused rather than rounded.
 */
const TOP_SPAN = 2 ** 32;
const DECIMAL_INDEX_MAX = ULONG_MAX - TOP_SPAN;

/** Index tokens: decimal, `max`, `max-N`. */
function parse_index(tok: string | undefined, line: number): number {
  if (tok === undefined) throw new Error(`line ${line}: missing index`);
  if (tok === 'max') return ULONG_MAX;
  const m = /^max-(\d+)$/.exec(tok);
  if (m !== null) {
    const n = Number(m[1]);
    if (n > TOP_SPAN) throw new Error(`line ${line}: index '${tok}' out of range (max-N takes N <= ${TOP_SPAN})`);
    return ULONG_MAX - n;
  }
  if (!/^\d+$/.test(tok)) throw new Error(`line ${line}: bad index '${tok}'`);
  const i = Number(tok);
  if (i > DECIMAL_INDEX_MAX) {
    throw new Error(`line ${line}: index '${tok}' out of range (decimal indices go up to ${DECIMAL_INDEX_MAX}; write the top of the key space as max-N)`);
  }
  return i;
}

/** The largest N of a value entry `vN` (xa_mk_value(N) = 2N+1 must stay a safe integer). */
const VALUE_MAX = (ULONG_MAX - 1) / 2;

/** Entry tokens: `null`, `zero`, `vN`. */
function parse_entry(tok: string | undefined, line: number): maple_entry {
  if (tok === 'null') return null;
  if (tok === 'zero') return XA_ZERO_ENTRY;
  const m = tok === undefined ? null : /^v(\d+)$/.exec(tok);
  if (m === null) throw new Error(`line ${line}: bad entry '${tok ?? ''}'`);
  const v = Number(m[1]);
  if (v > VALUE_MAX) throw new Error(`line ${line}: value '${tok}' out of range (vN takes N <= ${VALUE_MAX})`);
  return xa_mk_value(v);
}

export function format_index(i: number): string {
  if (i === ULONG_MAX) return 'max';
  if (i > ULONG_MAX - 2 ** 32) return `max-${ULONG_MAX - i}`;
  return String(i);
}

export function format_entry(e: maple_entry): string {
  if (e === null) return 'null';
  if (e === XA_ZERO_ENTRY) return 'zero';
  if (xa_is_value(e)) return `v${xa_to_value(e)}`;
  return typeof e === 'number' ? String(e) : typeof e;
}

function format_state(entry: maple_entry, mas: ma_state): string {
  const status = mas.status.slice(3);
  const err = mas.status === 'ma_error' ? ` ${mas.error}` : '';
  return `${format_entry(entry)} ${format_index(mas.index)} ${format_index(mas.last)} ${status}${err}`;
}

/** All ranges, for `ranges` and the logical comparison of `dup`. */
function ranges_of(mt: maple_tree): string {
  const mas = MA_STATE(mt, 0, 0);
  const out: string[] = [];
  for (let e = mas_find(mas, ULONG_MAX); e !== null; e = mas_find(mas, ULONG_MAX)) {
    out.push(`${format_index(mas.index)}-${format_index(mas.last)}:${format_entry(e)}`);
  }
  return out.length === 0 ? 'empty' : out.join(' ');
}

const ARGC: Readonly<Record<string, number>> = {
  init: 1, store: 3, insert: 3, erase: 1, load: 1, find: 2, walk: 1, ranges: 0, validate: 0, dup: 0,
  mset: 1, mrange: 2, mreset: 0, mpause: 0, mwalk: 0, mnext: 1, mprev: 1, mnext_range: 1,
  mprev_range: 1, mfind: 1, mfind_range: 1, mfind_rev: 1, mfind_range_rev: 1, mstore: 1,
  mempty: 3, mempty_rev: 3,
};

/**
 * runMapleScript() - replay a maple-oracle script; returns one output line per command.
 * Throws an Error naming the line for a malformed line.
 */
export function runMapleScript(text: string): string[] {
  const out: string[] = [];
  let mt: maple_tree = mtree_init(0);
  let mas: ma_state = MA_STATE(mt, 0, 0);
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = n + 1;
    const raw = (lines[n] as string).trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const [cmd = '', ...a] = raw.split(/\s+/);
    const argc = Object.hasOwn(ARGC, cmd) ? ARGC[cmd] : undefined; // not 'constructor' or 'toString'
    if (argc === undefined) throw new Error(`line ${line}: unknown command '${cmd}'`);
    if (a.length !== argc) throw new Error(`line ${line}: '${cmd}' takes ${argc} arguments, got ${a.length}`);
    const I = (k: number): number => parse_index(a[k], line);
    switch (cmd) {
      case 'init': {
        if (a[0] !== '0' && a[0] !== '1') throw new Error(`line ${line}: init takes 0 or 1`);
        mt = mtree_init(a[0] === '1' ? MT_FLAGS_ALLOC_RANGE : 0);
        mas = MA_STATE(mt, 0, 0);
        out.push('ok');
        break;
      }
      case 'store':
        out.push(String(mtree_store_range(mt, I(0), I(1), parse_entry(a[2], line), GFP_KERNEL)));
        break;
      case 'insert':
        out.push(String(mtree_insert_range(mt, I(0), I(1), parse_entry(a[2], line), GFP_KERNEL)));
        break;
      case 'erase':
        out.push(format_entry(mtree_erase(mt, I(0))));
        break;
      case 'load':
        out.push(format_entry(mtree_load(mt, I(0))));
        break;
      case 'find': {
        const idx = { index: I(0) };
        const e = mt_find(mt, idx, I(1));
        out.push(`${format_entry(e)} ${format_index(idx.index)}`);
        break;
      }
      case 'walk': {
        const w = MA_STATE(mt, I(0), I(0));
        out.push(format_state(mas_walk(w), w));
        break;
      }
      case 'ranges':
        out.push(ranges_of(mt));
        break;
      case 'validate': {
        const errors = mt_validate(mt);
        out.push(errors.length === 0 ? 'ok' : `FAIL ${errors.length}`);
        break;
      }
      case 'dup': {
        const copy = mtree_init(mt.ma_flags);
        copy.ma_flags = mt.ma_flags & ~0x7c;
        const ret = __mt_dup(mt, copy, GFP_KERNEL);
        out.push(`${ret} ${ranges_of(copy) === ranges_of(mt) && mt_validate(copy).length === 0 ? 'same' : 'diff'}`);
        break;
      }
      case 'mset':
        mas_set(mas, I(0));
        out.push('ok');
        break;
      case 'mrange':
        mas_set_range(mas, I(0), I(1));
        out.push('ok');
        break;
      case 'mreset':
        mas_reset(mas);
        out.push('ok');
        break;
      case 'mpause':
        mas_pause(mas);
        out.push('ok');
        break;
      case 'mwalk':
        out.push(format_state(mas_walk(mas), mas));
        break;
      case 'mnext':
        out.push(format_state(mas_next(mas, I(0)), mas));
        break;
      case 'mprev':
        out.push(format_state(mas_prev(mas, I(0)), mas));
        break;
      case 'mnext_range':
        out.push(format_state(mas_next_range(mas, I(0)), mas));
        break;
      case 'mprev_range':
        out.push(format_state(mas_prev_range(mas, I(0)), mas));
        break;
      case 'mfind':
        out.push(format_state(mas_find(mas, I(0)), mas));
        break;
      case 'mfind_range':
        out.push(format_state(mas_find_range(mas, I(0)), mas));
        break;
      case 'mfind_rev':
        out.push(format_state(mas_find_rev(mas, I(0)), mas));
        break;
      case 'mfind_range_rev':
        out.push(format_state(mas_find_range_rev(mas, I(0)), mas));
        break;
      case 'mstore': {
        const ret = mas_store_gfp(mas, parse_entry(a[0], line), GFP_KERNEL);
        out.push(`${ret} ${format_state(null, mas)}`);
        break;
      }
      case 'mempty':
      case 'mempty_rev': {
        const f = cmd === 'mempty' ? mas_empty_area : mas_empty_area_rev;
        const ret = f(mas, I(0), I(1), I(2));
        out.push(`${ret} ${format_state(null, mas)}`);
        break;
      }
    }
  }
  return out;
}
