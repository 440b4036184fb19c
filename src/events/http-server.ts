import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * The one place the dashboard's HTTP server is created. Serving https/wss with a given
 * certificate belongs here too, when it comes.
 */
export function createHttpServer(handler: (request: IncomingMessage, response: ServerResponse) => void): Server {
  const server = createServer(handler);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}
