/**
 * End-to-end: the trace viewer in Debian's Chromium. Builds the page, serves it with
 * `mmlife view`'s server, explores in the page's worker, opens counterexamples and files,
 * and checks what the page shows and exports against the engine run in Node.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { explore, replay } from '../../src/engine/explore.ts';
import { resolveRequest, type RunRequest } from '../../src/cli/request.ts';
import { findScenario, scenarios } from '../../src/scenarios/index.ts';
import { browserSkipReason, buildPage, launchBrowser, openViewer, screenshot, type Session } from './harness.ts';
import { checkPlayback, exportText, type Expected } from './playback.ts';
import { toyRace } from './toy-race.ts';

/** The counterexample the page opened, replayed in Node by the engine from its schedule. */
async function replayedInNode(s: Session, req: RunRequest): Promise<Expected> {
  const file = JSON.parse(await exportText(s.page, 'Trace JSON')) as { violation: { schedule: string } };
  const { program, options } = resolveRequest(req);
  const r = replay(program, file.violation.schedule, options);
  assert.ok(r.violation, `the page's schedule ${file.violation.schedule} violates in Node too`);
  return { request: req, violation: r.violation, trace: r.trace };
}

/** Picks scenario and preset, explores, waits for the counterexample to open. */
async function exploreInPage(s: Session, req: RunRequest): Promise<void> {
  const { page } = s;
  await page.getByLabel('scenario', { exact: true }).selectOption(req.scenario);
  if (req.kernel !== undefined) await page.getByLabel('kernel preset').selectOption(req.kernel);
  await page.getByRole('button', { name: 'Explore' }).click();
  await page.locator('.origin', { hasText: req.scenario }).waitFor({ timeout: 60_000 });
  assert.match(await page.getByTestId('run-status').innerText(), /violation · \d+ executions/);
}

/**
 * A registered scenario that ends in a violation, other than R5: classic/abba's deadlock, or
 * else the first kernel scenario expected to violate under some preset.
 */
function liveRequest(): RunRequest | undefined {
  if (findScenario('classic/abba')) return { scenario: 'classic/abba', params: {} };
  for (const s of scenarios) {
    const preset = Object.entries(s.expect ?? {}).find(([, v]) => v === 'violation')?.[0];
    if (s.id !== 'R5' && s.kernel && preset !== undefined) return { scenario: s.id, kernel: preset, params: {} };
  }
  return undefined;
}
const LIVE = liveRequest();

/** A guard against hangs, per test; on a quiet 2-core machine the whole file takes ~20 s. */
const T = { timeout: 60_000 };

const SKIP = browserSkipReason();
if (SKIP !== undefined) console.log(`# browser suite skipped: ${SKIP}`);

