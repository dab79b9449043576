/** `mmlife view [trace.json] [--port N]`: starts the viewer server and prints its URL. */
import { UsageError } from './errors.ts';
import { staleAgainst } from './stale.ts';
import { defaultWebRoot, startViewServer } from './view.ts';

export async function viewCommand(trace: string | undefined, opts: { port?: string }): Promise<void> {
  let port: number | undefined;
  if (opts.port !== undefined) {
    if (!/^\d+$/.test(opts.port) || Number(opts.port) > 65535) throw new UsageError(`--port takes a port number, not '${opts.port}'`);
    port = Number(opts.port);
  }
  const web = defaultWebRoot();
  const changed = staleAgainst(`${web}/index.html`, [`${web}/../src`, `${web}/../../src`]);
  if (changed !== undefined) {
    process.stderr.write(`mmlife: the viewer in ${web} is older than ${changed}: rebuild it with 'npx vite build web'\n`);
  }
  try {
    const server = await startViewServer({ ...(port !== undefined && { port }), ...(trace !== undefined && { traceFile: trace }) });
    process.stdout.write(`mmlife view: ${server.url}${trace !== undefined ? ` (trace: ${trace})` : ''}\nCtrl-C stops it.\n`);
    process.once('SIGINT', () => void server.close().then(() => process.exit(0)));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
