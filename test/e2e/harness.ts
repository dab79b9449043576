/**
 * The viewer's e2e harness: builds the page with vite into a temporary directory, serves it
 * with `startViewServer`, and drives Debian's Chromium through playwright-core. Every request
 * the page makes outside the server is recorded (and aborted): the page must make none.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { startViewServer, type ViewServer } from '../../src/cli/view.ts';

/** The repository root, from test/e2e (tsx) or build/test/e2e (compiled). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

/** Debian's Chromium (`MMLIFE_CHROMIUM` overrides the path). */
export const CHROMIUM = process.env.MMLIFE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Why the browser suite cannot run here, or undefined if it can. A missing Chromium skips the
 * suite with the command that installs it, unless `MMLIFE_REQUIRE_BROWSER=1` (set by `.ci/run`)
 * makes it a failure: CI never skips the browser tests.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM) || process.env.MMLIFE_REQUIRE_BROWSER === '1') return undefined;
  return `no Chromium at ${CHROMIUM}: install it with 'apt-get install -y chromium' (Debian) to run the browser tests`;
}
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds the page into a fresh temporary directory; returns it. */
export async function buildPage(): Promise<string> {
  const root = repoRoot();
  const outDir = mkdtempSync(join(tmpdir(), 'mmlife-web-'));
  await build({
    root: join(root, 'web'),
    configFile: join(root, 'web', 'vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

export interface Session {
  readonly server: ViewServer;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Requests to anything but the server. */
  readonly external: string[];
  /** Uncaught page errors and console errors. */
  readonly errors: string[];
  close(): Promise<void>;
}

/** Debian's Chromium, headless; playwright gives it a fresh temporary --user-data-dir. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** Serves `webRoot` (and `traceFile`) and opens it in a fresh browser context, 1280x800. */
export async function openViewer(browser: Browser, webRoot: string, traceFile?: string): Promise<Session> {
  const server = await startViewServer({ webRoot, ...(traceFile !== undefined ? { traceFile } : {}) });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const external: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(server.url) || url.startsWith('blob:') || url.startsWith('data:')) await route.continue();
    else {
      external.push(url);
      await route.abort();
    }
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(server.url);
  return {
    server,
    context,
    page,
    external,
    errors,
    close: async () => {
      await context.close();
      await server.close();
    },
  };
}

/** Where screenshots go: build/e2e/ always; docs/ when asked (UPDATE_SCREENSHOTS=1) or missing. */
export function screenshotPaths(name: string, docsName?: string): string[] {
  const root = repoRoot();
  const dir = join(root, 'build', 'e2e');
  mkdirSync(dir, { recursive: true });
  const paths = [join(dir, `${name}.png`)];
  if (docsName !== undefined) {
    const docs = join(root, 'docs', docsName);
    if (process.env['UPDATE_SCREENSHOTS'] === '1' || !existsSync(docs)) paths.push(docs);
  }
  return paths;
}

export async function screenshot(page: Page, name: string, docsName?: string): Promise<void> {
  const paths = screenshotPaths(name, docsName);
  const png = await page.screenshot({ fullPage: false });
  for (const p of paths) {
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, png);
  }
}
