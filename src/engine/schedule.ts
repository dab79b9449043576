/**
 * The schedule string: a compact, versioned record of every decision one execution made,
 * enough to replay it exactly.
 *
 *   schedule := "v1:" [ item ( "." item )* ]
 *   item     := actor [ "*" count ]   a thread id (decimal) or "t" (the timer tick) runs
 *                                      one step, `count` times in a row
 *             | "c" value             the next choose() returns `value`
 *             | "f" index             the fault() call number `index` (0-based, counted
 *                                      over the whole execution) fails; every fault() call
 *                                      without such an item succeeds
 *
 * Example: `v1:0*3.1.c1.2*2.f4.t.1` — main runs three steps, thread 1 one step whose
 * continuation chooses 1, thread 2 two steps, the fifth fault() call fails, the clock
 * ticks, thread 1 runs once more.
 */

export const SCHEDULE_VERSION = 'v1';

/** Decision kinds in a decoded schedule. */
export const D_STEP = 0; // value: thread id, or TICK
export const D_CHOOSE = 1; // value: the chosen index
export const D_FAULT = 2; // value: the failing fault() call's index

/** The pseudo-actor that advances the logical clock. */
export const TICK = -1;

/** A growable record of decisions (kind, value) as two parallel integer arrays. */
export class DecisionLog {
  kinds = new Uint8Array(64);
  values = new Int32Array(64);
  length = 0;

  push(kind: number, value: number): void {
    if (this.length === this.kinds.length) {
      const k = new Uint8Array(this.length * 2);
      k.set(this.kinds);
      this.kinds = k;
      const v = new Int32Array(this.length * 2);
      v.set(this.values);
      this.values = v;
    }
    this.kinds[this.length] = kind;
    this.values[this.length] = value;
    this.length++;
  }

  clear(): void {
    this.length = 0;
  }
}

/** Renders a decision log as a schedule string. */
export function encodeSchedule(log: DecisionLog): string {
  const parts: string[] = [];
  let i = 0;
  while (i < log.length) {
    const kind = log.kinds[i]!;
    const value = log.values[i]!;
    if (kind === D_CHOOSE) {
      parts.push(`c${value}`);
      i++;
    } else if (kind === D_FAULT) {
      parts.push(`f${value}`);
      i++;
    } else {
      let run = 1;
      while (i + run < log.length && log.kinds[i + run] === D_STEP && log.values[i + run] === value) run++;
      const actor = value === TICK ? 't' : String(value);
      parts.push(run > 1 ? `${actor}*${run}` : actor);
      i += run;
    }
  }
  return `${SCHEDULE_VERSION}:${parts.join('.')}`;
}

/**
 * Parses a schedule string; throws an Error naming the problem if it is malformed or runs more
 * than `maxSteps` steps (checked before the steps are expanded: `0*999999999` is nine bytes).
 */
export function decodeSchedule(text: string, maxSteps = Infinity): DecisionLog {
  const s = text.trim();
  const colon = s.indexOf(':');
  if (colon < 0) throw new Error(`malformed schedule "${short(s)}": expected a "${SCHEDULE_VERSION}:" prefix`);
  const version = s.slice(0, colon);
  if (version !== SCHEDULE_VERSION) {
    throw new Error(`unsupported schedule version "${short(version)}" (this build reads ${SCHEDULE_VERSION})`);
  }
  const log = new DecisionLog();
  const body = s.slice(colon + 1);
  if (body === '') return log;
  const items = body.split('.');
  let steps = 0;
  for (let n = 0; n < items.length; n++) {
    const item = items[n]!;
    const bad = (why: string): Error => new Error(`malformed schedule: item ${n + 1} "${short(item)}": ${why}`);
    const head = item[0];
    if (head === 'c' || head === 'f') {
      const v = parseCount(item.slice(1));
      if (v === undefined) throw bad('expected a number after ' + head);
      log.push(head === 'c' ? D_CHOOSE : D_FAULT, v);
      continue;
    }
    const star = item.indexOf('*');
    const actorText = star < 0 ? item : item.slice(0, star);
    let run = 1;
    if (star >= 0) {
      const r = parseCount(item.slice(star + 1));
      if (r === undefined || r === 0) throw bad('expected a positive repeat count after "*"');
      run = r;
    }
    let actor: number;
    if (actorText === 't') actor = TICK;
    else {
      const a = parseCount(actorText);
      if (a === undefined) throw bad('expected a thread id, "t", "c<value>" or "f<index>"');
      actor = a;
    }
    steps += run;
    if (steps > maxSteps) throw new Error(`schedule runs more than the step limit of ${maxSteps} steps (item ${n + 1} "${short(item)}")`);
    for (let r = 0; r < run; r++) log.push(D_STEP, actor);
  }
  return log;
}

function parseCount(text: string): number | undefined {
  if (!/^\d{1,9}$/.test(text)) return undefined;
  return Number(text);
}

function short(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
