/**
 * `mmlife view [trace.json] [--port N]`: serves the built trace viewer (web/dist) and, if
 * given, one trace file at /trace.json, on 127.0.0.1. Builds nothing at run time. Serves
 * only the files of its web root and the trace: no directory listings, nothing outside, and
 * only to requests addressed to 127.0.0.1 or localhost on its own port (a DNS-rebinding page
 * sends its own host name and is refused).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { parseTrace } from '../engine/trace-schema.ts';

export interface ViewServerOptions {
  /** Port to listen on; default: a free one. */
  readonly port?: number;
  /** A trace file to serve at /trace.json (validated before the server starts). */
  readonly traceFile?: string;
  /** The built page; default: the repository's web/dist. */
  readonly webRoot?: string;
}

export interface ViewServer {
  readonly url: string;
  close(): Promise<void>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** web/dist of the repository, from src/cli (tsx) or build/src/cli (compiled). */
export function defaultWebRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../../web/dist'), resolve(here, '../../../web/dist')];
  return candidates.find((c) => existsSync(join(c, 'index.html'))) ?? candidates[0]!;
}

/** Is `p` inside `root` (or root itself)? Both absolute and resolved. */
function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The file a URL path names under `root`, or undefined if it names nothing we serve. */
async function fileFor(root: string, urlPath: string): Promise<string | undefined> {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.includes('\\') || !path.startsWith('/')) return undefined;
  if (path.split('/').some((seg) => seg === '..')) return undefined;
  if (path.endsWith('/')) path += 'index.html';
  const abs = resolve(root, `.${path}`);
  if (!inside(root, abs)) return undefined;
  try {
    const real = await realpath(abs);
    if (!inside(root, real) || !(await stat(real)).isFile()) return undefined;
    return real;
  } catch {
    return undefined;
  }
}

/** The page's own policy (web/index.html carries it too), plus what only a header can say. */
const CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': CSP,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** A trace file's text, validated; an Error naming the file and the problem otherwise. */
async function readTrace(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read trace file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    parseTrace(text);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  return text;
}

export async function startViewServer(opts: ViewServerOptions = {}): Promise<ViewServer> {
  const given = resolve(opts.webRoot ?? defaultWebRoot());
  if (!existsSync(join(given, 'index.html'))) {
    throw new Error(`the trace viewer is not built (${join(given, 'index.html')} is missing): run \`npx vite build web\` first`);
  }
  const root = await realpath(given);
  let trace: string | undefined;
  if (opts.traceFile !== undefined) trace = await readTrace(opts.traceFile);
  let hosts: readonly string[] = []; // set once the port is known
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hosts.includes((req.headers.host ?? '').toLowerCase())) {
      send(res, 421, TYPES['.txt']!, 'misdirected request: this server answers only to 127.0.0.1 and localhost\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, TYPES['.txt']!, 'method not allowed\n');
      return;
    }
    const urlPath = (req.url ?? '/').split('?')[0]!.split('#')[0]!;
    if (urlPath === '/trace.json') {
      // 204 rather than 404 when there is none: the page asks at every start
      if (trace === undefined) send(res, 204, TYPES['.txt']!, '');
      else send(res, 200, TYPES['.json']!, trace);
      return;
    }
    const file = await fileFor(root, urlPath);
    if (file === undefined) {
      send(res, 404, TYPES['.txt']!, 'not found\n');
      return;
    }
    send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', await readFile(file));
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, TYPES['.txt']!, `${(e as Error).message}\n`);
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const { port } = server.address() as AddressInfo;
  hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((ok, fail) => {
        server.close((e) => (e ? fail(e) : ok()));
        server.closeAllConnections();
      }),
  };
}
