/**
 * The API's documentation page at /docs: a small page of our own that reads
 * /api/v1/openapi.json and lists every route with its roles, body schema and answers. Nothing
 * is fetched from another origin, and no script is inline (the CSP allows only 'self'). GET /
 * leads to `home`: the staff console when it is loaded, this page otherwise.
 */
import type { FastifyInstance } from 'fastify';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gateway API</title><link rel="stylesheet" href="/docs/docs.css"></head>
<body><main><h1>Gateway API</h1>
<p>Every route under <code>/api/v1</code>, generated from the code: <a href="/api/v1/openapi.json">openapi.json</a> (OpenAPI 3.1).
Authenticate with <code>Authorization: Bearer &lt;token&gt;</code> or a console session cookie (then send <code>x-csrf-token</code> on changes).</p>
<div id="routes">Loading…</div></main><script src="/docs/docs.js"></script></body></html>`;

const CSS = `body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b}main{max-width:60rem;margin:auto;padding:1rem}
details{border:1px solid #ccc;border-radius:4px;margin:.4rem 0;padding:.4rem .6rem}summary{cursor:pointer}
code,pre{font:13px ui-monospace,monospace}pre{background:#f4f4f4;padding:.5rem;overflow:auto}
.m{display:inline-block;min-width:4.5em;font-weight:bold}.roles{color:#555}`;

const SCRIPT = `(async function () {
  var box = document.getElementById('routes');
  var doc = await (await fetch('/api/v1/openapi.json')).json();
  box.textContent = '';
  Object.keys(doc.paths).forEach(function (path) {
    Object.keys(doc.paths[path]).forEach(function (method) {
      var op = doc.paths[path][method];
      var d = document.createElement('details');
      var s = document.createElement('summary');
      var m = document.createElement('span'); m.className = 'm'; m.textContent = method.toUpperCase();
      s.append(m, ' ', path, ' — ', op.summary || '');
      var roles = document.createElement('p'); roles.className = 'roles'; roles.textContent = op.description || '';
      d.append(s, roles);
      var body = op.requestBody && op.requestBody.content;
      if (body) { var h = document.createElement('h4'); h.textContent = 'Body'; var pre = document.createElement('pre'); pre.textContent = JSON.stringify(body, null, 2); d.append(h, pre); }
      var h2 = document.createElement('h4'); h2.textContent = 'Answers'; var pre2 = document.createElement('pre');
      pre2.textContent = Object.keys(op.responses).map(function (k) { return k + ' ' + op.responses[k].description; }).join('\\n');
      d.append(h2, pre2); box.append(d);
    });
  });
})().catch(function (e) { document.getElementById('routes').textContent = 'Could not load the API document: ' + e.message; });`;

export async function docsRoutes(app: FastifyInstance, home = '/docs'): Promise<void> {
  app.get('/', async (_request, reply) => reply.redirect(home));
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/docs/docs.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(CSS));
  app.get('/docs/docs.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(SCRIPT));
}