void describe('trace viewer (Chromium)', { skip: SKIP ?? false }, () => {
  let webRoot = '';
  let scratch = '';
  let browser: Browser;
  before(async () => {
    [webRoot, browser] = await Promise.all([buildPage(), launchBrowser()]);
    scratch = mkdtempSync(join(tmpdir(), 'mmlife-traces-'));
  }, T);
  after(async () => {
    await browser.close();
    rmSync(webRoot, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  async function withViewer(traceFile: string | undefined, body: (s: Session) => Promise<void>): Promise<void> {
    const s = await openViewer(browser, webRoot, traceFile);
    try {
      await body(s);
      assert.deepEqual(s.external, [], 'the page makes no request outside its server');
      assert.deepEqual(s.errors, [], 'no page errors');
    } finally {
      await s.close();
    }
  }

  /** The toy race's counterexample as a trace file, as `mmlife check --out` writes one. */
  function toyTraceFile(): { file: string; expected: Expected } {
    const v = explore(toyRace, { traces: false }).violations[0];
    assert.ok(v);
    const r = replay(toyRace, v.schedule);
    assert.ok(r.violation);
    const request: RunRequest = { scenario: 'toy-r5', params: {}, schedule: v.schedule };
    const file = join(scratch, 'toy.json');
    writeFileSync(file, JSON.stringify({ version: 1, request, violation: r.violation }));
    return { file, expected: { request, violation: r.violation, trace: r.trace } };
  }

  void test('opens the trace the server was given and plays it back (toy R5)', T, async () => {
    const { file, expected } = toyTraceFile();
    await withViewer(file, async ({ page }) => {
      await checkPlayback(page, expected);
      assert.ok((await page.locator('.lanes .lockbar').count()) > 0, 'lock spans drawn');
      assert.equal(await page.locator('.lanes tr.race').count(), 2, 'the racing pair is highlighted');
      await page.keyboard.press('End');
      await screenshot(page, 'viewer-toy');
    });
  });

  void test('a malformed trace file gets a readable error, not a blank page; a dropped file opens', T, async () => {
    await withViewer(undefined, async ({ page }) => {
      const input = page.getByTestId('open-file');
      await input.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"version": 1, "request":') });
      const banner = page.getByTestId('error');
      await banner.waitFor();
      assert.match(await banner.innerText(), /broken\.json: not a trace file: invalid JSON/);
      await input.setInputFiles({ name: 'wrong.json', mimeType: 'application/json', buffer: Buffer.from('{"version": 1, "request": {"scenario": "R5"}, "violation": {"kind": "oops"}}') });
      await page.getByTestId('error').filter({ hasText: 'wrong.json' }).waitFor();
      assert.match(await page.getByTestId('error').innerText(), /wrong\.json: not a valid trace file: .*violation\.message: Invalid input/);
      assert.equal(await page.locator('h1').innerText(), 'mmlife trace viewer');
      assert.equal(await page.locator('.lanes').count(), 0);

      // a good file dropped on the page replaces the error with the trace
      const { file, expected } = toyTraceFile();
      // (a string: the Node typecheck has no DOM types)
      const text = JSON.stringify(readFileSync(file, 'utf8'));
      const dropped = await page.evaluateHandle(
        `(() => { const dt = new DataTransfer(); dt.items.add(new File([${text}], 'dropped.json', { type: 'application/json' })); return dt; })()`,
      );
      await page.dispatchEvent('body', 'drop', { dataTransfer: dropped });
      await page.locator('.origin', { hasText: 'dropped.json' }).waitFor();
      assert.equal(await page.locator('.lanes tbody tr').last().getAttribute('data-i'), String(expected.trace.steps.length - 1));
      assert.equal(await page.getByTestId('error').count(), 0);
    });
  });

  void test(`explores ${LIVE?.scenario ?? 'a registered scenario'} in the page and opens its counterexample`, { ...T, skip: LIVE ? false : 'no violating scenario registered yet' }, async () => {
    const req = LIVE!;
    let stripped = '';
    let table = '';
    await withViewer(undefined, async (s) => {
      await exploreInPage(s, req);
      table = await checkPlayback(s.page, await replayedInNode(s, req));
      const file = JSON.parse(await exportText(s.page, 'Trace JSON')) as { violation: Record<string, unknown> };
      delete file.violation['trace'];
      stripped = JSON.stringify(file);
    });
    // a trace file with only a schedule: the page replays it in its worker
    await withViewer(undefined, async ({ page }) => {
      await page.getByTestId('open-file').setInputFiles({ name: 'schedule-only.json', mimeType: 'application/json', buffer: Buffer.from(stripped) });
      await page.locator('.origin', { hasText: req.scenario }).waitFor();
      assert.equal(await exportText(page, 'Text table'), table);
    });
  });

  void test('a long run shows progress and stops on request; the next run works', { ...T, skip: findScenario('classic/readers') ? false : 'classic/readers not registered' }, async () => {
    await withViewer(undefined, async ({ page }) => {
      await page.getByLabel('scenario', { exact: true }).selectOption('classic/readers');
      await page.getByLabel('parameter N').fill('18'); // 2^18 executions: minutes, not seconds
      await page.getByRole('button', { name: 'Explore' }).click();
      const status = page.getByTestId('run-status');
      await status.filter({ hasText: /exploring… [1-9]\d* executions/ }).waitFor();
      await page.getByRole('button', { name: 'Stop' }).click();
      await status.filter({ hasText: /^stopped after \d+ executions/ }).waitFor();
      await page.getByLabel('parameter N').fill('3');
      await page.getByRole('button', { name: 'Explore' }).click();
      await status.filter({ hasText: 'pass · 8 executions (exhaustive)' }).waitFor();
    });
  });

  void test('R5 at v6.12: the uprobe registrar walks into the failed fork\'s XA_ZERO_ENTRY', { ...T, skip: findScenario('R5') === undefined ? 'R5 not registered yet' : false }, async () => {
    const req: RunRequest = { scenario: 'R5', kernel: 'v6.12', params: {} };
    let traceText = '';
    await withViewer(undefined, async (s) => {
      await exploreInPage(s, req);
      const exp = await replayedInNode(s, req);
      await checkPlayback(s.page, exp);
      // at the violating step, XA_ZERO_ENTRY sits in the child's tree, not the parent's
      const objects = exp.trace.steps.findLast((st) => st.state !== undefined)?.state?.objects ?? [];
      const zeroTree = objects.find((o) => o.entries?.some((e) => e.entry === 'XA_ZERO_ENTRY'));
      const parentMm = objects.find((o) => o.kind === 'task_struct')?.fields['mm'];
      assert.ok(zeroTree && parentMm, 'the snapshot has the parent task and a tree with XA_ZERO_ENTRY');
      assert.notEqual(zeroTree.name, parentMm);
      const card = s.page.locator('.inspector .card', { has: s.page.locator('.xa-zero-badge') });
      assert.equal(await card.count(), 1);
      assert.equal(await card.locator('.oname').innerText(), zeroTree.name);
      await screenshot(s.page, 'viewer-r5-1280x800');
      // the README's picture: a little larger, so that both CPUs' part of the race shows
      await s.page.setViewportSize({ width: 1440, height: 1000 });
      await s.page.keyboard.press('End');
      await screenshot(s.page, 'viewer-r5', 'viewer.png');
      // 800x600: nothing leaves the screen (the inspector, the exports, "Open trace...")
      await s.page.setViewportSize({ width: 800, height: 600 });
      assert.ok((await s.page.evaluate<number>('document.documentElement.scrollWidth')) <= 800, 'no horizontal page scroll at 800x600');
      for (const part of [s.page.locator('.inspector'), s.page.getByRole('group', { name: 'export' }), s.page.locator('label.button', { hasText: 'Open trace' })]) {
        const box = await part.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= 800 && box.y >= 0 && box.y < 600, `on screen at 800x600: ${JSON.stringify(box)}`);
      }
      await screenshot(s.page, 'viewer-r5-800x600');
      traceText = await exportText(s.page, 'Trace JSON');
    });
    // opening that trace as a file sets the run panel to its scenario and preset
    const file = join(scratch, 'r5.json');
    writeFileSync(file, traceText);
    await withViewer(file, async ({ page }) => {
      await page.locator('.lanes tbody tr').first().waitFor();
      assert.equal(await page.getByLabel('scenario', { exact: true }).inputValue(), 'R5');
      assert.equal(await page.getByLabel('kernel preset').inputValue(), 'v6.12');
    });
  });
});
