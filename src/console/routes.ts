/**
 * The console's pages: `GET /console` and every path below it answer the one page (the client
 * routes by path, so a reload or a shared link such as /console/incidents/R-ABC123 or an
 * invitation /console/link#<token> opens the right page); `GET /console/assets/<file>` answers
 * the built script, style sheet and images, compressed. 503 with a hint when the console was
 * never built. The routes carry no credentials: everything the page shows comes from /api/v1.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleAssets } from './assets.js';

const NOT_BUILT = 'The console is not built: run `npm run build` (it bundles console/ into dist/console/).';

export function consoleRoutes(assets: ConsoleAssets) {
  const send = (request: FastifyRequest, reply: FastifyReply, relative: string, cache: string) => {
    if (!assets.built()) return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    const file = assets.file(relative, request.headers['accept-encoding']);
    if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('no such file');
    reply.header('vary', 'accept-encoding').header('cache-control', cache).type(file.type);
    if (file.encoding) reply.header('content-encoding', file.encoding);
    return reply.send(file.body);
  };
  const page = (request: FastifyRequest, reply: FastifyReply) => send(request, reply, 'index.html', 'no-cache');

  return async (app: FastifyInstance): Promise<void> => {
    app.get('/console', page);
    app.get('/console/*', page);
    app.get('/console/assets/*', (request, reply) => {
      const name = (request.params as { '*': string })['*'];
      // Built names carry a content hash: a changed file has a new name.
      return send(request, reply, `assets/${name}`, 'public, max-age=31536000, immutable');
    });
  };
}
