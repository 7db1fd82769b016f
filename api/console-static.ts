// The built staff console (console/, built by ops/console-build.ts into dist/console) served at `/`:
// its hashed assets under /assets, and index.html for the console's own pages. The console's paths are
// listed here, so they never shadow an API route (the console shows a case at /case/:id, the API answers
// GET /cases/:id). Without a build, `/` says how to make one.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const DEFAULT_CONSOLE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'console');

/** The console's pages (React Router paths in console/src/App.tsx). */
export const CONSOLE_PAGES = ['/', '/callback', '/work', '/intake', '/queue', '/board', '/dashboard', '/warnings', '/case/:id', '/audit', '/audit/:id', '/receipt/:id', '/dossier/:id'];

export async function serveConsole(app: FastifyInstance, dir: string): Promise<void> {
  const built = fs.existsSync(path.join(dir, 'index.html'));
  if (built) await app.register(fastifyStatic, { root: dir, serve: false });
  const page = { schema: { hide: true }, config: { public: true } };
  for (const url of CONSOLE_PAGES) {
    app.get(url, page, async (_req, reply) => {
      if (!built) return reply.type('text/plain; charset=utf-8').status(503).send('the console is not built: run `npm start` (it builds console/ into dist/console)');
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  }
  app.get('/assets/*', page, async (req, reply) => {
    const file = (req.params as { '*': string })['*'];
    if (!built || file.includes('..')) return reply.callNotFound();
    return reply.header('cache-control', 'public, max-age=31536000, immutable').sendFile(path.join('assets', file));
  });
}
