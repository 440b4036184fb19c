import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dashboardDir = fileURLToPath(new URL('../../dashboard/', import.meta.url));

/** Only these files are served: no path from a request ever reaches the file system. */
const files: Record<string, { name: string; type: string }> = {
  '/': { name: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { name: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { name: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/styles.css': { name: 'styles.css', type: 'text/css; charset=utf-8' },
};

export async function serveDashboardFile(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const file = files[path];
  if (path === '/favicon.ico') {
    response.writeHead(204).end();
    return;
  }
  if (request.method !== 'GET' || !file) {
    response.writeHead(request.method === 'GET' ? 404 : 405, { 'content-type': 'text/plain; charset=utf-8' }).end(request.method === 'GET' ? 'Not found\n' : 'Method not allowed\n');
    return;
  }
  try {
    const body = await readFile(join(dashboardDir, file.name));
    response
      .writeHead(200, {
        'content-type': file.type,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self'; script-src 'self'; img-src 'self' data:",
      })
      .end(body);
  } catch {
    response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('The dashboard files are missing from this installation.\n');
  }
}
