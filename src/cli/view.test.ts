import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startViewServer, type ViewServer } from './view.ts';

/** GET with the path sent exactly as given (no URL normalisation of '..'). */
function get(url: string, rawPath: string, method = 'GET', host?: string): Promise<{ status: number; body: string; type: string; headers: Record<string, unknown> }> {
  const { hostname, port } = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ hostname, port, path: rawPath, method, ...(host !== undefined && { headers: { host } }) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? ''), headers: res.headers }));
    });
    req.on('error', fail);
    req.end();
  });
}

const TRACE = {
  version: 1,
  request: { scenario: 'toy', params: {}, schedule: 'v1:0' },
  violation: { kind: 'oops', message: 'BUG', schedule: 'v1:0', trace: { threads: ['main'], steps: [{ tid: 0, thread: 'main', op: 'note', stack: [], text: 'x' }] } },
};

void describe('startViewServer', () => {
  let dir = '';
  let web = '';
  let server: ViewServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mmlife-view-'));
    web = join(dir, 'dist');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>viewer</title>');
    writeFileSync(join(web, 'assets', 'app.js'), 'export {};');
    writeFileSync(join(dir, 'secret.txt'), 'outside the web root');
    writeFileSync(join(dir, 'trace.json'), JSON.stringify(TRACE));
    server = await startViewServer({ webRoot: web, traceFile: join(dir, 'trace.json') });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  void test('serves the page, its assets and the trace on 127.0.0.1', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get(server.url, '/');
    assert.equal(index.status, 200);
    assert.match(index.type, /text\/html/);
    assert.match(index.body, /<title>viewer/);
    const js = await get(server.url, '/assets/app.js?v=1');
    assert.equal(js.status, 200);
    assert.match(js.type, /javascript/);
    const trace = await get(server.url, '/trace.json');
    assert.equal(trace.status, 200);
    assert.deepEqual(JSON.parse(trace.body), TRACE);
  });

  void test('serves nothing outside its own files', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00',
      '/%E0%A4%A',
      '/assets/',
      '/assets',
      'secret.txt',
    ]) {
      const r = await get(server.url, path);
      assert.ok(r.status === 404 || r.status === 400, `${path} -> ${r.status}`);
      assert.doesNotMatch(r.body, /outside the web root/);
    }
    assert.equal((await get(server.url, '/', 'POST')).status, 405);
  });

  void test('answers only to its own host and port (DNS rebinding), with nosniff and a CSP (F14)', async () => {
    const { port } = new URL(server.url);
    for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1:1', 'localhost']) {
      const r = await get(server.url, '/trace.json', 'GET', host);
      assert.equal(r.status, 421, `Host ${host} -> ${r.status}`);
      assert.doesNotMatch(r.body, /oops/);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      assert.equal((await get(server.url, '/trace.json', 'GET', host)).status, 200, host);
    }
    const page = await get(server.url, '/');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'.*frame-ancestors 'none'/);
  });

  void test('without a trace, /trace.json is empty (204)', async () => {
    const bare = await startViewServer({ webRoot: web });
    try {
      assert.equal((await get(bare.url, '/trace.json')).status, 204);
    } finally {
      await bare.close();
    }
  });

  void test('refuses to start without a built page or with a bad trace file', async () => {
    await assert.rejects(startViewServer({ webRoot: join(dir, 'nowhere') }), /not built.*vite build web/);
    writeFileSync(join(dir, 'bad.json'), '{"version": 1, ');
    await assert.rejects(startViewServer({ webRoot: web, traceFile: join(dir, 'bad.json') }), /bad\.json: not a trace file: invalid JSON/);
    writeFileSync(join(dir, 'wrong.json'), JSON.stringify({ ...TRACE, violation: { kind: 'oops', schedule: 'v1:0' } }));
    await assert.rejects(startViewServer({ webRoot: web, traceFile: join(dir, 'wrong.json') }), /wrong\.json: not a valid trace file: violation\.message/);
    await assert.rejects(startViewServer({ webRoot: web, traceFile: join(dir, 'missing.json') }), /cannot read trace file .*missing\.json/);
  });
});
