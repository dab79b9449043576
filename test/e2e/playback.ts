/**
 * Checks a trace the viewer has open against the same trace computed in Node: stepping with
 * the keys, the inspector's state (XA_ZERO_ENTRY, what changed), the violation text at the
 * violating step, and every export against the CLI's own formatting.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { Trace, Violation } from '../../src/engine/api.ts';
import { formatRaceTable } from '../../src/engine/race-table.ts';
import { formatTable } from '../../src/engine/table.ts';
import { replayCommand, type RunRequest } from '../../src/cli/request.ts';

export interface Expected {
  readonly request: RunRequest;
  readonly violation: Violation;
  readonly trace: Trace;
}

const position = (page: Page): Promise<string> => page.getByTestId('position').innerText();

export async function exportText(page: Page, label: string): Promise<string> {
  await page.getByRole('group', { name: 'export' }).getByRole('button', { name: label }).click();
  const text = await page.getByTestId('export-text').inputValue();
  await page.getByRole('button', { name: 'close export' }).click();
  return text;
}

/** Steps through the open trace and checks what the page shows. Returns the table it exported. */
export async function checkPlayback(page: Page, exp: Expected): Promise<string> {
  const last = exp.trace.steps.length - 1;
  const rows = page.locator('.lanes tbody tr');
  const allSteps = page.getByLabel('all steps');
  await rows.first().waitFor();

  // the page opens at the race: the first step of the racing pair, when there is one
  const raceRow = page.locator('.lanes tbody tr.race').first();
  if ((await raceRow.count()) > 0) assert.equal(await position(page), `step ${await raceRow.getAttribute('data-i')} / ${last}`, 'opens at the race');

  // compact view (the default): fewer rows when there are plain reads; all steps: one row per step
  if (exp.trace.steps.some((s, i) => s.op === 'load' && i !== last)) {
    assert.ok((await rows.count()) < exp.trace.steps.length, 'the compact view leaves out plain reads');
  }
  await allSteps.check();
  assert.equal(await rows.count(), exp.trace.steps.length, 'all steps: one row per step');

  // keys: Home, →, ←, End
  await page.keyboard.press('Home');
  assert.equal(await position(page), `step 0 / ${last}`);
  await page.keyboard.press('ArrowRight');
  assert.equal(await position(page), `step 1 / ${last}`);
  await page.keyboard.press('ArrowLeft');
  assert.equal(await position(page), `step 0 / ${last}`);

  // the step that stores XA_ZERO_ENTRY: the inspector marks it as changed
  const zeroAt = exp.trace.steps.findIndex((s) => s.state?.objects.some((o) => o.entries?.some((e) => e.entry === 'XA_ZERO_ENTRY')));
  if (zeroAt >= 0) {
    await page.locator(`.lanes tbody tr[data-i="${zeroAt}"]`).click();
    assert.equal(await position(page), `step ${zeroAt} / ${last}`);
    await page.locator('.inspector .entries tr.xa-zero.changed').first().waitFor();
    assert.equal(await page.locator('.inspector .violation').count(), 0, 'no violation shown before the violating step');
  }

  // back to the compact view: the keys move over the rows shown
  await allSteps.uncheck();
  await page.keyboard.press('Home');
  assert.equal(await position(page), `step ${await rows.nth(0).getAttribute('data-i')} / ${last}`);
  await page.keyboard.press('ArrowRight');
  assert.equal(await position(page), `step ${await rows.nth(1).getAttribute('data-i')} / ${last}`);

  // the step filter: only rows whose text has it (and the violating step), then all again
  const before = await rows.count();
  const word = exp.trace.steps.find((st, i) => i > 0 && i < last && st.stack.length > 0)?.stack.at(-1);
  if (word !== undefined) {
    await page.getByLabel('filter steps').fill(word);
    const n = await rows.count();
    assert.ok(n >= 1 && n < before, `filter '${word}': ${n} of ${before} rows`);
    for (let k = 0; k < n - 1; k++) assert.ok((await rows.nth(k).innerText()).includes(word), `row ${k} has '${word}'`);
    await page.getByLabel('filter steps').fill('');
    assert.equal(await rows.count(), before);
    await page.locator('body').click({ position: { x: 1, y: 1 } }); // keys go to the page again
  }

  // the violating step: highlighted, with the oops text in the inspector
  await page.keyboard.press('End');
  assert.equal(await position(page), `step ${last} / ${last}`);
  assert.equal(await page.locator(`.lanes tbody tr[data-i="${last}"]`).getAttribute('class').then((c) => /violating/.test(c ?? '')), true);
  const shown = await page.locator('.inspector .violation').innerText();
  assert.match(shown, new RegExp(exp.violation.kind, 'i'));
  assert.ok(shown.includes(exp.violation.message), `inspector shows "${exp.violation.message}", got: ${shown}`);

  // exports, each against the CLI's formatting
  const table = await exportText(page, 'Text table');
  assert.equal(table, formatRaceTable(exp.trace), 'the text table is the CLI table');
  await page.getByLabel('all steps').check();
  assert.equal(await exportText(page, 'Text table'), formatTable(exp.trace, { full: true }), 'with all steps: the CLI table with --full');
  await page.getByLabel('all steps').uncheck();
  const json = JSON.parse(await exportText(page, 'Trace JSON')) as { version: number; violation: Violation };
  assert.equal(json.version, 1);
  assert.equal(json.violation.schedule, exp.violation.schedule);
  assert.deepEqual(json.violation.trace, JSON.parse(JSON.stringify(exp.trace)), 'the exported trace is the trace');
  assert.equal(await exportText(page, 'Replay command'), replayCommand(exp.request, exp.violation.schedule));
  const mermaid = await exportText(page, 'Mermaid');
  assert.match(mermaid, /^sequenceDiagram\n/);
  return table;
}
